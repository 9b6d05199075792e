{#- The latest date a pipeline row may carry: sch02_max_days_ahead after as_of's
    date; a DATE, or a TIMESTAMP (that day's midnight) with timestamp=true. -#}
{%- macro latest_plausible_date(timestamp=false) -%}
    {%- set latest = props_contracts.add_days(props_contracts.as_of_date(), props_contracts.typed_var('sch02_max_days_ahead')) -%}
    {%- if timestamp -%}
        cast({{ latest }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ latest }}
    {%- endif -%}
{%- endmacro -%}
