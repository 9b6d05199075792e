{{ config(**props_contracts.daily_mart_config(['game_date'])) }}

with team_games as (
    select * from {{ ref('int_team_games') }}
    -- expected from the schedule and the clock, not from a final snapshot
    where
        is_expected_final
        and {{ props_contracts.in_mart_window('game_date') }}
),

boxscore_teams as (
    select distinct
        game_date,
        team_abbr
    from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

joined as (
    select
        team_games.game_date,
        team_games.team_abbr,
        boxscore_teams.team_abbr is not null as has_boxscores
    from team_games
    left join boxscore_teams
        on
            team_games.game_date = boxscore_teams.game_date
            and team_games.team_abbr = boxscore_teams.team_abbr
),

final as (
    select
        game_date,
        count(*) as teams_with_final_games,
        sum(case when has_boxscores then 1 else 0 end) as teams_with_boxscores,
        cast(sum(case when has_boxscores then 1 else 0 end) as {{ props_contracts.type_double() }})
        / count(*) as coverage,
        {{ props_contracts.string_agg_sorted('case when not has_boxscores then team_abbr end') }} as missing_teams
    from joined
    group by game_date
)

select * from final
