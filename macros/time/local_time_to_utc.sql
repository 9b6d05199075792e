{#- A wall-clock time ('HH:MM:SS') on a local business date, as a UTC timestamp. -#}
{%- macro local_time_to_utc(date_expr, local_time) -%}
    {{ return(adapter.dispatch('local_time_to_utc', 'props_contracts')(date_expr, local_time)) }}
{%- endmacro -%}

{#- BigQuery: TIMESTAMP(datetime, zone) interprets the datetime in the zone. -#}
{%- macro bigquery__local_time_to_utc(date_expr, local_time) -%}
    timestamp(datetime({{ date_expr }}, time '{{ local_time }}'), '{{ props_contracts.typed_var('business_timezone') }}')
{%- endmacro -%}

{#- DuckDB (ICU): timezone(zone, naive) reads the naive value in the zone; the
    session TimeZone is UTC (profiles.yml), so the cast back yields UTC. -#}
{%- macro default__local_time_to_utc(date_expr, local_time) -%}
    cast(
        timezone('{{ props_contracts.typed_var('business_timezone') }}', cast({{ date_expr }} as timestamp) + cast('{{ local_time }}' as interval))
        as timestamp
    )
{%- endmacro -%}
