with source as (
    select * from {{ source('nba_orchestration', 'pubsub_subscription_metrics') }}
),

renamed as (
    select
        cast(subscription_name as {{ dbt.type_string() }}) as subscription_name,
        cast(undelivered_messages as {{ dbt.type_bigint() }}) as undelivered_messages,
        cast(oldest_unacked_age_seconds as {{ dbt.type_bigint() }}) as oldest_unacked_age_seconds,
        cast(observed_at as {{ dbt.type_timestamp() }}) as observed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'subscription_name, observed_at', 'undelivered_messages desc') }}
)

select * from deduplicated
