with source as (
    select * from {{ source('nba_predictions', 'prediction_completion_events') }}
),

renamed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_date as date) as game_date,
        cast(predictions_generated as {{ dbt.type_bigint() }}) as predictions_generated,
        cast(staging_table_name as {{ dbt.type_string() }}) as staging_table_name,
        cast(staging_write_success as {{ dbt.type_boolean() }}) as staging_write_success,
        cast(published_at as {{ dbt.type_timestamp() }}) as published_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, event_id', 'published_at desc') }}
)

select * from deduplicated
