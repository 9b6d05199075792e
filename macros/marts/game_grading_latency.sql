{#- Per game due to be final: game end -> last prediction graded, and whether
    grading met the SLA (EXP-03; seed 001 P1-4). A game the schedule never marked
    final is due from its expected end (tip-off + game_final_margin_hours), so a
    night whose post-game scrape never ran is still judged.
    One query for two models: fct_game_grading_latency (the window's games, a
    table rebuilt each run: a game postponed since leaves it) and, with
    keep_season=true, fct_grading_latency_by_date's input (in_mart_window: its
    first build and a --full-refresh read the season, a daily run the window). -#}
{%- macro game_grading_latency(keep_season=false) -%}
{%- set in_dates = props_contracts.in_mart_window if keep_season else props_contracts.in_window -%}
{%- set sla_hours = props_contracts.typed_var('exp03_sla_hours') -%}

with games as (
    select * from {{ ref('int_games') }}
    where
        is_expected_final
        and {{ in_dates('game_date') }}
),

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ in_dates('game_date') }}
),

grades as (
    select * from {{ ref('stg_nba_predictions__prediction_grades') }}
    where {{ in_dates('game_date') }}
),

graded as (
    select
        active.game_id,
        count(*) as active_predictions,
        count(grades.prediction_id) as graded_predictions,
        max(grades.graded_at) as last_graded_at
    from active
    left join grades on active.prediction_id = grades.prediction_id
    group by active.game_id
),

games_ended as (
    select
        *,
        coalesce(game_end_at, expected_final_at) as ended_at
    from games
),

final as (
    select
        games.game_id,
        games.game_date,
        games.game_end_at,
        {{ props_contracts.add_hours('games.ended_at', sla_hours) }} as grading_due_at,
        coalesce(graded.active_predictions, 0) as active_predictions,
        coalesce(graded.graded_predictions, 0) as graded_predictions,
        graded.last_graded_at,
        {{ props_contracts.hours_between('games.ended_at', 'graded.last_graded_at') }} as grading_latency_hours,
        coalesce(
            graded.graded_predictions = graded.active_predictions
            and graded.last_graded_at <= {{ props_contracts.add_hours('games.ended_at', sla_hours) }},
            false
        ) as is_graded_within_sla
    from games_ended as games
    left join graded on games.game_id = graded.game_id
)

select * from final
{%- endmacro -%}
