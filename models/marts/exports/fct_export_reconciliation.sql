{#- Each export against the active predictions of its date (EXP-01; seed 001). -#}
with exports as (
    select * from {{ ref('stg_nba_exports__export_runs') }}
    where
        status = 'success'
        and {{ props_contracts.in_window('game_date') }}
),

props as (
    select prop_type from {{ ref('prop_types') }}
),

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

active_by_date as (
    select
        active.game_date,
        count(*) as active_predictions
    from active
    inner join props on active.prop_type = props.prop_type
    group by active.game_date
),

final as (
    select
        exports.export_id,
        exports.export_type,
        exports.game_date,
        exports.exported_at,
        exports.row_count as exported_rows,
        coalesce(active_by_date.active_predictions, 0) as active_predictions,
        exports.row_count - coalesce(active_by_date.active_predictions, 0) as row_difference
    from exports
    left join active_by_date on exports.game_date = active_by_date.game_date
)

select * from final
