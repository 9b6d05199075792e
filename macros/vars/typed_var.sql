{#- The value of a project var, checked against var_spec() and returned as the
    type the SQL needs (a number renders as a number literal, never as the raw
    string given). Every var the project's SQL reads goes through here: a bad
    value is a compile error, at parse time for most uses (`dbt parse` and
    `dbt compile` run no on-run-start hook, so the check cannot wait for it). -#}
{%- macro typed_var(name) -%}
    {%- set spec = props_contracts.var_spec() -%}
    {%- if name not in spec -%}
        {{ exceptions.raise_compiler_error(
            "typed_var('" ~ name ~ "'): not a declared var; add it to macros/vars/var_spec.sql "
            ~ 'with its type and range, and its default to dbt_project.yml') }}
    {%- endif -%}
    {{ return(props_contracts.check_var(name, var(name, none), spec[name])) }}
{%- endmacro -%}
