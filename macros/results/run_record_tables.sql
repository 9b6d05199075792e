{#- GENERATED from scripts/props_contracts/records.py by record_tables_macro(): do not edit.
    The audit tables the on-run-end hooks create, declared once in records.py (the CLI
    creates them from the same declaration); pytests/test_plain_dbt_record.py fails when
    this file drifts. Regenerate: .venv/bin/python -c "from props_contracts.records import
    record_tables_macro as m; open('macros/results/run_record_tables.sql', 'w').write(m())" -#}
{%- macro run_record_tables() -%}
    {{ return({
        'contract_runs': {
            'columns': [['run_id', 'STRING'], ['command', 'STRING'], ['target_name', 'STRING'], ['started_at', 'TIMESTAMP'], ['finished_at', 'TIMESTAMP'], ['as_of', 'TIMESTAMP'], ['window_start', 'DATE'], ['window_end', 'DATE'], ['selection', 'STRING'], ['outcome', 'STRING'], ['exit_code', 'INT64'], ['message', 'STRING'], ['git_sha', 'STRING'], ['invariants_expected', 'INT64'], ['invariants_unknown', 'INT64'], ['contracts_expected', 'INT64']],
            'partition_by': 'started_at',
            'cluster_by': [],
            'added': ['contracts_expected'],
        },
        'contract_run_results': {
            'columns': [['run_id', 'STRING'], ['started_at', 'TIMESTAMP'], ['kind', 'STRING'], ['unique_id', 'STRING'], ['name', 'STRING'], ['invariant_id', 'STRING'], ['phase', 'STRING'], ['severity', 'STRING'], ['status', 'STRING'], ['failures', 'INT64'], ['reason', 'STRING'], ['description', 'STRING'], ['relation', 'STRING'], ['execution_seconds', 'FLOAT64']],
            'partition_by': 'started_at',
            'cluster_by': ['invariant_id'],
            'added': [],
        },
        'contract_run_invariants': {
            'columns': [['run_id', 'STRING'], ['started_at', 'TIMESTAMP'], ['invariant_id', 'STRING'], ['status', 'STRING'], ['severity', 'STRING'], ['reason', 'STRING']],
            'partition_by': 'started_at',
            'cluster_by': ['invariant_id'],
            'added': [],
        },
        'contract_failing_rows': {
            'columns': [['run_id', 'STRING'], ['started_at', 'TIMESTAMP'], ['unique_id', 'STRING'], ['name', 'STRING'], ['invariant_id', 'STRING'], ['partition_date', 'STRING'], ['partition_rows', 'INT64'], ['row_index', 'INT64'], ['row_json', 'STRING']],
            'partition_by': 'started_at',
            'cluster_by': ['invariant_id'],
            'added': [],
        },
        'contract_run_invocations': {
            'columns': [['run_id', 'STRING'], ['started_at', 'TIMESTAMP'], ['invocation_id', 'STRING']],
            'partition_by': 'started_at',
            'cluster_by': [],
            'added': [],
        },
        'contract_results_history': {
            'columns': [['invocation_id', 'STRING'], ['run_started_at', 'TIMESTAMP'], ['recorded_at', 'TIMESTAMP'], ['target_name', 'STRING'], ['git_sha', 'STRING'], ['node_unique_id', 'STRING'], ['node_name', 'STRING'], ['resource_type', 'STRING'], ['invariant_id', 'STRING'], ['phase', 'STRING'], ['severity', 'STRING'], ['status', 'STRING'], ['failures', 'INT64'], ['execution_seconds', 'FLOAT64'], ['message', 'STRING'], ['checksum', 'STRING']],
            'partition_by': 'run_started_at',
            'cluster_by': ['invariant_id'],
            'added': ['checksum'],
        },
        '_duckdb_types': {'STRING': 'varchar', 'INT64': 'bigint', 'FLOAT64': 'double', 'TIMESTAMP': 'timestamp', 'DATE': 'date'},
        '_date_columns': ['game_date', 'data_date', 'run_for_date', 'run_date', 'analysis_date', 'bucket_start'],
        '_rows_per_partition': 20,
        '_failing_rows_read': 1000,
    }) }}
{%- endmacro -%}
