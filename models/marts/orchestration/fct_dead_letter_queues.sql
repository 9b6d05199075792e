{#- Per dead-letter subscription: every sample of the window judged, not only the
    latest (ORC-02; seed 001 P1-5: DLQ messages expire, so a queue that held messages
    yesterday and is empty now lost them). The latest sample is kept beside the worst. -#}
with samples as (
    select * from {{ ref('stg_nba_orchestration__pubsub_dlq_metrics') }}
    where {{ props_contracts.ts_in_window('observed_at') }}
),

ranked as (
    select
        *,
        row_number() over (partition by subscription_name order by observed_at desc) as recency_rank
    from samples
),

final as (
    select
        subscription_name,
        max(case when recency_rank = 1 then observed_at end) as observed_at,
        max(case when recency_rank = 1 then undelivered_messages end) as undelivered_messages,
        max(undelivered_messages) as max_undelivered_messages,
        count(*) as samples,
        sum(case when undelivered_messages > 0 then 1 else 0 end) as samples_with_messages,
        min(case when undelivered_messages > 0 then observed_at end) as first_message_seen_at,
        max(case when undelivered_messages > 0 then observed_at end) as last_message_seen_at
    from ranked
    group by subscription_name
)

select * from final
