{#- Every predicted player and date against its feature row: missing, written
    after the first prediction, or older than the window (PRD-09; seed 000 R-006). -#}
with active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

features as (
    select * from {{ ref('stg_nba_precompute__ml_feature_store') }}
    where {{ props_contracts.in_window('game_date') }}
),

first_prediction as (
    select
        game_date,
        player_lookup,
        min(created_at) as first_predicted_at
    from active
    group by game_date, player_lookup
),

joined as (
    select
        first_prediction.game_date,
        first_prediction.player_lookup,
        first_prediction.first_predicted_at,
        features.updated_at as feature_updated_at,
        case
            when features.player_lookup is null then 'no feature row'
            when features.updated_at > first_prediction.first_predicted_at
                then 'feature row written after the prediction'
            when
                {{ props_contracts.hours_between('features.updated_at', 'first_prediction.first_predicted_at') }}
                > {{ props_contracts.typed_var('prd09_max_feature_age_hours') }}
                then 'feature row older than the freshness window'
        end as violation
    from first_prediction
    left join features
        on
            first_prediction.game_date = features.game_date
            and first_prediction.player_lookup = features.player_lookup
)

select * from joined
