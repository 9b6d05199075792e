{#- Each scraped file, the processor its path routes to (longest registered prefix,
    matched on whole path segments), and whether and when it was loaded. -#}
{%- set load_window_hours = props_contracts.typed_var('ing02_load_window_hours') -%}

with files as (
    select * from {{ ref('stg_nba_orchestration__scraped_files') }}
),

registry as (
    select * from {{ ref('stg_nba_reference__processor_registry') }}
    where is_active
),

locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
),

files_with_path as (
    select
        *,
        regexp_replace(file_path, '^gs://[^/]+/', '') as relative_path
    from files
),

candidate_routes as (
    select
        files_with_path.file_path,
        registry.path_prefix,
        registry.processor_name,
        registry.target_table
    from files_with_path
    inner join registry
        on starts_with(files_with_path.relative_path, {{ dbt.concat(['registry.path_prefix', "'/'"]) }})
),

chosen_route as (
    select *
    from candidate_routes
    where true
    qualify row_number() over (
        partition by file_path order by length(path_prefix) desc, path_prefix
    ) = 1
),

latest_lock as (
    select *
    from locks
    where true
    qualify row_number() over (partition by file_path order by locked_at desc, lock_id desc) = 1
),

-- the first completed load decides "loaded on time": a reprocess of the same file
-- later (a newer lock) does not make an on-time load late
first_load as (
    select
        file_path,
        min(completed_at) as first_completed_at
    from locks
    where status = 'complete'
    group by file_path
),

final as (
    select
        files_with_path.file_path,
        files_with_path.relative_path,
        files_with_path.scraper_name,
        files_with_path.data_date,
        files_with_path.scrape_status,
        files_with_path.scraped_at,
        chosen_route.path_prefix,
        chosen_route.processor_name,
        chosen_route.target_table,
        chosen_route.processor_name is not null as is_routed,
        latest_lock.status as lock_status,
        first_load.first_completed_at as loaded_at,
        {{ props_contracts.add_hours('files_with_path.scraped_at', load_window_hours) }} as load_due_at,
        (
            chosen_route.processor_name is not null
            and files_with_path.scrape_status = 'success'
            and {{ props_contracts.add_hours('files_with_path.scraped_at', load_window_hours) }}
            <= {{ props_contracts.as_of() }}
            and not coalesce(
                first_load.first_completed_at
                <= {{ props_contracts.add_hours('files_with_path.scraped_at', load_window_hours) }},
                false
            )
        ) as is_load_overdue
    from files_with_path
    left join chosen_route on files_with_path.file_path = chosen_route.file_path
    left join latest_lock on files_with_path.file_path = latest_lock.file_path
    left join first_load on files_with_path.file_path = first_load.file_path
)

select * from final
