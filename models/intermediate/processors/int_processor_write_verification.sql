{#- Successful runs that started in the window (a backfill of an old date too),
    whatever they said they wrote (a NULL count is an unverified claim, the worker bug
    of seed 002), with the rows found for their date and the rows their input had
    (target_table_inputs): a run claiming 0 rows is believed only when its input had
    none (issue 23). A run writing a table the project cannot read is marked
    unverifiable, not empty. -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where {{ props_contracts.claiming_run_filter() }}
),

present as (
    select * from {{ ref('int_rows_by_target_date') }}
),

inputs as (
    select * from {{ ref('int_write_inputs_by_date') }}
),

known_targets as (
    {{ props_contracts.known_target_tables() }}
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
        known_targets.target_table is not null as is_target_verifiable,
        coalesce(present.rows_present, 0) as rows_found,
        coalesce(inputs.input_rows, 0) as input_rows
    from runs
    left join known_targets on runs.target_table = known_targets.target_table
    left join present
        on
            runs.target_table = present.target_table
            and runs.data_date = present.game_date
    left join inputs
        on
            runs.target_table = inputs.target_table
            and runs.data_date = inputs.game_date
)

select * from final
