{#- date_expr + n days, always a DATE (dbt.dateadd returns DATETIME on BigQuery). -#}
{%- macro add_days(date_expr, n) -%}
    cast({{ dbt.dateadd('day', n, date_expr) }} as date)
{%- endmacro -%}
