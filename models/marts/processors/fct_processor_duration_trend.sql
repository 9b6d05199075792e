{#- Per processor at as_of: the median duration of its successful runs of the last
    prc12_recent_days against the median of those in its baseline days before them
    (seeds/processor_settings.csv baseline_days, else prc05_baseline_days): PRC-12, the
    seed 001 slowdown detector's "3d vs 7d" trend ("+66.8 %", "+39.7 %
    PlayerDailyCacheProcessor"), so a slow creep below PRC-05's 2x warns. The two
    windows do not overlap: a creep is not diluted by the days it crept. -#}
{%- set recent_days = props_contracts.typed_var('prc12_recent_days') -%}
{%- set ns = namespace(longest=props_contracts.typed_var('prc05_baseline_days')) -%}
{%- for row in props_contracts.processor_settings_rows() if row['baseline_days'] is not none -%}
    {%- set ns.longest = [ns.longest, row['baseline_days']] | max -%}
{%- endfor -%}

with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status = 'success'
        and duration_seconds is not null
        and started_at >= {{ props_contracts.before_as_of(hours=24 * (recent_days + ns.longest)) }}
        and started_at <= {{ props_contracts.as_of() }}
        and {{ props_contracts.run_partition_floor() }}
),

settings as (
    {{ props_contracts.processor_settings_sql() }}
),

placed as (
    select
        runs.processor_name,
        runs.duration_seconds,
        {{ props_contracts.processor_setting('baseline_days') }} as baseline_days,
        runs.started_at > {{ props_contracts.before_as_of(hours=24 * recent_days) }} as is_recent,
        runs.started_at
        > {{ props_contracts.add_minutes(props_contracts.before_as_of(hours=24 * recent_days),
            '(-1440 * ' ~ props_contracts.processor_setting('baseline_days') ~ ')') }} as is_in_reach
    from runs
    left join settings on runs.processor_name = settings.processor_name
),

recent as (
    select
        processor_name,
        count(*) as recent_runs,
        {{ props_contracts.median('duration_seconds') }} as recent_median_seconds
    from placed
    where is_recent
    group by processor_name
),

baseline as (
    select
        processor_name,
        max(baseline_days) as baseline_days,
        count(*) as baseline_runs,
        {{ props_contracts.median('duration_seconds') }} as baseline_median_seconds
    from placed
    where not is_recent and is_in_reach
    group by processor_name
),

final as (
    select
        recent.processor_name,
        {{ recent_days }} as recent_days,
        recent.recent_runs,
        recent.recent_median_seconds,
        baseline.baseline_days,
        coalesce(baseline.baseline_runs, 0) as baseline_runs,
        baseline.baseline_median_seconds,
        recent.recent_median_seconds / nullif(baseline.baseline_median_seconds, 0) - 1 as trend_increase,
        {{ props_contracts.typed_var('prc12_max_trend_increase') }} as max_trend_increase
    from recent
    left join baseline on recent.processor_name = baseline.processor_name
)

select * from final
