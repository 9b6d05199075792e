{#- A value as a SQL string literal (NULL for none), quoted the adapter's way. -#}
{%- macro sql_string(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return(adapter.dispatch('sql_string', 'props_contracts')(value | string)) }}
{%- endmacro -%}

{#- BigQuery: a backslash starts an escape in a quoted string and a raw newline ends
    it, so both are escaped before the quote (a dbt message or a failing row's JSON
    holds them). -#}
{%- macro bigquery__sql_string(text) -%}
    {{ return("'" ~ text.replace('\\', '\\\\').replace("'", "\\'").replace('\n', '\\n').replace('\r', '\\r') ~ "'") }}
{%- endmacro -%}

{%- macro default__sql_string(text) -%}
    {{ return("'" ~ dbt.escape_single_quotes(text) ~ "'") }}
{%- endmacro -%}
