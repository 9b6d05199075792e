{#- The per-processor thresholds as a relation (one row per processor listed in
    seeds/processor_settings.csv; NULL: the global default), for a left join on
    processor_name. Read the effective value with processor_setting(): a processor
    absent from the CSV gets the global var. -#}
{%- macro processor_settings_sql() -%}
    {%- set rows = props_contracts.processor_settings_rows() -%}
    {%- set types = {
        'timeout_minutes': dbt.type_int(),
        'baseline_days': dbt.type_int(),
        'entity_lockout_hours': props_contracts.type_double(),
        'entity_failure_threshold': dbt.type_int(),
        'processor_failure_threshold': dbt.type_int(),
    } -%}
    {%- if rows | length == 0 -%}
        select cast(null as {{ dbt.type_string() }}) as processor_name
        {%- for column, type in types.items() %}, cast(null as {{ type }}) as {{ column }}{% endfor %}
        where 1 = 0
    {%- else -%}
        {%- for row in rows -%}
            {%- if not loop.first %} union all {% endif -%}
            select cast('{{ row['processor_name'] }}' as {{ dbt.type_string() }}) as processor_name
            {%- for column, type in types.items() -%}
                , cast({{ 'null' if row[column] is none else row[column] }} as {{ type }}) as {{ column }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro -%}
