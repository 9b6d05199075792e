{#- pc_duplicate_ratio_at_most: raw rows per deduplicated row stays at or under
    max_ratio. copies_column holds how many raw rows each kept row stood for
    (the deduplicate macro's _source_copies). Returns one row when it doesn't. -#}
{%- test pc_duplicate_ratio_at_most(model, max_ratio, copies_column='_source_copies', scope=none) -%}
with totals as (
    select
        count(*) as kept_rows,
        sum({{ copies_column }}) as raw_rows
    from {{ props_contracts.scoped(model, scope) }} as judged
)

select
    kept_rows,
    raw_rows,
    raw_rows - kept_rows as duplicate_rows,
    cast(raw_rows as {{ dbt.type_float() }}) / kept_rows as duplicate_ratio
from totals
where kept_rows > 0
    and cast(raw_rows as {{ dbt.type_float() }}) / kept_rows > {{ max_ratio }}
{%- endtest -%}
