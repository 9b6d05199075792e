{#- Each raw batch lock with the rows its file actually left in the target table. -#}
with locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
),

loaded as (
    select * from {{ ref('int_raw_rows_by_file') }}
),

final as (
    select
        locks.lock_id,
        locks.file_path,
        locks.processor_name,
        locks.target_table,
        locks.data_date,
        locks.status,
        locks.rows_reported,
        locks.completed_at,
        coalesce(loaded.rows_loaded, 0) as rows_found
    from locks
    left join loaded
        on
            locks.file_path = loaded.source_file_path
            and locks.target_table = loaded.target_table
)

select * from final
