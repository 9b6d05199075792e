with source as (
    select * from {{ source('nba_exports', 'export_runs') }}
),

renamed as (
    select
        cast(export_id as {{ dbt.type_string() }}) as export_id,
        cast(export_type as {{ dbt.type_string() }}) as export_type,
        cast(game_date as date) as game_date,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(exported_at as {{ dbt.type_timestamp() }}) as exported_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, export_id', 'exported_at desc') }}
)

select * from deduplicated
