{#- The instant contracts judge the pipeline at: var('as_of') (UTC) or now. -#}
{%- macro as_of() -%}
    {%- set pinned = var('as_of', none) -%}
    {%- if pinned -%}
        cast('{{ pinned }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro -%}
