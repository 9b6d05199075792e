{#- Every var the project reads, with its type and allowed range: the one list
    typed_var() checks a value against, and validate_vars() (on-run-start) checks
    in full before any node runs. A var not listed here cannot be read (typed_var
    refuses it, and pytests/test_typed_vars.py fails on a bare var() elsewhere).
    Kinds:
      integer    a whole number in [min, max]
      number     an integer or float in [min, max]; `above` instead of min = strictly greater
      boolean    true or false (not a string)
      identifier a schema / database / project name: ^[A-Za-z_][A-Za-z0-9_-]*$
      timestamp  'YYYY-MM-DD HH:MM:SS' (UTC)
      date       'YYYY-MM-DD'
      time       'HH:MM:SS'
      timezone   an IANA zone name, e.g. America/New_York
    nullable: null is allowed (and means what the var's comment in dbt_project.yml says).
    Defaults live in dbt_project.yml, not here. -#}
{%- macro var_spec() -%}
    {%- set days = {'kind': 'integer', 'min': 1, 'max': 3660, 'unit': 'days'} -%}
    {%- set hours = {'kind': 'number', 'above': 0, 'max': 8784, 'unit': 'hours'} -%}
    {%- set minutes = {'kind': 'integer', 'min': 1, 'max': 527040, 'unit': 'minutes'} -%}
    {%- set count = {'kind': 'integer', 'min': 0, 'max': 1000000000, 'unit': 'rows'} -%}
    {%- set ratio = {'kind': 'number', 'min': 0, 'max': 1, 'unit': 'a ratio'} -%}
    {%- set multiple = {'kind': 'number', 'min': 1, 'max': 1000, 'unit': 'a multiple'} -%}
    {%- set schema = {'kind': 'identifier'} -%}
    {{ return({
        'as_of': {'kind': 'timestamp', 'nullable': true},
        'lookback_days': days,
        'full_history': {'kind': 'boolean'},
        'partition_margin_days': {'kind': 'integer', 'min': 0, 'max': 3660, 'unit': 'days'},
        'backfill_horizon_days': {'kind': 'integer', 'min': 0, 'max': 3660, 'unit': 'days'},
        'game_final_margin_hours': hours,
        'business_timezone': {'kind': 'timezone'},
        'generic_test_cases': {'kind': 'boolean'},
        'earliest_plausible_date': {'kind': 'date'},
        'season_start_date': {'kind': 'date'},

        'elementary_enabled': {'kind': 'boolean'},
        'disable_run_results': {'kind': 'boolean'},
        'cache_artifacts': {'kind': 'boolean'},

        'source_database': {'kind': 'identifier', 'nullable': true},
        'nba_raw_schema': schema,
        'nba_reference_schema': schema,
        'nba_analytics_schema': schema,
        'nba_precompute_schema': schema,
        'nba_predictions_schema': schema,
        'nba_orchestration_schema': schema,
        'nba_exports_schema': schema,

        'predictions_merge_lookback_days': days,
        'predictions_catchup_max_days': days,
        'full_refresh_max_days': days,

        'max_run_age_hours': hours,

        'ing01_max_unrouted_files': count,
        'ing02_load_window_hours': hours,
        'ing03_max_empty_batches': count,
        'ing04_min_team_coverage': ratio,
        'ing05_min_team_coverage': ratio,
        'ing05_window_days': days,
        'ing06_max_duplicate_ratio': multiple,
        'prc01_max_violations': count,
        'prc02_min_input_coverage': ratio,
        'prc03_warn_min_completeness': ratio,
        'prc03_error_min_completeness': ratio,
        'prc04_timeout_minutes': minutes,
        'prc05_warn_ratio': multiple,
        'prc05_error_ratio': multiple,
        'prc05_baseline_days': days,
        'prc05_min_baseline_runs': {'kind': 'integer', 'min': 1, 'max': 100000, 'unit': 'runs'},
        'prc06_max_lockout_hours': hours,
        'prc07_max_stale_lockouts': count,
        'prc08_warn_max_skipped': count,
        'prc08_error_max_skip_ratio': ratio,
        'prd01_max_missing': count,
        'prd02_warn_max_failure_rate': ratio,
        'prd02_error_max_failure_rate': ratio,
        'prd03_max_missing': count,
        'prd04_max_gaps': count,
        'prd05_warn_min_coverage': ratio,
        'prd05_error_min_coverage': ratio,
        'prd06_max_teams': count,
        'prd07_max_duplicate_ratio': multiple,
        'prd08_max_rows': count,
        'prd09_max_feature_age_hours': hours,
        'prd10_stall_minutes': minutes,
        'prd10_min_completion': ratio,
        'prd11_max_age_hours': hours,
        'exp01_max_mismatches': count,
        'exp02_deadline_local_time': {'kind': 'time'},
        'exp03_sla_hours': hours,
        'exp03_grading_job': {'kind': 'identifier'},
        'expectations_start_date': {'kind': 'date', 'nullable': true},
        'abs02_window_hours': {'kind': 'integer', 'min': 1, 'max': 8784, 'unit': 'hours'},
        'abs03_sample_grace_minutes': {'kind': 'integer', 'min': 0, 'max': 1440, 'unit': 'minutes'},
        'orc01_warn_gap_hours': hours,
        'orc01_error_gap_hours': hours,
        'orc02_max_messages': count,
        'orc03_max_failures': count,
        'sch02_max_rows': count,
        'sch02_max_days_ahead': days,
        'frs01_warn_hours': hours,
        'frs01_error_hours': hours,
        'frs02_warn_hours': hours,
        'frs02_error_hours': hours,
        'frs03_warn_hours': hours,
        'frs03_error_hours': hours,
        'rec01_max_missing_players': {'kind': 'integer', 'min': 0, 'max': 1000000, 'unit': 'players'},
        'rec01_due_hours': hours,
        'prc11_max_timeout_share': {'kind': 'number', 'above': 0, 'max': 1000, 'unit': 'a share of the timeout'},
        'prc12_max_trend_increase': {'kind': 'number', 'above': 0, 'max': 1000, 'unit': 'a relative increase'},
        'prc12_recent_days': days,
        'prc12_min_recent_runs': {'kind': 'integer', 'min': 1, 'max': 100000, 'unit': 'runs'},
        'prc13_entity_failure_threshold': {'kind': 'integer', 'min': 1, 'max': 100000, 'unit': 'failures'},
        'prc14_processor_failure_threshold': {'kind': 'integer', 'min': 1, 'max': 100000, 'unit': 'failed runs'},
        'prd10_recovery_minutes': minutes,
        'prd10_consolidation_minutes': minutes,
        'orc04_request_subscription': schema,
        'orc04_max_backlog_messages': count,
        'orc04_max_sample_age_hours': hours,
        'ing09_max_unmatched_share': ratio,

        'gate_date': {'kind': 'date', 'nullable': true},
        'ing04_max_teams_without_boxscores': count,
        'prd12_max_miscounted_batches': count,
    }) }}
{%- endmacro -%}
