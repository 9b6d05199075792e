{#- pc_no_rows: the model lists violations, so every row (inside scope) is a
    failure. max_rows: how many violations the invariant tolerates (a typed var);
    up to that many, the test returns nothing and passes; above it, every row. -#}
{%- test pc_no_rows(model, scope=none, max_rows=0) -%}
{#- (at parse time dbt renders arguments only to find refs: check when executing) -#}
{%- if execute and (max_rows is not integer or max_rows < 0) -%}
    {{ exceptions.raise_compiler_error('pc_no_rows: max_rows must be a whole number >= 0, got ' ~ max_rows) }}
{%- endif -%}
{%- if max_rows == 0 %}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
{%- else %}
with violations as (
    select *
    from {{ props_contracts.scoped(model, scope) }} as judged
)

select *
from violations
where (select count(*) from violations) > {{ max_rows }}
{%- endif -%}
{%- endtest -%}
