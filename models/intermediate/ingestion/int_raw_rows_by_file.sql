{#- Rows that reached each raw table, per scraped file (ING-03). -#}
{#- Raw tables carry the scraped file each row came from. A row re-scraped later
    (a next-morning box-score re-scrape) is kept from the newer file by staging's
    dedup; it still counts for the file that first loaded it (first_source_file_path),
    so the first lock is not reported empty. -#}
{%- set raw_tables = [] -%}
{%- for target in props_contracts.target_table_models() if target[0].startswith('nba_raw.') -%}
    {%- do raw_tables.append(target) -%}
{%- endfor -%}

with counted as (
    {%- for target_table, model in raw_tables %}
        select
            '{{ target_table }}' as target_table,
            loaded_by.source_file_path,
            count(*) as rows_loaded,
            max(loaded_by.processed_at) as last_processed_at
        from (
            select
                source_file_path,
                processed_at
            from {{ ref(model) }}
            -- the partition filter: a file loaded for an in-window lock holds rows of
            -- its date (a schedule file: of the season), so an older floor loses none
            where game_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
            union all
            select
                first_source_file_path as source_file_path,
                first_processed_at as processed_at
            from {{ ref(model) }}
            where
                game_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
                and first_source_file_path <> source_file_path
        ) as loaded_by
        group by loaded_by.source_file_path
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
