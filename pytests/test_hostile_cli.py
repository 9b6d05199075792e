"""Careless and hostile command lines: each is a one-line named error with exit 2,
never a traceback, never unbounded work. No dbt is run: these fail before it."""

from __future__ import annotations

import json

import duckdb
import pytest
from click.testing import CliRunner

from conftest import record_run
from props_contracts.cli import main
from props_contracts.records import ContractResult
from props_contracts.warehouse import DuckDBWarehouse


def _invoke(args, env=None):
    return CliRunner().invoke(main, args, env=env or {})


@pytest.mark.parametrize("args, message", [
    (["simulate", "--days", "100000"], "--days must be between 1 and 1500"),
    (["simulate", "--days", "0"], "--days must be between 1 and 1500"),
    (["simulate", "--start", "0001-01-01"], "--start must be between 2000-01-01"),
    (["simulate", "--end", "9999-12-31"], "--end must be between"),
    (["simulate", "--start", "2026-13-01"], "--start must be a date"),
    (["simulate", "--as-of", "yesterday"], "--as-of must be a UTC timestamp"),
    (["simulate", "--as-of", "0002-01-01 00:00:00"], "--as-of must be between 2000 and 2100"),
    (["simulate", "--start", "2020-01-01", "--as-of", "2026-01-01 00:00:00", "--days", "3"],
     "more than 1500 days after --end"),
    (["simulate", "--inject", "PRD-99"], "--inject: no fault for PRD-99"),
    (["simulate", "--seed", "-1"], "Invalid value for '--seed'"),
    (["run", "--lookback-days", "0"], "--lookback-days must be between 1 and 3660"),
    (["run", "--lookback-days", "99999"], "--lookback-days must be between 1 and 3660"),
    (["run", "--select", "  "], "--select is empty"),
    (["run", "--target", "snowflake"], "Invalid value for '--target'"),
    (["run", "--as-of", "2026-01-16; drop table x"], "--as-of must be a UTC timestamp"),
    (["gate", "--phase", "3", "--date", "2026-01-15'; --"], "--date must be a date"),
    (["report", "--runs", "1e20"], "Invalid value for '--runs'"),
    (["report", "--runs", "0"], "Invalid value for '--runs'"),
    (["demo", "--days", "100000"], "Invalid value for '--days'"),
    (["bench", "--days", "two"], "--days must be comma-separated whole numbers"),
])
def test_bad_arguments_are_named_errors(tmp_path, args, message):
    result = _invoke([*args, *(["--database", str(tmp_path / "w.duckdb")]
                               if args[0] in ("simulate", "run", "gate", "report", "demo") else [])])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("env, message", [
    ({"PROPS_JOB_DEADLINE_SECONDS": "nan"}, "PROPS_JOB_DEADLINE_SECONDS must be between 5 and 86400"),
    ({"PROPS_JOB_DEADLINE_SECONDS": "soon"}, "PROPS_JOB_DEADLINE_SECONDS must be a number"),
    ({"PROPS_BQ_TIMEOUT_SECONDS": "-1", "PROPS_TARGET": "bq_emulator"}, "PROPS_BQ_TIMEOUT_SECONDS must be between"),
    ({"PROPS_BQ_PROJECT": "my project; drop", "PROPS_TARGET": "bigquery"}, "is not a GCP project id"),
    ({"PROPS_BQ_PROJECT": "nba-props", "PROPS_BQ_DATASET": "x`; drop", "PROPS_TARGET": "bigquery"},
     "is not a dataset name"),
    ({"PROPS_BQ_PROJECT": "nba-props", "PROPS_BQ_METHOD": "magic", "PROPS_TARGET": "bigquery"},
     "PROPS_BQ_METHOD must be oauth or service-account"),
])
def test_bad_settings_are_named_errors(tmp_path, env, message):
    result = _invoke(["report", "--output", str(tmp_path / "r.html")], env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_simulate_into_something_that_is_not_a_duckdb_file_or_cannot_be_created(tmp_path):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    bad = _invoke(["simulate", "--days", "1", "--quiet", "--database", str(not_db)])
    assert bad.exit_code == 2 and "cannot write the warehouse" in bad.output
    (tmp_path / "file").write_text("x")
    nowhere = _invoke(["simulate", "--days", "1", "--quiet", "--database", str(tmp_path / "file" / "w.duckdb")])
    assert nowhere.exit_code == 2 and "cannot write the warehouse" in nowhere.output


def test_simulate_with_only_a_start_ends_where_it_should(tmp_path):
    db = tmp_path / "w.duckdb"
    result = _invoke(["simulate", "--start", "2026-01-01", "--days", "2", "--quiet", "--database", str(db)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db))
    newest = con.execute("select max(decision_at) from nba_orchestration.workflow_decisions").fetchone()[0]
    con.close()
    assert newest.date().isoformat() <= "2026-01-04"  # heartbeats stop at the end, not at today


def test_report_to_an_unwritable_path_and_a_state_of_the_wrong_shape(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    wh = DuckDBWarehouse(db)
    record_run(wh, [ContractResult("test.x.orc02", "orc_02", "ORC-02", None, "error", "pass", 0, "", None)])
    (tmp_path / "file").write_text("x")
    result = _invoke(["report", "--database", str(db), "--output", str(tmp_path / "file" / "r.html")])
    assert result.exit_code == 2 and "cannot write the report" in result.output
    # an alert log of the wrong shape (a column missing) is a named error, not a traceback
    con = duckdb.connect(str(db))
    con.execute("create table props_contracts_audit.alert_log (x integer)")
    con.close()
    broken = _invoke(["alert", "--database", str(db), "--dry-run"])
    assert broken.exit_code == 2 and "DuckDB query failed" in broken.output and "Traceback" not in broken.output


@pytest.mark.parametrize("content", ["", "[]", '{"nodes": 5}', json.dumps({"nodes": {}, "sources": {}}),
                                     "not json at all"])
def test_check_pruning_on_a_manifest_of_the_wrong_shape_or_empty(tmp_path, content):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(content)
    result = _invoke(["check-pruning", "--manifest", str(manifest)])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "Traceback" not in result.output
