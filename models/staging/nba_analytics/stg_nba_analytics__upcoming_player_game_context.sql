with source as (
    select * from {{ source('nba_analytics', 'upcoming_player_game_context') }}
),

renamed as (
    select
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(team_abbr as {{ dbt.type_string() }}) as team_abbr,
        cast(opponent_team_abbr as {{ dbt.type_string() }}) as opponent_team_abbr,
        cast(is_expected_to_play as {{ dbt.type_boolean() }}) as is_expected_to_play,
        cast(processed_at as {{ dbt.type_timestamp() }}) as processed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, player_lookup', 'processed_at desc, game_id desc') }}
)

select * from deduplicated
