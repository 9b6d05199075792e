{#- pc_columns_match_declared (SCH-01): the relation has every column its sources
    YAML declares, with the declared type, and its partition column
    (meta.partition_column) is DATE, TIMESTAMP or INT64. Returns one row per
    problem. Columns the YAML does not declare are allowed (additive change). -#}
{%- test pc_columns_match_declared(model) -%}
{%- set problems = [] -%}
{%- if execute -%}
    {%- set matches = graph.sources.values()
        | selectattr('identifier', 'equalto', model.identifier)
        | selectattr('schema', 'equalto', model.schema) | list -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            'pc_columns_match_declared: found ' ~ (matches | length) ~ ' source declarations for ' ~ model) }}
    {%- endif -%}
    {%- set node = matches[0] -%}
    {%- set actual = {} -%}
    {%- for col in adapter.get_columns_in_relation(model) -%}
        {%- do actual.update({col.name | lower: props_contracts.normalize_type(col.dtype)}) -%}
    {%- endfor -%}
    {%- if not actual -%}
        {%- do problems.append(['*', 'table', 'missing', 'table not found (dropped or renamed?)']) -%}
    {%- endif -%}
    {%- for name, col in node.columns.items() if actual -%}
        {%- set declared = props_contracts.normalize_type(col.data_type) -%}
        {%- if name | lower not in actual -%}
            {%- do problems.append([name, declared, 'missing', 'declared column missing']) -%}
        {%- elif actual[name | lower] != declared -%}
            {%- do problems.append([name, declared, actual[name | lower], 'type differs from declaration']) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set meta = node.config.meta if (node.config.meta is defined and node.config.meta) else (node.meta or {}) -%}
    {%- set partition_column = meta.get('partition_column') -%}
    {%- if partition_column and actual and actual.get(partition_column | lower) not in ['DATE', 'TIMESTAMP', 'INT64'] -%}
        {%- do problems.append([partition_column, 'DATE | TIMESTAMP | INT64', actual.get(partition_column | lower, 'missing'),
            'partition column must be DATE, TIMESTAMP or INT64']) -%}
    {%- endif -%}
{%- endif -%}
{%- if problems -%}
    {%- for p in problems %}
select
    '{{ model.schema }}.{{ model.identifier }}' as table_name,
    '{{ p[0] }}' as column_name,
    '{{ p[1] }}' as declared_type,
    '{{ p[2] }}' as actual_type,
    '{{ p[3] }}' as problem
{{ 'union all' if not loop.last }}
    {%- endfor -%}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as table_name,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as declared_type,
    cast(null as {{ dbt.type_string() }}) as actual_type,
    cast(null as {{ dbt.type_string() }}) as problem
from (select 1 as one) as nothing
where 1 = 0
{%- endif -%}
{%- endtest -%}
