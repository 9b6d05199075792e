{#- End-to-end latency per game date: game end -> graded, median and p95. -#}
{{ config(**props_contracts.daily_mart_config(['game_date'])) }}

with games as (
    select * from {{ ref('fct_game_grading_latency') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

final as (
    select
        game_date,
        count(*) as final_games,
        sum(case when is_graded_within_sla then 1 else 0 end) as games_graded_within_sla,
        {{ props_contracts.median('grading_latency_hours') }} as median_latency_hours,
        {{ props_contracts.percentile('grading_latency_hours', 0.95) }} as p95_latency_hours
    from games
    group by game_date
)

select * from final
