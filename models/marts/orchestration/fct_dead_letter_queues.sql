{#- Latest undelivered-message count of each dead-letter subscription (ORC-02). -#}
with samples as (
    select * from {{ ref('stg_nba_orchestration__pubsub_dlq_metrics') }}
    where {{ props_contracts.ts_in_window('observed_at') }}
),

latest as (
    select *
    from samples
    where true
    qualify row_number() over (partition by subscription_name order by observed_at desc) = 1
),

final as (
    select
        subscription_name,
        observed_at,
        undelivered_messages
    from latest
)

select * from final
