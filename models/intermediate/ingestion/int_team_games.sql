with games as (
    select * from {{ ref('int_games') }}
),

home as (
    select
        game_id,
        game_date,
        home_team_tricode as team_abbr,
        away_team_tricode as opponent_team_abbr,
        is_final,
        is_postponed,
        is_expected_final,
        scheduled_start_at,
        game_end_at
    from games
),

away as (
    select
        game_id,
        game_date,
        away_team_tricode as team_abbr,
        home_team_tricode as opponent_team_abbr,
        is_final,
        is_postponed,
        is_expected_final,
        scheduled_start_at,
        game_end_at
    from games
),

unioned as (
    select * from home
    union all
    select * from away
)

select * from unioned
