{#- Rows present per target table and game date: what a processor run claims to
    have written is checked against this (PRC-01). From backfill_horizon_days
    before the window: a run of the window may have processed an old date. -#}
{%- set targets = props_contracts.target_table_models() -%}

with counted as (
    {%- for target_table, model in targets %}
        select
            '{{ target_table }}' as target_table,
            game_date,
            count(*) as rows_present
        from {{ ref(model) }}
        -- the dates of runs that started in the window, backfills included
        where {{ props_contracts.in_backfill_window('game_date') }}
        group by game_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
