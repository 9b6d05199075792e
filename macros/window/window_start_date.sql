{#- First game date contracts look at: lookback_days before as_of's date, or all history.
    margin_days reaches further back: a partition floor for rows that belong to an
    in-window event but carry an older date (a backfill run, a long lockout). -#}
{%- macro window_start_date(margin_days=0) -%}
    {%- if props_contracts.typed_var('full_history') -%}
        cast('1900-01-01' as date)
    {%- else -%}
        {%- set days_back = props_contracts.typed_var('lookback_days') + margin_days -%}
        {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * days_back) }}
    {%- endif -%}
{%- endmacro -%}
