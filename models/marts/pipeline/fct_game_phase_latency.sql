{#- Per game on the schedule: when each post-game phase finished for it, and how
    many hours after the game's end (seed 001 P1-4, pipeline_execution_log):
      phase 1  the box-score file scraped (the first file that carried its rows)
      phase 2  its box scores loaded (nba_raw.bdl_player_boxscores)
      phase 3  its player game summary written (nba_analytics.player_game_summary)
      graded   every active prediction of the game graded
    A phase is complete for a game when both of its teams (from the schedule) have
    rows: the later team's first row. Incremental by game date like the other
    per-date marts: a daily run MERGEs the window's games, the first build and a
    --full-refresh fill the season. -#}
{{ config(**props_contracts.daily_mart_config(['game_date', 'game_id'])) }}

with games as (
    select * from {{ ref('int_games') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

team_games as (
    select * from {{ ref('int_team_games') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

scraped_files as (
    select * from {{ ref('stg_nba_orchestration__scraped_files') }}
    where {{ props_contracts.in_mart_window('data_date') }}
),

summaries as (
    select * from {{ ref('stg_nba_analytics__player_game_summary') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

grading as (
    {{ props_contracts.game_grading_latency(keep_season=true) }}
),

-- per game and team: the first box-score row, and the scrape of the file it came from
team_boxscores as (
    select
        boxscores.game_id,
        boxscores.team_abbr,
        min(scraped_files.scraped_at) as scraped_at,
        min(boxscores.first_processed_at) as loaded_at
    from boxscores
    left join scraped_files on boxscores.first_source_file_path = scraped_files.file_path
    group by boxscores.game_id, boxscores.team_abbr
),

team_summaries as (
    select
        game_id,
        team_abbr,
        min(processed_at) as summarized_at
    from summaries
    group by game_id, team_abbr
),

-- a phase is done for a game once every team of the game has it: the later team
by_game as (
    select
        team_games.game_id,
        count(*) as teams,
        count(team_boxscores.scraped_at) as teams_scraped,
        count(team_boxscores.loaded_at) as teams_loaded,
        count(team_summaries.summarized_at) as teams_summarized,
        max(team_boxscores.scraped_at) as last_team_scraped_at,
        max(team_boxscores.loaded_at) as last_team_loaded_at,
        max(team_summaries.summarized_at) as last_team_summarized_at
    from team_games
    left join team_boxscores
        on
            team_games.game_id = team_boxscores.game_id
            and team_games.team_abbr = team_boxscores.team_abbr
    left join team_summaries
        on
            team_games.game_id = team_summaries.game_id
            and team_games.team_abbr = team_summaries.team_abbr
    group by team_games.game_id
),

phases as (
    select
        games.game_id,
        games.game_date,
        games.is_postponed,
        games.is_expected_final,
        games.scheduled_start_at,
        games.game_end_at,
        case when by_game.teams_scraped = by_game.teams then by_game.last_team_scraped_at end
            as phase_1_scraped_at,
        case when by_game.teams_loaded = by_game.teams then by_game.last_team_loaded_at end
            as phase_2_loaded_at,
        case when by_game.teams_summarized = by_game.teams then by_game.last_team_summarized_at end
            as phase_3_summarized_at,
        coalesce(grading.active_predictions, 0) as active_predictions,
        coalesce(grading.graded_predictions, 0) as graded_predictions,
        case
            when grading.active_predictions > 0 and grading.graded_predictions = grading.active_predictions
                then grading.last_graded_at
        end as graded_at
    from games
    left join by_game on games.game_id = by_game.game_id
    left join grading on games.game_id = grading.game_id
),

final as (
    select
        game_date,
        game_id,
        is_postponed,
        is_expected_final,
        scheduled_start_at,
        game_end_at,
        phase_1_scraped_at,
        phase_2_loaded_at,
        phase_3_summarized_at,
        active_predictions,
        graded_predictions,
        graded_at,
        {{ props_contracts.hours_between('game_end_at', 'phase_1_scraped_at') }} as phase_1_latency_hours,
        {{ props_contracts.hours_between('game_end_at', 'phase_2_loaded_at') }} as phase_2_latency_hours,
        {{ props_contracts.hours_between('game_end_at', 'phase_3_summarized_at') }} as phase_3_latency_hours,
        {{ props_contracts.hours_between('game_end_at', 'graded_at') }} as grading_latency_hours
    from phases
)

select * from final
