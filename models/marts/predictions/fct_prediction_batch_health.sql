{#- Staging reconciliation per prediction batch: completion events, failed staging
    writes, staging tables the batch state expects vs those present (and present with
    fewer rows than their completion event claims), the coordinator's completed count
    vs the players whose events claim success (seed 002), stall state. -#}
{%- set prd10_min_completion = props_contracts.typed_var('prd10_min_completion') -%}
with batches as (
    select * from {{ ref('stg_nba_predictions__prediction_batches') }}
    where {{ props_contracts.in_window('game_date') }}
),

events as (
    select * from {{ ref('stg_nba_predictions__prediction_completion_events') }}
    -- a batch's events carry its game_date
    where {{ props_contracts.in_window('game_date') }}
),

state as (
    select * from {{ ref('stg_nba_orchestration__prediction_batch_staging_state') }}
),

staging_tables as (
    select * from {{ ref('stg_nba_predictions__staging_tables') }}
),

event_counts as (
    select
        batch_id,
        count(*) as completion_events,
        sum(case when staging_write_success then 0 else 1 end) as failed_staging_writes,
        -- a NULL flag is an unverified claim of success, as PRD-01 judges it
        count(distinct case when coalesce(staging_write_success, true) then player_lookup end)
            as claimed_completion_players
    from events
    group by batch_id
),

-- the rows each staging table's completion events claim were written to it
claimed_rows as (
    select
        staging_table_name,
        max(predictions_generated) as claimed_rows
    from events
    where coalesce(staging_write_success, true)
    group by staging_table_name
),

staging_counts as (
    select
        state.batch_id,
        count(*) as expected_staging_tables,
        sum(case when staging_tables.staging_table_name is null then 0 else 1 end) as present_staging_tables,
        sum(
            case
                when
                    staging_tables.staging_table_name is not null
                    and coalesce(staging_tables.row_count, 0) < claimed_rows.claimed_rows
                    then 1
                else 0
            end
        ) as short_staging_tables
    from state
    left join staging_tables on state.staging_table_name = staging_tables.staging_table_name
    left join claimed_rows on state.staging_table_name = claimed_rows.staging_table_name
    group by state.batch_id
),

reruns as (
    -- a failed batch is recovered once a batch of its date consolidated after it started
    select
        game_date,
        max(started_at) as last_consolidated_started_at
    from batches
    where status = 'consolidated'
    group by game_date
),

final as (
    select
        batches.batch_id,
        batches.game_date,
        batches.status,
        batches.started_at,
        batches.completed_at,
        batches.consolidated_at,
        batches.expected_players,
        batches.completed_players,
        cast(batches.completed_players as {{ props_contracts.type_double() }})
        / nullif(batches.expected_players, 0) as completion_ratio,
        coalesce(event_counts.claimed_completion_players, 0) as claimed_completion_players,
        coalesce(event_counts.completion_events, 0) as completion_events,
        coalesce(event_counts.failed_staging_writes, 0) as failed_staging_writes,
        coalesce(
            cast(event_counts.failed_staging_writes as {{ props_contracts.type_double() }})
            / nullif(event_counts.completion_events, 0),
            0
        ) as staging_failure_rate,
        coalesce(staging_counts.expected_staging_tables, 0) as expected_staging_tables,
        coalesce(staging_counts.present_staging_tables, 0) as present_staging_tables,
        coalesce(staging_counts.expected_staging_tables, 0)
        - coalesce(staging_counts.present_staging_tables, 0) as missing_staging_tables,
        coalesce(staging_counts.short_staging_tables, 0) as short_staging_tables,
        batches.updated_at,
        coalesce(batches.updated_at, batches.started_at) as last_progress_at,
        {{ props_contracts.hours_between('coalesce(batches.updated_at, batches.started_at)', props_contracts.as_of()) }}
        * 60 as minutes_since_progress,
        coalesce(reruns.last_consolidated_started_at >= batches.started_at, false) as has_later_consolidated_batch
    from batches
    left join event_counts on batches.batch_id = event_counts.batch_id
    left join staging_counts on batches.batch_id = staging_counts.batch_id
    left join reruns on batches.game_date = reruns.game_date
),

stall as (
    select
        *,
        {#- PRD-10 (seed 000 stall check, stall_threshold_minutes 10 and min_completion_pct 95,
            every 15 min): the clock runs from the batch's last progress, not its start -#}
        case
            when status = 'in_progress' and coalesce(completion_ratio, 0) < {{ prd10_min_completion }}
                then 'in_progress_below_min_completion'
            when status = 'in_progress' then 'in_progress_at_or_above_min_completion'
            when status = 'complete' then 'complete_not_consolidated'
            when status = 'failed' and not has_later_consolidated_batch then 'failed_not_rerun'
        end as stall_state,
        case
            when status = 'in_progress' and coalesce(completion_ratio, 0) < {{ prd10_min_completion }}
                then {{ props_contracts.typed_var('prd10_stall_minutes') }}
            when status = 'in_progress' then {{ props_contracts.typed_var('prd10_recovery_minutes') }}
            when status = 'complete' then {{ props_contracts.typed_var('prd10_consolidation_minutes') }}
            when status = 'failed' and not has_later_consolidated_batch
                then {{ props_contracts.typed_var('prd10_stall_minutes') }}
        end as stall_limit_minutes
    from final
),

judged as (
    select
        *,
        stall_limit_minutes is not null
        and coalesce(minutes_since_progress >= stall_limit_minutes, true) as is_stalled
    from stall
)

select * from judged
