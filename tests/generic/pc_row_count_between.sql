{#- pc_row_count_between: the number of rows (inside scope) is within
    [min_rows, max_rows] (either optional); returns one row with the count when not. -#}
{%- test pc_row_count_between(model, min_rows=none, max_rows=none, scope=none) -%}
with counted as (
    select count(*) as row_count from {{ props_contracts.scoped(model, scope) }} as judged
)

select row_count
from counted
where false
    {%- if min_rows is not none %} or row_count < {{ min_rows }}{% endif %}
    {%- if max_rows is not none %} or row_count > {{ max_rows }}{% endif %}
{%- endtest -%}
