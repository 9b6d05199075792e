"""Issue 22 items 3 and 4: no contract outside the catalog; freshness is an invariant.

- a data test whose invariant ID is not in seeds/invariants.csv (or that has none and
  is not a key test) fails the parse by name: exit 2 from the CLI, and a plain
  `dbt build` fails too (the on-run-start check);
- a failing contract with an unknown ID or no ID shows in the summary, the report
  and the alert under its ID or its own name, never "N pass" beside it;
- a clean simulated week passes freshness at the demo's as_of; a stopped feed (one
  scraper path's newest days gone) fails FRS-01 with the path and its age, in a plain
  dbt invocation too, is announced with its ID to a real webhook on 127.0.0.1, and
  blocks the gate of the phase that reads it (and only that one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import AS_OF, ROOT, record_run, simulate
from elementary_support import cli_in_copy as _in_copy
from props_contracts.catalog import catalog_ids_macro, load_catalog
from props_contracts.cli import main
from props_contracts.records import ContractResult, FailingRow
from props_contracts.report import ReportData, render
from props_contracts.simulator.faults import FAULTS
from props_contracts.summary import render_summary
from props_contracts.warehouse import DuckDBWarehouse
from scenario import Webhook

PINNED = ["--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"]
CATALOG = load_catalog(ROOT)


def test_the_catalog_macro_is_the_catalog():
    # given the invariant IDs a plain dbt invocation checks tests against (a generated macro)
    # then it is exactly what `props-contracts invariants --macro` makes of seeds/invariants.csv
    text = (ROOT / "macros" / "catalog" / "contract_catalog.sql").read_text()
    assert text == catalog_ids_macro(CATALOG), (
        "macros/catalog/contract_catalog.sql is stale: run "
        "`props-contracts invariants --macro > macros/catalog/contract_catalog.sql`")


# -- no contract outside the catalog ------------------------------------------------------

@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """The project copied aside, with two tests outside the catalog: one with an ID
    the catalog lacks, one with none (not a key test). The checkout itself is never
    touched, so tests running beside this one parse the real project."""
    copy = tmp_path_factory.mktemp("project") / "repo"
    skip = shutil.ignore_patterns("target", "logs", ".warehouse", ".venv*", ".git", "dbt_packages", "__pycache__",
                                  "*.egg-info")
    for name in ("models", "macros", "tests", "seeds", "snapshots", "scripts"):
        shutil.copytree(ROOT / name, copy / name, ignore=skip)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(ROOT / name, copy / name)
    (copy / "tests" / "prd_99_new_contract.sql").write_text(
        "{{ config(meta={'invariant_id': 'PRD-99'}) }}\nselect game_date from {{ ref('int_games') }} where false\n")
    (copy / "tests" / "an_unlabelled_check.sql").write_text(
        "select game_date from {{ ref('int_games') }} where false\n")
    return copy




def test_a_test_outside_the_catalog_fails_the_parse_by_name(project_copy, tmp_path):
    db = tmp_path / "w.duckdb"
    simulate(db)
    for command in (["parse"], ["run", *PINNED, "--quiet"], ["gate", "--phase", "5", "--date", "2026-01-15", *PINNED]):
        # when a command that parses the project runs on it
        p = _in_copy(project_copy, command, db)
        out = p.stdout + p.stderr
        # then it exits 2, naming each test, its file and its bad or missing ID
        assert p.returncode == 2, (command, out[-3000:])
        assert "prd_99_new_contract (tests/prd_99_new_contract.sql): invariant_id 'PRD-99'" in out, command
        assert "an_unlabelled_check (tests/an_unlabelled_check.sql): no meta.invariant_id" in out, command
        assert "Traceback" not in out
        if command[0] == "run":  # and nothing was judged: every invariant unknown, none passing
            assert f"{len(CATALOG)} invariants: {len(CATALOG)} unknown" in p.stdout

    # when a plain `dbt build` runs the copy (no props-contracts on the path)
    env = {**os.environ, "DBT_PROFILES_DIR": str(project_copy), "PROPS_DUCKDB_PATH": str(db),
           "DBT_TARGET_PATH": str(project_copy / "target"), "DBT_LOG_PATH": str(project_copy / "logs")}
    dbt = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--vars",
                          f"{{as_of: '{AS_OF:%Y-%m-%d %H:%M:%S}'}}"], capture_output=True, text=True, env=env,
                         cwd=project_copy, timeout=600)
    out = dbt.stdout + dbt.stderr
    # then it fails before any node runs, naming the same tests
    assert dbt.returncode != 0, out[-3000:]
    assert "2 data test(s) outside the invariant catalog" in out
    assert "prd_99_new_contract (tests/prd_99_new_contract.sql)" in out and "PRD-99" in out
    assert "OK created" not in out


def _result(name, invariant_id, status="fail", failures=2):
    return ContractResult(f"test.props_contracts.{name}", name, invariant_id, None, "error", status, failures,
                          f"{name} checks something", None)


def test_a_failing_contract_without_a_catalog_id_is_shown_by_its_name_everywhere(tmp_path, monkeypatch):
    # given a recorded run where every catalog invariant passed, but a contract with an ID
    # the catalog lacks (PRD-99) and a key test without an ID both failed
    passing = [_result(f"ok_{i.lower()}", i, "pass", 0) for i in CATALOG]
    stray, key = _result("prd_99_new_contract", "PRD-99"), _result("pk_fct_things", None)
    # (each failure's rows stored: a record whose rows do not add up is malformed, docs/reading-records.md)
    rows = [FailingRow(stray.unique_id, "PRD-99", "2026-01-14", 2, {"game_date": "2026-01-14", "team_abbr": team})
            for team in ("BOS", "NYK")]
    rows += [FailingRow(key.unique_id, None, "all", 2, {"thing_id": thing, "n_rows": 2}) for thing in ("t1", "t2")]
    duckdb.connect(str(tmp_path / "w.duckdb")).close()
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    rec = record_run(wh, [*passing, stray, key], rows)

    # when the summary is rendered, then both are there with their rows, and nothing claims all pass
    text = render_summary(rec, CATALOG)
    assert "FAIL    PRD-99  not in seeds/invariants.csv" in text and "prd_99_new_contract: 2 failing row(s)" in text
    assert "FAIL    pk_fct_things: 2 failing row(s)" in text and "team_abbr=BOS" in text
    last = [ln for ln in text.splitlines() if " invariants" in ln][-1]
    assert "(+1 outside the catalog)" in last and "1 fail" in last and "without an invariant ID" in last, last

    # when the report is rendered, then the FAIL card counts both and the page names them
    page = render(ReportData(rec), CATALOG, {"prd05_warn_min_coverage": 0.95, "prd05_error_min_coverage": 0.9})
    assert '<div class="card"><b>2</b><span class="badge fail">FAIL</span>' in page
    assert 'id="PRD-99"' in page and 'id="pk_fct_things"' in page and "team_abbr=BOS" in page

    # when `alert` runs against a real webhook, then each is announced with a title
    hook = Webhook()
    try:
        monkeypatch.setenv("PROPS_ALERT_WEBHOOK_URL", hook.url)
        result = CliRunner().invoke(main, ["alert", "--database", str(tmp_path / "w.duckdb")],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        sent = {a["invariant_id"]: a for a in hook.alerts()}
    finally:
        hook.close()
    assert set(sent) == {"PRD-99", "pk_fct_things"}, sent
    assert all(a["title"].strip() and a["kind"] == "open" for a in sent.values())
    assert "prd_99_new_contract" in sent["PRD-99"]["title"]


# -- freshness ----------------------------------------------------------------------------

def _stop_the_odds_scraper(db: Path) -> None:
    """The odds scraper stopped: its files, loads, runs and lines of the last four days are gone."""
    since = (AS_OF - timedelta(days=3)).date()
    con = duckdb.connect(str(db))
    for table, where in (("nba_orchestration.scraped_files", "file_path like '%/odds-api/player-props/%'"),
                         ("nba_orchestration.raw_batch_locks", "file_path like '%/odds-api/player-props/%'"),
                         ("nba_reference.processor_run_history", "processor_name = 'OddsApiPropsProcessor'")):
        con.execute(f"delete from {table} where {where} and data_date >= ?", [since])
    con.execute("delete from nba_raw.odds_api_player_props where game_date >= ?", [since])
    con.close()


def test_a_clean_week_is_fresh_and_a_stopped_scraper_pages_and_blocks_its_readers(tmp_path, monkeypatch):
    clean, stopped = tmp_path / "clean.duckdb", tmp_path / "stopped.duckdb"
    simulate(clean)
    shutil.copy(clean, stopped)
    _stop_the_odds_scraper(stopped)

    # given the stopped scraper, when a plain dbt invocation builds and judges freshness
    # (a data test: no props-contracts; first, while no dbt in this process holds a file)
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_DUCKDB_PATH": str(stopped)}
    dbt = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--select", "+tag:freshness",
                          "--vars", f"{{as_of: '{AS_OF:%Y-%m-%d %H:%M:%S}'}}",
                          "--target-path", str(tmp_path / "target-dbt"), "--log-path", str(tmp_path / "logs")],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    # then it fails the same rule, on the path and the table
    assert dbt.returncode == 1, (dbt.stdout + dbt.stderr)[-3000:]
    assert "FAIL 2 frs_01_scraper_feeds_fresh_error" in dbt.stdout

    # given a clean simulated week judged at the demo's as_of
    ok = CliRunner().invoke(main, ["run", "--database", str(clean), *PINNED, "--quiet"], catch_exceptions=False)
    # then every feed is fresh (and everything else passes)
    assert ok.exit_code == 0, ok.output[-3000:]
    assert f"{len(CATALOG)} invariants: {len(CATALOG)} pass" in ok.output
    for iid in ("FRS-01", "FRS-02", "FRS-03"):
        assert f"pass    {iid} " in ok.output

    # when the contracts run on the week whose odds scraper stopped
    week = stopped
    stale = CliRunner().invoke(main, ["run", "--database", str(week), *PINNED, "--quiet"], catch_exceptions=False)
    # then FRS-01 fails, naming the path and the table with their age against the limit, and nothing else fails
    assert stale.exit_code == 1, stale.output[-3000:]
    assert "FAIL    FRS-01" in stale.output
    assert "feed=odds-api/player-props" in stale.output and "feed=nba_raw.odds_api_player_props" in stale.output
    assert "error_hours=72" in stale.output
    failing = [ln.split()[1] for ln in stale.output.splitlines() if ln.startswith("  FAIL ")]
    # (and the consequences the fault names: its scheduled loads never ran, ABS-01, and the
    # path owed a file every game day, ABS-04; docs/expectations.md)
    assert sorted(failing) == sorted({"FRS-01", *FAULTS["FRS-01"].consequences}), failing

    # when alert runs against a real webhook on 127.0.0.1
    hook = Webhook()
    try:
        monkeypatch.setenv("PROPS_ALERT_WEBHOOK_URL", hook.url)
        sent = CliRunner().invoke(main, ["alert", "--database", str(week)], catch_exceptions=False)
        assert sent.exit_code == 0, sent.output
        alerts = hook.alerts()
    finally:
        hook.close()
    # then the stale feed is announced under its ID, with the path and its age
    [frs] = [a for a in alerts if a["invariant_id"] == "FRS-01"]
    assert frs["kind"] == "open" and frs["severity"] == "error" and frs["title"].startswith("Every scheduled scraper")
    assert any("feed=odds-api/player-props" in s and "age_hours=" in s for s in frs["sample"]), frs["sample"]

    # when the phases that read the odds (5) and that do not (3) ask the gate
    blocked = CliRunner().invoke(main, ["gate", "--phase", "5", "--date", "2026-01-15", "--database", str(week),
                                        *PINNED], catch_exceptions=False)
    # then phase 5 is held by FRS-01 and says which feed
    assert blocked.exit_code == 1, blocked.output[-3000:]
    assert "blocked by FRS-01 frs_01_scraper_feeds_fresh_error" in blocked.output
    assert "feed=nba_raw.odds_api_player_props" in blocked.output
    # and phase 3, which reads the schedule and box scores (fresh), is not held by the odds
    ready = CliRunner().invoke(main, ["gate", "--phase", "3", "--date", "2026-01-15", "--database", str(week),
                                      *PINNED], catch_exceptions=False)
    assert ready.exit_code == 0 and "READY" in ready.output, ready.output[-3000:]
