{#- pc_value_between: column within [min_value, max_value] (either bound optional);
    returns the rows outside, and rows where it is NULL. -#}
{%- test pc_value_between(model, column_name, min_value=none, max_value=none, scope=none) -%}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
where {{ column_name }} is null
    {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
{%- endtest -%}
