with source as (
    select * from {{ source('nba_raw', 'bdl_player_boxscores') }}
),

renamed as (
    select
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(team_abbr as {{ dbt.type_string() }}) as team_abbr,
        cast(opponent_team_abbr as {{ dbt.type_string() }}) as opponent_team_abbr,
        cast(minutes_played as {{ props_contracts.type_double() }}) as minutes_played,
        cast(points as {{ dbt.type_bigint() }}) as points,
        cast(rebounds as {{ dbt.type_bigint() }}) as rebounds,
        cast(assists as {{ dbt.type_bigint() }}) as assists,
        cast(threes_made as {{ dbt.type_bigint() }}) as threes_made,
        cast(source_file_path as {{ dbt.type_string() }}) as source_file_path,
        cast(processed_at as {{ dbt.type_timestamp() }}) as processed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate(
        'renamed',
        'game_date, game_id, player_lookup',
        'processed_at desc, source_file_path desc',
        first_seen='processed_at',
        first_of=['source_file_path']
    ) }}
)

select * from deduplicated
