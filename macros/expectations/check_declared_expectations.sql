{#- on-run-start: the declared expectations (seeds/pipeline_schedule.csv,
    pipeline_processors.csv, dlq_subscriptions.csv, scraper_feeds.csv) are the ones
    `props-contracts expectations --macro` validated. Jinja cannot read a CSV and a
    plain `dbt build` loads seeds after on-run-start, so each seed file's checksum (in
    the project graph) must equal the validated one (declared_expectations(),
    generated); a seed edited since fails the invocation before any node runs, naming
    the file and the command that names its bad row. exp03_grading_job must be a
    declared job with a local time. Renders no SQL. -#}
{%- macro check_declared_expectations() -%}
    {%- if execute -%}
        {%- set spec = props_contracts.declared_expectations() -%}
        {%- set bad = [] -%}
        {%- for seed_name, validated in spec['checksums'].items() -%}
            {%- set found = [] -%}
            {%- for node in graph.nodes.values()
                if node.resource_type == 'seed' and node.package_name == project_name and node.name == seed_name -%}
                {%- do found.append(node.checksum.checksum) -%}
            {%- endfor -%}
            {%- if not found -%}
                {%- do bad.append('seeds/' ~ seed_name ~ '.csv is missing') -%}
            {%- elif found[0] != validated -%}
                {%- do bad.append('seeds/' ~ seed_name ~ '.csv changed since it was validated') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set grading_job = props_contracts.typed_var('exp03_grading_job') -%}
        {%- if grading_job not in spec['daily_jobs'] -%}
            {%- do bad.append("exp03_grading_job '" ~ grading_job
                ~ "' is not a job of seeds/pipeline_schedule.csv with a local time") -%}
        {%- endif -%}
        {%- if bad -%}
            {{ exceptions.raise_compiler_error(
                'declared expectations not validated: ' ~ (bad | join('; '))
                ~ '. Run `props-contracts expectations --macro > macros/expectations/declared_expectations.sql`:'
                ~ ' it names any malformed row (docs/expectations.md), and writes the checksums only when'
                ~ ' every row is valid') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
