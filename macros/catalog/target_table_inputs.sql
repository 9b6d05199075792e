{#- What a write to each pipeline target table reads for its date (PRC-01: a run whose
    input had rows but whose output has none failed, whatever records_processed says).
    (target_table, model, filter): the input rows are the model's rows of the run's
    data_date matching the filter. A raw table's input is a scraped file the warehouse
    cannot count, so it is the date's games (not postponed): a night with games must
    load rows, a night with none need not. -#}
{%- macro target_table_inputs() -%}
    {%- set games = ('int_games', 'not is_postponed') -%}
    {{ return([
        ('nba_raw.nbac_schedule', games[0], games[1]),
        ('nba_raw.bdl_player_boxscores', games[0], games[1]),
        ('nba_raw.odds_api_player_props', games[0], games[1]),
        ('nba_analytics.upcoming_player_game_context', games[0], games[1]),
        ('nba_analytics.player_game_summary', 'stg_nba_raw__bdl_player_boxscores', 'true'),
        ('nba_precompute.ml_feature_store', 'stg_nba_analytics__upcoming_player_game_context', 'is_expected_to_play'),
        ('nba_predictions.player_prop_predictions', 'stg_nba_precompute__ml_feature_store', 'true'),
        ('nba_predictions.prediction_grades', 'int_active_predictions', 'true'),
        ('nba_exports.export_runs', 'int_active_predictions', 'true'),
    ]) }}
{%- endmacro -%}
