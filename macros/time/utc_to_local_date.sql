{#- The local business date of a UTC timestamp. -#}
{%- macro utc_to_local_date(ts) -%}
    {{ return(adapter.dispatch('utc_to_local_date', 'props_contracts')(ts)) }}
{%- endmacro -%}

{#- BigQuery: DATE(timestamp, zone) converts in one call. -#}
{%- macro bigquery__utc_to_local_date(ts) -%}
    date({{ ts }}, '{{ props_contracts.typed_var('business_timezone') }}')
{%- endmacro -%}

{#- DuckDB (ICU): timestamps are naive UTC; mark them UTC, then read them in the zone. -#}
{%- macro default__utc_to_local_date(ts) -%}
    cast(timezone('{{ props_contracts.typed_var('business_timezone') }}', timezone('UTC', {{ ts }})) as date)
{%- endmacro -%}
