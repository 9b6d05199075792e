{#- Predicate for the body of a per-date analyst mart (daily_mart_config): the
    game dates this build computes. A daily (incremental) run: the contracts'
    window, the dates it MERGEs (in_window). The first build (no table yet) and
    every --full-refresh: every game date of the last full_refresh_max_days before
    as_of (or the window, when that is wider), so the mart starts with the
    history the sources hold, not one week. A constant range either way, so it
    is the partition filter BigQuery prunes on. The contracts over the marts keep
    their own in_window scope: a full refresh fills history, it does not make
    them judge it. -#}
{%- macro in_mart_window(date_column) -%}
    {%- if is_incremental() or props_contracts.typed_var('full_history') -%}
        {{ props_contracts.in_window(date_column) }}
    {%- else -%}
        {%- set days_back = [props_contracts.typed_var('full_refresh_max_days'),
            props_contracts.typed_var('lookback_days')] | max -%}
        ({{ date_column }} >= {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * days_back) }}
            and {{ date_column }} <= {{ props_contracts.as_of_date() }})
    {%- endif -%}
{%- endmacro -%}
