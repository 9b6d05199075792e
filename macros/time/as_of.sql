{#- The instant contracts judge the pipeline at: the as_of var (UTC) or now. -#}
{%- macro as_of() -%}
    {%- set pinned = props_contracts.typed_var('as_of') -%}
    {%- if pinned -%}
        cast('{{ pinned }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro -%}
