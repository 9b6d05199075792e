{#- on-run-start: the per-processor thresholds the contracts read (processor_settings(),
    generated from seeds/processor_settings.csv) are the CSV's current rows and are
    well-formed. A CSV edited after the macro was generated (dbt's graph records the
    seed's checksum) or a value outside its global var's type and range fails the
    invocation before any node runs, naming the file, the processor and the value: a
    plain `dbt build` refuses like `props-contracts run` does (processor_settings.py
    checks the CSV itself first and names the malformed line). Renders no SQL. -#}
{%- macro check_processor_settings() -%}
    {%- if execute -%}
        {%- set settings = props_contracts.processor_settings() -%}
        {%- set seeds = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.name == 'processor_settings'
            and node.package_name == project_name -%}
            {%- do seeds.append(node) -%}
        {%- endfor -%}
        {%- if seeds | length != 1 -%}
            {{ exceptions.raise_compiler_error(
                'seeds/processor_settings.csv is not in the project (found ' ~ (seeds | length)
                ~ ' seed(s) named processor_settings): the per-processor thresholds need it') }}
        {%- endif -%}
        {%- if seeds[0].checksum.checksum != settings['checksum'] -%}
            {{ exceptions.raise_compiler_error(
                'seeds/processor_settings.csv was edited after macros/catalog/processor_settings.sql was '
                ~ 'generated from it: the contracts would read the old per-processor thresholds. Check it with '
                ~ '`props-contracts processors` (a malformed row is named by its line) and record it with '
                ~ '`props-contracts processors --macro > macros/catalog/processor_settings.sql`') }}
        {%- endif -%}
        {%- do props_contracts.processor_settings_rows() -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
