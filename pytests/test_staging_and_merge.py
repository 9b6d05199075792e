"""Deduplicating staging views and the incremental MERGE, on real dbt + DuckDB."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import duckdb
import pytest

from conftest import AS_OF, DAILY_MARTS, END, START, simulate

FCT = '"props_contracts_marts"."fct_player_prop_predictions"'
SRC = '"nba_predictions"."player_prop_predictions"'
BUILD_FCT = ["build", "--select", "+fct_player_prop_predictions", "--exclude-resource-type", "test"]


def _sql(db, sql, params=None):
    # Default configuration: the same as dbt-duckdb's, so it can share the instance.
    con = duckdb.connect(str(db))
    try:
        cur = con.execute(sql, params or [])
        return cur.fetchall() if cur.description else None
    finally:
        con.close()


def _fct_hash(db) -> tuple[int, str]:
    rows = _sql(db, f"select * exclude (source_copies, updated_at) from {FCT} order by all")
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_staging_keeps_one_row_per_prediction_and_counts_the_copies(tmp_path, dbt_factory):
    # given a night where Pub/Sub retries appended 5 copies of a tenth of the predictions
    db = tmp_path / "w.duckdb"
    simulate(db, inject=("PRD-07",))
    raw_total, raw_distinct = _sql(db, f"select count(*), count(distinct prediction_id) from {SRC}")[0]
    assert raw_total > raw_distinct  # the duplicates are really there
    # when the staging view is built
    dbt_factory(db).invoke(["build", "--select", "stg_nba_predictions__player_prop_predictions",
                            "--exclude-resource-type", "test"])
    stg = '"props_contracts_staging"."stg_nba_predictions__player_prop_predictions"'
    kept, copies, five = _sql(db, f"select count(*), sum(_source_copies), "
                                  f"count(*) filter (where _source_copies = 5) from {stg}")[0]
    # then one row per prediction remains, and the dropped rows stay countable
    assert kept == raw_distinct
    assert copies == raw_total
    assert five > 0
    # and the newest copy won
    newest = _sql(db, f"select prediction_id, max(updated_at) from {SRC} group by 1")
    kept_at = dict(_sql(db, f"select prediction_id, updated_at from {stg}"))
    assert all(kept_at[pid] == at for pid, at in newest)


@pytest.fixture
def merged(tmp_path, dbt_factory):
    """A clean week, with fct_player_prop_predictions built once."""
    db = tmp_path / "w.duckdb"
    simulate(db)
    dbt = dbt_factory(db, predictions_merge_lookback_days=3)
    dbt.invoke([*BUILD_FCT, "--full-refresh"])
    return db, dbt


def test_second_run_with_same_input_changes_nothing(merged):
    db, dbt = merged
    before = _fct_hash(db)
    dbt.invoke(BUILD_FCT)
    assert _fct_hash(db) == before
    assert before[0] == _sql(db, f"select count(distinct prediction_id) from {SRC}")[0][0]


def test_redelivered_batch_adds_no_rows(merged):
    db, dbt = merged
    before = _fct_hash(db)
    # given the last batch appended again (a WRITE_APPEND retry of the whole load)
    _sql(db, f"insert into {SRC} select * replace (updated_at + interval 90 second as updated_at) "
             f"from {SRC} where game_date = ?", [END])
    # when the model runs again
    dbt.invoke(BUILD_FCT)
    # then no row was added and no value changed
    assert _fct_hash(db) == before


def _key_on(db, day):
    return _sql(db, f"select player_lookup, prop_type, system_id, predicted_value from {FCT} "
                    f"where game_date = ? order by 1, 2, 3 limit 1", [day])[0]


def _supersede(db, day, player, prop, system, value):
    """A later, corrected prediction for the key; the old one is deactivated."""
    _sql(db, f"""insert into {SRC}
        select * replace ('late_' || prediction_id as prediction_id, {value} as predicted_value,
                          created_at + interval 3 hour as created_at, updated_at + interval 3 hour as updated_at)
        from {SRC} where game_date = ? and player_lookup = ? and prop_type = ? and system_id = ?""",
         [day, player, prop, system])
    _sql(db, f"""update {SRC} set is_active = false where game_date = ? and player_lookup = ?
        and prop_type = ? and system_id = ? and not starts_with(prediction_id, 'late_')""",
         [day, player, prop, system])


def _value(db, day, player, prop, system):
    return _sql(db, f"select predicted_value, count(*) over () from {FCT} where game_date = ? "
                    f"and player_lookup = ? and prop_type = ? and system_id = ?",
                [day, player, prop, system])


def test_late_update_inside_the_window_replaces_the_old_values(merged):
    db, dbt = merged
    player, prop, system, _old = _key_on(db, END)
    _supersede(db, END, player, prop, system, 99.5)
    dbt.invoke(BUILD_FCT)
    assert _value(db, END, player, prop, system) == [(99.5, 1)]


def test_row_outside_the_window_is_left_alone(merged):
    db, dbt = merged
    assert END - START > timedelta(days=3)  # START is outside the 3-day merge window
    player, prop, system, old = _key_on(db, START)
    n_before = _fct_hash(db)[0]
    _supersede(db, START, player, prop, system, 77.5)
    dbt.invoke(BUILD_FCT)
    assert _value(db, START, player, prop, system) == [(old, 1)]
    assert _fct_hash(db)[0] == n_before


def test_dates_missed_by_an_outage_longer_than_the_window_are_caught_up(merged):
    db, dbt = merged
    total = _fct_hash(db)[0]
    # given a table whose last load was START + 1: the job then stopped for days
    last_loaded = START + timedelta(days=1)
    _sql(db, f"delete from {FCT} where game_date > ?", [last_loaded])
    missed = [last_loaded + timedelta(days=1), last_loaded + timedelta(days=2)]
    assert missed[-1] < AS_OF.date() - timedelta(days=3)  # older than the 3-day merge window
    # when it runs again
    dbt.invoke(BUILD_FCT)
    # then every game date after the newest loaded one is back, nothing twice
    assert _fct_hash(db)[0] == total
    for day in missed:
        assert _sql(db, f"select count(*) from {FCT} where game_date = ?", [day])[0][0] > 0


def test_per_date_marts_keep_the_dates_that_left_the_window(tmp_path, dbt_factory):
    # given 16 nights of history, the per-date marts built as of 9 days before the end
    db = tmp_path / "w.duckdb"
    simulate(db, start=END - timedelta(days=15))
    build = ["build", "--select", *(f"+{m}" for m in DAILY_MARTS), "--exclude-resource-type", "test"]
    dbt_factory(db, as_of=AS_OF - timedelta(days=9), lookback_days=4).invoke(build)

    def by_date(mart: str) -> dict:
        rows = _sql(db, f'select * from "props_contracts_marts"."{mart}" order by all')
        return {r[0]: r for r in rows}  # game_date is the first column of each

    early = {m: by_date(m) for m in DAILY_MARTS}
    # when the scheduled run comes back 9 days later, judging only its own window
    dbt_factory(db, lookback_days=4).invoke(build)
    # then each mart holds the dates of both windows, and the older ones are unchanged
    for mart in DAILY_MARTS:
        late = by_date(mart)
        old_dates = sorted(early[mart])
        assert old_dates and max(old_dates) < AS_OF.date() - timedelta(days=4), mart
        assert set(old_dates) < set(late), mart
        assert any(d > max(old_dates) for d in late), mart
        if mart != "fct_prediction_coverage_by_team":  # one row per date there
            assert all(late[d] == early[mart][d] for d in old_dates), mart
    teams = _sql(db, 'select count(*), count(distinct (game_date, team_abbr)) '
                     'from "props_contracts_marts"."fct_prediction_coverage_by_team"')[0]
    assert teams[0] == teams[1]  # merged on its key: no duplicates
