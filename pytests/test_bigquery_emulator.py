"""The same contracts on the BigQuery dialect and adapter, on the local emulator.

The emulator (bqemulator, in its own virtualenv .venv-bqemu made by `make
bq-emulator`) is started on free loopback ports, waited for, loaded with batch
load jobs and stopped by its own PID.
"""

from __future__ import annotations

import difflib
import os
import pprint
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import AS_OF, DAILY_MARTS, ROOT, settings_for, simulate
from props_contracts.bq_load import load_into_bigquery
from props_contracts.cli import DEMO_FAULTS
from props_contracts.dbt import Dbt
from props_contracts.pruning import (
    CheckedQuery,
    check_manifest,
    check_queries,
    load_manifest,
    relations_from_manifest,
)
from props_contracts.runner import run_contracts
from props_contracts.schema import load_source_tables
from scenario import Webhook, run_scenario, shape

PROJECT = "props-local"
EMULATOR_PYTHON = Path(os.environ.get("PROPS_BQEMU_PYTHON", ROOT / ".venv-bqemu" / "bin" / "python"))
# One fault per pipeline phase (tags in seeds/pipeline_phases.csv), injected together.
PER_PHASE = ("ING-01", "PRC-03", "PRC-05", "PRD-06", "PRD-07", "EXP-02", "ORC-01", "SCH-01")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    assert EMULATOR_PYTHON.exists(), f"{EMULATOR_PYTHON} missing: run `make bq-emulator`"
    rest, grpc = _free_port(), _free_port()
    log = (tmp_path_factory.mktemp("bqemu") / "emulator.log").open("w")
    proc = subprocess.Popen(
        [str(EMULATOR_PYTHON), str(ROOT / "scripts" / "bq_emulator" / "launch.py"), "start",
         "--rest-host", "127.0.0.1", "--rest-port", str(rest), "--grpc-host", "127.0.0.1",
         "--grpc-port", str(grpc), "--project", PROJECT, "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{rest}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/healthz", timeout=2):
                break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"emulator did not become healthy: {exc}; see {log.name}") from exc
            time.sleep(0.5)
    yield endpoint
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def _client(endpoint):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery
    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=endpoint))


def _on_emulator(endpoint, tmp_path, inject=(), merge_again=False):
    db = tmp_path / "w.duckdb"
    simulate(db, inject=inject)
    counts = load_into_bigquery(_client(endpoint), PROJECT, db, load_source_tables(ROOT / "models"))
    settings = settings_for(db, tmp_path / "target")
    settings.target = "bq_emulator"
    settings.extra_env = {"PROPS_BQ_EMULATOR_ENDPOINT": endpoint, "PROPS_BQ_EMULATOR_PROJECT": PROJECT}
    results = run_contracts(settings, full_refresh=True).results
    if merge_again:  # an incremental MERGE (with its incremental_predicates) on the emulator
        Dbt(settings).invoke(["run", "--select", "fct_player_prop_predictions", *DAILY_MARTS])
    return counts, results, settings


def _failing_error_ids(results):
    return sorted({r.invariant_id or r.name for r in results if r.failed and r.severity == "error"})


def test_clean_week_passes_on_the_bigquery_emulator(emulator, tmp_path):
    counts, results, settings = _on_emulator(emulator, tmp_path, merge_again=True)
    assert counts["nba_predictions.player_prop_predictions"] > 10_000
    assert len(results) > 100
    assert _failing_error_ids(results) == []
    assert not [r.name for r in results if r.status == "error"]

    # and every query the nightly job runs on BigQuery prunes its partitioned reads:
    # the project compiled by dbt-bigquery (incremental branch, as a daily run)
    merge_sql = next(settings.target_path.glob("run/**/fct_player_prop_predictions.sql")).read_text()
    Dbt(settings).invoke(["compile"])
    report = check_manifest(settings.target_path / "manifest.json")
    assert len(report.checked) > 130 and len(report.partitioned) >= 16
    assert [f.describe() for f in report.findings] == []
    # and the MERGE dbt really ran bounds its target's scan in the ON clause
    assert "merge into" in merge_sql
    relations = relations_from_manifest(load_manifest(settings.target_path / "manifest.json"))
    assert check_queries([CheckedQuery("the MERGE", merge_sql)], relations) == []
    # and so do the MERGEs of the per-date analyst marts, which keep the season
    for mart in DAILY_MARTS:
        mart_merge = next(settings.target_path.glob(f"run/**/{mart}.sql")).read_text()
        assert "merge into" in mart_merge and "DBT_INTERNAL_DEST.game_date >=" in mart_merge, mart
        assert check_queries([CheckedQuery(f"the MERGE of {mart}", mart_merge)], relations) == [], mart


def test_one_fault_per_phase_is_caught_by_the_same_ids_as_on_duckdb(emulator, tmp_path):
    _, on_emulator, _ = _on_emulator(emulator, tmp_path / "bq", inject=PER_PHASE)
    db = tmp_path / "duck.duckdb"
    simulate(db, inject=PER_PHASE)
    on_duckdb = run_contracts(settings_for(db, tmp_path / "duck_target")).results
    assert _failing_error_ids(on_emulator) == sorted(PER_PHASE)
    assert _failing_error_ids(on_emulator) == _failing_error_ids(on_duckdb)
    assert AS_OF.year == 2026  # the window both targets judged


def test_the_demo_scenario_matches_duckdb_on_the_emulator(emulator, tmp_path, duckdb_demo_scenario):
    # given the demo's week loaded into the emulator
    db = tmp_path / "w.duckdb"
    simulate(db, inject=DEMO_FAULTS)
    client = _client(emulator)
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
