{#- Successful runs that said they wrote rows, with the rows found for their date. -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status = 'success'
        and records_processed > 0
        and {{ props_contracts.in_window('data_date') }}
),

present as (
    select * from {{ ref('int_rows_by_target_date') }}
),

final as (
    select
        runs.run_id,
        runs.processor_name,
        runs.phase,
        runs.data_date,
        runs.target_table,
        runs.records_processed,
        runs.started_at,
        coalesce(present.rows_present, 0) as rows_found
    from runs
    left join present
        on
            runs.target_table = present.target_table
            and runs.data_date = present.game_date
)

select * from final
