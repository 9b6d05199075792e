{#- on-run-end: append one row per executed node to the results history, in ONE
    batch INSERT (a streaming insert would block DML on the table for up to 90
    minutes, seed 003). Runs for a plain `dbt build` too, not only via the CLI. -#}
{%- macro record_results(results) -%}
    {%- if not execute or not results -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = props_contracts.create_audit_table('contract_results_history') -%}
    {%- set rows = [] -%}
    {%- for r in results if r.node is defined and r.node.resource_type in ['model', 'test', 'seed', 'snapshot', 'unit_test'] -%}
        {%- set meta = r.node.config.meta or {} -%}
        {%- set phase = [] -%}
        {%- for t in r.node.tags if t.startswith('phase_') or t in ['processors', 'orchestration', 'schema'] -%}
            {%- do phase.append(t) -%}
        {%- endfor -%}
        {%- set severity = r.node.config.severity if r.node.resource_type == 'test' else none -%}
        {%- do rows.append('(' ~ [
            props_contracts.sql_string(invocation_id),
            'cast(' ~ props_contracts.sql_string(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ ' as ' ~ dbt.type_timestamp() ~ ')',
            'cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')',
            props_contracts.sql_string(target.name),
            props_contracts.sql_string(env_var('PROPS_GIT_SHA', '')),
            props_contracts.sql_string(r.node.unique_id),
            props_contracts.sql_string(r.node.name),
            props_contracts.sql_string(r.node.resource_type),
            props_contracts.sql_string(meta.get('invariant_id')),
            props_contracts.sql_string(phase[0] if phase else none),
            props_contracts.sql_string(severity | lower if severity else none),
            props_contracts.sql_string(r.status),
            (r.failures if r.failures is not none else 'null'),
            (r.execution_time | round(3)),
            props_contracts.sql_string((r.message or '')[:500]),
            props_contracts.sql_string(r.node.checksum.checksum if r.node.resource_type == 'seed' else none),
        ] | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- if rows -%}
        {%- set columns = [] -%}
        {%- for c in props_contracts.run_record_tables()['contract_results_history'].columns -%}
            {%- do columns.append(c[0]) -%}
        {%- endfor -%}
        {%- do run_query('insert into ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') values ' ~ rows | join(',\n')) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
