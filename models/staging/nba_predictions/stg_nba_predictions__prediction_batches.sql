with source as (
    select * from {{ source('nba_predictions', 'prediction_batches') }}
),

renamed as (
    select
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(game_date as date) as game_date,
        cast(expected_players as {{ dbt.type_bigint() }}) as expected_players,
        cast(completed_players as {{ dbt.type_bigint() }}) as completed_players,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(completed_at as {{ dbt.type_timestamp() }}) as completed_at,
        cast(consolidated_at as {{ dbt.type_timestamp() }}) as consolidated_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, batch_id', 'updated_at desc') }}
)

select * from deduplicated
