{#- GENERATED from seeds/pipeline_schedule.csv, pipeline_processors.csv, dlq_subscriptions.csv and
    scraper_feeds.csv by `props-contracts expectations --macro`, which validates them first (do not
    edit; pytests/test_expectations.py fails when it differs). on-run-start compares each seed
    file's checksum with the validated one (check_declared_expectations). -#}
{%- macro declared_expectations() -%}
    {{ return({
        'checksums': {
            'dlq_subscriptions': '6293e85b10fc5ed2239e5e0e742db6048d23be3d02a374e4cf3a550433ddadf4',
            'pipeline_processors': 'd69a1750892d3fc743133a4a95ce82a48226173b39e756ca2a561a7f8578b3b3',
            'pipeline_schedule': '69e24fb90fe2021eaf2f927d72df00bd2fbae8bde3af10142ff711b444293931',
            'scraper_feeds': 'c22af38b08af232bb82b134de7ba3265ac290488f1f794259246b212c2515d77',
        },
        'jobs': [
            'nbac-schedule-morning',
            'daily-yesterday-analytics',
            'upcoming-player-game-context',
            'odds-api-player-props',
            'ml-feature-store',
            'grading-daily',
            'prediction-coordinator',
            'self-heal-predictions',
            'phase6-tonight-picks',
            'post-game-box-scores',
        ],
        'daily_jobs': [
            'nbac-schedule-morning',
            'daily-yesterday-analytics',
            'upcoming-player-game-context',
            'odds-api-player-props',
            'ml-feature-store',
            'grading-daily',
            'prediction-coordinator',
            'self-heal-predictions',
            'phase6-tonight-picks',
        ],
    }) }}
{%- endmacro -%}
