{#- pc_expression_is_true: every row (inside scope) satisfies the SQL expression;
    returns the rows that don't, including rows where it is NULL. max_rows: how
    many such rows the invariant tolerates (a typed var); up to that many, the
    test returns nothing and passes; above it, every one. -#}
{%- test pc_expression_is_true(model, expression, scope=none, max_rows=0) -%}
{#- (at parse time dbt renders arguments only to find refs: check when executing) -#}
{%- if execute and (max_rows is not integer or max_rows < 0) -%}
    {{ exceptions.raise_compiler_error('pc_expression_is_true: max_rows must be a whole number >= 0, got ' ~ max_rows) }}
{%- endif -%}
{%- if max_rows == 0 %}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
where not coalesce({{ expression }}, false)
{%- else %}
with violations as (
    select *
    from {{ props_contracts.scoped(model, scope) }} as judged
    where not coalesce({{ expression }}, false)
)

select *
from violations
where (select count(*) from violations) > {{ max_rows }}
{%- endif -%}
{%- endtest -%}
