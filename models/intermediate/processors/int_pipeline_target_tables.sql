{#- Target tables discovered from the registry, the window's processor runs and
    its batch locks, against the tables the project can read back (PRC-01, ING-03). -#}
with registry as (
    select * from {{ ref('stg_nba_reference__processor_registry') }}
    where is_active
),

runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where {{ props_contracts.run_in_window() }}
),

locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
    where {{ props_contracts.in_window('data_date') }}
),

known_targets as (
    {{ props_contracts.known_target_tables() }}
),

named as (
    select
        target_table,
        'registry' as named_by
    from registry
    union all
    select
        target_table,
        'runs' as named_by
    from runs
    union all
    select
        target_table,
        'locks' as named_by
    from locks
),

final as (
    select
        named.target_table,
        max(case when named.named_by = 'registry' then 1 else 0 end) = 1 as named_by_registry,
        max(case when named.named_by = 'runs' then 1 else 0 end) = 1 as named_by_runs,
        max(case when named.named_by = 'locks' then 1 else 0 end) = 1 as named_by_locks,
        max(case when known_targets.target_table is not null then 1 else 0 end) = 1 as is_verifiable,
        max(
            case when starts_with(known_targets.target_table, 'nba_raw.') then 1 else 0 end
        ) = 1 as is_verifiable_by_locks
    from named
    left join known_targets on named.target_table = known_targets.target_table
    where named.target_table is not null
    group by named.target_table
)

select * from final
