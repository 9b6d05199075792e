{#- Staging reconciliation per prediction batch: completion events, failed staging
    writes, staging tables the batch state expects vs those present, stall state. -#}
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
        sum(case when staging_write_success then 0 else 1 end) as failed_staging_writes
    from events
    group by batch_id
),

staging_counts as (
    select
        state.batch_id,
        count(*) as expected_staging_tables,
        sum(case when staging_tables.staging_table_name is null then 0 else 1 end) as present_staging_tables
    from state
    left join staging_tables on state.staging_table_name = staging_tables.staging_table_name
    group by state.batch_id
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
        (
            batches.status = 'in_progress'
            and batches.started_at
            <= {{ props_contracts.add_minutes(props_contracts.as_of(), -1 * props_contracts.typed_var('prd10_stall_minutes')) }}
            and coalesce(
                cast(batches.completed_players as {{ props_contracts.type_double() }})
                / nullif(batches.expected_players, 0),
                0
            ) < {{ props_contracts.typed_var('prd10_min_completion') }}
        ) as is_stalled
    from batches
    left join event_counts on batches.batch_id = event_counts.batch_id
    left join staging_counts on batches.batch_id = staging_counts.batch_id
)

select * from final
