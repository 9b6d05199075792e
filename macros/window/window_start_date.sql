{#- First game date contracts look at: lookback_days before as_of's date, or all history.
    margin_days reaches further back: a partition floor for rows that belong to an
    in-window event but carry an older date (a backfill run, a long lockout). -#}
{%- macro window_start_date(margin_days=0) -%}
    {%- if var('full_history', false) | as_bool -%}
        cast('1900-01-01' as date)
    {%- else -%}
        {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * ((var('lookback_days') | int) + (margin_days | int))) }}
    {%- endif -%}
{%- endmacro -%}
