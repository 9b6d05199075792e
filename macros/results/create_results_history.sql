{#- DDL for the results history table, if it is missing. -#}
{%- macro create_results_history(relation) -%}
    {{ return(adapter.dispatch('create_results_history', 'props_contracts')(relation)) }}
{%- endmacro -%}

{#- BigQuery: partitioned by run date so history queries prune, and one day's
    rows can be dropped or rewritten without touching the rest. -#}
{%- macro bigquery__create_results_history(relation) -%}
    create table if not exists {{ relation }} (
        {{ props_contracts.results_history_columns() }}
    )
    partition by date(run_started_at)
    cluster by invariant_id
{%- endmacro -%}

{%- macro default__create_results_history(relation) -%}
    create table if not exists {{ relation }} (
        {{ props_contracts.results_history_columns() }}
    )
{%- endmacro -%}
