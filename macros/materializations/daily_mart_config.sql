{#- The config of a per-date analyst mart that keeps the season: incremental by
    game date, each run recomputing the window's dates (the body reads only the
    window) and MERGEing them, so older dates stay. On BigQuery it is partitioned
    by game_date and the MERGE scans only the window of the target
    (incremental_predicates on the partition column). Use:
    {{ config(**props_contracts.daily_mart_config(['game_date'])) }}
    date_column: the mart's date, game_date unless a mart is per run date
    (fct_processor_durations_by_date: run_date). -#}
{%- macro daily_mart_config(unique_key, date_column='game_date') -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'merge',
        'unique_key': unique_key,
        'on_schema_change': 'sync_all_columns',
        'partition_by': (
            {'field': date_column, 'data_type': 'date', 'granularity': 'day'}
            if target.type == 'bigquery' else none
        ),
        'incremental_predicates': (
            ['DBT_INTERNAL_DEST.' ~ date_column ~ ' >= ' ~ props_contracts.window_start_date()]
            if target.type == 'bigquery' else none
        ),
    }) }}
{%- endmacro -%}
