{#- Players on a date who lack some active system x prop type combination (PRD-04;
    seed 002 layer 5). The population is every player with an active prediction and
    every player a consolidated batch counts as completed (a completion event claiming
    a successful staging write) and wrote no prediction for: such a player lacks every
    combination, never falls outside the check (issue 23). -#}
with active as (
    select * from {{ ref('int_active_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

systems as (
    select system_id from {{ ref('prediction_systems') }}
    where is_active
),

props as (
    select prop_type from {{ ref('prop_types') }}
),

batches as (
    select * from {{ ref('stg_nba_predictions__prediction_batches') }}
    where
        status = 'consolidated'
        and {{ props_contracts.in_window('game_date') }}
),

events as (
    select * from {{ ref('stg_nba_predictions__prediction_completion_events') }}
    -- a NULL success flag is an unverified claim, judged like a claimed success (PRD-01)
    where
        coalesce(staging_write_success, true)
        and {{ props_contracts.in_window('game_date') }}
),

context as (
    select * from {{ ref('stg_nba_analytics__upcoming_player_game_context') }}
    where {{ props_contracts.in_window('game_date') }}
),

-- every prediction row a batch wrote, active or deactivated since
batch_rows as (
    select distinct
        batch_id,
        player_lookup
    from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where {{ props_contracts.in_window('game_date') }}
),

-- completed players the batch wrote nothing for (a player whose predictions were
-- deliberately deactivated since, e.g. ruled out before tip-off, is not a gap)
completed_players as (
    select distinct
        batches.game_date,
        events.player_lookup
    from events
    inner join batches on events.batch_id = batches.batch_id
    left join batch_rows
        on
            events.batch_id = batch_rows.batch_id
            and events.player_lookup = batch_rows.player_lookup
    where batch_rows.player_lookup is null
),

population as (
    select
        game_date,
        player_lookup
    from active
    union distinct
    select
        game_date,
        player_lookup
    from completed_players
),

player_teams as (
    select
        game_date,
        player_lookup,
        min(team_abbr) as team_abbr
    from (
        select
            game_date,
            player_lookup,
            team_abbr
        from active
        union all
        select
            game_date,
            player_lookup,
            team_abbr
        from context
    ) as teams
    group by game_date, player_lookup
),

predicted_players as (
    select
        population.game_date,
        population.player_lookup,
        player_teams.team_abbr
    from population
    left join player_teams
        on
            population.game_date = player_teams.game_date
            and population.player_lookup = player_teams.player_lookup
),

expected as (
    select
        predicted_players.game_date,
        predicted_players.player_lookup,
        predicted_players.team_abbr,
        systems.system_id,
        props.prop_type
    from predicted_players
    cross join systems
    cross join props
),

missing as (
    select expected.*
    from expected
    left join active
        on
            expected.game_date = active.game_date
            and expected.player_lookup = active.player_lookup
            and expected.system_id = active.system_id
            and expected.prop_type = active.prop_type
    where active.prediction_id is null
),

final as (
    select
        game_date,
        player_lookup,
        team_abbr,
        count(*) as missing_combinations,
        {{ props_contracts.string_agg_sorted(dbt.concat(['system_id', "'/'", 'prop_type'])) }} as missing
    from missing
    group by game_date, player_lookup, team_abbr
)

select * from final
