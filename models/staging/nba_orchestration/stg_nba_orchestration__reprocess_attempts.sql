with source as (
    select * from {{ source('nba_orchestration', 'reprocess_attempts') }}
),

renamed as (
    select
        cast(processor_name as {{ dbt.type_string() }}) as processor_name,
        cast(entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(analysis_date as date) as analysis_date,
        cast(attempt_count as {{ dbt.type_bigint() }}) as attempt_count,
        cast(completeness_pct as {{ props_contracts.type_double() }}) as completeness_pct,
        cast(circuit_breaker_tripped as {{ dbt.type_boolean() }}) as circuit_breaker_tripped,
        cast(tripped_at as {{ dbt.type_timestamp() }}) as tripped_at,
        cast(circuit_breaker_until as {{ dbt.type_timestamp() }}) as circuit_breaker_until,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'processor_name, entity_id, analysis_date', 'updated_at desc') }}
)

select * from deduplicated
