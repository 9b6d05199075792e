{#- Input rows present per pipeline target table and game date (target_table_inputs),
    for the dates a successful processor run of the window names (backfills too): a run
    whose input had rows and whose output has none failed, whatever it reported (PRC-01). -#}
{%- set claimed_dates = props_contracts.in_claimed_run_dates('game_date') -%}

with counted as (
    {%- for target_table, model, filter in props_contracts.target_table_inputs() %}
        select
            '{{ target_table }}' as target_table,
            game_date,
            count(*) as input_rows
        from {{ ref(model) }}
        where
            {{ filter }}
            and {{ claimed_dates }}
        group by game_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
