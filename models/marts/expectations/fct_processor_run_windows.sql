{#- ABS-02: one row per processor that must run without a schedule row saying when:
    every active processor of the registry and every processor declared in
    seeds/pipeline_processors.csv that no job of seeds/pipeline_schedule.csv names
    (a scheduled processor is judged per date by ABS-01), unless declared on_demand.
    It must have a successful run within its window (window_hours, else
    abs02_window_hours) before as_of. A game_days processor is judged only when a
    game was scheduled to tip off in that window; a processor registered inside the
    window is not judged yet (onboarding). A registry processor absent from the seed
    runs on game days with the default window. -#}
{%- set default_window = props_contracts.typed_var('abs02_window_hours') -%}

with declared as (
    select * from {{ ref('pipeline_processors') }}
),

schedule as (
    select * from {{ ref('pipeline_schedule') }}
),

registry as (
    select
        processor_name,
        min(registered_at) as registered_at
    from {{ ref('stg_nba_reference__processor_registry') }}
    where is_active and processor_name is not null
    group by processor_name
),

population as (
    select processor_name from declared
    union distinct
    select processor_name from registry
),

expected as (
    select
        population.processor_name,
        coalesce(declared.runs_on, 'game_days') as runs_on,
        cast(coalesce(declared.window_hours, {{ default_window }}) as {{ dbt.type_int() }}) as window_hours,
        declared.processor_name is not null as is_declared,
        registry.processor_name is not null as is_registered,
        registry.registered_at
    from population
    left join declared on population.processor_name = declared.processor_name
    left join registry on population.processor_name = registry.processor_name
    where
        coalesce(declared.runs_on, 'game_days') <> 'on_demand'
        and not exists (
            select 1 from schedule
            where {{ dbt.position("concat(' ', population.processor_name, ' ')", "concat(' ', schedule.processors, ' ')") }} > 0
        )
),

windowed as (
    select
        *,
        {{ props_contracts.add_minutes(props_contracts.as_of(), '-60 * window_hours') }} as window_start_at
    from expected
),

games as (
    select scheduled_start_at from {{ ref('int_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_window('game_date') }}
),

runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        {{ props_contracts.run_partition_floor() }}
        and status = 'success'
        and started_at <= {{ props_contracts.as_of() }}
),

last_success as (
    select
        processor_name,
        max(started_at) as last_success_at
    from runs
    group by processor_name
),

final as (
    select
        windowed.processor_name,
        windowed.runs_on,
        windowed.window_hours,
        windowed.window_start_at,
        windowed.is_declared,
        windowed.is_registered,
        windowed.registered_at,
        last_success.last_success_at,
        (
            windowed.runs_on = 'every_day'
            or exists (
                select 1 from games
                where
                    games.scheduled_start_at >= windowed.window_start_at
                    and games.scheduled_start_at <= {{ props_contracts.as_of() }}
            )
        )
        and coalesce(windowed.registered_at <= windowed.window_start_at, true) as is_judged,
        coalesce(last_success.last_success_at >= windowed.window_start_at, false) as ran_in_window
    from windowed
    left join last_success on windowed.processor_name = last_success.processor_name
)

select
    *,
    is_judged and not ran_in_window as is_missing
from final
