{#- pc_recency_within: the newest timestamp_column value (inside scope) is at most
    `hours` before as_of; returns one row with the newest value (NULL when there
    are no rows at all, which fails too). -#}
{%- test pc_recency_within(model, timestamp_column, hours, scope=none) -%}
with newest as (
    select max({{ timestamp_column }}) as newest_at
    from {{ props_contracts.scoped(model, scope) }} as judged
)

select
    newest_at,
    {{ props_contracts.as_of() }} as as_of
from newest
where newest_at is null
    or newest_at < {{ props_contracts.add_minutes(props_contracts.as_of(), -60 * hours) }}
{%- endtest -%}
