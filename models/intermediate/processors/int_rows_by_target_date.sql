{#- Rows present per target table and game date: what a processor run claims to
    have written is checked against this (PRC-01). Only the dates a claiming run
    of the window names (a backfill of an old date too), never older than
    backfill_horizon_days before the window. -#}
{%- set targets = props_contracts.target_table_models() -%}
{#- one query for the claimed dates, not one per target table -#}
{%- set claimed_dates = props_contracts.in_claimed_run_dates('game_date') -%}

with counted as (
    {%- for target_table, model in targets %}
        select
            '{{ target_table }}' as target_table,
            game_date,
            count(*) as rows_present
        from {{ ref(model) }}
        -- the dates runs that started in the window claim, backfills included
        where {{ claimed_dates }}
        group by game_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
