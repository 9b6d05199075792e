{#- The clean predictions table: one active prediction per player, game date,
    prop type and system, MERGEd incrementally.

    Each run reads the last `predictions_merge_lookback_days` game dates of the
    deduplicated source (from the day after the newest loaded date, if that is
    earlier: catch-up after an outage) and MERGEs them on
    the key, so a redelivered batch adds nothing and a late correction inside the
    window replaces the old values; rows older than the window are left alone.
    Rows with a null key are left out (they fail PRD-07 / PRD-08 by name, instead
    of failing the NOT NULL contract and the whole build).
    The incoming rows are unique on the key (int_active_predictions), so BigQuery's
    "MERGE must match at most one source row" can never fire; PRD-07 reports the
    upstream conflicts instead.
    incremental_predicates limit the scan of the target to the same window, so a
    daily run's cost follows the window, not the history. On BigQuery the table
    is partitioned by game_date and the MERGE's predicate prunes it. On DuckDB
    the same upsert is a keyed delete+insert in one transaction: DuckDB's MERGE
    joins every row of the target whatever its ON clause says (measured on 720
    nights, 2.9 M rows, a 13,000-row window: MERGE 0.26-0.34 s with or without
    the predicate, delete+insert 0.03 s); with incoming rows unique on the key,
    the two leave the same rows. Dates a catch-up merges before the window are
    newer than every loaded date, so they have no row to replace.
    The contract is enforced on every target but the local BigQuery emulator,
    which cannot parse dbt's enforced-contract DDL (README: emulator gaps). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
        unique_key=['player_lookup', 'game_date', 'prop_type', 'system_id'],
        on_schema_change='fail',
        contract={'enforced': target.name != 'bq_emulator'},
        partition_by=(
            {'field': 'game_date', 'data_type': 'date', 'granularity': 'day'}
            if target.type == 'bigquery' else none
        ),
        cluster_by=(['game_date', 'system_id', 'prop_type'] if target.type == 'bigquery' else none),
        incremental_predicates=[
            ('DBT_INTERNAL_DEST' if target.type == 'bigquery' else 'DBT_INCREMENTAL_TARGET')
            ~ '.game_date >= ' ~ props_contracts.add_days(
                props_contracts.as_of_date(), -1 * props_contracts.typed_var('predictions_merge_lookback_days'))
        ],
    )
}}

{#- The first build (and --full-refresh) loads the last full_refresh_max_days of
    game dates (a constant lower bound: BigQuery prunes the source scan; all of
    them with full_history), with no upper bound, like the daily merge. -#}
{%- set incremental_window = 'true' if props_contracts.typed_var('full_history')
    else 'active.game_date >= ' ~ props_contracts.add_days(
        props_contracts.as_of_date(), -1 * props_contracts.typed_var('full_refresh_max_days')) -%}
{%- if is_incremental() -%}
    {%- set merge_from = props_contracts.add_days(
        props_contracts.as_of_date(), -1 * props_contracts.typed_var('predictions_merge_lookback_days')) -%}
    {#- Game dates after the newest loaded one are merged too, so a pipeline that
        stopped for longer than the window catches up (up to
        predictions_catchup_max_days back). The newest date is read here, at compile
        time, from the catch-up partitions only, so the filter below is a constant
        that BigQuery prunes the source scan on (a subquery would not prune). -#}
    {%- set catchup_from = props_contracts.add_days(
        props_contracts.as_of_date(), -1 * props_contracts.typed_var('predictions_catchup_max_days')) -%}
    {%- set newest_loaded -%}
        select max(game_date) from {{ this }} where game_date >= {{ catchup_from }}
    {%- endset -%}
    {%- set newest = run_query(newest_loaded).columns[0].values()[0] if execute else none -%}
    {%- if newest is none -%}
        {%- set window_from = catchup_from -%}
    {%- else -%}
        {%- set window_from = 'least(' ~ merge_from ~ ', '
            ~ props_contracts.add_days("cast('" ~ newest ~ "' as date)", 1) ~ ')' -%}
    {%- endif -%}
    {%- set incremental_window = 'active.game_date >= ' ~ window_from -%}
{%- endif %}

with active as (
    select * from {{ ref('int_active_predictions') }}
),

incoming as (
    select active.*
    from active
    where
        -- Rows with a null key cannot be merged; PRD-07 and PRD-08 report them.
        active.player_lookup is not null
        and active.game_date is not null
        and active.prop_type is not null
        and active.system_id is not null
        and {{ incremental_window }}
),

final as (
    select
        cast(player_lookup as {{ dbt.type_string() }}) as player_lookup,
        cast(game_date as date) as game_date,
        cast(prop_type as {{ dbt.type_string() }}) as prop_type,
        cast(system_id as {{ dbt.type_string() }}) as system_id,
        cast(prediction_id as {{ dbt.type_string() }}) as prediction_id,
        cast(batch_id as {{ dbt.type_string() }}) as batch_id,
        cast(game_id as {{ dbt.type_string() }}) as game_id,
        cast(team_abbr as {{ dbt.type_string() }}) as team_abbr,
        cast(predicted_value as {{ props_contracts.type_double() }}) as predicted_value,
        cast(line_value as {{ props_contracts.type_double() }}) as line_value,
        cast(recommendation as {{ dbt.type_string() }}) as recommendation,
        cast(confidence_score as {{ props_contracts.type_double() }}) as confidence_score,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(_source_copies as {{ dbt.type_bigint() }}) as source_copies
    from incoming
)

select * from final
