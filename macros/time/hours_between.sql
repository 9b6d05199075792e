{#- (later - earlier) in fractional hours. -#}
{%- macro hours_between(earlier, later) -%}
    ({{ dbt.datediff(earlier, later, 'second') }} / 3600.0)
{%- endmacro -%}
