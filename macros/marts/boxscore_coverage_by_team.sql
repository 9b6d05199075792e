{#- Per team, the games due to be final (final, or game_final_margin_hours past
    tip-off, and not postponed) with game_date in (after_date, through_date], how
    many have the team's player box scores, the share, and the missing game ids.
    One rule for fct_boxscore_coverage_by_team (ING-05, the trailing window) and the
    season analysis season_boxscore_coverage_by_team. Both bounds are constants, so
    the scans of the partitioned schedule and box scores prune on BigQuery. -#}
{%- macro boxscore_coverage_by_team(after_date, through_date) -%}
with team_games as (
    select * from {{ ref('int_team_games') }}
    -- expected from the schedule and the clock, not from a final snapshot
    where
        is_expected_final
        and game_date > {{ after_date }}
        and game_date <= {{ through_date }}
),

boxscore_games as (
    select distinct
        game_id,
        team_abbr
    from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where
        game_date > {{ after_date }}
        and game_date <= {{ through_date }}
),

joined as (
    select
        team_games.team_abbr,
        team_games.game_id,
        boxscore_games.game_id is not null as has_boxscores
    from team_games
    left join boxscore_games
        on
            team_games.game_id = boxscore_games.game_id
            and team_games.team_abbr = boxscore_games.team_abbr
),

by_team as (
    select
        team_abbr,
        count(*) as final_games,
        sum(case when has_boxscores then 1 else 0 end) as games_with_boxscores,
        cast(sum(case when has_boxscores then 1 else 0 end) as {{ props_contracts.type_double() }})
        / count(*) as coverage,
        {{ props_contracts.string_agg_sorted('case when not has_boxscores then game_id end') }} as missing_games
    from joined
    group by team_abbr
)

select * from by_team
{%- endmacro -%}
