{#- Entities still locked out although data for them arrived after the breaker
    tripped: the auto-reset should have cleared them (PRC-07). -#}
with attempts as (
    select * from {{ ref('stg_nba_orchestration__reprocess_attempts') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    -- the partition filter: box scores of a lockout's analysis dates (a breaker
    -- trips for days, so reach partition_margin_days before the window)
    where game_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
),

locked as (
    select *
    from attempts
    where
        circuit_breaker_tripped
        and circuit_breaker_until > {{ props_contracts.as_of() }}
),

arrivals as (
    select
        locked.processor_name,
        locked.entity_id,
        locked.analysis_date,
        locked.tripped_at,
        locked.circuit_breaker_until,
        min(boxscores.processed_at) as data_arrived_at,
        count(*) as rows_arrived
    from locked
    inner join boxscores
        on
            locked.entity_id = boxscores.player_lookup
            and boxscores.game_date >= {{ props_contracts.add_days('locked.analysis_date', -3) }}
            and locked.tripped_at < boxscores.processed_at
    group by 1, 2, 3, 4, 5
)

select * from arrivals
