{#- A relation of one column, target_table: the pipeline tables the project can
    read back to verify a write (target_table_models). A table a processor, lock or
    the registry names that is not in it is reported as unverifiable, never as
    empty (pipeline_target_tables). -#}
{%- macro known_target_tables() -%}
    {%- for target_table, model in props_contracts.target_table_models() %}
    select '{{ target_table }}' as target_table
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro -%}
