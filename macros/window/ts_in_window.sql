{#- Predicate: a TIMESTAMP column falls in the evaluation window (and not after as_of). -#}
{%- macro ts_in_window(ts_column) -%}
    ({{ ts_column }} >= cast({{ props_contracts.window_start_date() }} as {{ dbt.type_timestamp() }})
        and {{ ts_column }} <= {{ props_contracts.as_of() }})
{%- endmacro -%}
