{#- Per game: when its first prediction landed vs the export deadline of its date
    (EXP-02; seed 001 self-heal timing). -#}
{%- set deadline_local_time = props_contracts.typed_var('exp02_deadline_local_time') -%}

with games as (
    select * from {{ ref('int_games') }}
    -- a postponed game is not exported, so nothing is due for it
    where
        not is_postponed
        and {{ props_contracts.in_window('game_date') }}
),

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

first_prediction as (
    select
        game_id,
        min(created_at) as first_predicted_at,
        count(*) as active_predictions
    from active
    group by game_id
),

final as (
    select
        games.game_id,
        games.game_date,
        {{ props_contracts.local_time_to_utc('games.game_date', deadline_local_time) }} as export_deadline_at,
        first_prediction.first_predicted_at,
        coalesce(first_prediction.active_predictions, 0) as active_predictions,
        coalesce(
            first_prediction.first_predicted_at
            <= {{ props_contracts.local_time_to_utc('games.game_date', deadline_local_time) }},
            false
        ) as is_on_time
    from games
    left join first_prediction on games.game_id = first_prediction.game_id
    where
        {{ props_contracts.local_time_to_utc('games.game_date', deadline_local_time) }}
        <= {{ props_contracts.as_of() }}
)

select * from final
