"""On call (docs/on-call.md): ack and silence, PagerDuty Events v2, routes by owner,
stable event IDs, a SIGKILL mid-send. Real loopback HTTP listeners, the real CLI
(in-process and as a subprocess), DuckDB warehouses written with record_run
(no dbt build: the alert logic reads records, not dbt)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, record_run
from props_contracts.alerts import acks, pagerduty
from props_contracts.alerts import format as fmt
from props_contracts.alerts.acks import ALERT_ACKS
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import Retry
from props_contracts.alerts.engine import alert_cycle
from props_contracts.alerts.state import ALERT_LOG, AlertEvent
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from props_contracts.errors import UsageError
from props_contracts.records import ContractResult, FailingRow
from props_contracts.runner import utcnow
from props_contracts.warehouse import DuckDBWarehouse
from scenario import CLI, Webhook

FAST = Retry(attempts=2, backoff_seconds=0.01, timeout_seconds=2.0)
KEY = "0123456789abcdef0123456789abcdef"  # a PagerDuty routing key's shape
FAILING = {  # invariant -> (test name, partition, failing row)
    "ORC-02": ("orc_02_dead_letter_queues_empty", "all", {"queue": "prediction-requests-dlq"}),
    "PRD-06": ("prd_06_no_team_without_predictions", "2026-01-10", {"game_date": "2026-01-10", "team_abbr": "BOS"}),
    "ING-04": ("ing_04_boxscore_team_coverage", "2026-01-10", {"game_date": "2026-01-10", "team_abbr": "LAL"}),
}


def _record(wh, failing=tuple(FAILING), passing=(), started_at=None):
    """A recorded run: `failing` invariants fail with one row each, `passing` pass."""
    results, rows = [], []
    for inv in (*failing, *passing):
        name, part, row = FAILING[inv]
        r = ContractResult(f"test.x.{name}", name, inv, "p", "error", "fail" if inv in failing else "pass",
                           1 if inv in failing else 0, "", None)
        results.append(r)
        if inv in failing:
            rows.append(FailingRow(r.unique_id, inv, part, 1, row))
    return record_run(wh, results, rows, started_at=started_at)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "oncall.duckdb"
    duckdb.connect(str(path)).close()
    return path


@pytest.fixture
def hooks():
    made: list[Webhook] = []

    def make() -> Webhook:
        made.append(Webhook())
        return made[-1]
    yield make
    for h in made:
        h.close()


def _cli(args, env=None):
    base = {"PROPS_ALERT_AUTHOR": "alice", "PROPS_ALERT_ATTEMPTS": "2", "PROPS_ALERT_BACKOFF_SECONDS": "0.01"}
    return CliRunner().invoke(main, args, env={**base, **(env or {})})


def _kinds(hook: Webhook, start: int = 0) -> list[tuple[str, str]]:
    return sorted((a["kind"], a["invariant_id"]) for p in hook.received[start:] for a in p["alerts"])


def test_an_ack_holds_one_invariants_reminders_a_silence_by_glob_another_expiry_brings_them_back(db, hooks):
    # given three failing invariants announced at t0, reminded every hour
    hook = hooks()
    wh = DuckDBWarehouse(db)
    _record(wh)
    catalog = load_catalog(ROOT)
    config = AlertConfig(webhook_url=hook.url, renotify=timedelta(hours=1), retry=FAST)
    t0 = utcnow()
    alert_cycle(wh, config, catalog, lambda: t0)
    assert _kinds(hook) == [("open", "ING-04"), ("open", "ORC-02"), ("open", "PRD-06")]
    # when ORC-02 is acknowledged and PRD-* silenced, for 3 hours each
    ack = _cli(["ack", "ORC-02", "--for", "3h", "--reason", "DLQ drained, replaying", "--database", str(db)])
    assert ack.exit_code == 0, ack.output
    assert "ack ORC-02 (every date) by alice" in ack.output and "ORC-02|all" in ack.output
    silence = _cli(["silence", "--match", "PRD-*", "--for", "3h", "--reason", "model retrain", "--database", str(db)])
    assert silence.exit_code == 0, silence.output
    assert "PRD-06|2026-01-10" in silence.output
    listed = _cli(["acks", "--database", str(db)])
    assert "silence PRD-* by alice" in listed.output and "holds: PRD-06|2026-01-10" in listed.output
    # then two hours later only ING-04 is reminded; the other two are announced acknowledged, once
    held: list = []
    n = len(hook.received)
    alert_cycle(wh, config, catalog, lambda: t0 + timedelta(hours=2), held=held)
    assert _kinds(hook, n) == [("acknowledged", "ORC-02"), ("acknowledged", "PRD-06"), ("still failing", "ING-04")]
    assert sorted(e.invariant_id for e, _ in held) == ["ORC-02", "PRD-06"]
    note = next(a for p in hook.received[n:] for a in p["alerts"] if a["invariant_id"] == "ORC-02")["note"]
    assert "by alice" in note and "DLQ drained" in note and "until" in note
    # and the report shows who, why and until when
    from props_contracts.report import acks_section, read_report_data
    page = acks_section(read_report_data(wh, 5, t0 + timedelta(hours=2)))
    assert "alice" in page and "model retrain" in page and "PRD-06|2026-01-10" in page and " UTC" in page
    # when ORC-02 passes while acknowledged: its resolution is still sent
    n = len(hook.received)
    _record(wh, failing=("PRD-06", "ING-04"), passing=("ORC-02",), started_at=t0 + timedelta(hours=2, minutes=30))
    alert_cycle(wh, config, catalog, lambda: t0 + timedelta(hours=2, minutes=30))
    assert _kinds(hook, n) == [("resolved", "ORC-02")]
    # when the silence has expired: PRD-06's reminders resume, with ING-04's
    n = len(hook.received)
    alert_cycle(wh, config, catalog, lambda: t0 + timedelta(hours=3, minutes=30))
    assert _kinds(hook, n) == [("still failing", "ING-04"), ("still failing", "PRD-06")]
    # and every event sent carried its own event ID, the one logged
    ids = [a["event_id"] for p in hook.received for a in p["alerts"]]
    assert len(set(ids)) == len(ids) and all(i.startswith("pc1-") for i in ids)
    logged = {r["event_id"] for r in wh.query(f"select event_id from {wh.audit(ALERT_LOG)}")}
    assert set(ids) == logged


def test_pagerduty_gets_trigger_acknowledge_and_resolve_on_one_dedup_key(db, hooks):
    # given PRD-06 failing on 2026-01-10 and a PagerDuty Events v2 listener
    pd = hooks()
    wh = DuckDBWarehouse(db)
    _record(wh, failing=("PRD-06",))
    env = {"PROPS_ALERT_PAGERDUTY_ROUTING_KEY": KEY, "PROPS_ALERT_PAGERDUTY_URL": pd.url}
    # when alert runs, PRD-06's incident is acknowledged, alert runs, then PRD-06 passes and alert runs
    first = _cli(["alert", "--database", str(db)], env)
    ack = _cli(["ack", "PRD-06|2026-01-10", "--for", "12h", "--reason", "re-running predictions",
                "--database", str(db)])
    second = _cli(["alert", "--database", str(db)], env)
    _record(wh, failing=(), passing=("PRD-06",))
    third = _cli(["alert", "--database", str(db)], env)
    assert [r.exit_code for r in (first, ack, second, third)] == [0, 0, 0, 0], first.output + second.output
    # then PagerDuty saw trigger, acknowledge, resolve, all with the incident key as dedup_key
    assert [(e["event_action"], e["dedup_key"]) for e in pd.received] == [
        ("trigger", "PRD-06|2026-01-10"), ("acknowledge", "PRD-06|2026-01-10"), ("resolve", "PRD-06|2026-01-10")]
    trigger = pd.received[0]
    assert trigger["routing_key"] == KEY and trigger["payload"]["severity"] == "critical"
    details = trigger["payload"]["custom_details"]
    assert "team_abbr=BOS" in details["failing_row_entities"][0] and details["runbook"]
    assert "PRD-06" in trigger["payload"]["summary"] and trigger["payload"]["source"] == "props-contracts"
    assert "re-running predictions" in pd.received[1]["payload"]["custom_details"]["note"]
    ids = [e["payload"]["custom_details"]["event_id"] for e in pd.received]
    assert len(set(ids)) == 3
    # and the routing key is never printed
    assert KEY not in first.output + second.output + third.output


def test_every_channels_payload_carries_the_event_id():
    e = AlertEvent("open", "PRD-06", "2026-01-10", "error", "title", "runbook", 1, ("team_abbr=BOS",), "t",
                   event_id="pc1-abc")
    slack = json.dumps(fmt.slack_payload([e], "ctx"))
    msg = fmt.email_message([e], "ctx", "a@b.c", ["d@e.f"])
    assert "pc1-abc" in slack and fmt.webhook_payload([e], "ctx")["alerts"][0]["event_id"] == "pc1-abc"
    assert msg["X-Props-Event-IDs"] == "pc1-abc" and "pc1-abc" in msg.get_content()
    assert msg["Message-ID"] == fmt.email_message([e], "other", "a@b.c", ["d@e.f"])["Message-ID"]
    assert pagerduty.event_body(e, KEY, "ctx")["payload"]["custom_details"]["event_id"] == "pc1-abc"
    # an aged-out date is never resolved in PagerDuty: nothing verified it fixed
    assert pagerduty.event_body(AlertEvent("aged out", "PRD-06", "2026-01-01", "error"), KEY, "") is None


ROUTES = "owner,invariant_glob,channels,description\npredictions,*,pred,\n*,ING-*,raw pager,\n*,*,default,\n"


def test_routes_send_predictions_and_ingestion_failures_to_different_listeners(db, hooks, tmp_path):
    # given a route table: the predictions team's channel, the raw team's channel (+ its pager), a default
    pred, raw, default, pager = hooks(), hooks(), hooks(), hooks()
    routes = tmp_path / "routes.csv"
    routes.write_text(ROUTES)
    wh = DuckDBWarehouse(db)
    _record(wh)
    env = {"PROPS_ALERT_ROUTES_FILE": str(routes), "PROPS_ALERT_ROUTE_PRED_SLACK_URL": pred.url,
           "PROPS_ALERT_ROUTE_RAW_WEBHOOK_URL": raw.url, "PROPS_ALERT_WEBHOOK_URL": default.url,
           "PROPS_ALERT_ROUTE_PAGER_PAGERDUTY_ROUTING_KEY": KEY, "PROPS_ALERT_PAGERDUTY_URL": pager.url}
    # when alert runs
    result = _cli(["alert", "--database", str(db)], env)
    assert result.exit_code == 0, result.output
    # then PRD-06 reached only the predictions Slack, ING-04 only the raw team's webhook and pager,
    # ORC-02 (orchestration: no route of its own) only the default channel
    # (one message: PRD-06, listed under the ING-04 incident of its date that likely caused it)
    assert len(pred.received) == 1 and "PRD-06" in json.dumps(pred.received[0])
    assert _kinds(raw) == [("open", "ING-04")] and _kinds(default) == [("open", "ORC-02")]
    assert [(e["event_action"], e["dedup_key"]) for e in pager.received] == [("trigger", "ING-04|2026-01-10")]
    channels = {r["invariant_id"]: r["channels"] for r in wh.query(
        f"select invariant_id, channels from {wh.audit(ALERT_LOG)}")}
    assert channels == {"PRD-06": "pred:slack", "ING-04": "raw:webhook,pager:pagerduty", "ORC-02": "webhook"}


BAD_TABLES = [
    (ROUTES, {}, "channel 'pred' is not defined"),
    (ROUTES, {"PROPS_ALERT_ROUTE_PRED_SLACK_URL": "http://example.com/hook"}, "unencrypted"),
    (ROUTES, {"PROPS_ALERT_ROUTE_PRED_SLACK_URL": "javascript:alert(1)"}, "must be an https:// URL"),
    (ROUTES, {"PROPS_ALERT_ROUTE_PRED_PAGERDUTY_ROUTING_KEY": "key with spaces"}, "not a PagerDuty routing key"),
    (ROUTES, {"PROPS_ALERT_ROUTE_PRED_EMAIL_TO": "a@b.c"}, "PROPS_ALERT_SMTP_HOST is not"),
    (ROUTES, {"PROPS_ALERT_ROUTE_PRED_EMAIL_TO": "a@b.c\nBcc: x@y.z"}, "is not an e-mail address"),
    ("owner,invariant_glob,channels\nnobody,*,default\n*,*,default\n", {}, "owner 'nobody' is not an owner"),
    ("owner,invariant_glob,channels\n*,ZZZ-*,default\n*,*,default\n", {}, "matches no invariant"),
    ("owner,invariant_glob,channels\n*,'; drop table x,default\n*,*,default\n", {}, "matches no invariant"),
    ("owner,invariant_glob,channels\n*,PRD-*,Bad<Name>\n*,*,default\n", {}, "is not a channel name"),
    ("owner,invariant_glob,channels\n*,PRD-*,\n*,*,default\n", {}, "names no channel"),
    ("owner,invariant_glob,channels\npredictions,*,default\n", {}, "must end with the default route"),
    ("owner,channels\n*,default\n", {}, "lacks the column(s) invariant_glob"),
]


@pytest.mark.parametrize("table, env, said", BAD_TABLES)
def test_a_bad_route_table_is_a_named_error(tmp_path, table, env, said):
    from props_contracts.alerts.routes import load_routes
    (tmp_path / "routes.csv").write_text(table)
    with pytest.raises(UsageError, match=re.escape(said)):
        load_routes(tmp_path / "routes.csv", env, AlertConfig(), load_catalog(ROOT))


@pytest.mark.parametrize("table, env, said", [BAD_TABLES[0], BAD_TABLES[1]])
def test_alert_with_a_bad_route_is_exit_2_before_anything_is_sent(db, hooks, tmp_path, table, env, said):
    hook = hooks()
    (tmp_path / "routes.csv").write_text(table)
    _record(DuckDBWarehouse(db))
    result = _cli(["alert", "--database", str(db)], {"PROPS_ALERT_ROUTES_FILE": str(tmp_path / "routes.csv"),
                                                     "PROPS_ALERT_WEBHOOK_URL": hook.url, **env})
    assert result.exit_code == 2 and said in result.output, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert hook.received == []


def _refused(check, value, said):
    with pytest.raises(UsageError, match=re.escape(said)):
        check(value)


CATALOG_IDS = set(load_catalog(ROOT))
KNOWN = {("PRD-06", "2026-01-10")}


@pytest.mark.parametrize("value", ["0m", "15d", "337h", "1.5h", "-3d", "3 d", "3D", "", "30", "9999999m", "1w",
                                   "3d;drop", "١٢h", "3d\n"])
def test_a_bad_duration_is_refused(value):
    _refused(acks.parse_duration, value, "--for")


@pytest.mark.parametrize("value", ["<!channel>", "see <http://evil|here>", "line\nbreak", "\x1b[2Jclear", "ab", "",
                                   "x" * 301, "`rm -rf`", "\u202eevil", "tab\there", "nul\x00byte"])
def test_a_reason_with_markup_or_control_characters_is_refused(value):
    _refused(acks.check_reason, value, "--reason")


@pytest.mark.parametrize("value", ["2026-13-01", "20260110", "2026-W02-1", "yesterday", "2026-01-10'; --", "",
                                   "2026-02-30"])
def test_a_bad_date_is_refused(value):
    _refused(acks.parse_day, value, "--date")


@pytest.mark.parametrize("value", ["PRD-99", "PRD-06'; drop table x; --", "PRD-06|2026-01-09", "../../etc/passwd",
                                   "<b>PRD-06</b>", "PRD-06\n", "", "x" * 300, "PRD-06|"])
def test_an_unknown_or_malformed_id_is_refused(value):
    _refused(lambda v: acks.resolve_target(v, None, CATALOG_IDS, KNOWN), value, "ID")


@pytest.mark.parametrize("value", ["'; drop table x; --", "<b>*</b>", "PRD-*\n", "ZZZ-*", "PRD-[0-9]", "", "x" * 200,
                                   "PRD-06 OR 1=1"])
def test_a_bad_glob_is_refused(value):
    _refused(lambda v: acks.check_glob(v, CATALOG_IDS, KNOWN), value, "--match")


@pytest.mark.parametrize("author", ["<script>", "a b", "x" * 65, "bob\n", "-rf"])
def test_an_author_that_is_not_a_user_name_is_refused(author):
    _refused(lambda v: acks.author_from({"PROPS_ALERT_AUTHOR": v}), author, "PROPS_ALERT_AUTHOR")


def test_good_values_are_taken():
    assert acks.parse_duration("30m") == timedelta(minutes=30) and acks.parse_duration("14d") == timedelta(days=14)
    assert acks.check_reason("  R&D: re-scrape, then *backfill*  ") == "R&D: re-scrape, then *backfill*"
    assert acks.resolve_target("PRD-06|2026-01-10", None, CATALOG_IDS, KNOWN) == ("PRD-06", "2026-01-10")
    assert acks.resolve_target("PRD-06", "2026-01-11", CATALOG_IDS, KNOWN) == ("PRD-06", "2026-01-11")
    assert acks.check_glob("PRD-06|2026-01-1*", CATALOG_IDS, KNOWN) and acks.check_glob("*", CATALOG_IDS, set())


# one case per option through the CLI: exit 2, one line, nothing stored
BAD_ACKS = [
    (["ack", "PRD-06", "--for", "15d", "--reason", "fine reason"], "--for"),
    (["ack", "PRD-06", "--for", "1h", "--reason", "<!channel> \x1b[2J"], "--reason"),
    (["ack", "PRD-06'; drop table x; --", "--for", "1h", "--reason", "fine reason"], "ID"),
    (["ack", "PRD-06", "--date", "2026-13-01", "--for", "1h", "--reason", "fine reason"], "--date"),
    (["ack", "PRD-06|2026-01-10", "--date", "2026-01-10", "--for", "1h", "--reason", "fine reason"], "ID"),
    (["silence", "--match", "'; drop table x; --", "--for", "1h", "--reason", "fine reason"], "--match"),
    (["unack"], "one of them"), (["unack", "PRD-06", "--match", "PRD-*"], "one of them"),
    (["unack", "PRD-06"], "no active ack of PRD-06"), (["unack", "--match", "PRD-*"], "no active silence"),
    (["unack", "--match", "PRD-*", "--date", "2026-01-10"], "--date goes with an ID"),
]


@pytest.mark.parametrize("args, said", BAD_ACKS)
def test_hostile_input_to_ack_silence_and_unack_is_a_named_error_and_stores_nothing(db, args, said):
    result = _cli([*args, "--database", str(db)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and said in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1
    assert "\x1b" not in result.output and "\u202e" not in result.output
    wh = DuckDBWarehouse(db)
    wh.ensure(ALERT_ACKS)
    assert wh.query(f"select count(*) as n from {wh.audit(ALERT_ACKS)}") == [{"n": 0}]


@pytest.mark.parametrize("env, said", [
    ({"PROPS_ALERT_PAGERDUTY_ROUTING_KEY": "has spaces in it"}, "not a PagerDuty routing key"),
    ({"PROPS_ALERT_PAGERDUTY_ROUTING_KEY": KEY + "\n"}, "not a PagerDuty routing key"),
    ({"PROPS_ALERT_PAGERDUTY_ROUTING_KEY": KEY, "PROPS_ALERT_PAGERDUTY_URL": "http://example.com/v2/enqueue"},
     "unencrypted"),
])
def test_a_bad_pagerduty_setting_is_a_named_error_without_the_key(env, said):
    from props_contracts.alerts.config import from_env
    with pytest.raises(UsageError, match=re.escape(said)) as err:
        from_env(env)
    assert KEY not in str(err.value)


def test_a_routes_file_that_is_not_there_is_a_named_error():
    from props_contracts.alerts.routes import routes_from_env
    with pytest.raises(UsageError, match="is not a file"):
        routes_from_env({"PROPS_ALERT_ROUTES_FILE": "/nonexistent/routes.csv"}, ROOT, AlertConfig(), load_catalog(ROOT))


def test_a_malformed_ack_row_is_a_named_error_not_a_guess(db, hooks):
    # given an ack row with no author (written by hand into the warehouse)
    wh = DuckDBWarehouse(db)
    _record(wh)
    wh.append(ALERT_ACKS, [{"ack_id": "x", "action": "ack", "invariant_id": "PRD-06", "author": None,
                            "created_at": datetime(2026, 1, 1), "expires_at": datetime(2026, 1, 2)}])
    # then alert and acks refuse to read it, by name
    for args in (["acks"], ["alert", "--dry-run"]):
        result = _cli([*args, "--database", str(db)])
        assert result.exit_code == 2 and "alert_acks" in result.output and "has no author" in result.output


class Stalling:
    """A real HTTP listener that records each POST, then (while `stall` is set) never
    answers: the sender is mid-send when it is killed."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.stall = threading.Event()
        self.stall.set()
        self.got = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                outer.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                outer.got.set()
                if outer.stall.is_set():
                    outer.release.wait(30)
                    return  # hang up without an answer
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_sigkill_mid_send_resends_the_same_event_ids_next_run(db):
    # given two failing invariants and a webhook receiver that stalls once it has the payload
    wh = DuckDBWarehouse(db)
    _record(wh, failing=("PRD-06", "ING-04"))
    hook = Stalling()
    env = {**os.environ, "PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_TIMEOUT_SECONDS": "60",
           "PROPS_ALERT_ATTEMPTS": "1", "PROPS_DUCKDB_PATH": str(db)}
    try:
        # when the alert process is SIGKILLed while the receiver holds the request
        proc = subprocess.Popen([CLI, "alert", "--database", str(db)], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert hook.got.wait(60), "the alert process never posted"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        # nothing was logged; the lease the killed run held expires (10 minutes: aged here by hand)
        assert wh.query(f"select count(*) as n from {wh.audit(ALERT_LOG)}") == [{"n": 0}]
        wh.query(f"update {wh.audit('alert_lock')} set expires_at = @past", {"past": utcnow() - timedelta(hours=1)})
        # and the next run goes through
        hook.stall.clear()
        rerun = subprocess.run([CLI, "alert", "--database", str(db)], env=env, cwd=ROOT, capture_output=True,
                               text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
    finally:
        hook.close()
    # then the receiver got the same events twice, and can tell the repeat by its event IDs
    first, second = ([(a["invariant_id"], a["kind"], a["event_id"]) for a in p["alerts"]] for p in hook.received)
    assert first == second and len({i for _, _, i in first}) == 2
    logged = sorted(r["event_id"] for r in wh.query(f"select event_id from {wh.audit(ALERT_LOG)}"))
    assert logged == sorted(i for _, _, i in first)


def test_every_contract_test_carries_its_invariants_owner_as_dbt_meta_owner():
    # given the catalog's owners (an invariant's own, else its phase's)
    import yaml

    catalog = load_catalog(ROOT)
    assert catalog["PRD-06"].owner == "predictions" and catalog["ING-04"].owner == "raw-processors"
    assert catalog["FRS-01"].owner == "raw-processors"  # its own, not its phase's (orchestration)
    found: list[tuple[str, str]] = []

    def walk(node):
        if isinstance(node, dict):
            meta = node.get("meta")
            if isinstance(meta, dict) and "invariant_id" in meta:
                found.append((meta["invariant_id"], meta.get("owner")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((ROOT / "models").rglob("*.yml")):
        walk(yaml.safe_load(path.read_text()))
    # then every test's meta.owner (what dbt-score and Elementary read) is its invariant's owner
    assert len(found) > 90
    assert [(i, o) for i, o in found if o != catalog[i].owner] == []


def test_event_ids_are_the_same_until_logged_and_new_for_each_reminder_and_episode(db):
    # given an alert log, and the events a run would send
    from props_contracts.alerts.eventid import assign
    from props_contracts.alerts.state import record_sent

    wh = DuckDBWarehouse(db)
    now = datetime(2026, 1, 16, 12, 0)

    def sent(kind, open_keys, hours):
        e = AlertEvent(kind, "PRD-06", "2026-01-10", "error")
        assign(wh, [e], open_keys)
        again = AlertEvent(kind, "PRD-06", "2026-01-10", "error")
        assign(wh, [again], open_keys)  # the same log: the same ID (a rerun after a kill)
        assert again.event_id == e.event_id
        record_sent(wh, [e], "run", ["webhook"], now + timedelta(hours=hours), "holder")
        return e.event_id

    key = {("PRD-06", "2026-01-10")}
    ids = [sent("open", set(), 0), sent("still failing", key, 6), sent("still failing", key, 12),
           sent("resolved", key, 13), sent("open", set(), 20)]
    # then each logged event got its own ID: 2nd reminder != 1st, 2nd episode's open != 1st's
    assert len(set(ids)) == 5
    assert sorted(r["event_id"] for r in wh.query(f"select event_id from {wh.audit(ALERT_LOG)}")) == sorted(ids)
