with source as (
    select * from {{ source('nba_orchestration', 'raw_batch_locks') }}
),

renamed as (
    select
        cast(lock_id as {{ dbt.type_string() }}) as lock_id,
        cast(file_path as {{ dbt.type_string() }}) as file_path,
        cast(processor_name as {{ dbt.type_string() }}) as processor_name,
        cast(target_table as {{ dbt.type_string() }}) as target_table,
        cast(data_date as date) as data_date,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(rows_reported as {{ dbt.type_bigint() }}) as rows_reported,
        cast(locked_at as {{ dbt.type_timestamp() }}) as locked_at,
        cast(completed_at as {{ dbt.type_timestamp() }}) as completed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'lock_id', 'locked_at desc') }}
)

select * from deduplicated
