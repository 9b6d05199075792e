with source as (
    select * from {{ source('nba_predictions', 'staging_tables') }}
),

renamed as (
    select
        cast(staging_table_name as {{ dbt.type_string() }}) as staging_table_name,
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'staging_table_name', 'created_at desc') }}
)

select * from deduplicated
