{#- The effective value of one per-processor threshold: the processor's row of
    processor_settings_sql() (joined as `alias`), else the global var it overrides. -#}
{%- macro processor_setting(column, alias='settings') -%}
    {%- set default_var = props_contracts.processor_settings()['defaults'][column] -%}
    coalesce({{ alias }}.{{ column }}, {{ props_contracts.typed_var(default_var) }})
{%- endmacro -%}
