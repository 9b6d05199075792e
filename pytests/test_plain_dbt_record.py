"""One run record, whichever command ran the contracts: a plain `dbt build` / `dbt test`
(real dbt in a subprocess, as a scheduler runs it) leaves the record `props-contracts run`
leaves, and alert, report read it alike; a newer dbt invocation that left no record
makes them say so and exit 2; the CLI's own dbt calls write no second record.

One simulated week, one sequence of real commands (the fixture); each test asserts
on what one step left behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import AS_OF, ROOT, simulate
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from props_contracts.records import (
    ALL_TABLES,
    HISTORY,
    ROWS_PER_PARTITION,
    RUNS,
    ContractResult,
    bound_rows,
    record_tables_macro,
)
from props_contracts.warehouse import _DUCKDB_DDL, DuckDBWarehouse, to_json
from scenario import PINNED, Webhook, cli

DBT = str(Path(sys.executable).parent / "dbt")
VARS = ["--vars", json.dumps({"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}"})]
AUDIT = "props_contracts_audit"


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _newest_run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"select * from {AUDIT}.contract_runs order by started_at desc, finished_at desc limit 1")
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    finally:
        con.close()


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The sequence: a faulty week (PRD-06), plain `dbt build`, alert; a plain
    `dbt test --select`; the fault fixed, plain `dbt build`, alert, report; a plain
    `dbt run`, alert and report; then `props-contracts run`, alert."""
    work = tmp_path_factory.mktemp("plain_dbt")
    db = work / "w.duckdb"
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_DUCKDB_PATH": str(db),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("PROPS_CONTRACTS_CLI", None)  # a plain dbt invocation, as a scheduler starts it
    hook = Webhook()
    cli_env = {"PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_ATTEMPTS": "2",
               "PROPS_ALERT_BACKOFF_SECONDS": "0.05", "DBT_TARGET_PATH": str(work / "target"),
               "DBT_LOG_PATH": str(work / "logs")}  # one artifacts directory: dbt's partial parse is reused
    at = ["--database", str(db)]
    out: dict = {"db": db}

    def dbt(name: str, *args: str) -> None:
        p = subprocess.run([DBT, *args, *VARS], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        out[name] = p
        out[name + " invocation"] = json.loads((work / "target" / "run_results.json").read_text())[
            "metadata"]["invocation_id"]

    def step(name: str, *args: str) -> None:
        before = len(hook.alerts())
        out[name] = cli(list(args), cli_env)
        out[name + " alerts"] = hook.alerts()[before:]

    def read(name: str, *args: str) -> None:
        """A reader that sends nothing, in this process (no interpreter start)."""
        out[name] = CliRunner().invoke(main, list(args))

    try:
        simulate(db, inject=("PRD-06",))
        # the run table as an earlier release made it: the hook must add the columns declared since
        con = duckdb.connect(str(db))
        con.execute(f"create schema if not exists {AUDIT}")
        con.execute(f"create table {AUDIT}.contract_runs ("
                    + ", ".join(f"{c} {_DUCKDB_DDL[t]}" for c, t in RUNS.columns if c not in RUNS.added) + ")")
        con.close()
        dbt("build with PRD-06", "build")
        out["record after the faulty build"] = _newest_run(db)
        rid = out["record after the faulty build"]["run_id"]
        out["results"] = {r[0]: r[1:] for r in _rows(
            db, f"select name, status, reason, invariant_id from {AUDIT}.contract_run_results where run_id = '{rid}'")}
        out["invariants"] = {r[0]: r[1:] for r in _rows(
            db, f"select invariant_id, status, reason from {AUDIT}.contract_run_invariants where run_id = '{rid}'")}
        out["failing rows"] = _rows(db, f"select unique_id, partition_date, partition_rows, row_index, row_json "
                                        f"from {AUDIT}.contract_failing_rows where run_id = '{rid}' "
                                        "order by unique_id, row_index")
        # the same rows as the CLI reads them: each failing test's compiled query, in Python
        wh = DuckDBWarehouse(db)
        expected = []
        for uid, name in _rows(db, f"select unique_id, name from {AUDIT}.contract_run_results "
                                   f"where run_id = '{rid}' and status in ('fail', 'warn') order by unique_id"):
            [sql] = list((work / "target" / "compiled").rglob(f"{name}.sql"))
            result = ContractResult(uid, name, None, None, "error", "fail", 0, "", None,
                                    failing_sql=sql.read_text())
            for i, fr in enumerate(bound_rows(result, wh.query(result.failing_rows_query(1000))), 1):
                expected.append((uid, None if fr.partition == "all" else fr.partition, fr.partition_rows, i,
                                 to_json(fr.row)))
        out["failing rows in Python"] = expected
        step("alert after the faulty build", "alert", *at)

        dbt("test one contract", "test", "--select", "prd_06_every_team_has_predictions")
        out["record of the selection"] = _newest_run(db)
        sid = out["record of the selection"]["run_id"]
        out["selection invariants"] = _rows(db, f"select invariant_id, status from {AUDIT}.contract_run_invariants "
                                                f"where run_id = '{sid}'")

        simulate(db)  # the fault fixed
        dbt("build fixed", "build")
        out["record after the fixed build"] = _newest_run(db)
        step("alert after the fix", "alert", *at)
        step("report", "report", *at, "--output", str(work / "report.html"))
        out["report page"] = (work / "report.html").read_text()

        dbt("plain dbt run", "run", "--select", "stg_nba_exports__export_runs")
        read("alert after dbt run", "alert", *at, "--dry-run")
        read("report after dbt run", "report", *at, "--output", str(work / "stale.html"))
        out["stale page"] = (work / "stale.html").read_text()

        out["records before the CLI run"] = _rows(db, f"select count(*) from {AUDIT}.contract_runs")[0][0]
        # (one contract, as few dbt nodes as the CLI path needs: it is the linking that counts)
        step("cli run", "run", *at, *PINNED, "--quiet", "--select", "prd_06_every_team_has_predictions")
        out["records after the CLI run"] = _rows(db, f"select command, count(*) from {AUDIT}.contract_runs "
                                                     "group by command order by command")
        out["cli links"] = _rows(db, f"select count(*) from {AUDIT}.contract_run_invocations as i "
                                     f"inner join {AUDIT}.contract_runs as r on r.run_id = i.run_id "
                                     "where r.command = 'run'")[0][0]
        read("alert after the CLI run", "alert", *at, "--dry-run")
    finally:
        hook.close()
    return out


def test_a_plain_build_on_a_faulty_week_records_the_run_and_alert_opens_it(plain):
    # given a week with PRD-06 injected, when a plain `dbt build` ran it
    assert plain["build with PRD-06"].returncode == 1, plain["build with PRD-06"].stdout[-3000:]
    rec = plain["record after the faulty build"]
    # then the hook wrote the run record, as the CLI computes it: the whole catalog, unknown -> 2
    assert rec["command"] == "dbt build" and rec["run_id"] == plain["build with PRD-06 invocation"]
    assert rec["selection"] == "" and rec["invariants_expected"] == len(load_catalog(ROOT))
    assert rec["exit_code"] == 2 and rec["outcome"] == "unknown"
    assert str(rec["as_of"]) == f"{AS_OF:%Y-%m-%d %H:%M:%S}"
    assert plain["invariants"]["PRD-06"][0] == "fail"
    found = re.search(r"Found .* (\d+) data tests", plain["build with PRD-06"].stdout)
    assert found and len(plain["results"]) == int(found.group(1))  # every data test dbt found
    assert rec["contracts_expected"] == len(plain["results"])  # and the run row counts them
    # and the alert, to a real webhook, opens PRD-06 for the date, naming the team
    step = plain["alert after the faulty build"]
    opened = [a for a in plain["alert after the faulty build alerts"] if a["kind"] == "open"]
    assert [(a["invariant_id"], a["partition"]) for a in opened] == [("PRD-06", "2026-01-10")], step.stdout
    assert "team_abbr=" in opened[0]["sample"][0]
    assert "(dbt build," in step.stdout
    assert step.returncode == 2  # PRD-05 could not be evaluated under it (next test)


def test_a_test_skipped_under_a_failing_one_is_unknown_with_the_reason(plain):
    # given PRD-06 failed in the build, the coverage mart below it was skipped, and with it PRD-05
    status, reason, _ = plain["results"]["prd_05_prediction_coverage_error"]
    assert status == "unknown"
    assert reason == ("skipped: an upstream test failed in this dbt build (prd_06_every_team_has_predictions)")
    assert plain["invariants"]["PRD-05"] == ("unknown", reason)
    # and alert says so: "could not evaluate", never a pass
    kinds = {(a["kind"], a["invariant_id"]) for a in plain["alert after the faulty build alerts"]}
    assert ("could not evaluate", "PRD-05") in kinds


def test_failing_rows_are_bounded_and_written_as_python_writes_them(plain):
    # the hook's rows are the Python reader's: same query, grouping, bound, order and JSON
    assert plain["failing rows"] and plain["failing rows"] == plain["failing rows in Python"]
    assert all(json.loads(r[4]) for r in plain["failing rows"])
    per_date: dict = {}
    for uid, partition, _, _, _ in plain["failing rows"]:
        per_date[(uid, partition)] = per_date.get((uid, partition), 0) + 1
    assert max(per_date.values()) <= ROWS_PER_PARTITION


def test_a_selection_records_only_its_invariants(plain):
    assert plain["test one contract"].returncode == 1
    rec = plain["record of the selection"]
    assert rec["command"] == "dbt test" and rec["selection"] == "--select prd_06_every_team_has_predictions"
    assert plain["selection invariants"] == [("PRD-06", "fail")]
    assert rec["invariants_expected"] == 1 and rec["exit_code"] == 1


def test_a_plain_build_after_the_fix_resolves_and_the_report_renders_it(plain):
    assert plain["build fixed"].returncode == 0, plain["build fixed"].stdout[-3000:]
    rec = plain["record after the fixed build"]
    assert rec["exit_code"] == 0 and rec["invariants_unknown"] == 0
    kinds = {(a["kind"], a["invariant_id"], a["partition"]) for a in plain["alert after the fix alerts"]}
    assert ("resolved", "PRD-06", "2026-01-10") in kinds
    assert ("evaluated again", "PRD-05", "not evaluated") in kinds
    assert plain["alert after the fix"].returncode == 0, plain["alert after the fix"].stderr
    assert plain["report"].returncode == 0, plain["report"].stderr
    assert f"run <code>{rec['run_id'][:8]}</code>\n(<code>dbt build</code>)" in plain["report page"]
    assert 'class="warnline"' not in plain["report page"]


def test_a_newer_invocation_with_no_record_makes_alert_and_report_exit_2_naming_it(plain):
    # given a plain `dbt run` after the last record
    invocation = plain["plain dbt run invocation"]
    alert = plain["alert after dbt run"]
    # then alert and report name it, and exit 2
    assert alert.exit_code == 2, alert.output
    assert f"a newer dbt invocation {invocation} at " in alert.output and "left no run record" in alert.output
    report = plain["report after dbt run"]
    assert report.exit_code == 2 and invocation in report.output
    assert invocation in plain["stale page"] and "left no run record" in plain["stale page"]


def test_the_cli_path_writes_one_record_that_accounts_for_its_dbt_calls(plain):
    # given `props-contracts run` (it runs dbt build and dbt test itself)
    assert plain["cli run"].returncode == 0, plain["cli run"].stderr[-3000:]
    # then exactly one more record, the CLI's, linking its dbt invocations
    assert plain["records after the CLI run"] == [("dbt build", 2), ("dbt test", 1), ("run", 1)]
    assert plain["cli links"] >= 2
    # and alert reads it, and finds nothing stale: the CLI's own invocations are its record's
    alert = plain["alert after the CLI run"]
    assert alert.exit_code == 0, alert.output
    assert "(run," in alert.output and "stale" not in alert.output


def test_the_hooks_create_the_tables_records_py_declares():
    # the Jinja side reads the generated macro: it must be what records.py generates now
    generated = (ROOT / "macros" / "results" / "run_record_tables.sql").read_text()
    assert generated == record_tables_macro(), (
        "macros/results/run_record_tables.sql is out of date with records.py: regenerate it "
        "(the command is in its header)")
    for table in (*ALL_TABLES, HISTORY):
        cols = ", ".join(f"['{c}', '{t}']" for c, t in table.columns)
        assert f"'{table.name}': {{\n            'columns': [{cols}]," in generated
    assert all(f"'{k}': '{v}'" in generated for k, v in _DUCKDB_DDL.items())


def test_the_tables_a_plain_build_created_have_the_declared_columns(plain):
    # given the warehouse whose audit tables the hooks created (no CLI ran before the first build)
    types = {(t, c): d for t, c, d in _rows(
        plain["db"], "select table_name, column_name, lower(data_type) from information_schema.columns "
        f"where table_schema = '{AUDIT}' order by table_name, ordinal_position")}
    # then each has the columns and types records.py declares, in its order
    for table in (*ALL_TABLES, HISTORY):
        assert [(c, types.get((table.name, c))) for c, _ in table.columns] == [
            (c, _DUCKDB_DDL[t]) for c, t in table.columns], table.name
