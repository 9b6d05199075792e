{#- as_of minus a duration, a TIMESTAMP. For YAML test arguments: dbt renders
    them once at parse time with every project macro undefined, so the
    arithmetic (-1 * hours) must happen inside a macro, not in the YAML. -#}
{%- macro before_as_of(hours=0, minutes=0) -%}
    {{ props_contracts.add_minutes(props_contracts.as_of(), -1 * ((hours * 60) | int + minutes)) }}
{%- endmacro -%}
