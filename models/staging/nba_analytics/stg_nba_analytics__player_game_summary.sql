with source as (
    select * from {{ source('nba_analytics', 'player_game_summary') }}
),

renamed as (
    select
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(team_abbr as {{ dbt.type_string() }}) as team_abbr,
        cast(minutes_played as {{ props_contracts.type_double() }}) as minutes_played,
        cast(points as {{ dbt.type_bigint() }}) as points,
        cast(rebounds as {{ dbt.type_bigint() }}) as rebounds,
        cast(assists as {{ dbt.type_bigint() }}) as assists,
        cast(threes_made as {{ dbt.type_bigint() }}) as threes_made,
        cast(processed_at as {{ dbt.type_timestamp() }}) as processed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, game_id, player_lookup', 'processed_at desc') }}
)

select * from deduplicated
