{#- Predicate over processor_run_history: the run started inside the evaluation
    window, extra_days further back if asked (a baseline). A run is judged by when
    it ran, not by the date it processed: a backfill started an hour ago for a date
    three weeks back is today's run. The data_date bound is the partition filter
    (run_partition_floor). -#}
{%- macro run_in_window(started_at='started_at', data_date='data_date', extra_days=0) -%}
    ({{ started_at }} >= cast({{ props_contracts.window_start_date(extra_days) }} as {{ dbt.type_timestamp() }})
        and {{ started_at }} <= {{ props_contracts.as_of() }}
        and {{ props_contracts.run_partition_floor(data_date) }})
{%- endmacro -%}
