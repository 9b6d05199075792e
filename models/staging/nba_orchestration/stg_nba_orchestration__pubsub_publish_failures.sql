with source as (
    select * from {{ source('nba_orchestration', 'pubsub_publish_failures') }}
),

renamed as (
    select
        cast(failure_id as {{ dbt.type_string() }}) as failure_id,
        cast(topic as {{ dbt.type_string() }}) as topic,
        cast(publisher as {{ dbt.type_string() }}) as publisher,
        cast(error_message as {{ dbt.type_string() }}) as error_message,
        cast(failed_at as {{ dbt.type_timestamp() }}) as failed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'failure_id', 'failed_at desc') }}
)

select * from deduplicated
