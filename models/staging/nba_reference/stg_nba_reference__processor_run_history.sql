with source as (
    select * from {{ source('nba_reference', 'processor_run_history') }}
),

renamed as (
    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(processor_name as {{ dbt.type_string() }}) as processor_name,
        cast(phase as {{ dbt.type_bigint() }}) as phase,
        cast(data_date as date) as data_date,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(skip_reason as {{ dbt.type_string() }}) as skip_reason,
        cast(target_table as {{ dbt.type_string() }}) as target_table,
        cast(records_processed as {{ dbt.type_bigint() }}) as records_processed,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(completed_at as {{ dbt.type_timestamp() }}) as completed_at,
        cast(duration_seconds as {{ props_contracts.type_double() }}) as duration_seconds
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'data_date, run_id', 'started_at desc, completed_at desc') }}
)

select * from deduplicated
