{#- Processor runs against their own processor's timeout (seeds/processor_settings.csv,
    else prc04_timeout_minutes): every run still running, whenever it started and
    whatever date it processes (PRC-04: stuck past the timeout), and every successful run
    that started in the window (PRC-11: the share of the timeout it used; seed 001
    "PredictionCoordinator at 112.6 % of timeout"). -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        -- the partition filter first, whatever the run's state
        {{ props_contracts.run_partition_floor() }}
        and (
            status = 'running'
            or (status is null and completed_at is null)
            or (status = 'success' and {{ props_contracts.run_in_window() }})
        )
),

settings as (
    {{ props_contracts.processor_settings_sql() }}
),

measured as (
    select
        runs.run_id,
        runs.processor_name,
        runs.phase,
        runs.data_date,
        runs.status,
        runs.started_at,
        runs.completed_at,
        runs.duration_seconds,
        (runs.status = 'running' or (runs.status is null and runs.completed_at is null)) as is_running,
        {{ props_contracts.processor_setting('timeout_minutes') }} as timeout_minutes
    from runs
    left join settings on runs.processor_name = settings.processor_name
),

final as (
    select
        *,
        case
            when is_running then {{ props_contracts.hours_between('started_at', props_contracts.as_of()) }} * 60
            else duration_seconds / 60.0
        end as minutes_used,
        case
            when is_running then {{ props_contracts.hours_between('started_at', props_contracts.as_of()) }} * 60
            else duration_seconds / 60.0
        end / timeout_minutes as timeout_share
    from measured
)

select * from final
