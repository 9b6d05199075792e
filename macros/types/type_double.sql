{#- 64-bit float. dbt.type_float() renders FLOAT, which DuckDB reads as 4-byte REAL. -#}
{%- macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'props_contracts')()) }}
{%- endmacro -%}

{%- macro bigquery__type_double() -%}
    float64
{%- endmacro -%}

{%- macro default__type_double() -%}
    double
{%- endmacro -%}
