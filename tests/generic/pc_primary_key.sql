{#- pc_primary_key: the columns together are unique and none is null.
    Returns each offending key once, with how many rows carry it.
    scope: optional SQL predicate limiting the rows judged (e.g. the window).
    (In-house: dbt_utils.unique_combination_of_columns is not installable here.) -#}
{%- test pc_primary_key(model, columns, scope=none) -%}
select
    {% for c in columns %}{{ c }},
    {% endfor %}count(*) as n_rows
from {{ props_contracts.scoped(model, scope) }} as judged
group by {% for c in columns %}{{ c }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
    {% for c in columns %}or {{ c }} is null
    {% endfor %}
{%- endtest -%}
