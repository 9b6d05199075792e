{#- For each gated processor run: how complete its input was when it started,
    and whether it ran anyway (PRC-02; seed 003 phase transition gating).
      phase 3 PlayerGameSummaryProcessor: teams of the date with box scores loaded
      phase 4 MLFeatureStoreProcessor: teams playing with player context written
      phase 5 PredictionCoordinator: expected players with a feature row written -#}
with runs as (
    select * from {{ ref('stg_nba_reference__processor_run_history') }}
    where
        status = 'success'
        and processor_name in ('PlayerGameSummaryProcessor', 'MLFeatureStoreProcessor', 'PredictionCoordinator')
        -- every run that started in the window, a backfill of an older date too
        and {{ props_contracts.run_in_window() }}
),

team_games as (
    select * from {{ ref('int_team_games') }}
    -- a postponed game has no box scores or context to wait for
    where
        not is_postponed
        and {{ props_contracts.in_backfill_window('game_date') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where {{ props_contracts.in_backfill_window('game_date') }}
),

box_locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
    where
        target_table = 'nba_raw.bdl_player_boxscores'
        and status = 'complete'
        and {{ props_contracts.in_backfill_window('data_date') }}
),

-- when each team's box scores were first available: the first copy of its rows,
-- or the date's first complete box-score load when a later re-scrape replaced
-- (deleted and rewrote) the rows that load wrote
first_box_load as (
    select
        data_date,
        min(completed_at) as first_completed_at
    from box_locks
    where rows_reported > 0 or rows_reported is null
    group by data_date
),

boxscore_teams as (
    select
        boxscores.game_date,
        boxscores.team_abbr,
        case
            when first_box_load.first_completed_at < min(boxscores.first_processed_at)
                then first_box_load.first_completed_at
            else min(boxscores.first_processed_at)
        end as ready_at
    from boxscores
    left join first_box_load on boxscores.game_date = first_box_load.data_date
    group by boxscores.game_date, boxscores.team_abbr, first_box_load.first_completed_at
),

context as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where {{ props_contracts.in_backfill_window('game_date') }}
),

features as (
    select * from {{ ref('stg_nba_precompute__ml_feature_store') }}
    where {{ props_contracts.in_backfill_window('game_date') }}
),

phase_3 as (
    select
        runs.run_id,
        count(distinct team_games.team_abbr) as input_expected,
        count(distinct boxscore_teams.team_abbr) as input_ready
    from runs
    inner join team_games on runs.data_date = team_games.game_date
    left join boxscore_teams
        on
            team_games.game_date = boxscore_teams.game_date
            and team_games.team_abbr = boxscore_teams.team_abbr
            and runs.started_at >= boxscore_teams.ready_at
    where runs.processor_name = 'PlayerGameSummaryProcessor'
    group by runs.run_id
),

phase_4 as (
    select
        runs.run_id,
        count(distinct team_games.team_abbr) as input_expected,
        count(distinct context.team_abbr) as input_ready
    from runs
    inner join team_games on runs.data_date = team_games.game_date
    left join context
        on
            team_games.game_date = context.game_date
            and team_games.team_abbr = context.team_abbr
            and runs.started_at >= context.processed_at
    where runs.processor_name = 'MLFeatureStoreProcessor'
    group by runs.run_id
),

phase_5 as (
    select
        runs.run_id,
        count(distinct context.player_lookup) as input_expected,
        count(distinct features.player_lookup) as input_ready
    from runs
    inner join context
        on
            runs.data_date = context.game_date
            and context.is_expected_to_play
    left join features
        on
            context.game_date = features.game_date
            and context.player_lookup = features.player_lookup
            and runs.started_at >= features.created_at
    where runs.processor_name = 'PredictionCoordinator'
    group by runs.run_id
),

inputs as (
    select * from phase_3
    union all
    select * from phase_4
    union all
    select * from phase_5
),

judged as (
    select
        runs.run_id,
        runs.data_date,
        runs.phase,
        runs.processor_name,
        runs.started_at,
        inputs.input_expected,
        inputs.input_ready,
        cast(inputs.input_ready as {{ props_contracts.type_double() }})
        / nullif(inputs.input_expected, 0) as input_coverage,
        coalesce(
            cast(inputs.input_ready as {{ props_contracts.type_double() }})
            / nullif(inputs.input_expected, 0) >= {{ props_contracts.typed_var('prc02_min_input_coverage') }},
            false
        ) as is_input_ready
    from runs
    inner join inputs on runs.run_id = inputs.run_id
),

-- a run on unready input whose output a later run of the same processor and date,
-- on ready input, replaced (the runbook's rerun) no longer leaves a NULL cascade
ready_reruns as (
    select earlier.run_id
    from judged as earlier
    inner join judged as rerun
        on
            earlier.processor_name = rerun.processor_name
            and earlier.data_date = rerun.data_date
            and earlier.started_at < rerun.started_at
    where rerun.is_input_ready
    group by earlier.run_id
),

final as (
    select
        judged.*,
        ready_reruns.run_id is not null as is_superseded_by_ready_rerun
    from judged
    left join ready_reruns on judged.run_id = ready_reruns.run_id
)

select * from final
