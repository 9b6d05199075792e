{#- The distribution of each post-game phase's latency (hours after game end)
    over a game date's games: p50, p90 and max, and how many games the phase has
    not finished for yet (seed 001 P1-4, "latency distribution"). One row per game
    date and phase, from fct_game_phase_latency; incremental by game date like the
    other per-date marts. -#}
{{ config(**props_contracts.daily_mart_config(['game_date', 'phase'])) }}

with games as (
    select * from {{ ref('fct_game_phase_latency') }}
    -- games due to be final: the schedule says so, or the clock does
    where
        is_expected_final
        and {{ props_contracts.in_mart_window('game_date') }}
),

per_phase as (
    select
        game_date,
        'phase_1_scraped' as phase,
        1 as phase_order,
        game_id,
        game_end_at,
        phase_1_scraped_at as completed_at,
        phase_1_latency_hours as latency_hours
    from games
    union all
    select
        game_date,
        'phase_2_loaded' as phase,
        2 as phase_order,
        game_id,
        game_end_at,
        phase_2_loaded_at as completed_at,
        phase_2_latency_hours as latency_hours
    from games
    union all
    select
        game_date,
        'phase_3_summarized' as phase,
        3 as phase_order,
        game_id,
        game_end_at,
        phase_3_summarized_at as completed_at,
        phase_3_latency_hours as latency_hours
    from games
    union all
    select
        game_date,
        'graded' as phase,
        4 as phase_order,
        game_id,
        game_end_at,
        graded_at as completed_at,
        grading_latency_hours as latency_hours
    from games
),

final as (
    select
        game_date,
        phase,
        phase_order,
        count(*) as final_games,
        count(completed_at) as games_completed,
        count(*) - count(completed_at) as games_not_completed,
        sum(case when game_end_at is null then 1 else 0 end) as games_without_end_time,
        {{ props_contracts.median('latency_hours') }} as p50_latency_hours,
        {{ props_contracts.percentile('latency_hours', 0.9) }} as p90_latency_hours,
        max(latency_hours) as max_latency_hours
    from per_phase
    group by game_date, phase, phase_order
)

select * from final
