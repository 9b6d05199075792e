{#- Why dbt skipped a test in this invocation: the nodes upstream of it that failed.
    In a `dbt build` a model that did not build, or a test that failed on a model
    above it, skips everything below (props-contracts run does not: it reports those
    contracts by what they read). `failed` maps unique_id -> dbt's first message line. -#}
{%- macro skip_reason(uid, failed, command) -%}
    {%- set seen = {} -%}
    {%- set queue = [] -%}
    {%- set direct = graph.nodes[uid].depends_on.nodes -%}
    {%- for p in direct -%}
        {%- do seen.update({p: true}) -%}
        {%- do queue.append(p) -%}
    {%- endfor -%}
    {%- for i in range(graph.nodes | length + graph.sources | length + 1) if i < queue | length -%}
        {%- set up = graph.nodes.get(queue[i]) -%}
        {%- for p in (up.depends_on.nodes if up else []) if p not in seen -%}
            {%- do seen.update({p: true}) -%}
            {%- do queue.append(p) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set models, tests = [], [] -%}
    {%- for f, message in failed.items() | sort -%}
        {%- set node = graph.nodes.get(f) -%}
        {%- if node and node.resource_type != 'test' and f in seen -%}
            {%- do models.append(node.name ~ ': ' ~ message) -%}
        {%- elif node and node.resource_type == 'test' -%}
            {%- set above = [] -%}
            {%- for d in node.depends_on.nodes if d in seen and d not in direct -%}
                {%- do above.append(d) -%}
            {%- endfor -%}
            {%- if above -%}
                {%- do tests.append(node.name) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if models -%}
        {{ return('skipped: an upstream model did not build in this ' ~ command ~ ' ('
                  ~ models[:3] | join('; ') ~ ')') }}
    {%- elif tests -%}
        {{ return('skipped: an upstream test failed in this ' ~ command ~ ' ('
                  ~ tests[:3] | join(', ') ~ (', ...' if tests | length > 3 else '') ~ ')') }}
    {%- endif -%}
    {{ return('skipped: an upstream node failed in this ' ~ command) }}
{%- endmacro -%}
