{#- A table of the project's audit dataset: <target schema>_audit.<name>, where the
    CLI (scripts/props_contracts/warehouse.py, Warehouse.audit) keeps the same tables. -#}
{%- macro audit_relation(name) -%}
    {{ return(api.Relation.create(
        database=target.database,
        schema=target.schema ~ '_audit',
        identifier=name,
        type='table')) }}
{%- endmacro -%}
