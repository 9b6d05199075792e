{#- Which teams' box scores go missing? Per team since season_start_date: games due to
    be final (final, or game_final_margin_hours past tip-off, and not postponed), how
    many have the team's player box scores, the share, and the missing game ids: the
    same rule as fct_boxscore_coverage_by_team (ING-05), over the season instead of
    its trailing ing05_window_days. Reads the schedule and the box scores through
    their views: both are partitioned by game_date on BigQuery, and the season's
    dates bound the scan. -#}
{%- set season_start = "cast('" ~ props_contracts.typed_var('season_start_date') ~ "' as date)" -%}

with team_games as (
    select * from {{ ref('int_team_games') }}
    where
        is_expected_final
        and game_date >= {{ season_start }}
        and game_date <= {{ props_contracts.as_of_date() }}
),

boxscore_games as (
    select distinct
        game_id,
        team_abbr
    from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where
        game_date >= {{ season_start }}
        and game_date <= {{ props_contracts.as_of_date() }}
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
order by coverage, team_abbr
