{#- The business date (America/New_York by default) that as_of falls on. -#}
{%- macro as_of_date() -%}
    {{ props_contracts.utc_to_local_date(props_contracts.as_of()) }}
{%- endmacro -%}
