with source as (
    select * from {{ source('nba_orchestration', 'prediction_batch_staging_state') }}
),

renamed as (
    select
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(staging_table_name as {{ dbt.type_string() }}) as staging_table_name,
        cast(recorded_at as {{ dbt.type_timestamp() }}) as recorded_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'batch_id, player_lookup', 'recorded_at desc') }}
)

select * from deduplicated
