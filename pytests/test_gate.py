"""props-contracts gate: 0 ready, 1 not ready, 2 could not tell; JSON for orchestrators."""

from __future__ import annotations

import json
from datetime import date

import duckdb
from click.testing import CliRunner

from conftest import AS_OF, simulate
from props_contracts.cli import main

AS_OF_ARG = f"{AS_OF:%Y-%m-%d %H:%M:%S}"


def _gate(db, phase, day, *extra):
    return CliRunner().invoke(main, ["gate", "--phase", str(phase), "--date", day, "--database", str(db),
                                     "--as-of", AS_OF_ARG, *extra], catch_exceptions=False)


def test_gate_blocks_only_the_date_whose_input_is_incomplete(tmp_path):
    # given a week where a fifth of one night's teams have no box scores (ING-04)
    db = tmp_path / "w.duckdb"
    simulate(db, inject=("ING-04",))
    con = duckdb.connect(str(db))
    bad_day = con.execute("""select game_date from nba_orchestration.raw_batch_locks l
        join nba_raw.bdl_player_boxscores b on b.source_file_path = l.file_path
        group by game_date, rows_reported having count(*) < rows_reported""").fetchone()[0]
    good_day = con.execute("select max(game_date) from nba_raw.bdl_player_boxscores").fetchone()[0]
    con.close()
    assert isinstance(bad_day, date) and bad_day != good_day
    # when an orchestrator asks whether phase 3 may run for the broken night
    blocked = _gate(db, 3, bad_day.isoformat(), "--json")
    # then it is told no (exit 1), why, and for which teams
    assert blocked.exit_code == 1, blocked.output
    decision = json.loads(blocked.stdout)  # stdout is the JSON alone; dbt's output goes to stderr
    assert decision["ready"] is False and decision["decision"] == "not ready"
    # ING-04 (the ratio, and the teams with no box scores at all) and PRC-02 (phase 3's
    # input for that night, judged now: below prc02_min_input_coverage)
    assert {b["invariant_id"] for b in decision["blocking"]} == {"ING-04", "PRC-02"}
    assert all(b["sample"][0]["game_date"] == bad_day.isoformat() for b in decision["blocking"])
    # and another night is ready (exit 0)
    ok = _gate(db, 3, good_day.isoformat())
    assert ok.exit_code == 0, ok.output
    assert "READY" in ok.output


def test_gate_cannot_tell_without_a_warehouse_or_for_an_unknown_phase(tmp_path):
    missing = _gate(tmp_path / "missing.duckdb", 3, "2026-01-15")
    assert missing.exit_code == 2 and "run `props-contracts simulate` first" in missing.output
    db = tmp_path / "w.duckdb"
    simulate(db)
    unknown = _gate(db, 9, "2026-01-15")
    assert unknown.exit_code == 2 and "no gate for phase 9" in unknown.output
