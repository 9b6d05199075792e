{#- Keep one row per key: the newest by order_by (a stable tie-break must be in it).
    Adds _source_copies: how many raw rows the kept row stood for, so the number
    of rows dropped as duplicates stays visible (ING-06, PRD-07).
    first_seen: a timestamp column whose earliest value over the copies is kept as
    first_<column> (when the row first arrived: point-in-time checks need it).
    first_of: columns whose value on the earliest copy (by first_seen) is kept as
    first_<column>: the file a row first came from, so a row superseded by a later
    re-scrape still counts as loaded by its first file (ING-03).
    `where true`: BigQuery wants a WHERE, GROUP BY or HAVING beside QUALIFY.
    Put the source's partition column first in partition_by when the key
    determines it (a game_id has one game_date): BigQuery can then push a
    contract's date filter below the window, and the scan prunes to the window. -#}
{%- macro deduplicate(relation, partition_by, order_by, first_seen=none, first_of=[]) -%}
    select
        *,
        {%- if first_seen %}
        min({{ first_seen }}) over (partition by {{ partition_by }}) as first_{{ first_seen }},
        {%- for col in first_of %}
        first_value({{ col }}) over (
            partition by {{ partition_by }} order by {{ first_seen }}, {{ col }}
            rows between unbounded preceding and unbounded following
        ) as first_{{ col }},
        {%- endfor %}
        {%- endif %}
        count(*) over (partition by {{ partition_by }}) as _source_copies
    from {{ relation }}
    where true
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro -%}
