"""Shared fixtures: simulated warehouses and real dbt runs on DuckDB.

Every scenario gets its own DuckDB file and its own dbt artifacts directory, so
scenarios never share state and two can run at once.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from props_contracts import project_root
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.runner import run_contracts
from props_contracts.schema import load_source_tables
from props_contracts.simulator.faults import apply_faults
from props_contracts.simulator.world import build_world
from props_contracts.simulator.writer import write_duckdb

ROOT = project_root()

# `make test` runs on 2 pytest-xdist workers. Each worker (and every CLI it starts)
# gets its own dbt artifacts directory and default warehouse file, so two runs of
# the CLI never read each other's manifest or wait on each other's DuckDB lock.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    os.environ["DBT_TARGET_PATH"] = str(ROOT / "target" / f"pytest-{WORKER}")
    os.environ["PROPS_DUCKDB_PATH"] = str(ROOT / ".warehouse" / f"pytest-{WORKER}.duckdb")
    # dbt rotates dbt.log: two processes rotating one file lose each other's copies
    os.environ["DBT_LOG_PATH"] = str(ROOT / "logs" / f"pytest-{WORKER}")

# `make test` hands out whole files (--dist loadfile: a module fixture runs once).
# The longest files first (seconds of a serial run, roughly): a worker gets the
# next file when it runs dry, so the long ones must not come last.
HEAVY_FIRST = ("test_run_integrity", "test_fault_matrix", "test_shapes", "test_bigquery_emulator",
               "test_contracts", "test_run_exit_codes", "test_plain_dbt_record", "test_alerts", "test_typed_vars",
               "test_staging_and_merge", "test_report", "test_incidents_and_digest")


def pytest_collection_modifyitems(config, items):
    """The heaviest files first; file order otherwise (the sort is stable)."""
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rsplit(".", 1)[-1], len(rank)))


# `make matrix` sets PROPS_LONG_SUITES=1: the scenarios that repeat, slowly, what a
# test of `make test` already proves (docs/testing.md says which and why). Without
# it they are skipped, and pytest's summary says so: never silently left out.
LONG_SUITES = os.environ.get("PROPS_LONG_SUITES") == "1"


def long_suite(why: str):
    return pytest.mark.skipif(not LONG_SUITES, reason=f"long suite, in `make matrix` (PROPS_LONG_SUITES=1): {why}")


END = date(2026, 1, 15)
START = date(2026, 1, 9)
AS_OF = datetime(2026, 1, 16, 17, 0)  # noon ET the day after END
# The per-date analyst marts: incremental by game date, they keep the dates that left the window.
DAILY_MARTS = ("fct_prediction_coverage_by_team", "fct_prediction_coverage_by_date", "fct_boxscore_coverage_by_date",
               "fct_feature_completeness_by_date", "fct_grading_latency_by_date",
               "fct_game_phase_latency", "fct_phase_latency_by_date", "fct_pipeline_reconciliation_by_date")
# The same, per day the runs started (run_date) instead of game date.
RUN_DATE_MARTS = ("fct_processor_durations_by_date",)


def simulate(db: Path, seed: int = 7, inject: tuple[str, ...] = (), start: date = START,
             end: date = END, as_of: datetime = AS_OF) -> dict[str, int]:
    world = build_world(seed, start, end, as_of)
    apply_faults(world, list(inject))
    return write_duckdb(world, load_source_tables(ROOT / "models"), db)


def settings_for(db: Path, artifacts: Path, as_of: datetime = AS_OF, **vars_) -> DbtSettings:
    return DbtSettings(project_dir=ROOT, duckdb_path=db, artifacts_dir=artifacts, log_path=artifacts / "logs",
                       quiet=True,
                       vars={"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", **vars_})


def run_scenario(workdir: Path, seed: int = 7, inject: tuple[str, ...] = ()):
    """Simulate, build, test; returns the contract results."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "warehouse.duckdb"
    simulate(db, seed=seed, inject=inject)
    return run_contracts(settings_for(db, workdir / "target")).results


@pytest.fixture
def dbt_factory(tmp_path):
    def make(db: Path, **vars_) -> Dbt:
        return Dbt(settings_for(db, tmp_path / "target", **vars_))
    return make


def record_run(wh, results, rows=(), started_at: datetime | None = None, exit_code: int | None = None,
               invariants: dict | None = None):
    """Write a run record by hand (no dbt): for alert tests that need a given outcome.
    The exit code, unless given, is the one a run would have: readers check it."""
    import uuid

    from props_contracts.records import RunRecord, invariant_status, write_run

    if exit_code is None:
        exit_code = 2 if any(r.status == "unknown" for r in results) else int(
            any(r.status == "fail" and r.severity == "error" for r in results))

    started_at = started_at or datetime.utcnow().replace(microsecond=0)
    by_inv: dict = {}
    for r in results:
        if r.invariant_id:
            by_inv.setdefault(r.invariant_id, []).append(r)
    rec = RunRecord(str(uuid.uuid4()), "run", "duckdb", started_at, started_at, AS_OF, None, AS_OF.date(), "",
                    exit_code, "", results=list(results), rows=list(rows),
                    invariants=invariants or {i: (invariant_status(rs), "error", "") for i, rs in by_inv.items()})
    write_run(wh, rec)
    return rec


@pytest.fixture(scope="session")
def duckdb_demo_scenario(tmp_path_factory):
    """The run-integrity scenario on DuckDB with the demo's faults, once per session
    (test_run_integrity asserts on it; the emulator test compares against it)."""
    import duckdb

    from props_contracts.cli import DEMO_FAULTS
    from scenario import Webhook, run_scenario

    work = tmp_path_factory.mktemp("duckdb_scenario")
    db = work / "w.duckdb"
    simulate(db, inject=DEMO_FAULTS)

    def drop():
        con = duckdb.connect(str(db))
        con.execute("drop table nba_raw.nbac_schedule")
        con.close()

    hook = Webhook()
    try:
        steps = run_scenario(["--database", str(db)], {}, hook, work, drop, lambda: simulate(db))
    finally:
        hook.close()
    return steps, work


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """The local BigQuery emulator's endpoint (emulator_support.py)."""
    from emulator_support import running_emulator

    with running_emulator(tmp_path_factory.mktemp("bqemu")) as endpoint:
        yield endpoint
