"""The declared expectations (docs/expectations.md): seeds a team edits, validated
before any contract runs, and judged against what happened (ABS-01..04, EXP-03).

Given / when / then. The seed validation runs in Python (no dbt), then through the
CLI and a plain `dbt seed` in a copy of the project with one malformed row. One
simulated week across the March day-light change carries a fault and its benign
twin of each kind, judged by one `props-contracts run` on real DuckDB.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from props_contracts.expectations import (
    MACRO_PATH,
    ExpectationsError,
    expectations_macro,
    load_expectations,
    validate_project,
)
from props_contracts.schema import load_source_tables
from props_contracts.simulator.shapes import Recipe, apply_recipe
from props_contracts.simulator.world import ET, UTC, build_world, et
from props_contracts.simulator.writer import write_duckdb

RUNS = "nba_reference.processor_run_history"
DLQ = "nba_orchestration.pubsub_dlq_metrics"


# -- the seeds -------------------------------------------------------------------------------

def _copy_seeds(tmp: Path) -> Path:
    (tmp / "seeds").mkdir(parents=True)
    for name in ("pipeline_schedule", "pipeline_processors", "dlq_subscriptions", "scraper_feeds", "pipeline_phases"):
        shutil.copy(ROOT / "seeds" / f"{name}.csv", tmp / "seeds" / f"{name}.csv")
    shutil.copy(ROOT / "dbt_project.yml", tmp / "dbt_project.yml")
    return tmp


def _edit(root: Path, seed: str, key: str, column: str, value: str | None, add: dict | None = None) -> None:
    path = root / "seeds" / f"{seed}.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for r in rows:
        if r[fields[0]] == key and value is not None:
            r[column] = value
    if add:
        rows.append({**rows[0], **add})
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def test_an_absence_row_is_keyed_by_the_date_it_is_owed_for_and_shows_the_job_and_since_when():
    # an ABS-01 failing row (fct_scheduled_job_runs): alerts open it for its date, and the
    # summary line names the job, the processor and since when the run is owed
    from props_contracts.failures import KEY_COLUMNS
    from props_contracts.records import partition_of
    row = {"job_name": "daily-yesterday-analytics", "run_for_date": "2026-01-10", "game_id": "",
           "processor_name": "PlayerGameSummaryProcessor", "missing_since": "2026-01-11 12:30:00"}
    assert partition_of(row) == "2026-01-10"
    assert {"job_name", "run_for_date", "processor_name", "missing_since"} <= set(KEY_COLUMNS)


def test_the_readmes_schedule_table_is_the_seed():
    from props_contracts.expectations import schedule_markdown
    table = schedule_markdown(validate_project(ROOT)).strip("\n")
    assert table in (ROOT / "README.md").read_text(), \
        "README.md's schedule table is stale: paste `props-contracts expectations --markdown`"


def test_the_project_seeds_are_valid_and_the_macro_is_generated_from_them():
    exp = validate_project(ROOT)
    assert {j.job_name for j in exp.jobs} >= {"daily-yesterday-analytics", "grading-daily", "self-heal-predictions",
                                              "phase6-tonight-picks"}
    # seed 001's timeline
    times = {j.job_name: j.local_time for j in exp.jobs}
    assert (times["daily-yesterday-analytics"], times["grading-daily"], times["self-heal-predictions"],
            times["phase6-tonight-picks"]) == ("06:30", "11:00", "12:45", "13:00")
    assert set(exp.dlqs) == {"phase2-raw-complete-dlq", "phase3-analytics-complete-dlq", "prediction-request-dlq-sub"}
    assert (ROOT / MACRO_PATH).read_text() == expectations_macro(exp), \
        "run `props-contracts expectations --macro > macros/expectations/declared_expectations.sql`"


@pytest.mark.parametrize(("seed", "key", "column", "value", "add", "named"), [
    ("pipeline_schedule", "grading-daily", "processors", "GradingProcessorV9", None, "unknown processor 'GradingProcessorV9'"),
    ("pipeline_schedule", "grading-daily", "local_time", "11", None, "local_time must be a local time HH:MM"),
    ("pipeline_schedule", "grading-daily", "local_time", "24:00", None, "got '24:00'"),
    ("pipeline_schedule", "grading-daily", "local_time", "11:00; drop table x", None, "local time HH:MM"),
    ("pipeline_schedule", "grading-daily", "grace_minutes", "1441", None, "grace_minutes must be a whole number in [0, 1440]"),
    ("pipeline_schedule", "grading-daily", "grace_minutes", "-5", None, "got '-5'"),
    ("pipeline_schedule", "grading-daily", "phase_tag", "phase_9", None, "unknown phase_tag 'phase_9'"),
    ("pipeline_schedule", "grading-daily", "runs_for", "weekly", None, "unknown runs_for 'weekly'"),
    ("pipeline_schedule", "post-game-box-scores", "local_time", "02:00", None, "must be empty for each_final_game"),
    ("pipeline_schedule", "grading-daily", "processors", "BdlBoxscoresProcessor", None, "is on_demand"),
    ("pipeline_schedule", "grading-daily", "processors",
     "NbacScheduleProcessor OddsApiPropsProcessor MLFeatureStoreProcessor PredictionCoordinator SelfHealPredictions",
     None, "at most 4"),
    ("pipeline_schedule", "x", "job_name", None, {"job_name": "grading-daily"}, "duplicate job_name 'grading-daily'"),
    ("pipeline_processors", "x", "processor_name", None, {"processor_name": "PredictionCoordinator"},
     "duplicate processor_name"),
    ("pipeline_processors", "SelfHealPredictions", "runs_on", "hourly", None, "unknown runs_on 'hourly'"),
    ("dlq_subscriptions", "phase2-raw-complete-dlq", "sample_interval_minutes", "0", None,
     "sample_interval_minutes must be a whole number in [1, 1440]"),
    ("dlq_subscriptions", "x", "subscription_name", None, {"subscription_name": "phase2-raw-complete-dlq"},
     "duplicate subscription_name"),
    ("scraper_feeds", "odds-api/player-props", "due_local_time", "9:30", None, "due_local_time must be a local time"),
    ("scraper_feeds", "odds-api/player-props", "due_day_offset", "2", None, "unknown due_day_offset '2'"),
])
def test_a_malformed_row_is_a_named_error(tmp_path, seed, key, column, value, add, named):
    root = _copy_seeds(tmp_path)
    _edit(root, seed, key, column, value, add)
    with pytest.raises(ExpectationsError) as err:
        load_expectations(root)
    assert named in str(err.value)
    assert f"seeds/{seed}.csv line " in str(err.value)


def test_an_undeclared_grading_job_is_a_named_error():
    with pytest.raises(ExpectationsError, match="exp03_grading_job is 'grading-nightly', which is not a job"):
        validate_project(ROOT, {"exp03_grading_job": "grading-nightly"})


@pytest.fixture(scope="module")
def malformed_project(tmp_path_factory) -> Path:
    """A copy of the project whose schedule names a processor nobody declared."""
    copy = tmp_path_factory.mktemp("project") / "props"
    ignore = shutil.ignore_patterns(".venv*", "target", ".warehouse", "logs", ".git", "dbt_packages", "site",
                                    "__pycache__", "*.egg-info")
    shutil.copytree(ROOT, copy, ignore=ignore)
    _edit(copy, "pipeline_schedule", "grading-daily", "processors", "GradingProcessorV9")
    return copy


def _in_copy(copy: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy / "scripts"), "DBT_PROFILES_DIR": str(copy),
           "DBT_TARGET_PATH": str(copy / "target"), "DBT_LOG_PATH": str(copy / "logs"),
           "PROPS_DUCKDB_PATH": str(copy / "w.duckdb")}
    return subprocess.run(args, capture_output=True, text=True, cwd=copy, env=env, timeout=300)


def test_the_cli_refuses_a_malformed_seed_before_any_contract_runs(malformed_project):
    code = "from props_contracts.cli import main; main()"
    listed = _in_copy(malformed_project, [sys.executable, "-c", code, "expectations"])
    assert listed.returncode == 2, listed.stderr
    assert "seeds/pipeline_schedule.csv line" in listed.stderr and "unknown processor 'GradingProcessorV9'" in listed.stderr
    assert "Traceback" not in listed.stderr
    db = str(malformed_project / "w.duckdb")
    made = _in_copy(malformed_project, [sys.executable, "-c", code, "simulate", "--start", "2026-01-15", "--end",
                                        "2026-01-15", "--as-of", "2026-01-16 17:00:00", "--database", db, "--quiet"])
    assert made.returncode == 0, made.stderr
    run = _in_copy(malformed_project, [sys.executable, "-c", code, "run", "--database", db,
                                       "--as-of", "2026-01-16 17:00:00", "--quiet"])
    assert run.returncode == 2
    assert "unknown processor 'GradingProcessorV9'" in run.stdout + run.stderr
    assert "UNKNOWN ABS-01" in run.stdout and "pass    " not in run.stdout  # nothing judged


def test_a_plain_dbt_invocation_refuses_a_seed_edited_since_its_validation(malformed_project):
    dbt = str(Path(sys.executable).with_name("dbt"))
    out = _in_copy(malformed_project, [dbt, "seed", "--select", "pipeline_schedule"])
    assert out.returncode != 0
    assert "seeds/pipeline_schedule.csv changed since it was validated" in out.stdout
    assert "props-contracts expectations --macro" in out.stdout


# -- the simulator keeps the declared schedule ---------------------------------------------------

@pytest.mark.parametrize("as_of_et", [
    datetime(2026, 1, 16, 5, 0), datetime(2026, 1, 16, 9, 45), datetime(2026, 1, 16, 12, 0),
    datetime(2026, 1, 16, 23, 50),
    datetime(2026, 3, 9, 7, 45), datetime(2026, 11, 2, 13, 40),  # the day after each day-light change
])
def test_a_clean_world_meets_every_expectation_due_at_its_as_of(as_of_et):
    """Whatever the hour it is judged at, every job due by then ran: the world is simulated
    up to as_of (the tail), each job at its declared local time (no dbt: the rule in Python)."""
    exp = load_expectations(ROOT)
    as_of = as_of_et.replace(tzinfo=ET).astimezone(UTC).replace(tzinfo=None)
    end = as_of_et.date() - timedelta(days=2)
    world = build_world(11, end - timedelta(days=6), end, as_of)
    games = {**world.games, **world.tail_games}
    ok = {(r["processor_name"], r["data_date"]) for r in world.rows(RUNS)
          if r["status"] == "success" and r["started_at"] <= as_of}
    checked = 0
    for j in exp.jobs:
        for day, slate in games.items():
            if j.runs_for == "each_final_game":
                dues = [g.end + timedelta(minutes=j.grace_minutes) for g in slate]
            elif j.runs_for == "today" or slate:
                hh, mm = map(int, j.local_time.split(":"))
                run_day = day + timedelta(days=1) if j.runs_for == "yesterday" else day
                dues = [et(run_day, hh, mm) + timedelta(minutes=j.grace_minutes)]
            else:
                dues = []
            for due in dues:
                if due <= as_of:
                    checked += 1
                    assert all((p, day) in ok for p in j.processors), (j.job_name, day, due)
    assert checked > 50


# -- expected vs actual, through the CLI --------------------------------------------------------

START, END = date(2026, 3, 5), date(2026, 3, 11)  # the day-light change is 2026-03-08
AS_OF = datetime(2026, 3, 12, 16, 0)  # 12:00 EDT


def _run_of(world, processor: str, day: date) -> dict:
    return next(r for r in world.rows(RUNS) if r["processor_name"] == processor and r["data_date"] == day)


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """One week with a fault and its benign twin of each kind, judged by `props-contracts run`."""
    work = tmp_path_factory.mktemp("expectations")
    db = work / "w.duckdb"
    world = build_world(5, START, END, AS_OF)
    apply_recipe(world, Recipe(benign=["zero_game_night"], seed=3))
    dates = [d for d in world.game_dates() if d <= END - timedelta(days=1)]
    missing_day, failed_day, feed_day = dates[-1], dates[-2], dates[-3]
    # a scheduled job's every run removed for a date
    world.remove(RUNS, lambda r: r["processor_name"] == "PredictionCoordinator" and r["data_date"] == missing_day)
    # a job that only failed ...
    feat = _run_of(world, "MLFeatureStoreProcessor", failed_day)
    world.add(RUNS, **{**feat, "run_id": "feat_try1", "status": "failed", "records_processed": 0})
    feat.update(status="failed", records_processed=0)
    # ... and its twin: failed, then succeeded 20 minutes later
    ctx = _run_of(world, "UpcomingPlayerGameContextProcessor", failed_day)
    world.add(RUNS, **{**ctx, "run_id": "ctx_try1", "status": "failed", "records_processed": 0})
    ctx.update(started_at=ctx["started_at"] + timedelta(minutes=20), completed_at=ctx["completed_at"] + timedelta(minutes=20))
    # a registry processor that never ran
    world.add("nba_reference.processor_registry", path_prefix="ball-dont-lie/injuries", processor_name="BdlInjuriesProcessor",
              target_table="nba_raw.bdl_player_boxscores", phase=2, is_active=True, registered_at=AS_OF - timedelta(days=6))
    # a DLQ whose samples stop, and one sampled every 5 minutes with zeros
    world.remove(DLQ, lambda r: r["subscription_name"] == "phase3-analytics-complete-dlq"
                 and r["observed_at"] > AS_OF - timedelta(hours=5))
    at = AS_OF - timedelta(hours=30, minutes=-2)
    while at <= AS_OF:
        world.add(DLQ, subscription_name="prediction-request-dlq-sub", undelivered_messages=0, observed_at=at)
        at += timedelta(minutes=5)
    # a feed day missing (the odds file, its load and its run)
    files = {r["file_path"] for r in world.rows("nba_orchestration.scraped_files")
             if f"/odds-api/player-props/{feed_day:%Y-%m-%d}/" in r["file_path"]}
    world.remove("nba_orchestration.scraped_files", lambda r: r["file_path"] in files)
    world.remove("nba_orchestration.raw_batch_locks", lambda r: r["file_path"] in files)
    world.remove("nba_raw.odds_api_player_props", lambda r: r["game_date"] == feed_day)
    world.remove(RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] == feed_day)
    write_duckdb(world, load_source_tables(ROOT / "models"), db)
    zero_day = next(d for d in sorted(world.games) if START < d < END and not world.games[d])
    out = subprocess.run([str(Path(sys.executable).with_name("props-contracts")), "run", "--database", str(db),
                          "--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"], capture_output=True, text=True, timeout=900,
                         env={**os.environ, "DBT_PROFILES_DIR": str(ROOT)})
    con = duckdb.connect(str(db), read_only=True)
    yield dict(out=out, con=con, missing_day=missing_day, failed_day=failed_day, feed_day=feed_day, zero_day=zero_day)
    con.close()


def _rows(judged, sql: str) -> list[tuple]:
    return judged["con"].sql(sql).fetchall()


def test_each_absence_fails_at_error_naming_the_job_or_entity(judged):
    out = judged["out"]
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-2000:]
    for inv in ("ABS-01", "ABS-02", "ABS-03", "ABS-04"):
        assert f"FAIL    {inv}" in out.stdout, inv
    missing = _rows(judged, "select job_name, run_for_date, missing_since from props_contracts_marts.fct_scheduled_job_runs "
                            "where is_missing order by 1, 2")
    jobs = {(j, d) for j, d, _ in missing}
    assert ("prediction-coordinator", judged["missing_day"]) in jobs
    assert ("ml-feature-store", judged["failed_day"]) in jobs  # only failed: no run
    assert ("odds-api-player-props", judged["feed_day"]) in jobs  # the feed's load never ran either
    assert ("upcoming-player-game-context", judged["failed_day"]) not in jobs  # failed, then succeeded
    assert len(jobs) == 3, missing
    assert all(since is not None for _, _, since in missing)
    assert _rows(judged, "select processor_name from props_contracts_marts.fct_processor_run_windows where is_missing") \
        == [("BdlInjuriesProcessor",)]
    gaps = _rows(judged, "select subscription_name, is_open from props_contracts_intermediate.int_dlq_sample_gaps")
    assert gaps == [("phase3-analytics-complete-dlq", True)]  # the 5-minute sampler passes
    feeds = _rows(judged, "select path_prefix, data_date from props_contracts_marts.fct_feed_deliveries where is_missing")
    assert feeds == [("odds-api/player-props", judged["feed_day"])]


def test_a_night_without_games_expects_only_the_daily_scrape(judged):
    owed = _rows(judged, "select distinct job_name from props_contracts_marts.fct_scheduled_job_runs "
                         f"where run_for_date = '{judged['zero_day']}'")
    assert owed == [("nbac-schedule-morning",)]
    assert _rows(judged, "select path_prefix from props_contracts_marts.fct_feed_deliveries "
                         f"where data_date = '{judged['zero_day']}'") == [("nba-com/schedule",)]


def test_local_times_are_converted_at_each_dates_own_offset(judged):
    due = dict(_rows(judged, "select run_for_date, scheduled_at from props_contracts_marts.fct_scheduled_job_runs "
                             "where job_name = 'nbac-schedule-morning'"))
    assert due[date(2026, 3, 7)] == datetime(2026, 3, 7, 11, 0)  # 06:00 EST
    assert due[date(2026, 3, 9)] == datetime(2026, 3, 9, 10, 0)  # 06:00 EDT


def test_grading_sla_follows_the_declared_grading_job(judged):
    """EXP-03: due at 11:00 ET the next day + 60 minutes grace, not 6 h after the game."""
    rows = _rows(judged, "select game_date, min(grading_due_at), max(grading_due_at), bool_and(is_graded_within_sla) "
                         "from props_contracts_marts.fct_game_grading_latency group by 1 order by 1")
    assert rows, "no final game judged"
    for game_date, first, last, ok in rows:
        noon = et(game_date + timedelta(days=1), 12, 0)
        assert first == last == noon, (game_date, first)
        assert ok, game_date
    assert "pass    EXP-03" in judged["out"].stdout
