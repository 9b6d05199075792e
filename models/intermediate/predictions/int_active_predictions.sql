{#- One active prediction per player, game date, prop and system: the newest.
    Conflicting active rows (PRD-07) are resolved here, never silently upstream. -#}
with predictions as (
    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where is_active
),

newest as (
    select *
    from predictions
    where true
    qualify row_number() over (
        partition by player_lookup, game_date, prop_type, system_id
        order by created_at desc, updated_at desc, prediction_id desc
    ) = 1
)

select * from newest
