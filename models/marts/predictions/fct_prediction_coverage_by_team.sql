{#- Incremental by game date: each run recomputes the window's dates (the body
    reads only the window) and MERGEs them; older dates stay, so analysts keep
    the season. On BigQuery the MERGE scans only the window of the target
    (incremental_predicates on the partition column). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['game_date', 'team_abbr'],
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

with expected as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where
        is_expected_to_play
        and {{ props_contracts.in_window('game_date') }}
),

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

predicted_players as (
    select distinct
        game_date,
        player_lookup
    from active
),

joined as (
    select
        expected.game_date,
        expected.team_abbr,
        expected.player_lookup,
        predicted_players.player_lookup is not null as is_predicted
    from expected
    left join predicted_players
        on
            expected.game_date = predicted_players.game_date
            and expected.player_lookup = predicted_players.player_lookup
),

final as (
    select
        game_date,
        team_abbr,
        count(*) as expected_players,
        sum(case when is_predicted then 1 else 0 end) as predicted_players,
        count(*) - sum(case when is_predicted then 1 else 0 end) as missing_players,
        {{ props_contracts.string_agg_sorted('case when not is_predicted then player_lookup end') }} as missing_player_list
    from joined
    group by game_date, team_abbr
)

select * from final
