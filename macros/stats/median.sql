{#- Median of a numeric expression (aggregate). -#}
{%- macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'props_contracts')(expr)) }}
{%- endmacro -%}

{#- BigQuery has PERCENTILE_CONT only as a window function; APPROX_QUANTILES is the aggregate. -#}
{%- macro bigquery__median(expr) -%}
    approx_quantiles({{ expr }}, 2)[offset(1)]
{%- endmacro -%}

{%- macro default__median(expr) -%}
    median({{ expr }})
{%- endmacro -%}
