{#- Each raw batch lock with the rows its file actually left in the target table,
    and whether a later complete load of the same table and date superseded it
    (replaced_by_later_files: a next-morning re-scrape). -#}
{%- set replaced_tables = "'" ~ props_contracts.replaced_by_later_files() | join("', '") ~ "'" %}

with locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
),

loaded as (
    select * from {{ ref('int_raw_rows_by_file') }}
),

known_targets as (
    {{ props_contracts.known_target_tables() }}
),

counted as (
    select
        locks.*,
        known_targets.target_table is not null
        and starts_with(known_targets.target_table, 'nba_raw.') as is_target_verifiable,
        coalesce(loaded.rows_loaded, 0) as rows_found
    from locks
    left join known_targets on locks.target_table = known_targets.target_table
    left join loaded
        on
            locks.file_path = loaded.source_file_path
            and locks.target_table = loaded.target_table
),

superseding as (
    select
        earlier.lock_id,
        min(later.completed_at) as superseded_at
    from counted as earlier
    inner join counted as later
        on
            earlier.target_table = later.target_table
            and earlier.data_date = later.data_date
            and earlier.locked_at < later.locked_at
            and later.status = 'complete'
            and later.rows_found > 0
    where earlier.target_table in ({{ replaced_tables }})
    group by earlier.lock_id
),

final as (
    select
        counted.lock_id,
        counted.file_path,
        counted.processor_name,
        counted.target_table,
        counted.data_date,
        counted.status,
        counted.rows_reported,
        counted.locked_at,
        counted.completed_at,
        counted.is_target_verifiable,
        counted.rows_found,
        superseding.superseded_at,
        superseding.lock_id is not null as is_superseded
    from counted
    left join superseding on counted.lock_id = superseding.lock_id
)

select * from final
