{#- Where every dbt invocation records its node results: <target schema>_audit. -#}
{%- macro results_history_relation() -%}
    {{ return(api.Relation.create(
        database=target.database,
        schema=target.schema ~ '_audit',
        identifier='contract_results_history',
        type='table')) }}
{%- endmacro -%}
