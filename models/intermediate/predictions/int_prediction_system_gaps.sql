{#- Players with predictions on a date who lack some active system x prop type
    combination (PRD-04; seed 002 layer 5). -#}
with active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

systems as (
    select system_id from {{ ref('prediction_systems') }}
    where is_active
),

props as (
    select prop_type from {{ ref('prop_types') }}
),

predicted_players as (
    select distinct
        game_date,
        player_lookup,
        team_abbr
    from active
),

expected as (
    select
        predicted_players.game_date,
        predicted_players.player_lookup,
        predicted_players.team_abbr,
        systems.system_id,
        props.prop_type
    from predicted_players
    cross join systems
    cross join props
),

missing as (
    select expected.*
    from expected
    left join active
        on
            expected.game_date = active.game_date
            and expected.player_lookup = active.player_lookup
            and expected.system_id = active.system_id
            and expected.prop_type = active.prop_type
    where active.prediction_id is null
),

final as (
    select
        game_date,
        player_lookup,
        team_abbr,
        count(*) as missing_combinations,
        {{ props_contracts.string_agg_sorted(dbt.concat(['system_id', "'/'", 'prop_type'])) }} as missing
    from missing
    group by game_date, player_lookup, team_abbr
)

select * from final
