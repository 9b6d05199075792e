"""One incident per root cause, and the morning digest (docs/incidents-and-digest.md).

One simulated week and ONE dbt build for the file: box scores missing for six
teams on 2026-01-15 (ING-04), with faults downstream on that date (PRC-03,
PRD-01, EXP-01; PRC-02 follows from the missing box scores). Alert and digest
run through the CLI against real loopback listeners and the SMTP server. The
grouping's resolution rules are checked on hand-written records (no dbt). The
dropped source table (one incident naming it) is asserted on the shared
run-integrity scenario (test_run_integrity.py), which drops one already.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from datetime import datetime, timedelta

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, record_run, simulate
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import Retry
from props_contracts.alerts.digest import build_digest
from props_contracts.alerts.engine import alert_cycle_incidents
from props_contracts.alerts.grouping import build_roots
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from props_contracts.records import ContractResult, FailingRow, latest_record
from props_contracts.simulator.faults import FAULTS
from props_contracts.warehouse import DuckDBWarehouse
from scenario import PINNED, Webhook, cli
from test_alerts import Inbox

DAY = "2026-01-15"
INJECTED = ("PRC-03", "PRD-01", "EXP-01")
# the night's box scores cut (PRC-02: a phase ran on short input), the faults injected on that
# night, and what those faults themselves break (PRD-01's lost write leaves PRD-04's gap)
DOWNSTREAM = {"PRC-02", *INJECTED, *(c for f in INJECTED for c in FAULTS[f].consequences)}
FAST = {"PROPS_ALERT_ATTEMPTS": "2", "PROPS_ALERT_BACKOFF_SECONDS": "0.05"}


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """The week, built and judged once."""
    work = tmp_path_factory.mktemp("incidents")
    db = work / "w.duckdb"
    simulate(db, inject=INJECTED)
    con = duckdb.connect(str(db))
    con.execute("delete from nba_raw.bdl_player_boxscores where game_date = ? and team_abbr in ("
                "select team_abbr from nba_raw.bdl_player_boxscores where game_date = ? "
                "group by team_abbr order by team_abbr limit 6)", [DAY, DAY])
    con.close()
    # the run through the CLI too: dbt in this process would hold the DuckDB file the CLIs below write
    p = cli(["run", "--database", str(db), *PINNED, "--quiet"], {})
    assert p.returncode == 1, p.stderr[-2000:]
    return db, latest_record(DuckDBWarehouse(db), datetime.utcnow())


@pytest.fixture(scope="module")
def alerted(week, tmp_path_factory):
    """`alert` through the CLI, twice, to a webhook, a Slack listener and a real SMTP server."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    hook, slack = Webhook(), Webhook()
    db, _ = week
    env = {**FAST, "PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_SLACK_WEBHOOK_URL": slack.url,
           "PROPS_ALERT_SMTP_HOST": "127.0.0.1", "PROPS_ALERT_SMTP_PORT": str(port),
           "PROPS_ALERT_EMAIL_TO": "oncall@example.com"}
    try:
        first = cli(["alert", "--database", str(db)], env)
        again = cli(["alert", "--database", str(db)], env)
        yield {"first": first, "again": again, "hook": list(hook.received), "slack": list(slack.received),
               "mail": list(inbox.messages), "env": env}
    finally:
        hook.close()
        slack.close()
        controller.stop()


def test_an_upstream_coverage_failure_and_its_downstream_failures_arrive_as_one_incident(alerted):
    first = alerted["first"]
    assert first.returncode == 0, first.stderr
    [payload] = alerted["hook"]
    incidents = {i["key"]: i for i in payload["incidents"]}
    # then ING-04's failure on the date is the incident, and the later phases failing that date are in it
    inc = incidents[f"ING-04|{DAY}"]
    assert inc["kind"] == "open" and inc["cause"] == "invariant"
    members = {m["invariant_id"]: m for m in inc["members"]}
    assert set(members) == {"ING-04"} | DOWNSTREAM
    assert all(members[i]["note"].startswith(f"likely caused by ING-04 {DAY}") for i in DOWNSTREAM)
    # and no other incident holds a failure of that date; every alert names its incident
    assert not [i for k, i in incidents.items() if k != inc["key"]
                for m in i["members"] if m["partition"] == DAY]
    assert {a["incident"] for a in payload["alerts"] if a["partition"] == DAY} == {inc["key"]}
    assert len(payload["alerts"]) == sum(len(i["members"]) for i in payload["incidents"])
    # Slack: one section for it, naming the cause beside each member, sent once
    [slack] = alerted["slack"]
    sections = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert len(sections) == len(incidents)
    [section] = [s for s in sections if f"ING-04|{DAY}" in s]
    assert section.count(f"likely caused by ING-04 {DAY}") == len(DOWNSTREAM)
    # e-mail: one message, the incident once
    [mail] = alerted["mail"]
    body = mail.get_payload(decode=True).decode()
    assert f"{len(incidents)} incidents" in mail["Subject"] and body.count(f"ING-04|{DAY} FAILING") == 1
    # and the next cycle sends nothing (each member is open, no reminder due)
    assert alerted["again"].returncode == 0 and "nothing new" in alerted["again"].stdout
    assert len(alerted["hook"]) == 1


def _marts(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        def rows(sql):
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return {str(r[0]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
        return {
            "box": rows("select game_date, teams_with_final_games, teams_with_boxscores, coverage, missing_teams "
                        "from props_contracts_marts.fct_boxscore_coverage_by_date"),
            "pred": rows("select game_date, teams_playing, teams_without_predictions, expected_players, "
                         "predicted_players, coverage, is_due from props_contracts_marts.fct_prediction_coverage_by_date"),
            "grade": rows("select game_date, final_games, games_graded_within_sla, median_latency_hours, "
                          "p95_latency_hours from props_contracts_marts.fct_grading_latency_by_date"),
            "exports": rows("select game_date, count(*) as n, sum(case when row_difference <> 0 then 1 else 0 end) "
                            "as mismatched from props_contracts_marts.fct_export_reconciliation group by 1"),
            "games": rows("select game_date, count(*) filter (where not is_postponed) as games, "
                          "count(*) filter (where is_expected_final) as due "
                          "from props_contracts_intermediate.int_games group by 1"),
            "breakers": con.execute(
                "select count(*) from props_contracts_staging.stg_nba_orchestration__reprocess_attempts "
                "where circuit_breaker_tripped and (circuit_breaker_until is null "
                "or circuit_breaker_until > timestamp '2026-01-16 17:00:00')").fetchone()[0],
        }
    finally:
        con.close()


def test_the_digest_dates_and_figures_equal_the_marts(week, alerted):
    db, rec = week
    hook, slack = Webhook(), Webhook()
    env = {**alerted["env"], "PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_SLACK_WEBHOOK_URL": slack.url,
           "PROPS_ALERT_SMTP_HOST": ""}
    try:
        p = cli(["digest", "--database", str(db)], env)
        dry = cli(["digest", "--database", str(db), "--dry-run"], env)
        [d], [s] = hook.received, slack.received
    finally:
        hook.close()
        slack.close()
    assert p.returncode == 0, p.stderr
    assert d["kind"] == "digest" and d["ok"] is True and d["problems"] == [] and d["self_01"] is None
    # every date of the run's window, from the clock
    days = [(rec.window_start + timedelta(days=i)).isoformat()
            for i in range((rec.window_end - rec.window_start).days + 1)]
    assert [x["game_date"] for x in d["dates"]] == days
    marts = _marts(db)
    for x in d["dates"]:
        day = x["game_date"]
        games = marts["games"].get(day, {"games": 0, "due": 0})
        assert (x["games"], x["games_due"]) == (games["games"], games["due"]), day
        box = marts["box"].get(day)
        assert (x["boxscores"] is None) == (box is None), day
        if box:
            assert {k: x["boxscores"][k] for k in ("teams_with_final_games", "teams_with_boxscores")} == \
                {k: box[k] for k in ("teams_with_final_games", "teams_with_boxscores")}
            assert x["boxscores"]["coverage"] == pytest.approx(box["coverage"])
            assert x["boxscores"]["missing_teams"] == (box["missing_teams"] or "")
        pred = marts["pred"].get(day)
        assert (x["predictions"] is None) == (pred is None), day
        if pred:
            for k in ("teams_playing", "teams_without_predictions", "expected_players", "predicted_players", "is_due"):
                assert x["predictions"][k] == pred[k], (day, k)
            assert x["predictions"]["coverage"] == pytest.approx(pred["coverage"])
        grade = marts["grade"].get(day)
        assert (x["grading"] is None) == (grade is None), day
        if grade:
            for k in ("final_games", "games_graded_within_sla"):
                assert x["grading"][k] == grade[k], (day, k)
            for k in ("median_latency_hours", "p95_latency_hours"):
                assert x["grading"][k] == pytest.approx(grade[k]), (day, k)
        ex = marts["exports"].get(day, {"n": 0, "mismatched": 0})
        assert (x["exports"]["exports"], x["exports"]["mismatched"]) == (ex["n"], ex["mismatched"]), day
    assert d["breakers_in_force"] == marts["breakers"]
    # the day of the missing box scores, as the marts hold it
    [bad] = [x for x in d["dates"] if x["game_date"] == DAY]
    assert bad["boxscores"]["teams_with_boxscores"] < bad["boxscores"]["teams_with_final_games"]
    # open incidents from the alert log, grouped as they were sent, with their age
    [inc] = [i for i in d["open_incidents"] if i["key"] == f"ING-04|{DAY}"]
    assert len(inc["members"]) == 1 + len(DOWNSTREAM) and inc["age_seconds"] >= 0
    # time to detect: from the run that first recorded the breach to the first alert
    [t] = [t for t in d["incidents_last_7_days"] if t["key"] == f"ING-04|{DAY}"]
    assert t["breach_at"] == rec.started_at.isoformat(timespec="seconds")
    assert 0 <= t["detect_seconds"] < 3600 and t["resolve_seconds"] is None and t["closed_at"] is None
    # Slack got the same, as Block Kit; --dry-run prints it and sends nothing more
    text = json.dumps(s["blocks"])
    assert f"ING-04|{DAY}" in text and "Circuit breakers in force" in text and DAY in text
    assert dry.returncode == 0 and "Per date" in dry.stdout and f"ING-04|{DAY}" in dry.stdout


def test_a_digest_without_a_fresh_record_is_an_error_never_a_green_digest(week, tmp_path):
    hook = Webhook()
    try:
        empty = tmp_path / "empty.duckdb"
        duckdb.connect(str(empty)).close()
        none = cli(["digest", "--database", str(empty)], {"PROPS_ALERT_WEBHOOK_URL": hook.url})
        assert none.returncode == 2 and "no completed `props-contracts run`" in none.stderr
        assert hook.received == []  # nothing is sent
        time.sleep(1.2)
        stale = cli(["digest", "--database", str(week[0]), "--max-run-age-hours", "0.0003"],
                    {**FAST, "PROPS_ALERT_WEBHOOK_URL": hook.url})
        [d] = hook.received
    finally:
        hook.close()
    assert stale.returncode == 2 and "SELF-01: contracts have not run since" in stale.stderr
    assert d["ok"] is False and d["self_01"].startswith("contracts have not run since")
    assert "NOT FINE" in d["title"]


@pytest.mark.parametrize("args, env, message", [
    (["--max-run-age-hours", "soon"], {}, "--max-run-age-hours (PROPS_MAX_RUN_AGE_HOURS) must be a number"),
    (["--max-run-age-hours", "nan"], {}, "max_run_age_hours"),
    (["--max-run-age-hours", "-1"], {}, "max_run_age_hours"),
    (["--target", "snowflake"], {}, "Invalid value for '--target'"),
    (["--vars", "{max_run_age_hours: '<!channel>'}"], {}, "max_run_age_hours"),
    ([], {"PROPS_ALERT_WEBHOOK_URL": "ftp://evil.example/x"}, "PROPS_ALERT_WEBHOOK_URL must be an https:// URL"),
    ([], {"PROPS_ALERT_WEBHOOK_URL": "http://evil.example/\nBcc: x"}, "whitespace or control characters"),
    ([], {"PROPS_ALERT_SMTP_HOST": "127.0.0.1", "PROPS_ALERT_EMAIL_TO": "a@b\r\nBcc: c@d"}, "is not an e-mail"),
    ([], {"PROPS_ALERT_WEBHOOK_URL": ""}, "no digest channel configured"),
])
def test_hostile_digest_options_are_named_errors(tmp_path, args, env, message):
    result = CliRunner().invoke(main, ["digest", "--database", str(tmp_path / "none.duckdb"), *args],
                                env={"PROPS_ALERT_SLACK_WEBHOOK_URL": "", "PROPS_ALERT_SMTP_HOST": "", **env})
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_hostile_and_broken_figures_are_named_and_escaped(week, tmp_path):
    # given a copy of the week whose marts and incident log carry markup, escapes and impossible values
    db = tmp_path / "copy.duckdb"
    shutil.copy(week[0], db)
    con = duckdb.connect(str(db))
    con.execute("update props_contracts_marts.fct_boxscore_coverage_by_date set missing_teams = "
                "'<!channel> \x1b[2J<http://evil.example|x>' where game_date = ?", [DAY])
    con.execute("update props_contracts_marts.fct_prediction_coverage_by_date set coverage = 7 "
                "where game_date = '2026-01-12'")
    con.execute("delete from props_contracts_marts.fct_grading_latency_by_date where game_date = '2026-01-13'")
    con.close()
    hook, slack = Webhook(), Webhook()
    try:
        p = cli(["digest", "--database", str(db)], {**FAST, "PROPS_ALERT_WEBHOOK_URL": hook.url,
                                                    "PROPS_ALERT_SLACK_WEBHOOK_URL": slack.url})
        [d], [s] = hook.received, slack.received
    finally:
        hook.close()
        slack.close()
    # then the digest is sent, says what it could not trust, and exits 2
    assert p.returncode == 2
    problems = " | ".join(d["problems"])
    assert "fct_prediction_coverage_by_date row for 2026-01-12: coverage = 7" in problems
    assert "fct_grading_latency_by_date has no row for 2026-01-13" in problems and "MISSING" in problems
    # and no markup or escape reaches Slack; the webhook has the text without control characters
    everything = s["text"] + json.dumps(s["blocks"], ensure_ascii=False)
    assert "<!channel>" not in everything and "&lt;!channel&gt;" in everything and "\x1b" not in everything
    assert "<http" not in everything
    [x] = [x for x in d["dates"] if x["game_date"] == DAY]
    assert x["boxscores"]["missing_teams"].startswith("<!channel> ") and "\x1b" not in json.dumps(d)
    # and a malformed incident log is a named error, nothing sent
    con = duckdb.connect(str(db))
    con.execute("insert into props_contracts_audit.incident_log (event_id, incident_key, kind, invariant_id, "
                "partition_key, member_kind, sent_at) values ('x', 'K', 'exploded', 'ING-04', ?, 'open', now())", [DAY])
    con.close()
    hook = Webhook()
    try:
        bad = cli(["digest", "--database", str(db)], {"PROPS_ALERT_WEBHOOK_URL": hook.url})
        assert bad.returncode == 2 and "incident log" in bad.stderr and "malformed" in bad.stderr
        assert hook.received == []
    finally:
        hook.close()


# --- the grouping's rules, on hand-written records (no dbt) --------------------------------

def _test(iid: str, name: str, status: str = "pass", failures: int = 0, reason: str = "") -> ContractResult:
    return ContractResult(f"test.x.{name}", name, iid, None, "error", status, failures, "", None, reason)


def _cycle(wh, hook, at: datetime, results, rows=()):
    record_run(wh, results, rows, started_at=at)
    config = AlertConfig(webhook_url=hook.url, retry=Retry(attempts=1))
    c = alert_cycle_incidents(wh, config, load_catalog(ROOT), lambda: at)
    return {i.key: i for i in c.incidents}


def test_a_group_resolves_only_when_every_member_passed(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    wh, hook = DuckDBWarehouse(db), Webhook()
    t0 = datetime.utcnow().replace(microsecond=0)
    day = "2026-01-12"

    def ing(status="fail"):
        return _test("ING-04", "ing04", status, int(status == "fail"))

    def prd(status="fail", reason=""):
        return _test("PRD-05", "prd05", status, int(status == "fail"), reason)

    ing_row = FailingRow("test.x.ing04", "ING-04", day, 1, {"game_date": day, "coverage": 0.5})
    prd_row = FailingRow("test.x.prd05", "PRD-05", day, 1, {"game_date": day, "coverage": 0.4})
    try:
        # given box-score coverage and prediction coverage failing on one date: one incident
        first = _cycle(wh, hook, t0, [ing(), prd()], [ing_row, prd_row])
        assert list(first) == [f"ING-04|{day}"] and first[f"ING-04|{day}"].kind == "open"
        # when the upstream passes but the downstream still fails: the root resolves, the incident stays open
        second = _cycle(wh, hook, t0 + timedelta(hours=1), [ing("pass"), prd()], [prd_row])
        inc = second[f"ING-04|{day}"]
        assert inc.kind == "updated" and inc.still_open == 1
        assert [(m.invariant_id, m.kind) for m in inc.members] == [("ING-04", "resolved")]
        # when the downstream cannot be evaluated: it is never resolved, the incident stays open
        blocked = "not evaluated: stg_nba_predictions__player_prop_predictions did not build (boom)"
        third = _cycle(wh, hook, t0 + timedelta(hours=2), [ing("pass"), prd("unknown", blocked)])
        assert f"ING-04|{day}" not in third
        assert third["model:stg_nba_predictions__player_prop_predictions"].kind == "open"
        # then only its pass closes the incident, as resolved
        fourth = _cycle(wh, hook, t0 + timedelta(hours=3), [ing("pass"), prd("pass")])
        assert fourth[f"ING-04|{day}"].kind == "resolved" and fourth[f"ING-04|{day}"].still_open == 0
        assert fourth["model:stg_nba_predictions__player_prop_predictions"].kind == "evaluated again"
        keys = [i["key"] for payload in hook.received for i in payload["incidents"]]
        assert keys.count(f"ING-04|{day}") == 3  # open, updated, resolved: never a second opening
    finally:
        hook.close()


def test_a_failed_model_and_the_table_sch01_names_are_one_incident(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    wh, hook = DuckDBWarehouse(db), Webhook()
    why = "not evaluated: stg_nba_raw__bdl_player_boxscores did not build (Catalog Error: Table with name x; y (z))"
    unknown = [_test("ING-04", "ing04", "unknown", reason=why), _test("PRD-05", "prd05", "unknown", reason=why),
               _test(None, "pc_primary_key_fct_boxscore_coverage_by_date", "unknown", reason=why)]
    sch = _test("SCH-01", "sch01_boxscores", "fail", 1)
    row = FailingRow(sch.unique_id, "SCH-01", "all", 1, {"table_name": "nba_raw.bdl_player_boxscores",
                                                         "problem": "table not found"})
    try:
        t0 = datetime.utcnow().replace(microsecond=0)
        first = _cycle(wh, hook, t0, [*unknown, sch], [row])
        [(key, inc)] = first.items()
        assert key == "source:nba_raw.bdl_player_boxscores" and inc.kind == "open"
        assert "stg_nba_raw__bdl_player_boxscores did not build" in inc.title and "table_name=" in inc.title
        assert {m.invariant_id for m in inc.members} == {"ING-04", "PRD-05", "SCH-01",
                                                         "pc_primary_key_fct_boxscore_coverage_by_date"}
        passed = [_test(r.invariant_id, r.name) for r in unknown] + [_test("SCH-01", "sch01_boxscores")]
        second = _cycle(wh, hook, t0 + timedelta(hours=1), passed)
        # evaluated again (not "resolved": the members were only evaluated again), under the same key
        assert list(second) == ["source:nba_raw.bdl_player_boxscores"]
        assert second[key].kind == "evaluated again" and "did not build" in second[key].title
    finally:
        hook.close()


@pytest.mark.parametrize("reason, roots", [
    ("not evaluated: a did not build (x)", [("a", "x")]),
    ("not evaluated: a did not build (x; y (z)); b_2 did not build (w)", [("a", "x; y (z)"), ("b_2", "w")]),
    ("skipped: an upstream model did not build in this build (a: boom; b: bang: bust)",
     [("a", "boom"), ("b", "bang: bust")]),
    ("not evaluated: 3 model(s) it reads were skipped", []),
    ("not evaluated: a did not build (x", []),  # cut short: not split on a guess
    ("dbt error: a did not build (x)", []),
    ("not evaluated: a b did not build (x)", []),
])
def test_build_roots_reads_both_recorders_and_never_guesses(reason, roots):
    assert build_roots(reason) == roots


def test_the_digest_shows_acks_when_the_ack_module_gives_them(week, alerted):
    class Ack:
        def covers(self, invariant_id, partition):
            return invariant_id == "ING-04"

        def describe(self):
            return "ack ING-04 by jo until 2026-01-17 00:00 UTC: <b>re-scraping</b>"

    d = build_digest(DuckDBWarehouse(week[0]), load_catalog(ROOT), datetime.utcnow(), timedelta(hours=2),
                     lambda wh, now: [Ack()])
    [inc] = [i for i in d.incidents if i.key == f"ING-04|{DAY}"]
    assert inc.acks == ["ack ING-04 by jo until 2026-01-17 00:00 UTC: <b>re-scraping</b>"] and d.acks_available
    from props_contracts.alerts.digest_format import slack_payload
    assert "&lt;b&gt;re-scraping" in json.dumps(slack_payload(d))


def test_the_report_shows_the_grouping_in_headless_chromium(week, tmp_path):
    from test_report import CHROMIUM_FLAGS

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required for this test: run `make browser`"
    page = tmp_path / "report.html"
    p = cli(["report", "--database", str(week[0]), "--output", str(page)], {})
    assert p.returncode == 0, p.stderr
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    [section] = re.findall(r'<section id="root-causes">.*?</section>', dom.stdout, re.S)
    [item] = re.findall(rf'<li class="incident" data-key="ING-04\|{DAY}">.*?</ul></li>', section, re.S)
    for iid in DOWNSTREAM:
        assert f'<a href="#{iid}">{iid}</a> {DAY} <span class="muted">(likely caused by ING-04 {DAY})' in item
    assert [line for line in dom.stderr.splitlines() if "CONSOLE" in line] == []


def test_a_later_downstream_failure_joins_the_open_incident_and_an_ungrouped_alert_is_only_reminded(tmp_path):
    from props_contracts.alerts.state import ALERT_LOG

    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    wh, hook = DuckDBWarehouse(db), Webhook()
    day, t0 = "2026-01-12", datetime.utcnow().replace(microsecond=0)
    ing = _test("ING-04", "ing04", "fail", 1)
    prd = _test("PRD-05", "prd05", "fail", 1)
    orc = _test("ORC-02", "orc02", "fail", 1)
    rows = [FailingRow("test.x.ing04", "ING-04", day, 1, {"game_date": day}),
            FailingRow("test.x.prd05", "PRD-05", day, 1, {"game_date": day}),
            FailingRow("test.x.orc02", "ORC-02", "all", 1, {"queue": "dlq"})]
    # given ORC-02 announced before grouping existed: in the alert log, not in the incident log
    wh.append(ALERT_LOG, [{"event_id": "legacy", "run_id": "r", "invariant_id": "ORC-02", "partition_key": "all",
                           "kind": "open", "severity": "error", "sent_at": t0 - timedelta(hours=7),
                           "opened_at": t0 - timedelta(hours=7), "channels": "webhook", "failing_rows": 1,
                           "holder": "h"}])
    try:
        first = _cycle(wh, hook, t0, [ing, orc], [rows[0], rows[2]])
        # then ORC-02's reminder is a reminder, never a resolution or a new opening
        assert first["ORC-02|all"].kind == "still failing" and first["ORC-02|all"].still_open == 1
        assert first[f"ING-04|{day}"].kind == "open"
        # when PRD-05 fails on that date an hour later, it joins ING-04's open incident
        second = _cycle(wh, hook, t0 + timedelta(hours=1), [ing, prd, orc], rows)
        inc = second[f"ING-04|{day}"]
        assert list(second) == [f"ING-04|{day}"] and inc.kind == "updated" and inc.still_open == 2
        assert inc.notes[("PRD-05", day)] == f"likely caused by ING-04 {day}"
    finally:
        hook.close()
