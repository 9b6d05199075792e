{#- Active predictions whose values cannot be right, one row per prediction with
    the first reason found (PRD-08). Includes dates after as_of (a prediction for
    a game far in the future is itself bad input), and every row the window cannot
    place: a NULL game_date or one before earliest_plausible_date, and a NULL
    is_active. NaN and infinity are caught by is_finite_number, not by range
    comparisons: BigQuery compares NaN as false, DuckDB as larger than everything. -#}
with predictions as (
    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where
        (is_active or is_active is null)
        -- the partition filter, keeping rows the window cannot place
        and (
            game_date is null
            or game_date < {{ props_contracts.earliest_plausible_date() }}
            or game_date >= {{ props_contracts.window_start_date() }}
        )
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
        predictions.is_active,
        predictions.created_at,
        predictions._source_copies as source_copies,
        case
            when
                predictions.player_lookup is null or predictions.game_date is null
                or predictions.prop_type is null or predictions.system_id is null
                or predictions.prediction_id is null
                then 'null key column'
            when predictions.is_active is null then 'null is_active'
            when predictions.game_date < {{ props_contracts.earliest_plausible_date() }}
                then 'game_date before earliest_plausible_date'
            when props.prop_type is null then 'unknown prop_type'
            when predictions.predicted_value is null then 'null predicted_value'
            when not {{ props_contracts.is_finite_number('predictions.predicted_value') }}
                then 'predicted_value not a finite number'
            when predictions.predicted_value < 0 then 'negative predicted_value'
            when predictions.predicted_value > props.max_value then 'predicted_value above the plausible range of its prop type'
            when not {{ props_contracts.is_finite_number('predictions.line_value') }}
                then 'line_value not a finite number'
            when predictions.line_value < 0 or predictions.line_value > props.max_value
                then 'line_value outside the plausible range of its prop type'
            when predictions.confidence_score is null then 'confidence_score outside [0, 1]'
            when not {{ props_contracts.is_finite_number('predictions.confidence_score') }}
                then 'confidence_score not a finite number'
            when predictions.confidence_score < 0 or predictions.confidence_score > 1
                then 'confidence_score outside [0, 1]'
            when recommendations.recommendation is null then 'unknown recommendation'
            when recommendations.needs_line and predictions.line_value is null
                then 'recommendation needs a line but line_value is null'
            when predictions.created_at is null then 'null created_at'
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
