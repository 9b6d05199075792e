{#- Runs of consecutive failed runs per processor (PRC-14; seed 004
    processor_failure_threshold 5: the processor-level breaker). A successful run ends a
    streak; skipped and running runs neither extend nor end one. One row per streak whose
    last failure started in the window, read over the window and prc05_baseline_days
    before it, so a streak that began before the
    window is counted whole. -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status in ('success', 'failed')
        and {{ props_contracts.run_in_window(extra_days=props_contracts.typed_var('prc05_baseline_days')) }}
),

ordered as (
    select
        *,
        -- the successes before each run: failures between two successes share a streak
        sum(case when status = 'success' then 1 else 0 end) over (
            partition by processor_name order by started_at, run_id rows between unbounded preceding and current row
        ) as streak_number
    from runs
),

streaks as (
    select
        processor_name,
        streak_number,
        count(*) as failed_runs,
        min(started_at) as first_failed_at,
        max(started_at) as last_failed_at,
        min(data_date) as first_data_date,
        max(data_date) as last_data_date
    from ordered
    where status = 'failed'
    group by processor_name, streak_number
),

settings as (
    {{ props_contracts.processor_settings_sql() }}
),

final as (
    select
        streaks.processor_name,
        streaks.first_failed_at,
        streaks.last_failed_at,
        streaks.first_data_date,
        streaks.last_data_date,
        streaks.failed_runs,
        {{ props_contracts.processor_setting('processor_failure_threshold') }} as failure_threshold
    from streaks
    left join settings on streaks.processor_name = settings.processor_name
    where {{ props_contracts.ts_in_window('streaks.last_failed_at') }}
)

select * from final
