{#- Rows that physically reached each raw table, per scraped file. -#}
with schedule as (
    select * from {{ ref('stg_nba_raw__nbac_schedule_snapshots') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
),

odds as (
    select * from {{ ref('stg_nba_raw__odds_api_player_props') }}
),

counted as (
    select
        'nba_raw.nbac_schedule' as target_table,
        source_file_path,
        count(*) as rows_loaded,
        max(processed_at) as last_processed_at
    from schedule
    group by source_file_path
    union all
    select
        'nba_raw.bdl_player_boxscores' as target_table,
        source_file_path,
        count(*) as rows_loaded,
        max(processed_at) as last_processed_at
    from boxscores
    group by source_file_path
    union all
    select
        'nba_raw.odds_api_player_props' as target_table,
        source_file_path,
        count(*) as rows_loaded,
        max(processed_at) as last_processed_at
    from odds
    group by source_file_path
)

select * from counted
