{#- Columns of the results history (one row per executed node per invocation). -#}
{%- macro results_history_columns() -%}
    invocation_id {{ dbt.type_string() }},
    run_started_at {{ dbt.type_timestamp() }},
    recorded_at {{ dbt.type_timestamp() }},
    target_name {{ dbt.type_string() }},
    git_sha {{ dbt.type_string() }},
    node_unique_id {{ dbt.type_string() }},
    node_name {{ dbt.type_string() }},
    resource_type {{ dbt.type_string() }},
    invariant_id {{ dbt.type_string() }},
    phase {{ dbt.type_string() }},
    severity {{ dbt.type_string() }},
    status {{ dbt.type_string() }},
    failures {{ dbt.type_bigint() }},
    execution_seconds {{ props_contracts.type_double() }},
    message {{ dbt.type_string() }}
{%- endmacro -%}
