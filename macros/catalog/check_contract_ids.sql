{#- on-run-start: no contract outside the catalog. Every enabled data test carries a
    meta.invariant_id that is in seeds/invariants.csv (contract_catalog(), generated
    from it), or is a key test without one (pc_primary_key), or is a case of the test
    macros themselves (seeds/generic_test_cases/), or belongs to another package
    (Elementary's own models). Anything else fails the invocation
    before any node runs, naming each test, its file and its ID: a plain `dbt build`
    refuses like `props-contracts run` does (props_contracts/catalog.py, same rule).
    Reads the project graph, not the seed table: it holds on a fresh warehouse too.
    Renders no SQL. -#}
{%- macro check_contract_ids() -%}
    {%- if execute -%}
        {%- set spec = props_contracts.contract_catalog() -%}
        {%- set bad = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.config.enabled is not false -%}
            {%- set meta = {} -%}
            {%- do meta.update(node.meta or {}) -%}
            {%- do meta.update(node.config.meta or {}) -%}
            {%- set inv = meta.get('invariant_id') -%}
            {%- set path = node.original_file_path or '' -%}
            {%- set harness = [] -%}
            {%- for prefix in spec['harness_paths'] if path.startswith(prefix) -%}
                {%- do harness.append(prefix) -%}
            {%- endfor -%}
            {%- set test_name = (node.test_metadata or {}).get('name') -%}
            {%- if harness or node.package_name != project_name
                or (inv in (none, '') and test_name in spec['key_tests']) -%}
                {#- exempt -#}
            {%- elif inv in (none, '') -%}
                {%- do bad.append(node.name ~ ' (' ~ path ~ '): no meta.invariant_id') -%}
            {%- elif inv is not string or inv not in spec['invariant_ids'] -%}
                {%- do bad.append(node.name ~ ' (' ~ path ~ "): invariant_id '" ~ inv
                    ~ "', which is not in seeds/invariants.csv") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if bad -%}
            {{ exceptions.raise_compiler_error(
                (bad | length) ~ ' data test(s) outside the invariant catalog: ' ~ (bad | join('; '))
                ~ '. Every data test carries meta.invariant_id from seeds/invariants.csv (or is a key test: '
                ~ (spec['key_tests'] | join(', ')) ~ '); add the invariant to the catalog (then '
                ~ '`props-contracts invariants --macro`) or fix the test\'s ID') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
