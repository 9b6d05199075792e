"""Readers verify what they read (issue 22, items 8 and 9).

One simulated faulty week, recorded by two `props-contracts run`s started at
once in one checkout (through the CLI, as a scheduler starts them), then one
`alert` to a real webhook listener on 127.0.0.1 opens the failures. Each
malformed-record case is a copy of that DuckDB file, tampered with in SQL the
way a partial write, a hand edit or another writer could leave it; `alert` and
`report` then read it through the CLI. Never a resolution from a record that
cannot be trusted, always a named error and exit 2, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, settings_for, simulate
from elementary_support import copy_project
from props_contracts.alerts.engine import failures_of
from props_contracts.cli import unknown_why
from props_contracts.dbt import LOCK_FILE
from props_contracts.records import (
    FAILING_ROWS,
    INVARIANTS,
    LATEST_RUN_MAX_AGE,
    RESULTS,
    ROWS_NOT_AVAILABLE,
    RUNS,
    STATUSES,
    RecordError,
    RunRecord,
    load_run,
    parse_record,
)
from props_contracts.runner import run_contracts
from props_contracts.warehouse import _DUCKDB_DDL, DuckDBWarehouse
from scenario import CLI, PINNED, Webhook

AUDIT = "props_contracts_audit"
LATEST = f"(select run_id from {AUDIT}.contract_runs order by started_at desc limit 1)"
FAULTS = ("PRD-08", "PRD-06")


def _env(hook: Webhook, target: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DBT_TARGET_PATH": str(target), "PROPS_ALERT_WEBHOOK_URL": hook.url,
            "PROPS_ALERT_ATTEMPTS": "2", "PROPS_ALERT_BACKOFF_SECONDS": "0.05", **extra}


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([CLI, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _holder(target: Path) -> str:
    lock = target / LOCK_FILE
    return lock.read_text() if lock.is_file() else ""


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """A faulty week; two runs started at once in one checkout (one shared artifacts
    directory), a third that will not wait; then one alert that opens the failures."""
    work = tmp_path_factory.mktemp("readers")
    db, target = work / "w.duckdb", work / "target"
    simulate(db, inject=FAULTS)
    hook = Webhook()
    try:
        env = _env(hook, target)
        run = ["run", "--database", str(db), *PINNED, "--quiet"]
        first = _start(run, env)
        deadline = time.monotonic() + 300
        while f"pid {first.pid}," not in _holder(target):
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.1)
        second = _start(run, env)  # waits for the first (PROPS_ARTIFACTS_LOCK_WAIT_SECONDS, default 600 s)
        impatient = _start(run, {**env, "PROPS_ARTIFACTS_LOCK_WAIT_SECONDS": "0"})
        runs = [(p.communicate(timeout=900), p.returncode) for p in (first, second, impatient)]
        opened = subprocess.run([CLI, "alert", "--database", str(db)], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        yield {"db": db, "work": work, "runs": runs, "opened": opened, "alerts": hook.alerts(), "hook": hook}
    finally:
        hook.close()


def test_two_runs_at_once_both_record_and_a_third_refuses_by_name(week):
    (_, code1), (_, code2), ((_, err3), code3) = week["runs"]
    # then the two that waited each ran and recorded (the injected faults fail: exit 1)
    assert (code1, code2) == (1, 1), [e[-800:] for (_, e), _ in week["runs"][:2]]
    wh = DuckDBWarehouse(week["db"])
    recorded = wh.query(f"select run_id from {AUDIT}.contract_runs order by started_at")
    assert len({r["run_id"] for r in recorded}) == 2
    for r in recorded:  # and each record reads back whole
        assert load_run(wh, r["run_id"], datetime(2000, 1, 1)).exit_code == 1
    # and the one told not to wait refused by name, recording nothing, with no traceback
    assert code3 == 2
    assert "another props-contracts run is using" in err3 and "(pid " in err3 and "Traceback" not in err3
    for (_, err), _ in week["runs"]:
        assert "Traceback" not in err
    # and the alert on the newest record opened the failures
    assert week["opened"].returncode == 0, week["opened"].stderr
    assert {a["invariant_id"] for a in week["alerts"] if a["kind"] == "open"} == set(FAULTS)


# (case, SQL that tampers with the newest record or the alert log, what the error must name)
CASES = [
    ("failing rows of a failing contract deleted",
     f"delete from {AUDIT}.contract_failing_rows where run_id = {LATEST} and invariant_id = 'PRD-08'",
     "is incomplete: it failed on"),
    ("a status outside the vocabulary",
     f"update {AUDIT}.contract_run_results set status = 'PASS' where run_id = {LATEST} and status = 'fail'",
     "has status 'PASS' outside pass/warn/fail/unknown"),
    ("an invariant recorded as passing while its contract failed",
     f"update {AUDIT}.contract_run_invariants set status = 'pass' where run_id = {LATEST} "
     "and invariant_id = 'PRD-06'",
     "invariant PRD-06 is recorded 'pass' but its"),
    ("a failing contract's result deleted",
     f"delete from {AUDIT}.contract_run_results where run_id = {LATEST} and invariant_id = 'PRD-06' "
     "and status = 'fail'",
     "belongs to no failed or warned contract"),
    ("a passing contract's result deleted, its invariant's other contracts still there",
     f"delete from {AUDIT}.contract_run_results where run_id = {LATEST} and unique_id = (select min(unique_id) "
     f"from {AUDIT}.contract_run_results where run_id = {LATEST} and status = 'pass' and invariant_id in "
     f"(select invariant_id from {AUDIT}.contract_run_results where run_id = {LATEST} and status = 'pass' "
     "group by invariant_id having count(*) > 1))",
     "contract result(s) but"),
    ("a duplicated run row",
     f"insert into {AUDIT}.contract_runs select * from {AUDIT}.contract_runs where run_id = {LATEST}",
     "2 run rows in contract_runs"),
    ("a NULL exit code",
     f"update {AUDIT}.contract_runs set exit_code = null where run_id = {LATEST}",
     "has no exit_code"),
    ("an exit code outside 0, 1, 2",
     f"update {AUDIT}.contract_runs set exit_code = 7 where run_id = {LATEST}",
     "exit_code 7 is not one of 0, 1, 2"),
    ("a NULL started_at on the newest run row",
     f"update {AUDIT}.contract_runs set started_at = null where run_id = {LATEST}",
     "has no started_at"),
    ("a failing row that is not JSON",
     f"update {AUDIT}.contract_failing_rows set row_json = '{{not json' where run_id = {LATEST} "
     "and invariant_id = 'PRD-08'",
     "row_json is not a JSON object"),
    ("a run row with no results",
     f"delete from {AUDIT}.contract_run_results where run_id = {LATEST}; "
     f"delete from {AUDIT}.contract_run_invariants where run_id = {LATEST}; "
     f"delete from {AUDIT}.contract_failing_rows where run_id = {LATEST}",
     "invariant(s) but 0 are recorded"),
    ("an exit code of 0 over a failing record",
     f"update {AUDIT}.contract_runs set exit_code = 0 where run_id = {LATEST}",
     "exited 0 with an error-severity contract failing"),
    ("an alert-log row with a NULL time",
     f"update {AUDIT}.alert_log set sent_at = null where event_id = (select min(event_id) from {AUDIT}.alert_log)",
     "alert log"),
    ("an alert-log row of an unknown kind",
     f"update {AUDIT}.alert_log set kind = 'OPEN' where event_id = (select min(event_id) from {AUDIT}.alert_log)",
     "has kind 'OPEN' outside"),
]


def _tampered(week, tmp_path: Path, sql: str | None) -> Path:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(week["db"], db)
    if sql:
        con = duckdb.connect(str(db))
        con.execute(sql)
        con.close()
    return db


def test_an_untampered_copy_alerts_nothing_new_and_exits_0(week, tmp_path):
    # the control: the same copy, untouched, reads back fine
    db = _tampered(week, tmp_path, None)
    before = len(week["hook"].alerts())
    p = subprocess.run([CLI, "alert", "--database", str(db)], cwd=ROOT, env=_env(week["hook"], tmp_path / "t"),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and "nothing new to send" in p.stdout, p.stderr
    assert week["hook"].alerts()[before:] == []


@pytest.mark.parametrize(("case", "sql", "named"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_record_resolves_nothing_and_exits_2_by_name(week, tmp_path, case, sql, named):
    # given the recorded week with its failures open, and the newest record tampered with
    db = _tampered(week, tmp_path, sql)
    env = _env(week["hook"], tmp_path / "target")
    before = len(week["hook"].alerts())
    # when alert and report read it
    alert = subprocess.run([CLI, "alert", "--database", str(db)], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
    page = tmp_path / "report.html"
    report = subprocess.run([CLI, "report", "--database", str(db), "--output", str(page)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    # then nothing was sent (no resolution above all), and each exits 2 naming what is wrong
    sent = week["hook"].alerts()[before:]
    assert [a for a in sent if a["kind"] == "resolved"] == [] and sent == []
    readers = (alert,) if "alert-log" in case else (alert, report)  # the report reads no alert log
    for p in readers:
        assert p.returncode == 2, (case, p.returncode, p.stdout, p.stderr)
        assert named in p.stderr, (case, p.stderr)
        assert "Traceback" not in p.stderr
    if report in readers:  # and no older all-clear page is left standing
        assert "UNKNOWN: the latest run record cannot be trusted" in page.read_text()


# ---- the same verification as a property, without the CLI --------------------------------

@pytest.fixture(scope="module")
def raw_record(week):
    """The newest record's rows, as load_run reads them."""
    wh = DuckDBWarehouse(week["db"])
    [run] = wh.query(f"select * from {wh.audit(RUNS)} order by started_at desc limit 1")
    rid = {"run_id": run["run_id"]}
    tables = [wh.query(f"select * from {wh.audit(t)} where run_id = @run_id", rid)
              for t in (RESULTS, INVARIANTS, FAILING_ROWS)]
    return run, *tables


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.text(max_size=12).filter(lambda s: s not in STATUSES), column=st.sampled_from(["results",
                                                                                               "invariants"]))
def test_any_status_not_exactly_in_the_vocabulary_is_rejected(raw_record, status, column):
    run, results, invariants, rows = raw_record
    assert parse_record(run["run_id"], [run], results, invariants, rows).exit_code == 1  # as recorded: fine
    results, invariants = [dict(r) for r in results], [dict(r) for r in invariants]
    target = results if column == "results" else invariants
    target[0]["status"] = status
    with pytest.raises(RecordError, match="malformed"):
        parse_record(run["run_id"], [run], results, invariants, rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_contract_result_removed_makes_the_record_incomplete(raw_record, data):
    # whichever results are lost (a pass as much as a fail), the run row's count gives it away
    run, results, invariants, rows = raw_record
    keep = data.draw(st.lists(st.booleans(), min_size=len(results), max_size=len(results))
                     .filter(lambda k: not all(k)))
    with pytest.raises(RecordError, match="contract result"):
        parse_record(run["run_id"], [run], [r for r, k in zip(results, keep, strict=True) if k], invariants, rows)


def test_a_run_row_without_its_contract_count_is_malformed(raw_record):
    # a record whose count of contracts is missing (written by hand, or before the column
    # existed) cannot prove it is whole: malformed, by name
    run, results, invariants, rows = raw_record
    with pytest.raises(RecordError, match="has no contracts_expected"):
        parse_record(run["run_id"], [{**run, "contracts_expected": None}], results, invariants, rows)


def test_an_audit_table_made_before_a_column_was_added_gets_it(tmp_path):
    # given a contract_runs table as an earlier release created it (no contracts_expected), with a row
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    old = [c for c in RUNS.columns if c[0] not in RUNS.added]
    con.execute("create schema props_contracts_audit")
    con.execute(f"create table {AUDIT}.contract_runs ({', '.join(f'{c} {_DUCKDB_DDL[t]}' for c, t in old)})")
    con.execute(f"insert into {AUDIT}.contract_runs (run_id) values ('old')")
    con.close()
    # when the CLI's warehouse appends a run row of this release
    wh = DuckDBWarehouse(db)
    wh.append(RUNS, [{"run_id": "new", "contracts_expected": 3}])
    # then the column was added, the old row keeps NULL (so it reads as malformed), the new row its count
    got = {r["run_id"]: r["contracts_expected"] for r in wh.query(f"select * from {wh.audit(RUNS)}")}
    assert got == {"old": None, "new": 3}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_subset_of_a_failing_contracts_rows_removed_is_incomplete(raw_record, data):
    run, results, invariants, rows = raw_record
    keep = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)).filter(lambda k: not all(k)))
    with pytest.raises(RecordError, match="is incomplete: "):
        parse_record(run["run_id"], [run], results, invariants, [r for r, k in zip(rows, keep, strict=True) if k])


def test_the_exit_2_message_names_what_went_wrong_never_a_count_of_nothing():
    # given a run that exited 2 for a run problem, with every invariant evaluated
    now = datetime(2026, 1, 16, 17, 0)
    rec = RunRecord("r1", "run", "duckdb", now, now, now, None, now.date(), "", 2,
                    "dbt source freshness failed: connection refused")
    # then the message says that, and not "0 invariant(s) could not be evaluated"
    why = unknown_why(rec)
    assert "connection refused" in why and "0 invariant" not in why


# ---- item 9: a failing contract whose query cannot be re-run ------------------------------

UNREREADABLE = """\
{#- reads a temporary table of dbt's own connection, as Elementary's monitors do: a
    later connection (the run reading the failing rows back) cannot see it -#}
{{ config(meta={'invariant_id': 'PRD-08'}, tags=['phase_5_predictions']) }}
{%- if execute -%}
{%- do run_query("create or replace temp table pc_gone as select date '2026-01-12' as game_date, 'planted' as why") -%}
{%- endif -%}
select * from pc_gone
"""


def test_a_failing_contract_whose_rows_cannot_be_read_again_fails_with_rows_not_available(week, tmp_path):
    # given a project with a contract whose query reads a table gone by the time its rows are read
    project = copy_project(tmp_path / "project")
    (project / "tests" / "pc_unrereadable_rows.sql").write_text(UNREREADABLE)
    db = _tampered(week, tmp_path, None)
    settings_ = settings_for(db, tmp_path / "target")
    settings_.project_dir = project
    # when the run evaluates it
    outcome = run_contracts(settings_, select="pc_unrereadable_rows")
    # then it failed (exit 1: a contract failed), not broken (2), with the reason said
    [result] = outcome.results
    assert (outcome.exit_code, result.status) == (1, "fail"), (outcome.record.message, result.reason)
    assert result.reason.startswith(f"{ROWS_NOT_AVAILABLE}: its query could not be run again")
    assert outcome.record.message == ""
    # and the record reads back verified, and resolves nothing of PRD-08 (no dates known)
    rec = load_run(DuckDBWarehouse(db), outcome.record.run_id, datetime.utcnow() - LATEST_RUN_MAX_AGE)
    failures, resolvable = failures_of(rec, "error")
    assert [(f.invariant_id, f.partition) for f in failures] == [("PRD-08", "all")]
    assert "PRD-08" not in resolvable


# ---- item 9 with the real Elementary package (only where the hub packages are at hand) ----

PACKAGES = Path(os.environ["PROPS_DBT_PACKAGES_DIR"]).expanduser() if os.environ.get("PROPS_DBT_PACKAGES_DIR") else None
NEEDED = ("elementary", "dbt_utils", "dbt_expectations", "dbt_date")


@pytest.mark.slow
@pytest.mark.skipif(PACKAGES is None or not all((PACKAGES / n / "dbt_project.yml").is_file() for n in NEEDED),
                    reason="PROPS_DBT_PACKAGES_DIR does not hold the hub packages (docs/reading-records.md)")
def test_an_elementary_monitor_that_fires_reports_its_rows_from_elementary(tmp_path):
    from props_contracts.hub_packages import install_from_dir
    from props_contracts.runner import resolve_window

    # given a week ending last night (Elementary judges against the wall clock) with the
    # orchestration gap that Elementary's freshness monitor on workflow decisions catches
    project = copy_project(tmp_path / "project")
    install_from_dir(project, PACKAGES)
    db = tmp_path / "w.duckdb"
    start, end, as_of = resolve_window(None, None, None, None)
    simulate(db, inject=("ORC-01",), start=start, end=end, as_of=as_of)
    settings_ = settings_for(db, tmp_path / "target", as_of=as_of, elementary_enabled=True)
    settings_.project_dir = project
    # when the contracts run with the switch on
    outcome = run_contracts(settings_)
    # then the run is not broken: the gap fails (exit 1), and the monitor's rows are Elementary's anomalous buckets
    assert outcome.exit_code == 1 and outcome.record.message == "", outcome.record.message
    [monitor] = [r for r in outcome.results if r.name == "orc_01_workflow_decisions_freshness_anomalies_elementary"]
    assert monitor.status in ("warn", "fail") and monitor.reason == "", monitor.reason
    rows = outcome.record.rows_of(monitor.unique_id)
    assert rows and sum({fr.partition: fr.partition_rows for fr in rows}.values()) == monitor.failures
    assert all(fr.row.get("is_anomalous") is True and fr.partition != "all" for fr in rows)
    load_run(DuckDBWarehouse(db), outcome.record.run_id, datetime.utcnow() - LATEST_RUN_MAX_AGE)  # verifies
