{#- on-run-end: the run record of a plain `dbt build` or `dbt test` (docs/run-record.md),
    the same record `props-contracts run` writes (scripts/props_contracts/records.py,
    write_run), so alert, report and gate read either alike:
      contract_run_results     every selected data test: pass, warn, fail, or unknown
                               with the reason (dbt's error and skipped are unknown)
      contract_run_invariants  what the invocation set out to evaluate: the catalog
                               (seed `invariants`) when every data test was selected,
                               else the invariants of the selected tests
      contract_failing_rows    each failing / warning test's rows, bounded per date
      contract_run_invocations this invocation (readers flag any invocation no record has)
      contract_runs            the run row, last: only then is the record complete
    One INSERT per table. Nothing is written when the props-contracts CLI runs dbt
    (it sets PROPS_CONTRACTS_CLI and writes its own record), for other dbt commands
    (run, seed, snapshot, retry, ...: they evaluate no contract), or when no data
    test was selected. -#}
{%- macro record_run(results) -%}
    {%- if not execute or flags.WHICH not in ['build', 'test'] or env_var('PROPS_CONTRACTS_CLI', '') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set command = 'dbt ' ~ flags.WHICH -%}
    {%- set selected = {} -%}
    {%- for uid in selected_resources -%}
        {%- do selected.update({uid: true}) -%}
    {%- endfor -%}
    {%- set ns = namespace(all_tests=0) -%}
    {%- set tests = [] -%}
    {#- the data tests dbt would run, as runner.py counts them: enabled, over enabled
        parents (a disabled seed's tests stay in the graph, disabled) -#}
    {%- for uid, node in graph.nodes.items() if node.resource_type == 'test' and node.config.enabled is not false -%}
        {%- set parents = namespace(known=true) -%}
        {%- for p in node.depends_on.nodes if p not in graph.nodes and p not in graph.sources -%}
            {%- set parents.known = false -%}
        {%- endfor -%}
        {%- if parents.known -%}
            {%- set ns.all_tests = ns.all_tests + 1 -%}
            {%- if uid in selected -%}
                {%- do tests.append(uid) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not tests -%}
        {{ return('') }}
    {%- endif -%}
    {%- set full = tests | length == ns.all_tests -%}
    {%- set by_uid, failed = {}, {} -%}
    {%- for r in results if r.node is defined -%}
        {%- do by_uid.update({r.node.unique_id: r}) -%}
        {%- if (r.status | string | lower) in ['error', 'fail'] -%}
            {%- do failed.update({r.node.unique_id: props_contracts.first_line(r.message)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set problems = [] -%}

    {#- the instant judged and the window, as runner.py records them -#}
    {%- set started = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- set as_of = props_contracts.typed_var('as_of') or started -%}
    {%- set as_of_date = modules.datetime.datetime.strptime(as_of, '%Y-%m-%d %H:%M:%S').date() -%}
    {%- if props_contracts.typed_var('full_history') -%}
        {%- set window_start = none -%}
    {%- else -%}
        {%- set window_start = (as_of_date - modules.datetime.timedelta(days=props_contracts.typed_var('lookback_days'))).isoformat() -%}
    {%- endif -%}

    {#- each selected data test's verdict -#}
    {%- set contracts = [] -%}
    {%- for uid in tests | sort -%}
        {%- set node = graph.nodes[uid] -%}
        {%- set meta = {} -%}
        {%- do meta.update(node.meta or {}) -%}
        {%- do meta.update(node.config.meta or {}) -%}
        {%- set phase = [] -%}
        {%- for t in node.tags if t.startswith('phase_') -%}
            {%- do phase.append(t) -%}
        {%- endfor -%}
        {%- set c = {'unique_id': uid, 'name': node.name, 'invariant_id': meta.get('invariant_id'),
                     'phase': phase[0] if phase else none,
                     'severity': (node.config.severity or 'error') | string | lower,
                     'status': 'unknown', 'failures': 0, 'reason': '', 'seconds': 0,
                     'description': (node.description or '') | trim,
                     'relation': node.relation_name if node.config.store_failures else none} -%}
        {%- set r = by_uid.get(uid) -%}
        {%- if r is none -%}
            {%- do c.update({'reason': 'not evaluated: dbt did not run it in this ' ~ command}) -%}
        {%- else -%}
            {%- set status = r.status | string | lower -%}
            {%- do c.update({'status': {'pass': 'pass', 'success': 'pass', 'warn': 'warn', 'fail': 'fail'}.get(status, 'unknown'),
                             'failures': r.failures or 0, 'seconds': r.execution_time or 0}) -%}
            {%- if c.status == 'unknown' and status == 'skipped' -%}
                {%- do c.update({'reason': props_contracts.skip_reason(uid, failed, command)}) -%}
            {%- elif c.status == 'unknown' -%}
                {%- do c.update({'reason': 'dbt ' ~ status ~ ': ' ~ (props_contracts.first_line(r.message) or 'no message')}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do c.update({'node': r.node if r is not none else none}) -%}
        {%- do contracts.append(c) -%}
    {%- endfor -%}

    {#- the invariants: the catalog when every data test ran, else the selected tests' -#}
    {%- set catalog = {} -%}
    {%- if full -%}
        {%- set seed = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.name == 'invariants' and node.package_name == project_name -%}
            {%- do seed.append(node) -%}
        {%- endfor -%}
        {%- set found = adapter.get_relation(database=seed[0].database, schema=seed[0].schema, identifier=seed[0].alias) if seed else none -%}
        {%- if found is none -%}
            {%- do problems.append('the invariant catalog (seed invariants) is not in the warehouse, so invariants '
                                   ~ 'with no executed contract could not be listed: run `dbt seed --select invariants`') -%}
        {%- else -%}
            {%- for row in run_query('select invariant_id, severity from ' ~ found).rows -%}
                {%- do catalog.update({row[0]: (row[1] or 'error') | lower}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- set by_inv = {} -%}
    {%- for c in contracts if c.invariant_id -%}
        {%- do by_inv.setdefault(c.invariant_id, []).append(c) -%}
    {%- endfor -%}
    {%- set expected = (catalog.keys() | list) + (by_inv.keys() | list) -%}
    {%- set invariants = [] -%}
    {%- for inv in expected | unique | sort -%}
        {%- set cs = by_inv.get(inv, []) -%}
        {%- set statuses = cs | map(attribute='status') | list -%}
        {%- set status = namespace(value='pass' if cs else 'unknown') -%}
        {%- for s in ['warn', 'unknown', 'fail'] if s in statuses -%}
            {%- set status.value = s -%}
        {%- endfor -%}
        {%- if not cs -%}
            {%- set reason = 'no contract in the project carries this ID' -%}
        {%- else -%}
            {%- set reason = (cs | selectattr('status', 'equalto', 'unknown') | map(attribute='reason')
                              | select | unique | sort | join('; '))[:2000] -%}
        {%- endif -%}
        {%- do invariants.append([inv, status.value, catalog.get(inv, 'error'), reason]) -%}
    {%- endfor -%}

    {#- failing rows, read back for each contract that failed or warned -#}
    {%- set failing = [] -%}
    {%- for c in contracts if c.status in ['fail', 'warn'] and c.node is not none -%}
        {%- set ns.index = 0 -%}
        {%- for partition, count, row_json in props_contracts.failing_rows_of(c.node, c.relation) -%}
            {%- set ns.index = ns.index + 1 -%}
            {%- do failing.append([c, partition, count, ns.index, row_json]) -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- the exit code the CLI computes: 2 anything unknown, 1 an error-severity failure, else 0 -#}
    {%- set unknown = invariants | selectattr(1, 'equalto', 'unknown') | list -%}
    {%- if problems or unknown or contracts | selectattr('status', 'equalto', 'unknown') | list -%}
        {%- set exit_code = 2 -%}
    {%- elif contracts | selectattr('status', 'equalto', 'fail') | selectattr('severity', 'equalto', 'error') | list -%}
        {%- set exit_code = 1 -%}
    {%- else -%}
        {%- set exit_code = 0 -%}
    {%- endif -%}
    {%- if full -%}
        {%- set selection = '' -%}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for flag, value in [('--select', invocation_args_dict.get('select')), ('--exclude', invocation_args_dict.get('exclude')),
                                ('--selector', invocation_args_dict.get('selector'))] if value -%}
            {%- do parts.append(flag ~ ' ' ~ (value if value is string else value | join(' '))) -%}
        {%- endfor -%}
        {%- set selection = parts | join(' ') or 'a subset of the data tests' -%}
    {%- endif -%}

    {#- write: one INSERT per table, the run row last -#}
    {%- set s = props_contracts.sql_string -%}
    {%- set ts = "cast('" ~ started ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set run_id = s(invocation_id) -%}
    {%- for name in ['contract_run_results', 'contract_run_invariants', 'contract_failing_rows', 'contract_run_invocations', 'contract_runs'] -%}
        {%- do props_contracts.create_audit_table(name) -%}
    {%- endfor -%}
    {%- set rows = [] -%}
    {%- for c in contracts -%}
        {%- do rows.append([run_id, ts, s('test'), s(c.unique_id), s(c.name), s(c.invariant_id), s(c.phase),
                            s(c.severity), s(c.status), c.failures | int, s(c.reason[:2000]), s(c.description[:2000]),
                            s(c.relation), c.seconds | float | round(3)]) -%}
    {%- endfor -%}
    {%- do props_contracts.insert_audit_rows('contract_run_results', rows) -%}
    {%- set rows = [] -%}
    {%- for inv, status, severity, reason in invariants -%}
        {%- do rows.append([run_id, ts, s(inv), s(status), s(severity), s(reason)]) -%}
    {%- endfor -%}
    {%- do props_contracts.insert_audit_rows('contract_run_invariants', rows) -%}
    {%- set rows = [] -%}
    {%- for c, partition, count, index, row_json in failing -%}
        {%- do rows.append([run_id, ts, s(c.unique_id), s(c.name), s(c.invariant_id), s(partition), count, index, s(row_json)]) -%}
    {%- endfor -%}
    {%- do props_contracts.insert_audit_rows('contract_failing_rows', rows) -%}
    {%- do props_contracts.insert_audit_rows('contract_run_invocations', [[run_id, ts, run_id]]) -%}
    {%- set message = problems | unique | join('; ') -%}
    {%- do props_contracts.insert_audit_rows('contract_runs', [[
        run_id, s(command), s(target.name), ts,
        "cast('" ~ modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")",
        "cast('" ~ as_of ~ "' as " ~ dbt.type_timestamp() ~ ")",
        ("cast('" ~ window_start ~ "' as date)") if window_start else 'null',
        "cast('" ~ as_of_date.isoformat() ~ "' as date)",
        s(selection), s({0: 'pass', 1: 'fail'}.get(exit_code, 'unknown')), exit_code, s(message[:4000]),
        s(env_var('PROPS_GIT_SHA', '')), invariants | length, unknown | length, contracts | length]]) -%}
    {{ log('props-contracts: wrote the run record ' ~ invocation_id ~ ' (' ~ command ~ ', exit code '
           ~ exit_code ~ ', ' ~ contracts | length ~ ' contracts, ' ~ invariants | length ~ ' invariants, '
           ~ unknown | length ~ ' unknown)', info=true) }}
    {{ return('') }}
{%- endmacro -%}
