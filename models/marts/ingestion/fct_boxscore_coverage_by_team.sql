{#- Per team, over the trailing ing05_window_days ending at as_of's date. -#}
{%- set window_days = props_contracts.typed_var('ing05_window_days') -%}

with team_games as (
    select * from {{ ref('int_team_games') }}
    -- expected from the schedule and the clock, not from a final snapshot
    where
        is_expected_final
        and game_date > {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * window_days) }}
        and game_date <= {{ props_contracts.as_of_date() }}
),

boxscore_games as (
    select distinct
        game_id,
        team_abbr
    from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where game_date > {{ props_contracts.add_days(props_contracts.as_of_date(), -1 * window_days) }}
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

final as (
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

select * from final
