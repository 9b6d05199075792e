{#- The earliest date a pipeline row may carry (earliest_plausible_date), a DATE, or
    a TIMESTAMP (its midnight, UTC) with timestamp=true. -#}
{%- macro earliest_plausible_date(timestamp=false) -%}
    cast('{{ props_contracts.typed_var("earliest_plausible_date") }}' as {{ dbt.type_timestamp() if timestamp else 'date' }})
{%- endmacro -%}
