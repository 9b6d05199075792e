{#- Predicate over processor_run_history for a per-run-date mart
    (fct_processor_durations_by_date): the business date the run started on is one
    of the dates this build computes, as in_mart_window decides them for game
    dates: the window on a daily (incremental) run, full_refresh_max_days before
    as_of on the first build and every --full-refresh. Whole local days: a daily
    run recomputes each of its dates from every run of that day, never from only
    the part after UTC midnight (its MERGE would overwrite the day with less).
    The data_date bound is the partition filter BigQuery prunes on: a backfill run
    processes a date up to backfill_horizon_days older than the day it ran. -#}
{%- macro run_in_mart_window(started_at='started_at', data_date='data_date') -%}
    {%- if is_incremental() or props_contracts.typed_var('full_history') -%}
        {%- set first_date = props_contracts.window_start_date() -%}
    {%- else -%}
        {%- set days_back = [props_contracts.typed_var('full_refresh_max_days'),
            props_contracts.typed_var('lookback_days')] | max -%}
        {%- set first_date = props_contracts.add_days(props_contracts.as_of_date(), -1 * days_back) -%}
    {%- endif -%}
    ({{ props_contracts.utc_to_local_date(started_at) }} >= {{ first_date }}
        and {{ started_at }} <= {{ props_contracts.as_of() }}
        and ({{ data_date }} is null
            or {{ data_date }} >= {{ props_contracts.add_days(first_date,
                -1 * props_contracts.typed_var('backfill_horizon_days')) }}))
{%- endmacro -%}
