{#- Per game due to be final: game end -> last prediction graded, and whether
    grading met the SLA (EXP-03; seed 001 P1-4). A game the schedule never marked
    final is due from its expected end (tip-off + game_final_margin_hours), so a
    night whose post-game scrape never ran is still judged.
    One query for two models: fct_game_grading_latency (the window's games, a
    table rebuilt each run: a game postponed since leaves it) and, with
    keep_season=true, fct_grading_latency_by_date's input (in_mart_window: its
    first build and a --full-refresh read the season, a daily run the window).
    The SLA follows the declared grading job (exp03_grading_job in
    seeds/pipeline_schedule.csv): its local time on the day it runs for the game's
    date (yesterday: the next day) at that date's own UTC offset, plus its grace; or
    exp03_sla_hours after the game's end, if that is later (a game that ends after
    the job's slot still gets its hours). on-run-start refuses a grading job the
    schedule does not declare. -#}
{%- macro game_grading_latency(keep_season=false) -%}
{%- set in_dates = props_contracts.in_mart_window if keep_season else props_contracts.in_window -%}
{%- set sla_hours = props_contracts.typed_var('exp03_sla_hours') -%}
{%- set grading_job = props_contracts.typed_var('exp03_grading_job') -%}

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

grading_job as (
    select * from {{ ref('pipeline_schedule') }}
    where job_name = '{{ grading_job }}'
),

games_ended as (
    select
        games.*,
        coalesce(games.game_end_at, games.expected_final_at) as ended_at,
        {{ props_contracts.add_minutes(
            props_contracts.local_clock_to_utc(
                "case when grading_job.runs_for = 'yesterday' then "
                ~ props_contracts.add_days('games.game_date', 1) ~ " else games.game_date end",
                'grading_job.local_time'),
            'cast(grading_job.grace_minutes as ' ~ dbt.type_int() ~ ')') }} as job_due_at
    from games
    left join grading_job on true
),

sla as (
    select
        *,
        greatest(job_due_at, {{ props_contracts.add_hours('ended_at', sla_hours) }}) as grading_due_at
    from games_ended
),

final as (
    select
        games.game_id,
        games.game_date,
        games.game_end_at,
        games.grading_due_at,
        coalesce(graded.active_predictions, 0) as active_predictions,
        coalesce(graded.graded_predictions, 0) as graded_predictions,
        graded.last_graded_at,
        {{ props_contracts.hours_between('games.ended_at', 'graded.last_graded_at') }} as grading_latency_hours,
        coalesce(
            graded.graded_predictions = graded.active_predictions
            and graded.last_graded_at <= games.grading_due_at,
            false
        ) as is_graded_within_sla
    from sla as games
    left join graded on games.game_id = graded.game_id
)

select * from final
{%- endmacro -%}
