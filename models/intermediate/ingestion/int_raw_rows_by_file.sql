{#- Rows that reached each raw table, per scraped file (ING-03). -#}
{#- Raw tables carry the scraped file each row came from. -#}
{%- set raw_tables = [] -%}
{%- for target in props_contracts.target_table_models() if target[0].startswith('nba_raw.') -%}
    {%- do raw_tables.append(target) -%}
{%- endfor -%}

with counted as (
    {%- for target_table, model in raw_tables %}
        select
            '{{ target_table }}' as target_table,
            source_file_path,
            count(*) as rows_loaded,
            max(processed_at) as last_processed_at
        from {{ ref(model) }}
        -- the partition filter: a file loaded for an in-window lock holds rows of
        -- its date (a schedule file: of the season), so an older floor loses none
        where game_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
        group by source_file_path
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from counted
