{#- Is a processor getting slower? Per processor and week since season_start_date:
    the runs, the failed share, the mean of the daily median durations and the
    slowest run, in seconds, the rows it processed, and the change of the weekly
    mean median against the week before (seed 001 item 11: weekly reports, the
    "+39.7 %" kind of trend; the contracts on it are another issue's). Reads
    fct_processor_durations_by_date, which keeps every day since the first run. A
    week's figures summarise its days (they are not a week-wide percentile). -#}
{#- the Monday of run_date's week on both warehouses (their own week truncations
    start on different days): days since a Monday, modulo 7 -#}
{%- set days_since_monday = 'mod(' ~ dbt.datediff("cast('2000-01-03' as date)", 'run_date', 'day') ~ ', 7)' -%}
{%- set week_start = props_contracts.add_days('run_date', '-1 * ' ~ days_since_monday) %}

with days as (
    select * from {{ ref('fct_processor_durations_by_date') }}
    where
        run_date >= cast('{{ props_contracts.typed_var("season_start_date") }}' as date)
        and run_date <= {{ props_contracts.as_of_date() }}
),

by_week as (
    select
        processor_name,
        {{ week_start }} as week_start,
        count(*) as run_days,
        sum(runs) as runs,
        sum(failed_runs) as failed_runs,
        cast(sum(failed_runs) as {{ props_contracts.type_double() }}) / nullif(sum(runs), 0) as failed_share,
        avg(median_duration_seconds) as mean_daily_median_seconds,
        max(max_duration_seconds) as slowest_run_seconds,
        sum(records_processed) as records_processed
    from days
    group by processor_name, {{ week_start }}
),

with_trend as (
    select
        *,
        mean_daily_median_seconds
        / nullif(lag(mean_daily_median_seconds) over (partition by processor_name order by week_start), 0)
        - 1 as change_vs_previous_week
    from by_week
)

select * from with_trend
order by processor_name, week_start
