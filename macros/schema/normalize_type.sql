{#- A warehouse type name in the BigQuery spelling the sources YAML declares, so
    DuckDB's VARCHAR / BIGINT / DOUBLE compare equal to STRING / INT64 / FLOAT64. -#}
{%- macro normalize_type(data_type) -%}
    {%- set t = (data_type or '') | upper | trim -%}
    {%- set t = t.split('(')[0] | trim -%}
    {%- set aliases = {
        'VARCHAR': 'STRING', 'TEXT': 'STRING', 'CHARACTER VARYING': 'STRING',
        'BIGINT': 'INT64', 'INTEGER': 'INT64', 'INT': 'INT64', 'SMALLINT': 'INT64', 'HUGEINT': 'INT64',
        'DOUBLE': 'FLOAT64', 'FLOAT': 'FLOAT64', 'DOUBLE PRECISION': 'FLOAT64',
        'BOOLEAN': 'BOOL',
        'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
    } -%}
    {{- return(aliases.get(t, t)) -}}
{%- endmacro -%}
