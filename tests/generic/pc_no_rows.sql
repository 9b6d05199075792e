{#- pc_no_rows: the model lists violations, so every row (inside scope) is a
    failure. Set warn_if / error_if to the invariant's tolerated count. -#}
{%- test pc_no_rows(model, scope=none) -%}
select *
from {{ props_contracts.scoped(model, scope) }} as judged
{%- endtest -%}
