{#- One row per game, from the newest schedule snapshot, with what the schedule and
    the clock say must exist for it. A game is expected to be final (box scores,
    grading) once game_final_margin_hours have passed since its scheduled tip-off,
    unless the schedule explicitly says it was postponed: a night whose post-game
    scrape never ran still expects its box scores (ING-04/05, EXP-03), instead of
    waiting for a "final" snapshot that will never come. -#}
{%- set margin_hours = props_contracts.typed_var('game_final_margin_hours') -%}

with snapshots as (
    select * from {{ ref('stg_nba_raw__nbac_schedule_snapshots') }}
),

latest_snapshot as (
    select *
    from snapshots
    where true
    qualify row_number() over (
        -- a final snapshot is never overridden by a later non-final one (a reprocessed
        -- morning file): games do not un-finish
        partition by game_date, game_id
        order by case when game_status = 3 then 0 else 1 end, processed_at desc, source_file_path desc
    ) = 1
),

classified as (
    select
        *,
        coalesce(upper(trim(game_status_text)) in ('PPD', 'POSTPONED', 'CNCL', 'CANCELLED'), false)
        and coalesce(game_status, 0) <> 3 as is_postponed,
        {{ props_contracts.add_hours('scheduled_start_at', margin_hours) }} as expected_final_at
    from latest_snapshot
),

final as (
    select
        game_id,
        game_date,
        season,
        home_team_tricode,
        away_team_tricode,
        game_status,
        game_status_text,
        game_status = 3 as is_final,
        is_postponed,
        expected_final_at,
        not is_postponed
        and (
            coalesce(game_status = 3, false)
            or coalesce(expected_final_at <= {{ props_contracts.as_of() }}, false)
        ) as is_expected_final,
        scheduled_start_at,
        game_end_at,
        processed_at as snapshot_processed_at
    from classified
)

select * from final
