with source as (
    select * from {{ source('nba_predictions', 'prediction_grades') }}
),

renamed as (
    select
        cast(prediction_id as {{ dbt.type_string() }}) as prediction_id,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(prop_type as {{ dbt.type_string() }}) as prop_type,
        cast(system_id as {{ dbt.type_string() }}) as system_id,
        cast(actual_value as {{ props_contracts.type_double() }}) as actual_value,
        cast(is_correct as {{ dbt.type_boolean() }}) as is_correct,
        cast(graded_at as {{ dbt.type_timestamp() }}) as graded_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, prediction_id', 'graded_at desc') }}
)

select * from deduplicated
