with source as (
    select * from {{ source('nba_raw', 'odds_api_player_props') }}
),

renamed as (
    select
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(prop_type as {{ dbt.type_string() }}) as prop_type,
        cast(bookmaker as {{ dbt.type_string() }}) as bookmaker,
        cast(line_value as {{ props_contracts.type_double() }}) as line_value,
        cast(snapshot_at as {{ dbt.type_timestamp() }}) as snapshot_at,
        cast(source_file_path as {{ dbt.type_string() }}) as source_file_path,
        cast(processed_at as {{ dbt.type_timestamp() }}) as processed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate(
        'renamed',
        'game_date, game_id, player_lookup, prop_type, bookmaker, snapshot_at',
        'processed_at desc',
        first_seen='processed_at',
        first_of=['source_file_path']
    ) }}
)

select * from deduplicated
