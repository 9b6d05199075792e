with source as (
    select * from {{ source('nba_orchestration', 'workflow_decisions') }}
),

renamed as (
    select
        cast(decision_id as {{ dbt.type_string() }}) as decision_id,
        cast(decision_at as {{ dbt.type_timestamp() }}) as decision_at,
        cast(workflow_name as {{ dbt.type_string() }}) as workflow_name,
        cast(action as {{ dbt.type_string() }}) as decision_action,
        cast(reason as {{ dbt.type_string() }}) as reason
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'decision_id', 'decision_at desc') }}
)

select * from deduplicated
