{#- Per processor: its latest successful run against the median of its runs over
    the preceding prc05_baseline_days (PRC-05; seed 001 slowdown detector). -#}
{%- set baseline_days = props_contracts.typed_var('prc05_baseline_days') -%}

with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status = 'success'
        and duration_seconds is not null
        and {{ props_contracts.ts_in_window('started_at') }}
        -- the partition filter: a run in the window may process an older date (backfill)
        and data_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
),

latest as (
    select *
    from runs
    where true
    qualify row_number() over (partition by processor_name order by started_at desc, run_id desc) = 1
),

baseline as (
    select
        latest.processor_name,
        count(*) as baseline_runs,
        {{ props_contracts.median('runs.duration_seconds') }} as baseline_median_seconds
    from latest
    inner join runs
        on
            latest.processor_name = runs.processor_name
            and latest.started_at > runs.started_at
            and runs.started_at >= {{ props_contracts.add_hours('latest.started_at', -24 * baseline_days) }}
    group by latest.processor_name
),

final as (
    select
        latest.processor_name,
        latest.run_id as latest_run_id,
        latest.data_date as latest_data_date,
        latest.started_at as latest_started_at,
        latest.duration_seconds as latest_duration_seconds,
        coalesce(baseline.baseline_runs, 0) as baseline_runs,
        baseline.baseline_median_seconds,
        latest.duration_seconds / nullif(baseline.baseline_median_seconds, 0) as duration_ratio
    from latest
    left join baseline on latest.processor_name = baseline.processor_name
)

select * from final
