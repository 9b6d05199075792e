{#- Create an audit table (and its schema) if it is missing, add the columns declared
    since (records.py Table.added); returns its relation. -#}
{%- macro create_audit_table(name) -%}
    {%- set relation = props_contracts.audit_relation(name) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set spec = props_contracts.run_record_tables()[name] -%}
    {%- do run_query(props_contracts.audit_table_ddl(relation, spec)) -%}
    {#- columns added after the table's first release: upgrade a table an older version made -#}
    {%- for c in spec.columns if c[0] in spec.added -%}
        {%- do run_query(props_contracts.audit_add_column_ddl(relation, c)) -%}
    {%- endfor -%}
    {{ return(relation) }}
{%- endmacro -%}
