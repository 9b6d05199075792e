{#- dbt's source(), after checking the vars that say where the source lives
    (source_database and <source name>_schema). The sources YAML renders them
    without the project's macros, so a name with a quote or a semicolon is caught
    here, when the staging model that reads the source is parsed. -#}
{%- macro source(source_name, table_name) -%}
    {%- do props_contracts.typed_var('source_database') -%}
    {%- do props_contracts.typed_var(source_name ~ '_schema') -%}
    {{ return(builtins.source(source_name, table_name)) }}
{%- endmacro -%}
