{#- Create an audit table (and its schema) if it is missing; returns its relation. -#}
{%- macro create_audit_table(name) -%}
    {%- set relation = props_contracts.audit_relation(name) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do run_query(props_contracts.audit_table_ddl(relation, props_contracts.run_record_tables()[name])) -%}
    {{ return(relation) }}
{%- endmacro -%}
