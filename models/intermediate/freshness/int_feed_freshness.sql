{#- One row per feed a scheduled job writes: each expected scraper path (FRS-01), each
    raw table (FRS-01), each table the later phases write (FRS-02) and each hourly
    monitoring sample (FRS-03), with its newest row at or before as_of (inside the
    window: a feed with nothing in it has newest_at NULL, the oldest possible age),
    its age and its warn / error limits. gate_phases: the phases whose gate a stale
    feed blocks (the phases that read it; '' for none). Event tables written only
    when something goes wrong (publish failures, circuit breakers, leftover staging
    tables) have no freshness rule: their silence is the normal state. Workflow
    decisions have ORC-01 (the latest decision is recent). -#}
{%- set window_floor = props_contracts.window_start_date() -%}
{%- set ts_floor = 'cast(' ~ window_floor ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
{%- set limits = {
    'FRS-01': (props_contracts.typed_var('frs01_warn_hours'), props_contracts.typed_var('frs01_error_hours')),
    'FRS-02': (props_contracts.typed_var('frs02_warn_hours'), props_contracts.typed_var('frs02_error_hours')),
    'FRS-03': (props_contracts.typed_var('frs03_warn_hours'), props_contracts.typed_var('frs03_error_hours')),
} -%}
{#- invariant, model, the feed's name, its load-time column, its partition column, gate phases -#}
{%- set tables = [
    ('FRS-01', 'stg_nba_raw__nbac_schedule_snapshots', 'nba_raw.nbac_schedule', 'processed_at', 'game_date', '3'),
    ('FRS-01', 'stg_nba_raw__bdl_player_boxscores', 'nba_raw.bdl_player_boxscores', 'processed_at', 'game_date', '3'),
    ('FRS-01', 'stg_nba_raw__odds_api_player_props', 'nba_raw.odds_api_player_props', 'processed_at', 'game_date', '5'),
    ('FRS-01', 'stg_nba_orchestration__raw_batch_locks', 'nba_orchestration.raw_batch_locks', 'locked_at', none, '3'),
    ('FRS-02', 'stg_nba_analytics__upcoming_player_game_context', 'nba_analytics.upcoming_player_game_context',
        'processed_at', 'game_date', '4 5'),
    ('FRS-02', 'stg_nba_analytics__player_game_summary', 'nba_analytics.player_game_summary',
        'processed_at', 'game_date', '4'),
    ('FRS-02', 'stg_nba_precompute__ml_feature_store', 'nba_precompute.ml_feature_store',
        'created_at', 'game_date', '5'),
    ('FRS-02', 'stg_nba_predictions__prediction_batches', 'nba_predictions.prediction_batches',
        'started_at', 'game_date', '6'),
    ('FRS-02', 'stg_nba_predictions__prediction_completion_events', 'nba_predictions.prediction_completion_events',
        'published_at', 'game_date', '6'),
    ('FRS-02', 'stg_nba_orchestration__prediction_batch_staging_state',
        'nba_orchestration.prediction_batch_staging_state', 'recorded_at', none, '6'),
    ('FRS-02', 'stg_nba_predictions__player_prop_predictions', 'nba_predictions.player_prop_predictions',
        'created_at', 'game_date', '6'),
    ('FRS-02', 'stg_nba_exports__export_runs', 'nba_exports.export_runs', 'exported_at', 'game_date', ''),
    ('FRS-02', 'stg_nba_predictions__prediction_grades', 'nba_predictions.prediction_grades',
        'graded_at', 'game_date', ''),
    ('FRS-02', 'stg_nba_reference__processor_run_history', 'nba_reference.processor_run_history',
        'started_at', 'data_date', ''),
    ('FRS-03', 'stg_nba_orchestration__pubsub_dlq_metrics', 'nba_orchestration.pubsub_dlq_metrics',
        'observed_at', none, ''),
] -%}

with scraper_feeds as (
    select * from {{ ref('scraper_feeds') }}
),

scraped_files as (
    select * from {{ ref('int_scraped_file_routing') }}
    where
        scrape_status = 'success'
        and scraped_at <= {{ props_contracts.as_of() }}
        and scraped_at >= {{ ts_floor }}
),

-- the expected paths (the seed) and every routed path seen in the window. A file
-- belongs to a path by its own name, not by its routing: a path whose processor was
-- deactivated still delivers (ING-01 says it is not loaded), and a path that stopped
-- entirely keeps its row, with no newest file
expected_paths as (
    select distinct path_prefix
    from (
        select path_prefix from scraper_feeds
        union all
        select path_prefix from scraped_files
        where path_prefix is not null
    ) as paths
),

scraper_paths as (
    select
        'FRS-01' as invariant_id,
        'scraper path' as feed_kind,
        expected_paths.path_prefix as feed,
        max(scraped_files.scraped_at) as newest_at,
        '2' as gate_phases
    from expected_paths
    left join scraped_files
        on starts_with(scraped_files.relative_path, {{ dbt.concat(['expected_paths.path_prefix', "'/'"]) }})
    group by expected_paths.path_prefix
),

{% for inv, model, feed, loaded_at, partition_column, gates in tables %}
    table_{{ loop.index }} as (
        select
            '{{ inv }}' as invariant_id,
            'table' as feed_kind,
            '{{ feed }}' as feed,
            max({{ loaded_at }}) as newest_at,
            '{{ gates }}' as gate_phases
        from {{ ref(model) }}
        where
            {{ loaded_at }} <= {{ props_contracts.as_of() }}
            and {{ loaded_at }} >= {{ ts_floor }}
            {%- if partition_column %}
                and {{ partition_column }} >= {{ window_floor }}
            {%- endif %}
    ),

{% endfor -%}
feeds as (
    select * from scraper_paths
    {%- for _ in tables %}
        union all
        select * from table_{{ loop.index }}
    {%- endfor %}
),

final as (
    select
        invariant_id,
        feed_kind,
        feed,
        newest_at,
        {{ props_contracts.as_of() }} as as_of,
        round({{ props_contracts.hours_between('newest_at', props_contracts.as_of()) }}, 1) as age_hours,
        case invariant_id
            {%- for inv, (warn, error) in limits.items() %}
                when '{{ inv }}' then {{ warn }}
            {%- endfor %}
        end as warn_hours,
        case invariant_id
            {%- for inv, (warn, error) in limits.items() %}
                when '{{ inv }}' then {{ error }}
            {%- endfor %}
        end as error_hours,
        case when newest_at is null then 'no row in the window at or before as_of' end as problem,
        gate_phases
    from feeds
)

select * from final
