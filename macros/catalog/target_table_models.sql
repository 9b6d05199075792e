{#- Each pipeline target table (as processors and locks name it) and the staging
    model holding its rows: the one list PRC-01 and ING-03 both read. -#}
{%- macro target_table_models() -%}
    {{ return([
        ('nba_raw.nbac_schedule', 'stg_nba_raw__nbac_schedule_snapshots'),
        ('nba_raw.bdl_player_boxscores', 'stg_nba_raw__bdl_player_boxscores'),
        ('nba_raw.odds_api_player_props', 'stg_nba_raw__odds_api_player_props'),
        ('nba_analytics.upcoming_player_game_context', 'stg_nba_analytics__upcoming_player_game_context'),
        ('nba_analytics.player_game_summary', 'stg_nba_analytics__player_game_summary'),
        ('nba_precompute.ml_feature_store', 'stg_nba_precompute__ml_feature_store'),
        ('nba_predictions.player_prop_predictions', 'stg_nba_predictions__player_prop_predictions'),
        ('nba_predictions.prediction_grades', 'stg_nba_predictions__prediction_grades'),
        ('nba_exports.export_runs', 'stg_nba_exports__export_runs'),
    ]) }}
{%- endmacro -%}
