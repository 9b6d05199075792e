{#- pc_expression_is_true: every row (inside scope) satisfies the SQL expression;
    returns the rows that don't, including rows where it is NULL. -#}
{%- test pc_expression_is_true(model, expression, scope=none) -%}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
where not coalesce({{ expression }}, false)
{%- endtest -%}
