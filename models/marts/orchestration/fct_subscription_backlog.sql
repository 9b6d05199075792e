{#- Per Pub/Sub working subscription: its backlog samples of the window (ORC-04; seed
    001 item 9: "metrics for Pub/Sub subscription backlog", the prediction workers
    capped at 20 instances). The request subscription (orc04_request_subscription) has a
    row even when it was never sampled: absence is a failure, judged by the age of its
    newest sample (null: never). The worst sample is kept beside the latest. -#}
with expected as (
    select cast('{{ props_contracts.typed_var('orc04_request_subscription') }}' as {{ dbt.type_string() }})
        as subscription_name
),

samples as (
    select * from {{ ref('stg_nba_orchestration__pubsub_subscription_metrics') }}
    where {{ props_contracts.ts_in_window('observed_at') }}
),

ranked as (
    select
        *,
        row_number() over (partition by subscription_name order by observed_at desc) as recency_rank,
        row_number() over (
            partition by subscription_name order by undelivered_messages desc, observed_at desc
        ) as backlog_rank
    from samples
),

per_subscription as (
    select
        subscription_name,
        count(*) as samples,
        max(case when recency_rank = 1 then observed_at end) as latest_observed_at,
        max(case when recency_rank = 1 then undelivered_messages end) as latest_undelivered_messages,
        max(case when backlog_rank = 1 then undelivered_messages end) as max_undelivered_messages,
        max(case when backlog_rank = 1 then observed_at end) as max_backlog_observed_at,
        max(oldest_unacked_age_seconds) as max_oldest_unacked_age_seconds
    from ranked
    group by subscription_name
),

subscriptions as (
    select distinct subscription_name
    from (
        select subscription_name from expected
        union all
        select subscription_name from per_subscription
    ) as named
),

final as (
    select
        subscriptions.subscription_name,
        subscriptions.subscription_name in (select expected.subscription_name from expected) as is_request_subscription,
        coalesce(per_subscription.samples, 0) as samples,
        per_subscription.latest_observed_at,
        {{ props_contracts.hours_between('per_subscription.latest_observed_at', props_contracts.as_of()) }}
            as hours_since_latest_sample,
        {{ props_contracts.typed_var('orc04_max_sample_age_hours') }} as max_sample_age_hours,
        per_subscription.latest_undelivered_messages,
        per_subscription.max_undelivered_messages,
        per_subscription.max_backlog_observed_at,
        {{ props_contracts.typed_var('orc04_max_backlog_messages') }} as max_backlog_messages,
        per_subscription.max_oldest_unacked_age_seconds
    from subscriptions
    left join per_subscription on subscriptions.subscription_name = per_subscription.subscription_name
)

select * from final
