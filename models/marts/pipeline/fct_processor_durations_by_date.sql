{#- Processor performance history (seed 001 item 11: duration trends, weekly and
    monthly reports): one row per processor and business day its runs started on,
    with how many ran, how they ended, and the distribution of the successful
    runs' durations and rows. Keyed by the day a run ran, not the date it
    processed: a backfill of an old date that ran today is today's performance.
    Incremental by run date like the per-date marts: a daily run MERGEs the
    window's days, the first build and a --full-refresh fill the season
    (fct_processor_health judges the window only; PRC-05 reads that). -#}
{{ config(**props_contracts.daily_mart_config(['run_date', 'processor_name'], date_column='run_date')) }}

with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where {{ props_contracts.run_in_mart_window() }}
),

dated as (
    select
        {{ props_contracts.utc_to_local_date('started_at') }} as run_date,
        processor_name,
        phase,
        status,
        records_processed,
        case when status = 'success' then duration_seconds end as success_seconds
    from runs
),

final as (
    select
        run_date,
        processor_name,
        max(phase) as phase,
        count(*) as runs,
        sum(case when status = 'success' then 1 else 0 end) as successful_runs,
        sum(case when status = 'failed' then 1 else 0 end) as failed_runs,
        sum(case when status = 'skipped' then 1 else 0 end) as skipped_runs,
        sum(case when status is null or status not in ('success', 'failed', 'skipped') then 1 else 0 end)
            as other_runs,
        count(success_seconds) as timed_runs,
        sum(success_seconds) as total_duration_seconds,
        avg(success_seconds) as mean_duration_seconds,
        {{ props_contracts.median('success_seconds') }} as median_duration_seconds,
        {{ props_contracts.percentile('success_seconds', 0.9) }} as p90_duration_seconds,
        max(success_seconds) as max_duration_seconds,
        sum(case when status = 'success' then records_processed end) as records_processed
    from dated
    group by run_date, processor_name
)

select * from final
