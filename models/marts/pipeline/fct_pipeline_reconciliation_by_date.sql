{#- The daily end-to-end reconciliation across the phases (seed 000 R-007), one
    row per game date on the schedule: each step's count, and what it lost
    against the step before it, as a funnel of nested sets:
      schedule   games not postponed, and those due to be final
      phase 2    final games with box scores for both teams; the players in them
      phase 3    of those players, the ones with a player game summary row
      phase 3    scheduled teams with player context (pre-game); expected players
      phase 4    of the expected players, the ones with a feature row
      phase 5    of those, the ones with an active prediction; active predictions
      phase 6    rows of the date's newest successful export against the active
                 predictions; of the final games' active predictions, the graded
    The expected set at each step is the step before it, and the first from the
    schedule, never from the rows being counted. Incremental by game date like
    the other per-date marts. REC-01 judges the phase 3 step (no other contract
    sees a partial loss there): players whose box score was loaded
    rec01_due_hours before as_of and who still have no summary row. -#}
{{ config(**props_contracts.daily_mart_config(['game_date'])) }}
{%- set due_at = props_contracts.before_as_of(hours=props_contracts.typed_var('rec01_due_hours')) %}

with games as (
    select * from {{ ref('int_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_mart_window('game_date') }}
),

team_games as (
    select * from {{ ref('int_team_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_mart_window('game_date') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

summaries as (
    select * from {{ ref('stg_nba_analytics__player_game_summary') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

context as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

features as (
    select * from {{ ref('stg_nba_precompute__ml_feature_store') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

props as (
    select prop_type from {{ ref('prop_types') }}
),

active as (
    select active.*
    from {{ ref('int_active_predictions') }} as active
    inner join props on active.prop_type = props.prop_type
    where {{ props_contracts.in_mart_window('active.game_date') }}
),

exports as (
    select * from {{ ref('stg_nba_exports__export_runs') }}
    where
        status = 'success'
        and {{ props_contracts.in_mart_window('game_date') }}
),

grades as (
    select * from {{ ref('stg_nba_predictions__prediction_grades') }}
    where {{ props_contracts.in_mart_window('game_date') }}
),

boxscore_teams as (
    select distinct
        game_id,
        team_abbr
    from boxscores
),

summary_players as (
    select distinct
        game_id,
        player_lookup
    from summaries
),

context_teams as (
    select distinct
        game_date,
        team_abbr
    from context
),

-- schedule
games_by_date as (
    select
        game_date,
        count(*) as games_scheduled,
        sum(case when is_expected_final then 1 else 0 end) as games_final
    from games
    group by game_date
),

-- phase 2: a final game has its box scores when every team of it has rows
final_team_boxscores as (
    select
        team_games.game_date,
        team_games.game_id,
        count(*) as teams,
        count(team_rows.team_abbr) as teams_with_boxscores
    from team_games
    left join boxscore_teams as team_rows
        on
            team_games.game_id = team_rows.game_id
            and team_games.team_abbr = team_rows.team_abbr
    where team_games.is_expected_final
    group by team_games.game_date, team_games.game_id
),

boxscore_games_by_date as (
    select
        game_date,
        sum(case when teams_with_boxscores = teams then 1 else 0 end) as games_with_boxscores
    from final_team_boxscores
    group by game_date
),

-- phase 2 -> 3: the players with box-score rows in the date's final games of the
-- schedule (on one of its teams) who played, and whether each has a summary row. A
-- did-not-play row (0 minutes) has no game to summarise; unknown minutes still count.
boxscore_players as (
    select
        boxscores.game_date,
        boxscores.game_id,
        boxscores.player_lookup,
        min(boxscores.first_processed_at) as loaded_at
    from boxscores
    inner join team_games
        on
            boxscores.game_id = team_games.game_id
            and boxscores.team_abbr = team_games.team_abbr
    where
        team_games.is_expected_final
        and coalesce(boxscores.minutes_played, 1) > 0
    group by boxscores.game_date, boxscores.game_id, boxscores.player_lookup
),

summary_by_date as (
    select
        boxscore_players.game_date,
        count(*) as boxscore_players,
        count(summary_rows.player_lookup) as summary_players,
        -- REC-01: due once the box score was loaded rec01_due_hours before as_of
        sum(case when boxscore_players.loaded_at <= {{ due_at }} then 1 else 0 end) as players_due_summary,
        sum(
            case when boxscore_players.loaded_at <= {{ due_at }} and summary_rows.player_lookup is null then 1 else 0 end
        ) as players_missing_summary_due,
        {{ props_contracts.string_agg_sorted(
            'case when boxscore_players.loaded_at <= ' ~ due_at
            ~ ' and summary_rows.player_lookup is null then boxscore_players.game_id end'
        ) }} as missing_summary_games
    from boxscore_players
    left join summary_players as summary_rows
        on
            boxscore_players.game_id = summary_rows.game_id
            and boxscore_players.player_lookup = summary_rows.player_lookup
    group by boxscore_players.game_date
),

-- pre-game phase 3: the scheduled teams with context rows
context_teams_by_date as (
    select
        team_games.game_date,
        count(*) as teams_scheduled,
        count(context_teams.team_abbr) as teams_with_context
    from team_games
    left join context_teams
        on
            team_games.game_date = context_teams.game_date
            and team_games.team_abbr = context_teams.team_abbr
    group by team_games.game_date
),

-- phases 3 -> 4 -> 5: the players context expects to play for a scheduled team
expected_players as (
    select distinct
        context.game_date,
        context.player_lookup
    from context
    inner join team_games
        on
            context.game_date = team_games.game_date
            and context.team_abbr = team_games.team_abbr
    where context.is_expected_to_play
),

predicted_players as (
    select distinct
        game_date,
        player_lookup
    from active
),

players_by_date as (
    select
        expected_players.game_date,
        count(*) as expected_players,
        count(features.player_lookup) as feature_players,
        sum(
            case when features.player_lookup is not null and predicted_players.player_lookup is not null then 1 else 0 end
        ) as predicted_players
    from expected_players
    left join features
        on
            expected_players.game_date = features.game_date
            and expected_players.player_lookup = features.player_lookup
    left join predicted_players
        on
            expected_players.game_date = predicted_players.game_date
            and expected_players.player_lookup = predicted_players.player_lookup
    group by expected_players.game_date
),

active_by_date as (
    select
        game_date,
        count(*) as active_predictions
    from active
    group by game_date
),

-- phase 6: the newest successful export of the date
newest_export as (
    select
        game_date,
        row_count,
        count(*) over (partition by game_date) as exports
    from exports
    where true
    qualify row_number() over (partition by game_date order by exported_at desc, export_id desc) = 1
),

-- grading: the active predictions of the date's final games, and which are graded
graded_by_date as (
    select
        active.game_date,
        count(*) as predictions_due_grading,
        count(grades.prediction_id) as graded_predictions
    from active
    inner join games
        on
            active.game_id = games.game_id
            and games.is_expected_final
    left join grades
        on
            active.game_date = grades.game_date
            and active.prediction_id = grades.prediction_id
    group by active.game_date
),

final as (
    select
        games_by_date.game_date,
        games_by_date.games_scheduled,
        games_by_date.games_final,
        coalesce(boxscore_games_by_date.games_with_boxscores, 0) as games_with_boxscores,
        games_by_date.games_final - coalesce(boxscore_games_by_date.games_with_boxscores, 0)
            as games_missing_boxscores,
        coalesce(summary_by_date.boxscore_players, 0) as boxscore_players,
        coalesce(summary_by_date.summary_players, 0) as summary_players,
        coalesce(summary_by_date.boxscore_players, 0) - coalesce(summary_by_date.summary_players, 0)
            as players_missing_summary,
        coalesce(summary_by_date.players_due_summary, 0) as players_due_summary,
        coalesce(summary_by_date.players_missing_summary_due, 0) as players_missing_summary_due,
        summary_by_date.missing_summary_games,
        context_teams_by_date.teams_scheduled,
        context_teams_by_date.teams_with_context,
        context_teams_by_date.teams_scheduled - context_teams_by_date.teams_with_context as teams_missing_context,
        coalesce(players_by_date.expected_players, 0) as expected_players,
        coalesce(players_by_date.feature_players, 0) as feature_players,
        coalesce(players_by_date.expected_players, 0) - coalesce(players_by_date.feature_players, 0)
            as players_missing_features,
        coalesce(players_by_date.predicted_players, 0) as predicted_players,
        coalesce(players_by_date.feature_players, 0) - coalesce(players_by_date.predicted_players, 0)
            as players_missing_predictions,
        coalesce(active_by_date.active_predictions, 0) as active_predictions,
        coalesce(newest_export.exports, 0) as exports,
        newest_export.row_count as exported_rows,
        newest_export.row_count - coalesce(active_by_date.active_predictions, 0) as export_row_difference,
        coalesce(graded_by_date.predictions_due_grading, 0) as predictions_due_grading,
        coalesce(graded_by_date.graded_predictions, 0) as graded_predictions,
        coalesce(graded_by_date.predictions_due_grading, 0) - coalesce(graded_by_date.graded_predictions, 0)
            as ungraded_predictions
    from games_by_date
    left join boxscore_games_by_date on games_by_date.game_date = boxscore_games_by_date.game_date
    left join summary_by_date on games_by_date.game_date = summary_by_date.game_date
    left join context_teams_by_date on games_by_date.game_date = context_teams_by_date.game_date
    left join players_by_date on games_by_date.game_date = players_by_date.game_date
    left join active_by_date on games_by_date.game_date = active_by_date.game_date
    left join newest_export on games_by_date.game_date = newest_export.game_date
    left join graded_by_date on games_by_date.game_date = graded_by_date.game_date
)

select * from final
