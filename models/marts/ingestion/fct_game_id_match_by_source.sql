{#- Per source table and game date in the window: how many of the source's game ids are
    the schedule's (ING-09; seed 003 deployed v_game_id_mappings because the sources'
    game ids differ). Every contract joins schedule, box scores, context, lines,
    predictions and grades on one game_id format; a source whose ids stop matching
    would read as 0 % coverage for every team (ING-05), so it is named here as a
    mismatch, with an unmatched id beside one of the schedule's. A game id matches when
    the schedule has it for a date within partition_margin_days of the window. -#}
{%- set sources = [
    ('nba_raw.bdl_player_boxscores', 'stg_nba_raw__bdl_player_boxscores'),
    ('nba_raw.odds_api_player_props', 'stg_nba_raw__odds_api_player_props'),
    ('nba_analytics.upcoming_player_game_context', 'stg_nba_analytics__upcoming_player_game_context'),
    ('nba_analytics.player_game_summary', 'stg_nba_analytics__player_game_summary'),
    ('nba_predictions.player_prop_predictions', 'stg_nba_predictions__player_prop_predictions'),
    ('nba_predictions.prediction_grades', 'stg_nba_predictions__prediction_grades'),
] -%}

with schedule as (
    select distinct
        game_id,
        game_date
    from {{ ref('int_games') }}
    where
        game_date >= {{ props_contracts.window_start_date(props_contracts.typed_var('partition_margin_days')) }}
        and game_id is not null
),

source_ids as (
    {%- for table, model in sources %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select distinct
            '{{ table }}' as source_table,
            game_date,
            game_id
        from {{ ref(model) }}
        where {{ props_contracts.in_window('game_date') }}
    {%- endfor %}
),

matched as (
    select
        source_ids.source_table,
        source_ids.game_date,
        source_ids.game_id,
        source_ids.game_id in (select schedule.game_id from schedule) as is_schedule_id
    from source_ids
),

per_date as (
    select
        source_table,
        game_date,
        count(*) as source_game_ids,
        sum(case when is_schedule_id then 1 else 0 end) as matched_game_ids,
        sum(case when is_schedule_id then 0 else 1 end) as unmatched_game_ids,
        min(case when not is_schedule_id then coalesce(game_id, '(null)') end) as example_unmatched_game_id
    from matched
    group by source_table, game_date
),

schedule_example as (
    select
        game_date,
        min(game_id) as example_schedule_game_id
    from schedule
    group by game_date
),

final as (
    select
        per_date.source_table,
        per_date.game_date,
        per_date.source_game_ids,
        per_date.matched_game_ids,
        per_date.unmatched_game_ids,
        cast(per_date.unmatched_game_ids as {{ props_contracts.type_double() }})
        / per_date.source_game_ids as unmatched_share,
        {{ props_contracts.typed_var('ing09_max_unmatched_share') }} as max_unmatched_share,
        per_date.example_unmatched_game_id,
        schedule_example.example_schedule_game_id
    from per_date
    left join schedule_example on per_date.game_date = schedule_example.game_date
)

select * from final
