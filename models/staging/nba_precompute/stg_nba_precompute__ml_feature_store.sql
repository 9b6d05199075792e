with source as (
    select * from {{ source('nba_precompute', 'ml_feature_store') }}
),

renamed as (
    select
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_date as date) as game_date,
        cast(feature_version as {{ dbt.type_string() }}) as feature_version,
        cast(points_avg_last_5 as {{ props_contracts.type_double() }}) as points_avg_last_5,
        cast(points_avg_last_10 as {{ props_contracts.type_double() }}) as points_avg_last_10,
        cast(minutes_avg_last_10 as {{ props_contracts.type_double() }}) as minutes_avg_last_10,
        cast(usage_rate_last_10 as {{ props_contracts.type_double() }}) as usage_rate_last_10,
        cast(rebounds_avg_last_10 as {{ props_contracts.type_double() }}) as rebounds_avg_last_10,
        cast(assists_avg_last_10 as {{ props_contracts.type_double() }}) as assists_avg_last_10,
        cast(opponent_def_rating as {{ props_contracts.type_double() }}) as opponent_def_rating,
        cast(rest_days as {{ dbt.type_bigint() }}) as rest_days,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'game_date, player_lookup', 'updated_at desc, created_at desc') }}
)

select * from deduplicated
