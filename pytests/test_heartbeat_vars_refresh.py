"""Items 5-7 of issue 22, through the real CLI on one 28-night DuckDB warehouse:
the heartbeat a dead-man's switch hears, the staleness rule (SELF-01), `--vars`,
and the first full refresh filling the per-date marts with the whole history.
"""

from __future__ import annotations

import shutil
import socket
from datetime import timedelta

import duckdb
import pytest
from click.testing import CliRunner

from conftest import AS_OF, DAILY_MARTS, END, ROOT, simulate
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from scenario import PINNED, Webhook, cli

NIGHTS = 28
# every mart that keeps the season: the per-date marts and the predictions
SEASON_MARTS = (*DAILY_MARTS, "fct_player_prop_predictions")
TIGHT = f"{{as_of: '{AS_OF:%Y-%m-%d %H:%M:%S}', orc01_error_gap_hours: 0.01}}"


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """28 simulated nights, then the first run (--full-refresh), with a heartbeat listener."""
    work = tmp_path_factory.mktemp("season")
    db = work / "w.duckdb"
    simulate(db, start=END - timedelta(days=NIGHTS - 1))
    hook = Webhook()
    first = cli(["run", "--database", str(db), *PINNED, "--full-refresh", "--quiet"],
                {"PROPS_HEARTBEAT_URL": hook.url})
    yield db, work, hook, first
    hook.close()


def _dates(db, sql: str) -> set:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute(sql).fetchall()}
    finally:
        con.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_first_full_refresh_fills_every_per_date_mart_and_judges_the_window(season):
    db, _, _, first = season
    # given 28 nights in the sources; when the first run (--full-refresh) built the marts
    scheduled = _dates(db, "select distinct game_date from nba_raw.nbac_schedule")
    assert len(scheduled) >= NIGHTS - 1  # (a night without games has no row)
    # then every mart that keeps the season holds every finished game date the sources hold
    # (and no date the schedule lacks; today's, simulated up to as_of, has predictions but no
    # final game yet: docs/expectations.md)
    finished = _dates(db, "select distinct game_date from nba_raw.nbac_schedule where game_status = 3")
    assert len(finished) >= NIGHTS - 2
    for mart in SEASON_MARTS:
        held = _dates(db, f'select distinct game_date from "props_contracts_marts"."{mart}"')
        assert finished <= held <= scheduled, mart
    # while the per-game table the contracts judge (EXP-03) holds the window only
    per_game = _dates(db, 'select distinct game_date from "props_contracts_marts"."fct_game_grading_latency"')
    assert per_game and min(per_game) >= AS_OF.date() - timedelta(days=7)
    # and the contracts still judged the 7-day window, which a clean season passes
    assert first.returncode == 0, first.stderr[-2000:]
    n = len(load_catalog(ROOT))
    assert f"{n} invariants: {n} pass" in first.stdout
    window = _dates(db, "select window_start from props_contracts_audit.contract_runs")
    assert window == {AS_OF.date() - timedelta(days=7)}


def test_a_passing_run_pings_start_then_success_with_one_run_id(season):
    _, _, hook, _ = season
    paths = [path for path, _ in hook.requests]
    assert len(paths) == 2, paths
    start, end = paths
    rid = start.split("rid=")[1]
    assert start == f"/hooks/secret/start?rid={rid}" and end == f"/hooks/secret?rid={rid}"
    assert hook.requests[1][1]["exit_code"] == 0 and hook.requests[1][1]["outcome"] == "pass"


def test_a_tightened_var_fails_a_contract_and_a_dead_heartbeat_leaves_the_exit_code(season, tmp_path):
    db, _, _, first = season
    assert "  pass    ORC-01" in first.stdout  # passes at the default orc01_error_gap_hours
    # given the image's baked parse with the job's --vars, and a heartbeat URL nothing listens on
    env = {"DBT_TARGET_PATH": str(tmp_path / "target"),
           "PROPS_HEARTBEAT_URL": f"http://127.0.0.1:{_closed_port()}/ping", "PROPS_HEARTBEAT_TIMEOUT_SECONDS": "1"}
    baked = cli(["parse", "--database", str(db), "--vars", TIGHT], env)
    assert baked.returncode == 0, baked.stderr[-2000:]
    # when the run tightens ORC-01's gap limit with the same --vars
    run = cli(["run", "--database", str(db), "--select", "config.meta.invariant_id:ORC-01", "--vars", TIGHT], env)
    # then ORC-01 fails (exit 1, not 2: the dead heartbeat changed nothing), reusing the baked parse
    assert run.returncode == 1, run.stderr[-2000:]
    assert "  FAIL    ORC-01" in run.stdout
    assert "(reused)" in run.stderr
    # and the heartbeat's failure is said, loudly, for the start and the end
    assert run.stderr.count("error: HEARTBEAT NOT SENT") == 2
    assert "the run's exit code is not changed by this" in run.stderr
    assert "/ping" not in run.stderr  # the URL's path (a secret on healthchecks.io) is never printed


def test_a_broken_run_pings_fail(season, tmp_path):
    db, _, _, _ = season
    # given the season with a source table dropped (the workflow decisions ORC-01 reads)
    broken = tmp_path / "broken.duckdb"
    shutil.copy(db, broken)
    con = duckdb.connect(str(broken))
    con.execute("drop table nba_orchestration.workflow_decisions")
    con.close()
    hook = Webhook()
    try:
        # (a selection of contracts builds the models they read: last run's tables do not answer)
        run = cli(["run", "--database", str(broken), *PINNED, "--quiet", "--select", "config.meta.invariant_id:ORC-01"],
                  {"PROPS_HEARTBEAT_URL": hook.url})
    finally:
        hook.close()
    # then the run is unknown (2) and the switch heard /start, then /fail with that exit code
    assert run.returncode == 2, run.stderr[-2000:]
    assert "NOT EVALUATED" in run.stdout and "ORC-01" in run.stdout
    assert [p.split("?")[0] for p, _ in hook.requests] == ["/hooks/secret/start", "/hooks/secret/fail"]
    assert hook.requests[1][1]["exit_code"] == 2 and hook.requests[1][1]["outcome"] == "unknown"


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["run", "--vars", "[1, 2]"], {}, "--vars must be a YAML mapping"),
    (["run", "--vars", "{prd05_warn_min_coverge: 0.9}"], {}, "unknown var(s) 'prd05_warn_min_coverge'"),
    (["run", "--vars", "{orc01_error_gap_hours: '6'}"], {}, "invalid var orc01_error_gap_hours = '6'"),
    (["run", "--vars", "{lookback_days: .inf}"], {}, "invalid var lookback_days"),
    (["run", "--vars", "{a: [}"], {}, "--vars is not valid YAML"),
    (["run", "--lookback-days", "5"], {"PROPS_VARS": "{lookback_days: 9}"}, "disagree on lookback_days"),
    (["gate", "--phase", "3", "--date", "2026-01-12", "--vars", "{full_history: 'yes'}"], {}, "full_history"),
    (["parse", "--vars", "{sch02_max_rows: -1}"], {}, "invalid var sch02_max_rows"),
    (["alert", "--dry-run", "--max-run-age-hours", "nan"], {}, "--max-run-age-hours"),
    (["alert", "--dry-run", "--max-run-age-hours", "3", "--vars", "{max_run_age_hours: 4}"], {},
     "disagree on max_run_age_hours"),
    (["run"], {"PROPS_HEARTBEAT_URL": "ftp://hc-ping.example/uuid"}, "PROPS_HEARTBEAT_URL must be an https:// URL"),
    (["run"], {"PROPS_HEARTBEAT_URL": "http://hc-ping.example/uuid"}, "PROPS_HEARTBEAT_URL http://hc-ping.example"),
    (["run"], {"PROPS_HEARTBEAT_URL": "https://hc-ping.example/u", "PROPS_HEARTBEAT_TIMEOUT_SECONDS": "0"},
     "PROPS_HEARTBEAT_TIMEOUT_SECONDS must be between"),
])
def test_bad_vars_and_heartbeat_settings_are_named_errors(season, args, env, expected):
    db, _, _, _ = season
    result = CliRunner().invoke(main, [*args, "--database", str(db)], env=env)
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert "uuid" not in result.output  # a heartbeat URL's path is never echoed


def test_a_record_aged_past_the_limit_makes_alert_and_report_exit_2_saying_since_when(season):
    db, work, _, _ = season
    # given the newest run records, aged by 5 hours (the job stopped being scheduled)
    con = duckdb.connect(str(db))
    con.execute("update props_contracts_audit.contract_runs set started_at = started_at - interval 5 hour, "
                "finished_at = finished_at - interval 5 hour")
    newest = con.execute("select max(finished_at) from props_contracts_audit.contract_runs").fetchone()[0]
    con.close()
    hook = Webhook()
    env = {"PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_ATTEMPTS": "1"}
    try:
        # when alert runs (default limit: max_run_age_hours = 2)
        stale = cli(["alert", "--database", str(db)], env)
        again = cli(["alert", "--database", str(db)], env)
        report = cli(["report", "--database", str(db), "--output", str(work / "r.html")], env)
        before = len(hook.alerts())
        relaxed = cli(["alert", "--database", str(db), "--vars", "{max_run_age_hours: 24}"], env)
        after = hook.alerts()[before:]
    finally:
        hook.close()
    since = f"contracts have not run since {newest:%Y-%m-%d %H:%M} UTC (5 h "
    # then it exits 2 saying since when, and SELF-01 opens once at error severity
    assert stale.returncode == 2 and since in stale.stderr, stale.stderr
    self_alerts = [a for a in hook.alerts() if a["invariant_id"] == "SELF-01"]
    assert self_alerts[0]["kind"] == "open" and self_alerts[0]["severity"] == "error"
    assert since in self_alerts[0]["sample"][0]
    # and nothing resolves from the stale record; the second alert sends nothing new, still exit 2
    assert not [a for a in hook.alerts()[:before] if a["kind"] == "resolved"]
    assert again.returncode == 2 and "nothing new to send" in again.stdout
    # and the report says so on a banner and exits 2
    assert report.returncode == 2 and since in report.stderr
    assert since in (work / "r.html").read_text()
    # and a limit the record meets (same YAML as the run's --vars) resolves SELF-01
    assert ("resolved", "SELF-01") in [(a["kind"], a["invariant_id"]) for a in after]
    assert "have not run since" not in relaxed.stderr
