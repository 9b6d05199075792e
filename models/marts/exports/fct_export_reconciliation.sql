{#- Each export against the predictions active when it ran (EXP-01; seed 001): a
    prediction was active at the export's instant if it had been made by then
    (created_at) and was active then: still active, or deactivated after (an inactive
    row's updated_at is when it was deactivated). An export is judged at its own time,
    never against today's state; a later correct export of the same date and type
    supersedes a wrong one (the runbook's re-export). -#}
with exports as (
    select * from {{ ref('stg_nba_exports__export_runs') }}
    where
        status = 'success'
        and {{ props_contracts.in_window('game_date') }}
),

props as (
    select prop_type from {{ ref('prop_types') }}
),

predictions as (
    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

-- one row per export and prediction key active at the export's instant
active_at_export as (
    select distinct
        exports.export_id,
        predictions.player_lookup,
        predictions.prop_type,
        predictions.system_id
    from exports
    inner join predictions
        on
            exports.game_date = predictions.game_date
            and exports.exported_at >= predictions.created_at
            and (
                coalesce(predictions.is_active, false)
                or exports.exported_at < predictions.updated_at
            )
    inner join props on predictions.prop_type = props.prop_type
),

active_counts as (
    select
        export_id,
        count(*) as active_predictions
    from active_at_export
    group by export_id
),

judged as (
    select
        exports.export_id,
        exports.export_type,
        exports.game_date,
        exports.exported_at,
        exports.row_count as exported_rows,
        coalesce(active_counts.active_predictions, 0) as active_predictions,
        exports.row_count - coalesce(active_counts.active_predictions, 0) as row_difference,
        coalesce(active_counts.active_predictions, 0) > 0
        and exports.row_count = coalesce(active_counts.active_predictions, 0) as is_correct_at_export
    from exports
    left join active_counts on exports.export_id = active_counts.export_id
),

superseded as (
    select earlier.export_id
    from judged as earlier
    inner join judged as later
        on
            earlier.game_date = later.game_date
            and earlier.export_type = later.export_type
            and earlier.exported_at < later.exported_at
    where later.is_correct_at_export
    group by earlier.export_id
),

final as (
    select
        judged.export_id,
        judged.export_type,
        judged.game_date,
        judged.exported_at,
        judged.exported_rows,
        judged.active_predictions,
        judged.row_difference,
        judged.is_correct_at_export,
        superseded.export_id is not null as is_superseded_by_correct_export
    from judged
    left join superseded on judged.export_id = superseded.export_id
)

select * from final
