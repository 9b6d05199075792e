{#- ts + n minutes, a TIMESTAMP on every adapter. -#}
{%- macro add_minutes(ts, n) -%}
    {{ return(adapter.dispatch('add_minutes', 'props_contracts')(ts, n)) }}
{%- endmacro -%}

{#- BigQuery: timestamp_add keeps the TIMESTAMP type (dbt.dateadd would give DATETIME). -#}
{%- macro bigquery__add_minutes(ts, n) -%}
    timestamp_add({{ ts }}, interval {{ n }} minute)
{%- endmacro -%}

{%- macro default__add_minutes(ts, n) -%}
    cast({{ dbt.dateadd('minute', n, ts) }} as {{ dbt.type_timestamp() }})
{%- endmacro -%}
