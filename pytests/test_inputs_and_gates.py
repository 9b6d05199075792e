"""Gates judge the phase's input as present (issue 23), through the CLI on real DuckDB.

Tonight (seed 5: 7 games, 182 players expected) asked about at 11:00 ET, two hours
before the 13:00 export deadline: without a batch and predictions the phase 6 gate
says "not ready" (exit 1), never READY for lack of anything due; with tonight's
predictions written (the morning moved two hours earlier) it says READY; with one
team never requested, it names the team (in `make matrix`). The faults and benign twins of the other
items (a 0-row success, a short staging table, the coordinator's count, teams without
box scores, a re-export after a ruling-out) are shapes in simulator/shapes.py, judged
by test_shapes.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from conftest import ROOT, long_suite
from props_contracts.cli import main
from props_contracts.schema import load_source_tables
from props_contracts.simulator.faults import _drop_players
from props_contracts.simulator.instant import cut_at
from props_contracts.simulator.world import World, build_world, et
from props_contracts.simulator.writer import write_duckdb

TONIGHT = date(2026, 1, 16)
SEED = 5  # 7 games tonight
AT = et(TONIGHT, 11, 0)  # 16:00 UTC
DATE_COLUMNS = ("game_date", "data_date", "analysis_date")


def _earlier_morning(world: World, hours: int = 2) -> None:
    """Tonight's context, lines, features and batch ran `hours` earlier than usual."""
    lo, hi = et(TONIGHT, 6, 30), et(TONIGHT, 12, 30)
    for rows in world.tables.values():
        for r in rows:
            if not any(r.get(c) == TONIGHT for c in DATE_COLUMNS):
                continue
            for k, v in r.items():
                if isinstance(v, datetime) and lo <= v <= hi:
                    r[k] = v - timedelta(hours=hours)


def _warehouse(path, mutate=None):
    world = build_world(SEED, TONIGHT - timedelta(days=7), TONIGHT, AT)
    assert len(world.games[TONIGHT]) == 7
    if mutate:
        mutate(world)
    cut_at(world, AT)
    write_duckdb(world, load_source_tables(ROOT / "models"), path)
    return world


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """Warehouses made on first use (a long-suite test's is not made in `make test`)."""
    work = tmp_path_factory.mktemp("gates")
    made: dict = {}
    missing_team = {}

    def one_team_never_requested(world):
        _earlier_morning(world)
        team = sorted(t for g in world.games[TONIGHT] for t in g.teams)[0]
        missing_team["team"] = team
        _drop_players(world, TONIGHT, {p.lookup for p in world.team_players(team)})

    mutations = {"no_batch": None, "predicted": _earlier_morning, "team_missing": one_team_never_requested}

    def get(name):
        if name not in made:
            made[name] = work / f"{name}.duckdb"
            _warehouse(made[name], mutations[name])
        return made[name]

    get.missing_team = missing_team
    return get, work


def _gate(db, phase, work):
    result = CliRunner().invoke(main, ["gate", "--phase", str(phase), "--date", TONIGHT.isoformat(), "--json",
                                       "--database", str(db), "--as-of", f"{AT:%Y-%m-%d %H:%M:%S}"],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_phase_6_at_11_et_without_predictions_is_not_ready(warehouses):
    import duckdb

    get, work = warehouses
    # given tonight's 7 games and expected players loaded, no batch and no prediction, at 11:00 ET
    # when an orchestrator asks whether phase 6 may export tonight
    code, decision = _gate(get("no_batch"), 6, work)
    # then it is told no (exit 1): before the deadline a missing night is "not ready", not "not due"
    assert code == 1 and decision["decision"] == "not ready", decision
    blocking = {b["invariant_id"]: b for b in decision["blocking"]}
    assert {"PRC-02", "PRD-05", "PRD-06"} <= set(blocking), decision["blocking"]
    phase_rows = blocking["PRC-02"]["sample"]
    # the input row of phase 6 only (phase 3's row for tonight blocks only phase 3)
    assert [r["phase"] for r in phase_rows] == ["6"] and blocking["PRC-02"]["rows_for_date"] == 1
    assert phase_rows[0]["input_ready"] == "0" and phase_rows[0]["teams_playing"] == "14"
    assert blocking["PRD-06"]["rows_for_date"] == 14  # every team playing tonight, by name
    # and the gate's rule for every phase, read back from the mart it judged: phases 4 and 5
    # have their input (context, feature rows), phase 3 has zero box scores for tonight
    # (zero is never ready), phase 6 zero predictions
    con = duckdb.connect(str(get("no_batch")))
    try:
        schema = con.execute("select table_schema from information_schema.tables "
                             "where table_name = 'fct_phase_inputs'").fetchone()[0]
        rows = dict(con.execute(f"select phase, problem from {schema}.fct_phase_inputs "
                                "where game_date = ? order by phase", [TONIGHT]).fetchall())
    finally:
        con.close()
    assert rows == {3: "games scheduled, and none of the input exists", 4: None, 5: None,
                    6: "games scheduled, and none of the input exists"}, rows


def test_phase_5_at_11_et_with_feature_rows_is_ready(warehouses):
    get, work = warehouses
    # given the same morning: features written at 10:30
    code, decision = _gate(get("no_batch"), 5, work)
    # then phase 5 may run: its input is there
    assert code == 0 and decision["decision"] == "ready", decision


def test_phase_6_at_11_et_with_predictions_is_ready(warehouses):
    get, work = warehouses
    # given tonight's batch consolidated by 10:00 ET
    code, decision = _gate(get("predicted"), 6, work)
    # then phase 6 may export (exit 0), with nothing blocking and everything evaluated
    assert code == 0 and decision["decision"] == "ready" and decision["blocking"] == [], decision
    assert decision["unknown"] == {}


@long_suite("make test's no-batch gate shows PRD-06 naming every team before the deadline; "
            "test_shapes.py judges a team never requested (PRD-06:team_not_requested)")
def test_phase_6_at_11_et_with_a_team_never_requested_names_the_team(warehouses):
    get, work = warehouses
    # given every team predicted but one, whose players the coordinator never requested
    db = get("team_missing")
    team = get.missing_team["team"]
    code, decision = _gate(db, 6, work)
    # then phase 6 is held, naming that team (PRD-06 at error before the deadline too)
    assert code == 1, decision
    prd06 = next(b for b in decision["blocking"] if b["invariant_id"] == "PRD-06")
    assert prd06["rows_for_date"] == 1 and prd06["sample"][0]["team_abbr"] == team
    # and the input row does not block: tonight has predictions, for 13 of 14 teams
    assert "PRC-02" not in {b["invariant_id"] for b in decision["blocking"]}


def test_gate_date_is_refused_outside_the_gate(tmp_path):
    # given an operator who passes the gate's var to a run (it would judge a night before
    # its deadline, and alert on it)
    result = CliRunner().invoke(main, ["run", "--database", str(tmp_path / "w.duckdb"),
                                       "--vars", "{gate_date: '2026-01-16'}"], catch_exceptions=False)
    # then it is a named usage error (exit 2) before anything runs
    assert result.exit_code == 2 and "gate_date is set by `props-contracts gate --date D` only" in result.output
