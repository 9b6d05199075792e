with source as (
    select * from {{ source('nba_raw', 'nbac_schedule') }}
),

renamed as (
    select
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(game_date as date) as game_date,
        cast(season as {{ dbt.type_string() }}) as season,
        cast(home_team_tricode as {{ dbt.type_string() }}) as home_team_tricode,
        cast(away_team_tricode as {{ dbt.type_string() }}) as away_team_tricode,
        cast(game_status as {{ dbt.type_bigint() }}) as game_status,
        cast(game_status_text as {{ dbt.type_string() }}) as game_status_text,
        cast(scheduled_start_at as {{ dbt.type_timestamp() }}) as scheduled_start_at,
        cast(game_end_at as {{ dbt.type_timestamp() }}) as game_end_at,
        cast(source_file_path as {{ dbt.type_string() }}) as source_file_path,
        cast(processed_at as {{ dbt.type_timestamp() }}) as processed_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate(
        'renamed',
        'game_date, game_id, source_file_path',
        'processed_at desc',
        first_seen='processed_at',
        first_of=['source_file_path']
    ) }}
)

select * from deduplicated
