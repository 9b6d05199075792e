{#- Gaps between consecutive workflow decisions, plus the open gap from the latest
    decision to as_of (ORC-01; seed 003: a 45-hour outage nobody noticed). -#}
with decisions as (
    select * from {{ ref('stg_nba_orchestration__workflow_decisions') }}
    where {{ props_contracts.ts_in_window('decision_at') }}
),

closed_gaps as (
    select
        decision_id,
        lag(decision_at) over (order by decision_at, decision_id) as gap_started_at,
        decision_at as gap_ended_at,
        false as is_open
    from decisions
),

open_gap as (
    select
        'as_of' as decision_id,
        max(decision_at) as gap_started_at,
        {{ props_contracts.as_of() }} as gap_ended_at,
        true as is_open
    from decisions
),

gaps as (
    select * from closed_gaps
    where gap_started_at is not null
    union all
    select * from open_gap
),

final as (
    select
        decision_id,
        gap_started_at,
        gap_ended_at,
        is_open,
        {{ props_contracts.hours_between('gap_started_at', 'gap_ended_at') }} as gap_hours
    from gaps
)

select * from final
