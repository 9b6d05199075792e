{#- ABS-03: every silence of a dead-letter subscription that must report
    (seeds/dlq_subscriptions.csv): two consecutive samples further apart than the
    subscription's sample_interval_minutes plus abs03_sample_grace_minutes, or its
    newest sample older than that at as_of (open: the metrics stopped), or no sample
    in the window at all (since the window's start). A sample of zero messages is a
    sample: a healthy empty queue passes. The population is the seed, not the samples:
    a subscription whose metrics never arrive keeps its row. -#}
{%- set grace = props_contracts.typed_var('abs03_sample_grace_minutes') -%}
{%- set window_floor = 'cast(' ~ props_contracts.window_start_date() ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}

with subscriptions as (
    select
        subscription_name,
        cast(sample_interval_minutes as {{ dbt.type_int() }}) + {{ grace }} as allowed_minutes,
        cast(sample_interval_minutes as {{ dbt.type_int() }}) as sample_interval_minutes
    from {{ ref('dlq_subscriptions') }}
),

samples as (
    select
        subscription_name,
        observed_at
    from {{ ref('stg_nba_orchestration__pubsub_dlq_metrics') }}
    where
        observed_at >= {{ window_floor }}
        and observed_at <= {{ props_contracts.as_of() }}
),

ordered as (
    select
        subscriptions.subscription_name,
        subscriptions.sample_interval_minutes,
        subscriptions.allowed_minutes,
        samples.observed_at as gap_start_at,
        lead(samples.observed_at) over (
            partition by subscriptions.subscription_name order by samples.observed_at
        ) as next_sample_at
    from subscriptions
    inner join samples on subscriptions.subscription_name = samples.subscription_name
),

gaps as (
    select
        subscription_name,
        sample_interval_minutes,
        allowed_minutes,
        gap_start_at,
        coalesce(next_sample_at, {{ props_contracts.as_of() }}) as gap_end_at,
        next_sample_at is null as is_open
    from ordered
),

never_sampled as (
    select
        subscriptions.subscription_name,
        subscriptions.sample_interval_minutes,
        subscriptions.allowed_minutes,
        {{ window_floor }} as gap_start_at,
        {{ props_contracts.as_of() }} as gap_end_at,
        true as is_open
    from subscriptions
    where
        not exists (
            select 1 from samples
            where samples.subscription_name = subscriptions.subscription_name
        )
),

all_gaps as (
    select * from gaps
    union all
    select * from never_sampled
),

final as (
    select
        subscription_name,
        sample_interval_minutes,
        allowed_minutes,
        gap_start_at,
        gap_end_at,
        is_open,
        {{ dbt.datediff('gap_start_at', 'gap_end_at', 'minute') }}
            as gap_minutes
    from all_gaps
)

select * from final
where gap_minutes > allowed_minutes
