{#- Rows that reached each raw table, per scraped file (ING-03). -#}
{%- set raw_tables = [
    ('nba_raw.nbac_schedule', 'stg_nba_raw__nbac_schedule_snapshots'),
    ('nba_raw.bdl_player_boxscores', 'stg_nba_raw__bdl_player_boxscores'),
    ('nba_raw.odds_api_player_props', 'stg_nba_raw__odds_api_player_props'),
] -%}

with counted as (
    {%- for target_table, model in raw_tables %}
        select
            '{{ target_table }}' as target_table,
            source_file_path,
            count(*) as rows_loaded,
            max(processed_at) as last_processed_at
        from {{ ref(model) }}
        group by source_file_path
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
