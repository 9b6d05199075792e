{#- pc_accepted_values: column takes one of `values` (strings); returns the rows
    that don't, NULL included. With `scope`, unlike dbt's accepted_values config. -#}
{%- test pc_accepted_values(model, column_name, values, scope=none) -%}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
where {{ column_name }} is null
    or {{ column_name }} not in ({% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %})
{%- endtest -%}
