{{ config(**props_contracts.daily_mart_config(['game_date', 'team_abbr'])) }}

{#- Per game date and team playing: players expected to play vs players with an
    active prediction (PRD-05, PRD-06). The teams come from the schedule (a team
    missing from the pre-game context is still expected to be covered; it shows
    with has_context false and no expected players), plus any team the context
    has. is_due: the date's export deadline has passed, so predictions must exist. -#}
{%- set deadline_local_time = props_contracts.typed_var('exp02_deadline_local_time') -%}

with team_games as (
    select * from {{ ref('int_team_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_mart_window('game_date') }}
),

context as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

teams as (
    select
        game_date,
        team_abbr
    from team_games
    union distinct
    select
        game_date,
        team_abbr
    from context
),

expected as (
    select
        game_date,
        team_abbr,
        player_lookup
    from context
    where is_expected_to_play
),

context_teams as (
    select distinct
        game_date,
        team_abbr
    from context
),

predicted_players as (
    select distinct
        game_date,
        player_lookup
    from active
),

joined as (
    select
        teams.game_date,
        teams.team_abbr,
        context_teams.team_abbr is not null as has_context,
        expected.player_lookup,
        predicted_players.player_lookup is not null as is_predicted
    from teams
    left join context_teams
        on
            teams.game_date = context_teams.game_date
            and teams.team_abbr = context_teams.team_abbr
    left join expected
        on
            teams.game_date = expected.game_date
            and teams.team_abbr = expected.team_abbr
    left join predicted_players
        on
            expected.game_date = predicted_players.game_date
            and expected.player_lookup = predicted_players.player_lookup
),

final as (
    select
        game_date,
        team_abbr,
        max(case when has_context then 1 else 0 end) = 1 as has_context,
        count(player_lookup) as expected_players,
        sum(case when is_predicted then 1 else 0 end) as predicted_players,
        count(player_lookup) - sum(case when is_predicted then 1 else 0 end) as missing_players,
        {{ props_contracts.string_agg_sorted('case when not is_predicted then player_lookup end') }} as missing_player_list,
        coalesce(
            {{ props_contracts.local_time_to_utc('game_date', deadline_local_time) }}
            <= {{ props_contracts.as_of() }},
            false
        ) as is_due
    from joined
    group by game_date, team_abbr
)

select * from final
