{#- Per phase (3 to 6) and game date: what the phase reads for the date, present now
    (at as_of) in the expected amount? The gate's rule (docs/inputs-and-gates.md):
      phase 3 post-game analytics: teams playing that have box scores (their games final);
      phase 4 precompute:          teams playing that have pre-game context;
      phase 5 predictions:         players the context expects to play that have a feature row
                                   (and the context covers the teams playing);
      phase 6 export:              teams playing that have an active prediction.
    The expected set comes from the schedule (postponed games left out), never from the
    rows judged. A date with no schedule snapshot loaded is never ready; a date the
    schedule has no games on expects nothing; a game day with zero input is never
    ready, whatever the threshold. PRC-02 judges the row of `gate --date` (gate_date),
    for its own phase only (gate_phases). -#}
{%- set min_coverage = props_contracts.typed_var('prc02_min_input_coverage') -%}
{%- set gate_date = props_contracts.typed_var('gate_date') -%}

with team_games as (
    select * from {{ ref('int_team_games') }}
    where
        not is_postponed
        and {{ props_contracts.in_window('game_date') }}
),

schedule_locks as (
    select * from {{ ref('stg_nba_orchestration__raw_batch_locks') }}
    where
        target_table = 'nba_raw.nbac_schedule'
        and status = 'complete'
        and {{ props_contracts.in_window('data_date') }}
),

games as (
    select * from {{ ref('int_games') }}
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

active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

phases as (
    select
        3 as phase,
        'post-game analytics: box scores of the teams playing' as input_name
    union all
    select
        4 as phase,
        'precompute: pre-game context of the teams playing' as input_name
    union all
    select
        5 as phase,
        'predictions: feature rows of the players expected to play' as input_name
    union all
    select
        6 as phase,
        'export: active predictions of the teams playing' as input_name
),

-- every date something says the schedule covers, and the date a gate asks about
dates as (
    select game_date from games
    union distinct
    select data_date as game_date from schedule_locks
    {%- if gate_date %}
        union distinct
        select cast('{{ gate_date }}' as date) as game_date
    {%- endif %}
),

scheduled as (
    select
        dates.game_date,
        max(case when schedule_locks.lock_id is not null or games.game_id is not null then 1 else 0 end)
        = 1 as is_schedule_loaded
    from dates
    left join schedule_locks on dates.game_date = schedule_locks.data_date
    left join games on dates.game_date = games.game_date
    group by dates.game_date
),

teams_playing as (
    select distinct
        game_date,
        team_abbr
    from team_games
),

-- games the clock does not expect to be final yet: their box scores cannot be complete
unfinished as (
    select
        game_date,
        count(*) as unfinished_team_games
    from team_games
    where not is_expected_final
    group by game_date
),

team_inputs as (
    select
        teams_playing.game_date,
        teams_playing.team_abbr,
        max(case when boxscores.team_abbr is not null then 1 else 0 end) as has_boxscores
    from teams_playing
    left join boxscores
        on
            teams_playing.game_date = boxscores.game_date
            and teams_playing.team_abbr = boxscores.team_abbr
    group by teams_playing.game_date, teams_playing.team_abbr
),

context_teams as (
    select distinct
        game_date,
        team_abbr
    from context
),

predicted_teams as (
    select distinct
        game_date,
        team_abbr
    from active
),

team_counts as (
    select
        team_inputs.game_date,
        count(*) as teams_playing,
        sum(team_inputs.has_boxscores) as teams_with_boxscores,
        sum(case when context_teams.team_abbr is not null then 1 else 0 end) as teams_with_context,
        sum(case when predicted_teams.team_abbr is not null then 1 else 0 end) as teams_with_predictions
    from team_inputs
    left join context_teams
        on
            team_inputs.game_date = context_teams.game_date
            and team_inputs.team_abbr = context_teams.team_abbr
    left join predicted_teams
        on
            team_inputs.game_date = predicted_teams.game_date
            and team_inputs.team_abbr = predicted_teams.team_abbr
    group by team_inputs.game_date
),

expected_players as (
    select distinct
        context.game_date,
        context.player_lookup,
        features.player_lookup is not null as has_features
    from context
    -- the context's teams that the schedule has playing (postponed games left out)
    inner join teams_playing
        on
            context.game_date = teams_playing.game_date
            and context.team_abbr = teams_playing.team_abbr
    left join features
        on
            context.game_date = features.game_date
            and context.player_lookup = features.player_lookup
    where context.is_expected_to_play
),

player_counts as (
    select
        game_date,
        count(distinct player_lookup) as players_expected,
        count(distinct case when has_features then player_lookup end) as players_with_features
    from expected_players
    group by game_date
),

per_date as (
    select
        scheduled.game_date,
        scheduled.is_schedule_loaded,
        coalesce(team_counts.teams_playing, 0) as teams_playing,
        coalesce(team_counts.teams_with_boxscores, 0) as teams_with_boxscores,
        coalesce(team_counts.teams_with_context, 0) as teams_with_context,
        coalesce(team_counts.teams_with_predictions, 0) as teams_with_predictions,
        coalesce(player_counts.players_expected, 0) as players_expected,
        coalesce(player_counts.players_with_features, 0) as players_with_features,
        coalesce(unfinished.unfinished_team_games, 0) as unfinished_team_games
    from scheduled
    left join team_counts on scheduled.game_date = team_counts.game_date
    left join player_counts on scheduled.game_date = player_counts.game_date
    left join unfinished on scheduled.game_date = unfinished.game_date
),

measured as (
    select
        phases.phase,
        phases.input_name,
        per_date.game_date,
        per_date.is_schedule_loaded,
        per_date.teams_playing,
        per_date.teams_with_context,
        per_date.unfinished_team_games,
        case
            when phases.phase = 5 then per_date.players_expected
            else per_date.teams_playing
        end as input_expected,
        case
            when phases.phase = 3 then per_date.teams_with_boxscores
            when phases.phase = 4 then per_date.teams_with_context
            when phases.phase = 5 then per_date.players_with_features
            else per_date.teams_with_predictions
        end as input_ready
    from per_date
    cross join phases
),

judged as (
    select
        *,
        cast(input_ready as {{ props_contracts.type_double() }}) / nullif(input_expected, 0) as input_coverage,
        -- every division guarded: BigQuery may evaluate a branch it does not take
        case
            when not is_schedule_loaded then 'no schedule snapshot loaded for the date: what to expect is unknown'
            when teams_playing = 0 then null
            when input_expected = 0 then 'games scheduled, but nobody is expected to play (no pre-game context)'
            when input_ready = 0 then 'games scheduled, and none of the input exists'
            when phase = 3 and unfinished_team_games > 0 then 'games not final yet: their box scores cannot be complete'
            -- phase 5 expects the context's players: the context itself must cover the teams
            when
                phase = 5
                and cast(teams_with_context as {{ props_contracts.type_double() }})
                / nullif(teams_playing, 0) < {{ min_coverage }}
                then 'the pre-game context lacks teams playing: who is expected is unknown'
            when
                phase < 6
                and cast(input_ready as {{ props_contracts.type_double() }})
                / nullif(input_expected, 0) < {{ min_coverage }}
                then 'input below prc02_min_input_coverage'
        end as problem
    from measured
),

final as (
    select
        phase,
        game_date,
        input_name,
        is_schedule_loaded,
        teams_playing,
        input_expected,
        input_ready,
        input_coverage,
        problem is null as is_input_ready,
        problem,
        cast(phase as {{ dbt.type_string() }}) as gate_phases
    from judged
)

select * from final
