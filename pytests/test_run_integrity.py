"""Never a false all-clear: a run that dies says what it could not evaluate, and
alerts, gate and report read completed runs from the warehouse, not local files.
The same scenario through the CLI on the local BigQuery emulator gives the same
exit codes, alerts, gate decision and report as on DuckDB."""

from __future__ import annotations

import dataclasses
import difflib
import json
import pprint
import socket
import threading
import time
from datetime import datetime, timedelta

import duckdb
import pytest
from click.testing import CliRunner

from conftest import AS_OF, ROOT, long_suite, record_run, simulate
from emulator_support import PROJECT
from emulator_support import client as emulator_client
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import Retry
from props_contracts.alerts.engine import plan
from props_contracts.alerts.state import record_sent
from props_contracts.bq_load import load_into_bigquery
from props_contracts.catalog import load_catalog
from props_contracts.cli import DEMO_FAULTS, main
from props_contracts.records import ContractResult, FailingRow, latest_run
from props_contracts.schema import load_source_tables
from props_contracts.warehouse import DuckDBWarehouse
from scenario import Webhook, cli, run_scenario, shape


def test_a_broken_run_resolves_nothing_and_a_fixed_one_does(duckdb_demo_scenario):
    steps = {s.name: s for s in duckdb_demo_scenario[0]}

    # given a fault: the alert opens once (two alert runs at once, one from an empty
    # directory as a fresh container), naming the date and the team
    first = steps["alert after the fault"]
    assert first.exit_code == 0, first.stderr
    keys = [(a["kind"], a["invariant_id"], a["partition"]) for a in first.alerts]
    assert len(keys) == len(set(keys))  # nothing sent twice
    assert {k[1] for k in keys} == set(DEMO_FAULTS) - {"EXP-03"}  # EXP-03 only warns
    [prd06] = [a for a in first.alerts if a["invariant_id"] == "PRD-06"]
    assert prd06["kind"] == "open" and prd06["partition"] == "2026-01-10"
    assert "team_abbr=" in prd06["sample"][0]

    # when a source table is dropped, the run says what it could not evaluate, exits 2,
    # SCH-01 names the table, and unrelated invariants still report
    broken = steps["run with nbac_schedule dropped"]
    assert broken.exit_code == 2, broken.stderr[-2000:]
    assert "table_name=nba_raw.nbac_schedule" in broken.stdout
    # (PRD-06's teams come from the schedule, so with it gone PRD-06 cannot be evaluated;
    # PRD-07 reads only the predictions and still fails on the demo's copies)
    assert "FAIL    SCH-01" in broken.stdout and "UNKNOWN PRD-06" in broken.stdout
    assert "FAIL    PRD-07" in broken.stdout
    assert "UNKNOWN ING-04" in broken.stdout and "FAIL    ORC-01" in broken.stdout
    assert "pass    ORC-02" in broken.stdout
    assert "could not be evaluated" in broken.stderr and "nbac_schedule does not exist" in broken.stderr
    # the gate cannot tell (exit 2), in JSON on stdout
    gate = steps["gate phase 3"]
    assert gate.exit_code == 2
    decision = json.loads(gate.stdout)
    assert decision["decision"] == "could not tell" and "ING-04" in decision["unknown"]
    # and alert sends "could not evaluate", never "resolved", once despite two runs at once
    after_break = steps["alert after the broken run"]
    assert after_break.exit_code == 2
    kinds = {(a["kind"], a["invariant_id"]) for a in after_break.alerts}
    assert ("could not evaluate", "ING-04") in kinds and ("open", "SCH-01") in kinds
    assert not [a for a in after_break.alerts if a["kind"] == "resolved"]
    assert len(after_break.alerts) == len(set((a["kind"], a["invariant_id"], a["partition"])
                                              for a in after_break.alerts))
    # as ONE incident naming the dropped table: every "could not evaluate" and SCH-01's failure in it
    [incident] = after_break.incidents
    assert incident["key"] == "source:nba_raw.nbac_schedule" and incident["kind"] == "open"
    assert "nba_raw.nbac_schedule" in incident["title"] and "did not build" in incident["title"]
    assert {(m["invariant_id"], m["partition"]) for m in incident["members"]} == \
        {(a["invariant_id"], a["partition"]) for a in after_break.alerts}
    assert {a["incident"] for a in after_break.alerts} == {incident["key"]}

    # then with the table restored and the fault fixed, PRD-06 resolves and the rest is evaluated again
    assert steps["run restored and fixed"].exit_code == 0, steps["run restored and fixed"].stderr[-2000:]
    fixed = {(a["kind"], a["invariant_id"], a["partition"]) for a in steps["alert after the fix"].alerts}
    assert ("resolved", "PRD-06", "2026-01-10") in fixed and ("resolved", "SCH-01", "all") in fixed
    assert {k[1] for k in fixed if k[0] == "resolved"} >= set(DEMO_FAULTS) - {"EXP-03"}
    assert ("evaluated again", "ING-04", "not evaluated") in fixed
    # and the table's incident closes under the same key: evaluated again, not "resolved"
    [closed] = [i for i in steps["alert after the fix"].incidents if i["key"] == "source:nba_raw.nbac_schedule"]
    assert closed["kind"] == "evaluated again" and closed["still_open"] == 0
    assert steps["alert after the fix"].exit_code == 0
    assert steps["alert again"].alerts == [] and steps["alert again"].exit_code == 0
    assert steps["report"].exit_code == 0


def test_a_second_failing_date_of_an_open_invariant_is_announced(tmp_path):
    # given PRD-06 open for ATL on 2026-01-08
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    wh = DuckDBWarehouse(db)
    test = ContractResult("test.x.prd06", "prd_06_every_team_has_predictions", "PRD-06", "phase_5_predictions",
                          "error", "fail", 1, "", None)
    atl = FailingRow(test.unique_id, "PRD-06", "2026-01-08", 1, {"game_date": "2026-01-08", "team_abbr": "ATL"})
    chi = FailingRow(test.unique_id, "PRD-06", "2026-01-12", 1, {"game_date": "2026-01-12", "team_abbr": "CHI"})
    config = AlertConfig(retry=Retry(attempts=1))
    record_run(wh, [test], [atl])
    rec = latest_run(wh, "run", AS_OF)
    first = plan(wh, rec, config, load_catalog(ROOT), AS_OF)
    record_sent(wh, first, rec.run_id, ["webhook"], AS_OF, "test")  # as if delivered
    # when the next run also finds CHI missing on 2026-01-12
    record_run(wh, [dataclasses.replace(test, failures=2)], [atl, chi],
               started_at=datetime.utcnow() + timedelta(seconds=1))
    rec = latest_run(wh, "run", AS_OF)
    second = plan(wh, rec, config, load_catalog(ROOT), AS_OF + timedelta(hours=1))
    # then the new date is announced, naming CHI, and the open one is not repeated
    assert [(e.kind, e.partition) for e in first] == [("open", "2026-01-08")]
    assert [(e.kind, e.partition) for e in second] == [("open", "2026-01-12")]
    assert "team_abbr=CHI" in second[0].sample[0]


def test_run_with_a_selection_that_matches_nothing_exits_2(tmp_path):
    db = tmp_path / "w.duckdb"
    simulate(db)
    result = CliRunner().invoke(main, ["run", "--database", str(db), "--select", "nosuch", "--quiet",
                                       "--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"])
    assert result.exit_code == 2
    assert "matched no contract" in result.output


def _black_hole():
    """A TCP listener that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held = []

    def accept():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return  # the listener was closed: the test is over
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.getsockname()[1]}"


@pytest.mark.parametrize("env, limit", [
    ({"PROPS_BQ_TIMEOUT_SECONDS": "3"}, 20),  # the bounded preflight
    ({"PROPS_BQ_TIMEOUT_SECONDS": "600", "PROPS_JOB_DEADLINE_SECONDS": "6"}, 20),  # the job's total deadline
])
def test_a_bigquery_endpoint_that_never_answers_exits_2_within_the_deadline(tmp_path, env, limit):
    srv, endpoint = _black_hole()
    try:
        t0 = time.monotonic()
        p = cli(["run", "--target", "bq_emulator", "--quiet"], {"PROPS_BQ_EMULATOR_ENDPOINT": endpoint, **env},
                cwd=tmp_path)
        elapsed = time.monotonic() - t0
    finally:
        srv.close()
    assert p.returncode == 2, p.stderr
    assert elapsed < limit
    assert "did not answer" in p.stderr or "deadline" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_bigquery_settings_missing_are_named(tmp_path):
    no_project = cli(["run", "--target", "bigquery"], {"PROPS_BQ_PROJECT": ""}, cwd=tmp_path)
    assert no_project.returncode == 2 and "PROPS_BQ_PROJECT is not set" in no_project.stderr
    no_key = cli(["run", "--target", "bigquery"], {"PROPS_BQ_PROJECT": "nba-props-platform",
                                                    "PROPS_BQ_METHOD": "service-account", "PROPS_BQ_KEYFILE": ""},
                 cwd=tmp_path)
    assert no_key.returncode == 2 and "PROPS_BQ_KEYFILE is not set" in no_key.stderr
    bad_key = tmp_path / "key.json"
    bad_key.write_text("{}")
    not_a_key = cli(["report", "--target", "bigquery"],
                    {"PROPS_BQ_PROJECT": "nba-props-platform", "PROPS_BQ_METHOD": "service-account",
                     "PROPS_BQ_KEYFILE": str(bad_key)}, cwd=tmp_path)
    assert not_a_key.returncode == 2 and "is not a service-account key file" in not_a_key.stderr
    for p in (no_project, no_key, not_a_key):
        assert "Traceback" not in p.stderr


@long_suite("make test proves the BigQuery path by one fault per phase on the emulator "
            "(test_bigquery_emulator.py) and the plain-dbt record read back from it; this replays "
            "the whole CLI scenario there, step by step, in about 5 minutes")
def test_the_demo_scenario_matches_duckdb_on_the_emulator(emulator, tmp_path, duckdb_demo_scenario):
    # given the demo's week loaded into the emulator
    db = tmp_path / "w.duckdb"
    simulate(db, inject=DEMO_FAULTS)
    client = emulator_client(emulator)
    tables = load_source_tables(ROOT / "models")
    load_into_bigquery(client, PROJECT, db, tables)

    def restore():
        simulate(db)
        load_into_bigquery(client, PROJECT, db, tables)

    # when the run-integrity scenario goes through the real CLI on the bq_emulator target
    hook = Webhook()
    try:
        steps = run_scenario(["--target", "bq_emulator"],
                             {"PROPS_BQ_EMULATOR_ENDPOINT": emulator, "PROPS_BQ_EMULATOR_PROJECT": PROJECT},
                             hook, tmp_path, lambda: client.delete_table(f"{PROJECT}.nba_raw.nbac_schedule"),
                             restore)
    finally:
        hook.close()
    # then exit codes, alert payloads, the summary's failing entities, the gate's decision
    # and the report's failing rows are the same as on DuckDB
    duck_steps, duck_work = duckdb_demo_scenario
    on_bq, on_duck = shape(steps, tmp_path), shape(duck_steps, duck_work)
    for bq_step, duck_step in zip(on_bq, on_duck, strict=True):
        diff = "\n".join(difflib.unified_diff(pprint.pformat(duck_step, width=150).splitlines(),
                                               pprint.pformat(bq_step, width=150).splitlines(),
                                               "duckdb", "bq_emulator", lineterm="", n=1))
        assert bq_step == duck_step, diff
    assert any(a["partition"] == "2026-01-10" and a["invariant_id"] == "PRD-06" for a in steps[1].alerts)
    # and the clean week (restored, fault fixed) passes on the emulator, every contract evaluated
    restored = next(s for s in steps if s.name == "run restored and fixed")
    assert restored.exit_code == 0, restored.stdout + restored.stderr
    assert "UNKNOWN" not in restored.stdout
