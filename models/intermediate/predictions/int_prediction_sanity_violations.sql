{#- Active predictions whose values cannot be right, one row per prediction with
    the first reason found (PRD-08). Includes dates after as_of: a prediction for
    a game far in the future is itself bad input. -#}
with predictions as (
    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where
        is_active
        and game_date >= {{ props_contracts.window_start_date() }}
),

props as (
    select * from {{ ref('prop_types') }}
),

recommendations as (
    select * from {{ ref('recommendations') }}
),

checked as (
    select
        predictions.prediction_id,
        predictions.batch_id,
        predictions.game_date,
        predictions.player_lookup,
        predictions.prop_type,
        predictions.system_id,
        predictions.predicted_value,
        predictions.line_value,
        predictions.recommendation,
        predictions.confidence_score,
        case
            when
                predictions.player_lookup is null or predictions.game_date is null
                or predictions.prop_type is null or predictions.system_id is null
                then 'null key column'
            when props.prop_type is null then 'unknown prop_type'
            when predictions.predicted_value is null then 'null predicted_value'
            when predictions.predicted_value < 0 then 'negative predicted_value'
            when predictions.predicted_value > props.max_value then 'predicted_value above the plausible range of its prop type'
            when
                predictions.confidence_score is null
                or predictions.confidence_score < 0
                or predictions.confidence_score > 1
                then 'confidence_score outside [0, 1]'
            when recommendations.recommendation is null then 'unknown recommendation'
            when recommendations.needs_line and predictions.line_value is null
                then 'recommendation needs a line but line_value is null'
            when predictions.game_date > {{ props_contracts.add_days(props_contracts.as_of_date(), 1) }}
                then 'game_date in the future'
        end as violation
    from predictions
    left join props on predictions.prop_type = props.prop_type
    left join recommendations on predictions.recommendation = recommendations.recommendation
),

final as (
    select * from checked
    where violation is not null
)

select * from final
