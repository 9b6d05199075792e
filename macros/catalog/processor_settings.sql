{#- GENERATED from seeds/processor_settings.csv by `props-contracts processors --macro` (do not
    edit; regenerate after editing the CSV): the per-processor thresholds the contracts read,
    and the checksum of the CSV they came from. check_processor_settings() (on-run-start)
    refuses to run when the CSV's checksum in dbt's graph differs, and checks every value
    against its global var's type and range. none: the global default. -#}
{%- macro processor_settings() -%}
    {{ return({
        'checksum': 'a7b11124e06233706d1606538636c6390a4bfa7be64711dc94105cc436aeb512',
        'defaults': {'timeout_minutes': 'prc04_timeout_minutes', 'baseline_days': 'prc05_baseline_days', 'entity_lockout_hours': 'prc06_max_lockout_hours', 'entity_failure_threshold': 'prc13_entity_failure_threshold', 'processor_failure_threshold': 'prc14_processor_failure_threshold'},
        'rows': [
            {'processor_name': 'PredictionCoordinator', 'timeout_minutes': 9, 'baseline_days': none, 'entity_lockout_hours': none, 'entity_failure_threshold': none, 'processor_failure_threshold': none},
            {'processor_name': 'MLFeatureStoreProcessor', 'timeout_minutes': 30, 'baseline_days': 7, 'entity_lockout_hours': 24, 'entity_failure_threshold': 5, 'processor_failure_threshold': 5},
            {'processor_name': 'UpcomingPlayerGameContextProcessor', 'timeout_minutes': 30, 'baseline_days': 7, 'entity_lockout_hours': 24, 'entity_failure_threshold': 5, 'processor_failure_threshold': 5},
        ],
    }) }}
{%- endmacro -%}
