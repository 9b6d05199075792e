with source as (
    select * from {{ source('nba_predictions', 'player_prop_predictions') }}
),

renamed as (
    select
        cast(prediction_id as {{ dbt.type_string() }}) as prediction_id,
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(team_abbr as {{ dbt.type_string() }}) as team_abbr,
        cast(prop_type as {{ dbt.type_string() }}) as prop_type,
        cast(system_id as {{ dbt.type_string() }}) as system_id,
        cast(predicted_value as {{ props_contracts.type_double() }}) as predicted_value,
        cast(line_value as {{ props_contracts.type_double() }}) as line_value,
        cast(recommendation as {{ dbt.type_string() }}) as recommendation,
        cast(confidence_score as {{ props_contracts.type_double() }}) as confidence_score,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate(
        'renamed',
        'game_date, prediction_id',
        'updated_at desc, created_at desc, predicted_value desc, confidence_score desc'
    ) }}
)

select * from deduplicated
