{#- Predicate: a DATE column falls between the backfill floor (backfill_horizon_days
    before the window) and as_of's date: the dates a run of the window may have
    processed. A constant range, so it is a partition filter on BigQuery. -#}
{%- macro in_backfill_window(date_column) -%}
    ({{ date_column }} >= {{ props_contracts.window_start_date(props_contracts.typed_var('backfill_horizon_days')) }}
        and {{ date_column }} <= {{ props_contracts.as_of_date() }})
{%- endmacro -%}
