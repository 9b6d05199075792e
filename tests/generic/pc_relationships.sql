{#- pc_relationships: every non-NULL column value (inside scope) exists as `field`
    in `to`; returns the orphans. -#}
{%- test pc_relationships(model, column_name, to, field, scope=none) -%}
select judged.*
from {{ props_contracts.scoped(model, scope) }} as judged
left join {{ to }} as parent on judged.{{ column_name }} = parent.{{ field }}
where judged.{{ column_name }} is not null
    and parent.{{ field }} is null
{%- endtest -%}
