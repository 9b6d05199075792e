{#- pc_coverage_ratio_at_least: of the distinct `columns` values of the model (the
    expected set, inside scope), at least min_ratio are found as `fields` in `to`
    (the actual set). Returns one row with the counts and the missing sample when not. -#}
{%- test pc_coverage_ratio_at_least(model, columns, to, fields, min_ratio, scope=none) -%}
with expected as (
    select distinct {{ columns | join(', ') }}
    from {{ props_contracts.scoped(model, scope) }} as judged
),

actual as (
    select distinct {{ fields | join(', ') }}
    from {{ to }} as found
),

joined as (
    select
        expected.*,
        actual.{{ fields[0] }} is not null as is_covered
    from expected
    left join actual
        on {% for c in columns %}expected.{{ c }} = actual.{{ fields[loop.index0] }}{{ ' and ' if not loop.last }}{% endfor %}
),

totals as (
    select
        count(*) as expected_count,
        sum(case when is_covered then 1 else 0 end) as covered_count
    from joined
)

select
    expected_count,
    covered_count,
    cast(covered_count as {{ props_contracts.type_double() }}) / nullif(expected_count, 0) as coverage
from totals
where expected_count > 0
    and cast(covered_count as {{ props_contracts.type_double() }}) / expected_count < {{ min_ratio }}
{%- endtest -%}
