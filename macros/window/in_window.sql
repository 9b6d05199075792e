{#- Predicate: a DATE column falls in the evaluation window. On BigQuery this is
    also the partition filter that bounds the bytes a contract scans. -#}
{%- macro in_window(date_column) -%}
    ({{ date_column }} >= {{ props_contracts.window_start_date() }}
        and {{ date_column }} <= {{ props_contracts.as_of_date() }})
{%- endmacro -%}
