{#- A value as a SQL string literal (NULL for none), quoted the adapter's way. -#}
{%- macro sql_string(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return("'" ~ dbt.escape_single_quotes(value | string) ~ "'") }}
{%- endmacro -%}
