{#- Runs per processor-run day (business date of started_at): how many were
    skipped on streaming-buffer conflicts (PRC-08; seed 003). -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    -- by when the run started: a backfill run for an old date counts today
    where {{ props_contracts.run_in_window() }}
),

final as (
    select
        {{ props_contracts.utc_to_local_date('started_at') }} as run_date,
        count(*) as runs,
        sum(case when status = 'success' then 1 else 0 end) as successful_runs,
        sum(case when status = 'failed' then 1 else 0 end) as failed_runs,
        sum(case when status = 'skipped' and skip_reason = 'streaming_buffer_conflict' then 1 else 0 end)
            as streaming_buffer_skips,
        cast(
            sum(case when status = 'skipped' and skip_reason = 'streaming_buffer_conflict' then 1 else 0 end)
            as {{ props_contracts.type_double() }}
        ) / count(*) as streaming_buffer_skip_ratio
    from runs
    group by 1
)

select * from final
