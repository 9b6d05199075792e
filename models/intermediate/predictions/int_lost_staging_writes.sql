{#- Completion events of consolidated batches that claimed a successful staging
    write, yet neither the staging table nor any consolidated prediction exists, or
    the staging table exists with fewer rows than the event claims and the batch holds
    fewer predictions of the player than that: the write was lost, wholly or in part
    (PRD-01; seed 002 layers 1-2; issue 23). -#}
with events as (
    select * from {{ ref('stg_nba_predictions__prediction_completion_events') }}
    -- a NULL success flag is an unverified claim: judged like a claimed success
    where
        coalesce(staging_write_success, true)
        and {{ props_contracts.in_window('game_date') }}
),

batches as (
    select * from {{ ref('stg_nba_predictions__prediction_batches') }}
    where
        status = 'consolidated'
        -- a batch's events carry its game_date
        and {{ props_contracts.in_window('game_date') }}
),

staging_tables as (
    select * from {{ ref('stg_nba_predictions__staging_tables') }}
),

predicted as (
    select
        batch_id,
        player_lookup,
        count(*) as predictions
    from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
    group by batch_id, player_lookup
),

final as (
    select
        events.event_id,
        events.batch_id,
        events.game_date,
        events.player_lookup,
        events.staging_table_name,
        events.predictions_generated,
        staging_tables.row_count as staging_rows,
        coalesce(predicted.predictions, 0) as predictions_found,
        events.published_at
    from events
    inner join batches on events.batch_id = batches.batch_id
    left join staging_tables on events.staging_table_name = staging_tables.staging_table_name
    left join predicted
        on
            events.batch_id = predicted.batch_id
            and events.player_lookup = predicted.player_lookup
    where
        (staging_tables.staging_table_name is null and predicted.player_lookup is null)
        or (
            coalesce(staging_tables.row_count, 0) < events.predictions_generated
            and staging_tables.staging_table_name is not null
            and coalesce(predicted.predictions, 0) < events.predictions_generated
        )
)

select * from final
