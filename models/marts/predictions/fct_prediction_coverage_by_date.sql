{{ config(**props_contracts.daily_mart_config(['game_date'])) }}

with by_team as (
    select * from {{ ref('fct_prediction_coverage_by_team') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

per_date as (
    select
        game_date,
        count(*) as teams_playing,
        sum(case when predicted_players = 0 then 1 else 0 end) as teams_without_predictions,
        sum(case when has_context then 0 else 1 end) as teams_without_context,
        sum(case when has_context then 1 else 0 end) as teams_with_context,
        sum(expected_players) as expected_players,
        sum(predicted_players) as predicted_players,
        sum(missing_players) as missing_players,
        max(case when is_due then 1 else 0 end) = 1 as is_due
    from by_team
    group by game_date
),

-- a team the schedule has but the pre-game context lacks is expected to field as
-- many players as the date's other teams on average (none known: coverage NULL)
final as (
    select
        game_date,
        teams_playing,
        teams_without_predictions,
        teams_without_context,
        expected_players,
        predicted_players,
        missing_players,
        teams_without_context
        * cast(expected_players as {{ props_contracts.type_double() }})
        / nullif(teams_with_context, 0) as imputed_expected_players,
        cast(predicted_players as {{ props_contracts.type_double() }})
        / nullif(
            expected_players
            + teams_without_context
            * cast(expected_players as {{ props_contracts.type_double() }})
            / nullif(teams_with_context, 0),
            0
        ) as coverage,
        is_due
    from per_date
)

select * from final
