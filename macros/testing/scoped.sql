{#- The rows of `model` a contract judges: all of them, or those matching `scope`
    (a SQL predicate, rendered at compile time so it may call project macros such
    as in_window; dbt's own `where` config is rendered at parse time and can't). -#}
{%- macro scoped(model, scope) -%}
    {%- if scope -%}
        (select * from {{ model }} where {{ scope }})
    {%- else -%}
        {{ model }}
    {%- endif -%}
{%- endmacro -%}
