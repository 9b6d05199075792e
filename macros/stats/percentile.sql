{#- p-th percentile (0-1) of a numeric expression (aggregate). -#}
{%- macro percentile(expr, p) -%}
    {{ return(adapter.dispatch('percentile', 'props_contracts')(expr, p)) }}
{%- endmacro -%}

{#- BigQuery: APPROX_QUANTILES over 100 buckets (exact enough for latency SLOs). -#}
{%- macro bigquery__percentile(expr, p) -%}
    approx_quantiles({{ expr }}, 100)[offset({{ (p * 100) | int }})]
{%- endmacro -%}

{%- macro default__percentile(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro -%}
