{#- pc_ratio_vs_trailing_baseline: per partition_by, the latest value_column (by
    time_column, inside scope) is at most max_ratio x the median of the values in
    the preceding baseline_days, when that baseline has at least min_baseline
    points. Returns each partition over the ratio. -#}
{%- test pc_ratio_vs_trailing_baseline(model, value_column, time_column, partition_by, max_ratio,
                                       baseline_days=7, min_baseline=3, scope=none) -%}
with points as (
    select
        {{ partition_by }} as baseline_partition,
        {{ time_column }} as point_at,
        {{ value_column }} as point_value
    from {{ props_contracts.scoped(model, scope) }} as judged
    where {{ value_column }} is not null
),

latest as (
    select *
    from points
    where true
    qualify row_number() over (partition by baseline_partition order by point_at desc) = 1
),

baseline as (
    select
        latest.baseline_partition,
        count(*) as baseline_points,
        {{ props_contracts.median('points.point_value') }} as baseline_median
    from latest
    inner join points
        on latest.baseline_partition = points.baseline_partition
        and points.point_at < latest.point_at
        and points.point_at >= {{ props_contracts.add_hours('latest.point_at', -24 * baseline_days) }}
    group by latest.baseline_partition
)

select
    latest.baseline_partition,
    latest.point_at,
    latest.point_value,
    baseline.baseline_median,
    baseline.baseline_points,
    latest.point_value / nullif(baseline.baseline_median, 0) as ratio
from latest
inner join baseline on latest.baseline_partition = baseline.baseline_partition
where baseline.baseline_points >= {{ min_baseline }}
    and latest.point_value / nullif(baseline.baseline_median, 0) > {{ max_ratio }}
{%- endtest -%}
