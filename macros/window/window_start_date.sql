{#- First game date contracts look at: lookback_days before as_of's date, or all history. -#}
{%- macro window_start_date() -%}
    {%- if var('full_history', false) | as_bool -%}
        cast('1900-01-01' as date)
    {%- else -%}
        {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * (var('lookback_days') | int)) }}
    {%- endif -%}
{%- endmacro -%}
