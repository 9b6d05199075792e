{#- on-run-start: check every var in var_spec(), so a bad value fails a plain
    `dbt build` / `run` / `test` / `source freshness` before any node runs (also
    the vars only some nodes or only BigQuery read, and those the sources YAML
    and dbt_project.yml render without the project's macros); and refuse a
    --vars key the project does not know, which would otherwise be ignored
    silently (a misspelt threshold override). Renders no SQL. -#}
{%- macro validate_vars() -%}
    {%- set spec = props_contracts.var_spec() -%}
    {%- for name in spec -%}
        {%- do props_contracts.typed_var(name) -%}
    {%- endfor -%}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {%- if given is not mapping -%}
        {{ exceptions.raise_compiler_error('--vars must be a mapping of var names to values, got: ' ~ given) }}
    {%- endif -%}
    {%- set unknown = [] -%}
    {%- for name in given if name not in spec -%}
        {%- do unknown.append(name) -%}
    {%- endfor -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            'Unknown var(s) in --vars: ' ~ (unknown | sort | join(', '))
            ~ '. The project reads only: ' ~ (spec.keys() | sort | join(', '))) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro -%}
