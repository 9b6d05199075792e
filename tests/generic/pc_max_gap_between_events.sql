{#- pc_max_gap_between_events: consecutive timestamp_column values (per
    partition_by, inside scope) are at most max_hours apart; with
    include_open_gap, so is the latest one and as_of. Returns each longer gap. -#}
{%- test pc_max_gap_between_events(model, timestamp_column, max_hours, partition_by=none,
                                   include_open_gap=true, scope=none) -%}
{%- set part = 'partition by ' ~ partition_by if partition_by else '' -%}
with events as (
    select
        {{ partition_by ~ ' as gap_partition,' if partition_by else "'all' as gap_partition," }}
        {{ timestamp_column }} as event_at,
        lag({{ timestamp_column }}) over ({{ part }} order by {{ timestamp_column }}) as previous_at
    from {{ props_contracts.scoped(model, scope) }} as judged
),

gaps as (
    select
        gap_partition,
        previous_at as gap_started_at,
        event_at as gap_ended_at
    from events
    where previous_at is not null
    {%- if include_open_gap %}
    union all
    select
        gap_partition,
        max(event_at) as gap_started_at,
        {{ props_contracts.as_of() }} as gap_ended_at
    from events
    group by gap_partition
    {%- endif %}
)

select
    *,
    {{ props_contracts.hours_between('gap_started_at', 'gap_ended_at') }} as gap_hours
from gaps
where {{ props_contracts.hours_between('gap_started_at', 'gap_ended_at') }} > {{ max_hours }}
{%- endtest -%}
