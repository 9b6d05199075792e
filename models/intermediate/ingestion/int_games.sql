with snapshots as (
    select * from {{ ref('stg_nba_raw__nbac_schedule_snapshots') }}
),

latest_snapshot as (
    select *
    from snapshots
    where true
    qualify row_number() over (
        partition by game_date, game_id order by processed_at desc, source_file_path desc
    ) = 1
),

final as (
    select
        game_id,
        game_date,
        season,
        home_team_tricode,
        away_team_tricode,
        game_status,
        game_status = 3 as is_final,
        scheduled_start_at,
        game_end_at,
        processed_at as snapshot_processed_at
    from latest_snapshot
)

select * from final
