with source as (
    select * from {{ source('nba_reference', 'processor_registry') }}
),

renamed as (
    select
        cast(path_prefix as {{ dbt.type_string() }}) as path_prefix,
        cast(processor_name as {{ dbt.type_string() }}) as processor_name,
        cast(target_table as {{ dbt.type_string() }}) as target_table,
        cast(phase as {{ dbt.type_bigint() }}) as phase,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        cast(registered_at as {{ dbt.type_timestamp() }}) as registered_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'path_prefix', 'registered_at desc') }}
)

select * from deduplicated
