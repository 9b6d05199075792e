{#- The first date the declared expectations are judged on: the window's start, or
    expectations_start_date when that is later (the pipeline's go-live: before it,
    nothing was owed). A DATE. -#}
{%- macro expectations_start_date() -%}
    {%- set go_live = props_contracts.typed_var('expectations_start_date') -%}
    {%- if go_live -%}
        greatest({{ props_contracts.window_start_date() }}, cast('{{ go_live }}' as date))
    {%- else -%}
        {{ props_contracts.window_start_date() }}
    {%- endif -%}
{%- endmacro -%}
