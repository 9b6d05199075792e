{#- ABS-01: one row per run a scheduled job owes, from the declared schedule
    (seeds/pipeline_schedule.csv) and the games, never from the runs audited: per job,
    date it runs for (and game, for each_final_game), and processor whose successful
    run proves it. due_at: the job's local time on the day it runs (the date's own UTC
    offset) plus its grace, or each game's end plus grace. A row is missing when it is
    due by as_of and the processor has no successful run for that date at as_of: a run
    that only failed or was skipped is not a run; a failure retried with success
    passes. Dates: the window's calendar (today), its game dates (tonight, yesterday),
    its games (each_final_game); a date without games expects only the today jobs. -#}
with schedule as (
    select * from {{ ref('pipeline_schedule') }}
),

calendar as (
    {{ props_contracts.window_dates() }}
),

games as (
    select * from {{ ref('int_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_window('game_date') }}
        and game_date >= {{ props_contracts.expectations_start_date() }}
),

game_dates as (
    select distinct game_date from games
),

job_processors as (
    {#- one row per job and processor it names (space-separated in the seed; at most 4,
        props_contracts/expectations.py MAX_PROCESSORS_PER_JOB refuses more) -#}
    {%- set max_processors = 4 %}
    {%- for i in range(max_processors) %}
        select
            schedule.job_name,
            schedule.phase_tag,
            schedule.runs_for,
            schedule.local_time,
            cast(schedule.grace_minutes as {{ dbt.type_int() }}) as grace_minutes,
            {{ dbt.split_part('schedule.processors', "' '", i + 1) }} as processor_name
        from schedule
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

jobs as (
    select * from job_processors
    where processor_name is not null and processor_name <> ''
),

owed as (
    select
        jobs.*,
        calendar.calendar_date as run_for_date,
        cast('' as {{ dbt.type_string() }}) as game_id,
        {{ props_contracts.local_clock_to_utc('calendar.calendar_date', 'jobs.local_time') }} as scheduled_at
    from jobs
    cross join calendar
    where jobs.runs_for = 'today'
    union all
    select
        jobs.*,
        game_dates.game_date as run_for_date,
        cast('' as {{ dbt.type_string() }}) as game_id,
        {{ props_contracts.local_clock_to_utc('game_dates.game_date', 'jobs.local_time') }} as scheduled_at
    from jobs
    cross join game_dates
    where jobs.runs_for = 'tonight'
    union all
    select
        jobs.*,
        game_dates.game_date as run_for_date,
        cast('' as {{ dbt.type_string() }}) as game_id,
        {{ props_contracts.local_clock_to_utc(props_contracts.add_days('game_dates.game_date', 1), 'jobs.local_time') }}
            as scheduled_at
    from jobs
    cross join game_dates
    where jobs.runs_for = 'yesterday'
    union all
    select
        jobs.*,
        games.game_date as run_for_date,
        games.game_id,
        coalesce(games.game_end_at, games.expected_final_at) as scheduled_at
    from jobs
    cross join games
    where jobs.runs_for = 'each_final_game'
),

due as (
    select
        *,
        {{ props_contracts.add_minutes('scheduled_at', 'grace_minutes') }} as due_at
    from owed
),

runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        {{ props_contracts.in_window('data_date') }}
        and started_at <= {{ props_contracts.as_of() }}
),

attempts as (
    select
        processor_name,
        data_date,
        min(case when status = 'success' then started_at end) as first_success_at,
        sum(case when status = 'failed' then 1 else 0 end) as failed_attempts,
        sum(case when status = 'skipped' then 1 else 0 end) as skipped_attempts,
        sum(case when status not in ('success', 'failed', 'skipped') or status is null then 1 else 0 end)
            as other_attempts,
        max(started_at) as last_attempt_at
    from runs
    group by processor_name, data_date
),

final as (
    select
        due.job_name,
        due.phase_tag,
        due.runs_for,
        due.run_for_date,
        due.game_id,
        due.processor_name,
        due.scheduled_at,
        due.grace_minutes,
        due.due_at,
        coalesce(due.due_at <= {{ props_contracts.as_of() }}, false) as is_due,
        attempts.first_success_at,
        coalesce(attempts.failed_attempts, 0) as failed_attempts,
        coalesce(attempts.skipped_attempts, 0) as skipped_attempts,
        coalesce(attempts.other_attempts, 0) as other_attempts,
        attempts.last_attempt_at,
        coalesce(due.due_at <= {{ props_contracts.as_of() }}, false)
        and attempts.first_success_at is null as is_missing,
        case
            when coalesce(due.due_at <= {{ props_contracts.as_of() }}, false) and attempts.first_success_at is null
                then due.due_at
        end as missing_since
    from due
    left join attempts
        on
            due.processor_name = attempts.processor_name
            and due.run_for_date = attempts.data_date
)

select * from final
