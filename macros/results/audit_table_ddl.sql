{#- DDL of an audit table from its declaration in run_record_tables() (generated from
    records.py), as warehouse.py's adapters write it. -#}
{%- macro audit_table_ddl(relation, spec) -%}
    {{ return(adapter.dispatch('audit_table_ddl', 'props_contracts')(relation, spec)) }}
{%- endmacro -%}

{#- BigQuery: the declared types are BigQuery's; partitioned by the date of the
    declared timestamp column and clustered, as BigQueryWarehouse._create does. -#}
{%- macro bigquery__audit_table_ddl(relation, spec) -%}
    {%- set cols = [] -%}
    {%- for c in spec.columns -%}
        {%- do cols.append('`' ~ c[0] ~ '` ' ~ c[1]) -%}
    {%- endfor -%}
    create table if not exists {{ relation }} ({{ cols | join(', ') }})
    {%- if spec.partition_by %} partition by date(`{{ spec.partition_by }}`){% endif -%}
    {%- if spec.cluster_by %} cluster by {{ '`' ~ spec.cluster_by | join('`, `') ~ '`' }}{% endif -%}
{%- endmacro -%}

{#- DuckDB (and the default): the declared types mapped as DuckDBWarehouse._create maps them. -#}
{%- macro default__audit_table_ddl(relation, spec) -%}
    {%- set types = props_contracts.run_record_tables()['_duckdb_types'] -%}
    {%- set cols = [] -%}
    {%- for c in spec.columns -%}
        {%- do cols.append('"' ~ c[0] ~ '" ' ~ types[c[1]]) -%}
    {%- endfor -%}
    create table if not exists {{ relation }} ({{ cols | join(', ') }})
{%- endmacro -%}
