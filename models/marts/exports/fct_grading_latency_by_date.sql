{#- End-to-end latency per game date: game end -> graded, median and p95. -#}
{#- Incremental by game date: each run recomputes the window's dates (the body
    reads only the window) and MERGEs them; older dates stay, so analysts keep
    the season. On BigQuery the MERGE scans only the window of the target
    (incremental_predicates on the partition column). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['game_date'],
        on_schema_change='sync_all_columns',
        partition_by=(
            {'field': 'game_date', 'data_type': 'date', 'granularity': 'day'}
            if target.type == 'bigquery' else none
        ),
        incremental_predicates=(
            ['DBT_INTERNAL_DEST.game_date >= ' ~ props_contracts.window_start_date()]
            if target.type == 'bigquery' else none
        ),
    )
}}

with games as (
    select * from {{ ref('fct_game_grading_latency') }}
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
