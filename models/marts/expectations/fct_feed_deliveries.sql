{#- ABS-04: one row per delivery a scraper path owes (seeds/scraper_feeds.csv): per
    feed and date, every calendar date of the window (every_day) or every date with
    a game that is not postponed (game_days). due_at: due_local_time on the date plus
    due_day_offset days (the date's own UTC offset), plus grace_minutes. Missing: due
    by as_of and no successfully scraped file of that path for that date at as_of.
    The population is the seed and the calendar or schedule, never the files seen. -#}
{%- set window_floor = props_contracts.window_start_date() -%}

with feeds as (
    select * from {{ ref('scraper_feeds') }}
),

calendar as (
    {{ props_contracts.window_dates() }}
),

game_dates as (
    select distinct game_date from {{ ref('int_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_window('game_date') }}
        and game_date >= {{ props_contracts.expectations_start_date() }}
),

owed as (
    select
        feeds.path_prefix,
        feeds.scraper_name,
        feeds.runs_on,
        calendar.calendar_date as data_date,
        cast(feeds.due_day_offset as {{ dbt.type_int() }}) as due_day_offset,
        feeds.due_local_time,
        cast(feeds.grace_minutes as {{ dbt.type_int() }}) as grace_minutes
    from feeds
    cross join calendar
    where
        feeds.runs_on = 'every_day'
        or (feeds.runs_on = 'game_days' and calendar.calendar_date in (select game_dates.game_date from game_dates))
),

due as (
    select
        *,
        {{ props_contracts.add_minutes(
            props_contracts.local_clock_to_utc(props_contracts.add_days('data_date', 'due_day_offset'), 'due_local_time'),
            'grace_minutes') }} as due_at
    from owed
),

files as (
    select * from {{ ref('int_scraped_file_routing') }}
    where
        scrape_status = 'success'
        and scraped_at <= {{ props_contracts.as_of() }}
        and data_date >= {{ window_floor }}
),

delivered as (
    select
        due.path_prefix,
        due.data_date,
        count(files.file_path) as files_delivered,
        min(files.scraped_at) as first_scraped_at
    from due
    left join files
        on
            due.data_date = files.data_date
            and starts_with(files.relative_path, {{ dbt.concat(['due.path_prefix', "'/'"]) }})
    group by due.path_prefix, due.data_date
),

final as (
    select
        due.path_prefix,
        due.scraper_name,
        due.runs_on,
        due.data_date,
        due.due_at,
        coalesce(due.due_at <= {{ props_contracts.as_of() }}, false) as is_due,
        delivered.files_delivered,
        delivered.first_scraped_at,
        coalesce(due.due_at <= {{ props_contracts.as_of() }}, false) and delivered.files_delivered = 0 as is_missing
    from due
    inner join delivered
        on
            due.path_prefix = delivered.path_prefix
            and due.data_date = delivered.data_date
)

select * from final
