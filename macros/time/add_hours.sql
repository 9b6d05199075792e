{#- ts + n hours (n may be negative or fractional minutes via add_minutes), a TIMESTAMP. -#}
{%- macro add_hours(ts, n) -%}
    {{ props_contracts.add_minutes(ts, (n * 60) | int) }}
{%- endmacro -%}
