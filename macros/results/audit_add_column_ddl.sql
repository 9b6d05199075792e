{#- ALTER TABLE ... ADD COLUMN IF NOT EXISTS for a column declared after an audit
    table's first release (records.py Table.added), as warehouse.py's adapters write it. -#}
{%- macro audit_add_column_ddl(relation, column) -%}
    {{ return(adapter.dispatch('audit_add_column_ddl', 'props_contracts')(relation, column)) }}
{%- endmacro -%}

{%- macro bigquery__audit_add_column_ddl(relation, column) -%}
    alter table {{ relation }} add column if not exists `{{ column[0] }}` {{ column[1] }}
{%- endmacro -%}

{%- macro default__audit_add_column_ddl(relation, column) -%}
    alter table {{ relation }} add column if not exists "{{ column[0] }}" {{ props_contracts.run_record_tables()['_duckdb_types'][column[1]] }}
{%- endmacro -%}
