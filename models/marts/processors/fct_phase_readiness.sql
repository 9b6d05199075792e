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
        and {{ props_contracts.in_window('data_date') }}
),

team_games as (
    select * from {{ ref('int_team_games') }}
    where {{ props_contracts.in_window('game_date') }}
),

boxscores as (
    select * from {{ ref('stg_nba_raw__bdl_player_boxscores') }}
    where {{ props_contracts.in_window('game_date') }}
),

context as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where {{ props_contracts.in_window('game_date') }}
),

features as (
    select * from {{ ref('stg_nba_precompute__ml_feature_store') }}
    where {{ props_contracts.in_window('game_date') }}
),

phase_3 as (
    select
        runs.run_id,
        count(distinct team_games.team_abbr) as input_expected,
        count(distinct boxscores.team_abbr) as input_ready
    from runs
    inner join team_games on runs.data_date = team_games.game_date
    left join boxscores
        on
            team_games.game_date = boxscores.game_date
            and team_games.team_abbr = boxscores.team_abbr
            and runs.started_at >= boxscores.first_processed_at
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

final as (
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
)

select * from final
