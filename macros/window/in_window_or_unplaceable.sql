{#- Predicate: a DATE (or, with timestamp=true, a TIMESTAMP) column falls in the
    evaluation window, or the window cannot place the row: the value is NULL, before
    earliest_plausible_date or after latest_plausible_date. Contracts that judge
    rows use it instead of in_window, so a row with a missing or impossible date is
    judged (and fails) instead of silently filtered out. Every branch bounds the
    column by a constant (IS NULL reads the NULL partition), so on BigQuery it is
    still a partition filter (`props-contracts check-pruning`). -#}
{%- macro in_window_or_unplaceable(column, timestamp=false) -%}
    ({{ column }} is null
        or {{ column }} < {{ props_contracts.earliest_plausible_date(timestamp) }}
        or {{ column }} > {{ props_contracts.latest_plausible_date(timestamp) }}
        or {{ props_contracts.ts_in_window(column) if timestamp else props_contracts.in_window(column) }})
{%- endmacro -%}
