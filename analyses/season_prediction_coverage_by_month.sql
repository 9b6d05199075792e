{#- How did prediction coverage trend this season? Per month since season_start_date:
    the worst night's coverage, the mean of the nightly coverages, and the team-nights
    with no prediction at all (PRD-05, PRD-06). fct_prediction_coverage_by_date keeps
    every game date since the first run. Compile for your target and run the SQL:
    dbt compile --select season_prediction_coverage_by_month (docs/analysts.md). -#}
with nights as (
    select * from {{ ref('fct_prediction_coverage_by_date') }}
    where
        game_date >= cast('{{ props_contracts.typed_var("season_start_date") }}' as date)
        and game_date <= {{ props_contracts.as_of_date() }}
),

by_month as (
    select
        cast({{ dbt.date_trunc('month', 'game_date') }} as date) as month_start,
        count(*) as game_dates,
        min(coverage) as worst_night_coverage,
        avg(coverage) as mean_nightly_coverage,
        sum(teams_without_predictions) as team_nights_without_predictions,
        sum(missing_players) as missing_player_nights
    from nights
    group by month_start
)

select * from by_month
order by month_start
