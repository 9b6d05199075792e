{#- Comma-separated, sorted list of a column's distinct values (for "which entities").
    dbt.listagg has no DISTINCT; this spelling is valid on BigQuery and DuckDB alike. -#}
{%- macro string_agg_sorted(expr) -%}
    string_agg(distinct {{ expr }}, ', ' order by {{ expr }})
{%- endmacro -%}
