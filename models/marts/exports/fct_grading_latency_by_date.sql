{#- End-to-end latency per game date: game end -> graded, median and p95. Reads
    the per-game query itself (not the window-only fct_game_grading_latency table),
    so a first build or a --full-refresh fills the season. -#}
{{ config(**props_contracts.daily_mart_config(['game_date'])) }}

with per_game as (
    {{ props_contracts.game_grading_latency(keep_season=true) }}
),

by_date as (
    select
        game_date,
        count(*) as final_games,
        sum(case when is_graded_within_sla then 1 else 0 end) as games_graded_within_sla,
        {{ props_contracts.median('grading_latency_hours') }} as median_latency_hours,
        {{ props_contracts.percentile('grading_latency_hours', 0.95) }} as p95_latency_hours
    from per_game
    group by game_date
)

select * from by_date
