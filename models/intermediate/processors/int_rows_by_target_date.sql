{#- Rows present per target table and game date: what a processor run claims to
    have written is checked against this (PRC-01). -#}
{%- set targets = [
    ('nba_raw.nbac_schedule', 'stg_nba_raw__nbac_schedule_snapshots'),
    ('nba_raw.bdl_player_boxscores', 'stg_nba_raw__bdl_player_boxscores'),
    ('nba_raw.odds_api_player_props', 'stg_nba_raw__odds_api_player_props'),
    ('nba_analytics.upcoming_player_game_context', 'stg_nba_analytics__upcoming_player_game_context'),
    ('nba_analytics.player_game_summary', 'stg_nba_analytics__player_game_summary'),
    ('nba_precompute.ml_feature_store', 'stg_nba_precompute__ml_feature_store'),
    ('nba_predictions.player_prop_predictions', 'stg_nba_predictions__player_prop_predictions'),
    ('nba_predictions.prediction_grades', 'stg_nba_predictions__prediction_grades'),
    ('nba_exports.export_runs', 'stg_nba_exports__export_runs'),
] -%}

with counted as (
    {%- for target_table, model in targets %}
        select
            '{{ target_table }}' as target_table,
            game_date,
            count(*) as rows_present
        from {{ ref(model) }}
        where {{ props_contracts.in_window('game_date') }}
        group by game_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
