{#- Is grading getting slower? Per month since season_start_date: final games, the
    share graded within the SLA (exp03_sla_hours), the mean of the nightly median
    latencies and the worst night's p95, in hours (EXP-03). fct_grading_latency_by_date
    keeps every game date since the first run; a night's median and p95 are its own
    (a month's figures summarise the nights, they are not a month-wide percentile). -#}
with nights as (
    select * from {{ ref('fct_grading_latency_by_date') }}
    where
        game_date >= cast('{{ props_contracts.typed_var("season_start_date") }}' as date)
        and game_date <= {{ props_contracts.as_of_date() }}
),

by_month as (
    select
        cast({{ dbt.date_trunc('month', 'game_date') }} as date) as month_start,
        count(*) as game_dates,
        sum(final_games) as final_games,
        sum(games_graded_within_sla) as games_graded_within_sla,
        cast(sum(games_graded_within_sla) as {{ props_contracts.type_double() }})
        / nullif(sum(final_games), 0) as share_graded_within_sla,
        avg(median_latency_hours) as mean_nightly_median_hours,
        max(p95_latency_hours) as worst_nightly_p95_hours
    from nights
    group by month_start
)

select * from by_month
order by month_start
