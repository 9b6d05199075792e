{#- Share of feature-store rows with every required feature present (PRC-03). -#}
{{ config(**props_contracts.daily_mart_config(['game_date'])) }}

{%- set required = [
    'points_avg_last_5', 'points_avg_last_10', 'minutes_avg_last_10', 'usage_rate_last_10',
    'rebounds_avg_last_10', 'assists_avg_last_10', 'opponent_def_rating', 'rest_days',
] -%}

with features as (
    select * from {{ ref('stg_nba_precompute__ml_feature_store') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

flagged as (
    select
        game_date,
        player_lookup,
        (
            {%- for col in required %}
                {{ col }} is not null{{ ' and' if not loop.last }}
            {%- endfor %}
        ) as is_complete
    from features
),

final as (
    select
        game_date,
        count(*) as feature_rows,
        sum(case when is_complete then 1 else 0 end) as complete_rows,
        cast(sum(case when is_complete then 1 else 0 end) as {{ props_contracts.type_double() }})
        / count(*) as completeness
    from flagged
    group by game_date
)

select * from final
