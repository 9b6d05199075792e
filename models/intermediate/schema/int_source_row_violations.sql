{#- Rows of the pipeline's tables that no contract could judge correctly (SCH-02):
    a NULL key or required value, a date or timestamp outside the plausible range,
    a number that is NaN, infinite or outside its plausible range. One row per
    offending row, with the first problem found (checks in the order keys,
    required, dates, timestamps, numbers), read through each table's staging model
    (source_copies: how many raw rows it stands for). The checks are declared in
    macros/catalog/source_row_checks.sql. Rows with a NULL or impossible date are
    judged too (in_window_or_unplaceable), never filtered out by the window. -#}
{%- set earliest = props_contracts.typed_var('earliest_plausible_date') -%}
{%- set days_ahead = props_contracts.typed_var('sch02_max_days_ahead') -%}
{#- per table: [condition, column, problem] in order, and the key as text -#}
{%- set tables = [] -%}
{%- for s in props_contracts.source_row_checks() -%}
    {%- set checks = [] -%}
    {%- for c in s['keys'] -%}
        {%- do checks.append([c ~ ' is null', c, 'null key']) -%}
    {%- endfor -%}
    {%- for c in s['required'] + ([s['window']] if s['window'] else []) if c not in s['keys'] -%}
        {%- do checks.append([c ~ ' is null', c, 'null value']) -%}
    {%- endfor -%}
    {%- for c in s['dates'] -%}
        {%- do checks.append([c ~ ' < bounds.earliest_date', c, 'date before ' ~ earliest]) -%}
        {%- do checks.append([c ~ ' > bounds.latest_date', c, 'date more than ' ~ days_ahead ~ ' days after as_of']) -%}
    {%- endfor -%}
    {%- for c in s['timestamps'] -%}
        {%- do checks.append([c ~ ' < bounds.earliest_at', c, 'timestamp before ' ~ earliest]) -%}
        {%- do checks.append([c ~ ' > bounds.latest_at', c, 'timestamp more than ' ~ days_ahead ~ ' days after as_of']) -%}
    {%- endfor -%}
    {%- for c, low, high in s['numbers'] -%}
        {%- do checks.append(['not ' ~ props_contracts.is_finite_number(c), c, 'not a finite number']) -%}
        {%- do checks.append([c ~ ' < ' ~ low ~ ' or ' ~ c ~ ' > ' ~ high, c, 'outside [' ~ low ~ ', ' ~ high ~ ']']) -%}
    {%- endfor -%}
    {%- set key_text = [] -%}
    {%- for k in s['keys'] -%}
        {%- do key_text.append("'" ~ ('; ' if not loop.first else '') ~ k ~ "='") -%}
        {%- do key_text.append('coalesce(cast(' ~ k ~ ' as ' ~ dbt.type_string() ~ "), 'null')") -%}
    {%- endfor -%}
    {%- if not s['window'] -%}
        {%- set placed_on = 'cast(null as date)' -%}
    {%- elif s.get('window_is_timestamp') -%}
        {%- set placed_on = props_contracts.utc_to_local_date(s['window']) -%}
    {%- else -%}
        {%- set placed_on = s['window'] -%}
    {%- endif -%}
    {%- do tables.append({
        'table': s['table'], 'model': s['model'], 'checks': checks, 'row_key': dbt.concat(key_text),
        'placed_on': placed_on,
        'scope': props_contracts.in_window_or_unplaceable(s['window'], timestamp=s.get('window_is_timestamp', false))
            if s['window'] else 'true',
    }) -%}
{%- endfor %}

with bounds as (
    select
        {{ props_contracts.earliest_plausible_date() }} as earliest_date,
        {{ props_contracts.latest_plausible_date() }} as latest_date,
        {{ props_contracts.earliest_plausible_date(timestamp=true) }} as earliest_at,
        {{ props_contracts.latest_plausible_date(timestamp=true) }} as latest_at
),

checked as (
    {%- for t in tables %}
        select
            '{{ t.table }}' as source_table,
            {{ t.row_key }} as row_key,
            {{ t.placed_on }} as game_date,
            case
                {%- for cond, col, problem in t.checks %}
                    when {{ cond }} then '{{ col }}'
                {%- endfor %}
            end as column_name,
            case
                {%- for cond, col, problem in t.checks %}
                    when {{ cond }} then coalesce(cast({{ col }} as {{ dbt.type_string() }}), 'null')
                {%- endfor %}
            end as column_value,
            case
                {%- for cond, col, problem in t.checks %}
                    when {{ cond }} then '{{ problem }}'
                {%- endfor %}
            end as problem,
            source_rows._source_copies as source_copies
        from {{ ref(t.model) }} as source_rows
        cross join bounds
        -- the partition filter, keeping every row the window cannot place
        where {{ t.scope }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select * from checked
    where problem is not null
)

select * from final
