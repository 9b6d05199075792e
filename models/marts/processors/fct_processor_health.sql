{#- Every successful processor run that started in the window, against the median
    duration of the same processor's successful runs over the prc05_baseline_days
    before it (PRC-05; seed 001 slowdown detector). Every run is judged, not only
    the latest: a 4x run two days ago is still a slowdown to report. is_latest marks
    each processor's newest run (summaries list it first). -#}
{#- Each processor's own baseline window (seeds/processor_settings.csv baseline_days, else
    prc05_baseline_days); the history read reaches back as far as the longest. -#}
{%- set ns = namespace(longest=props_contracts.typed_var('prc05_baseline_days')) -%}
{%- for row in props_contracts.processor_settings_rows() if row['baseline_days'] is not none -%}
    {%- set ns.longest = [ns.longest, row['baseline_days']] | max -%}
{%- endfor -%}
{%- set baseline_days = ns.longest -%}

with history as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status = 'success'
        and duration_seconds is not null
        -- runs of the window and of the baseline before its first day
        and {{ props_contracts.run_in_window(extra_days=baseline_days) }}
),

settings as (
    {{ props_contracts.processor_settings_sql() }}
),

judged as (
    select
        history.*,
        {{ props_contracts.processor_setting('baseline_days') }} as baseline_days
    from history
    left join settings on history.processor_name = settings.processor_name
    where {{ props_contracts.ts_in_window('history.started_at') }}
),

baseline as (
    select
        judged.run_id,
        count(*) as baseline_runs,
        {{ props_contracts.median('history.duration_seconds') }} as baseline_median_seconds
    from judged
    inner join history
        on
            judged.processor_name = history.processor_name
            and judged.started_at > history.started_at
            and history.started_at >= {{ props_contracts.add_minutes('judged.started_at', '(-1440 * judged.baseline_days)') }}
    group by judged.run_id
),

final as (
    select
        judged.run_id,
        judged.processor_name,
        judged.data_date,
        judged.started_at,
        judged.duration_seconds,
        judged.baseline_days,
        coalesce(baseline.baseline_runs, 0) as baseline_runs,
        baseline.baseline_median_seconds,
        judged.duration_seconds / nullif(baseline.baseline_median_seconds, 0) as duration_ratio,
        row_number() over (
            partition by judged.processor_name order by judged.started_at desc, judged.run_id desc
        ) = 1 as is_latest
    from judged
    left join baseline on judged.run_id = baseline.run_id
)

select * from final
