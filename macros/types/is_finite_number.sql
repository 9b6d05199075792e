{#- Predicate: a numeric expression is a finite number (not NaN, not +/-infinity).
    NULL stays NULL (callers decide whether NULL is allowed). -#}
{%- macro is_finite_number(expr) -%}
    {{ return(adapter.dispatch('is_finite_number', 'props_contracts')(expr)) }}
{%- endmacro -%}

{#- BigQuery has no ISFINITE; IS_NAN / IS_INF take a FLOAT64 (an INT64 is always finite). -#}
{%- macro bigquery__is_finite_number(expr) -%}
    (not (is_nan(cast({{ expr }} as float64)) or is_inf(cast({{ expr }} as float64))))
{%- endmacro -%}

{#- DuckDB: isfinite(). Not `x = x`: DuckDB orders NaN above every number and equal
    to itself, so `x != x` is never true (and `x > max` is true for NaN, but only there). -#}
{%- macro default__is_finite_number(expr) -%}
    isfinite(cast({{ expr }} as double))
{%- endmacro -%}
