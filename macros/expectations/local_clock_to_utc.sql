{#- A local wall-clock time given as an 'HH:MM' column or expression (a declared
    expectation's local_time) on a local date, as a UTC timestamp, at that date's own
    offset in business_timezone (the day-light change right: 06:30 ET is 11:30 UTC in
    January and 10:30 UTC in July). local_time_to_utc takes a literal; this takes SQL. -#}
{%- macro local_clock_to_utc(date_expr, hhmm_expr) -%}
    {{ return(adapter.dispatch('local_clock_to_utc', 'props_contracts')(date_expr, hhmm_expr)) }}
{%- endmacro -%}

{#- BigQuery: TIMESTAMP(datetime, zone) interprets the datetime in the zone. -#}
{%- macro bigquery__local_clock_to_utc(date_expr, hhmm_expr) -%}
    timestamp(datetime({{ date_expr }}, parse_time('%H:%M', {{ hhmm_expr }})), '{{ props_contracts.typed_var('business_timezone') }}')
{%- endmacro -%}

{#- DuckDB (ICU): timezone(zone, naive) reads the naive value in the zone; the session
    TimeZone is UTC (profiles.yml), so the cast back yields UTC. -#}
{%- macro default__local_clock_to_utc(date_expr, hhmm_expr) -%}
    cast(
        timezone(
            '{{ props_contracts.typed_var('business_timezone') }}',
            cast({{ date_expr }} as timestamp) + cast({{ hhmm_expr }} || ':00' as interval)
        )
        as timestamp
    )
{%- endmacro -%}
