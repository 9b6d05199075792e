with source as (
    select * from {{ source('nba_orchestration', 'scraped_files') }}
),

renamed as (
    select
        cast(file_path as {{ dbt.type_string() }}) as file_path,
        cast(scraper_name as {{ dbt.type_string() }}) as scraper_name,
        cast(data_date as date) as data_date,
        cast(scrape_status as {{ dbt.type_string() }}) as scrape_status,
        cast(file_size_bytes as {{ dbt.type_bigint() }}) as file_size_bytes,
        cast(scraped_at as {{ dbt.type_timestamp() }}) as scraped_at
    from source
),

deduplicated as (
    {{ props_contracts.deduplicate('renamed', 'file_path', 'scraped_at desc') }}
)

select * from deduplicated
