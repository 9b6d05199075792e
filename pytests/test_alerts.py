"""Alerts against a real HTTP listener and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from conftest import ROOT, record_run, settings_for, simulate
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import DeliveryError, Retry, Smtp
from props_contracts.alerts.engine import alert_cycle
from props_contracts.alerts.state import open_alerts
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from props_contracts.records import ContractResult, FailingRow
from props_contracts.runner import run_contracts
from props_contracts.warehouse import DuckDBWarehouse

SECRET_PATH = "/services/T000/B000/s3cr3t-token"
FAST = Retry(attempts=3, backoff_seconds=0.05, timeout_seconds=0.5)
NOW = datetime(2026, 1, 16, 17, 0)


class Listener:
    """A real HTTP server that records POSTs and answers from a script of statuses."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.script: list[int | str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append({"path": self.path, "json": json.loads(body)})
                status = outer.script.pop(0) if outer.script else 200
                if status == "hang":
                    time.sleep(1.5)
                    status = 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep test output clean
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{SECRET_PATH}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    srv = Listener()
    yield srv
    srv.close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _config(**kw) -> AlertConfig:
    return AlertConfig(retry=FAST, **kw)


def _failing(invariant_id="ORC-02", name="orc_02_dead_letter_queues_empty") -> list[ContractResult]:
    return [ContractResult(f"test.x.{name}", name, invariant_id, "orchestration", "error", "fail", 1, "", None)]


@pytest.fixture
def warehouse(tmp_path):
    """An empty DuckDB warehouse holding one recorded run that failed ORC-02."""
    db = tmp_path / "alerts.duckdb"
    duckdb.connect(str(db)).close()
    wh = DuckDBWarehouse(db)
    [failing] = _failing()
    # its one failing row, as a run stores it (a reader checks the rows account for the failure)
    record_run(wh, [failing], [FailingRow(failing.unique_id, "ORC-02", "all", 1, {"queue": "prediction-requests-dlq"})])
    return wh


def _clock(at: datetime):
    return lambda: at


def test_fail_fail_pass_sends_open_nothing_resolved(tmp_path, listener):
    # given a webhook channel, and three consecutive scheduled runs: fail, fail, pass
    catalog = load_catalog(ROOT)
    config = _config(webhook_url=listener.url, renotify=timedelta(hours=6))
    db = tmp_path / "w.duckdb"
    kinds = []
    for i, inject in enumerate([("PRD-06",), ("PRD-06",), ()]):
        simulate(db, inject=inject)
        run_contracts(settings_for(db, tmp_path / "target"))
        before = len(listener.received)
        alert_cycle(DuckDBWarehouse(db), config, catalog, _clock(NOW + timedelta(hours=i)))
        kinds.append([a["kind"] for r in listener.received[before:] for a in r["json"]["alerts"]])
    # then the listener saw exactly: opened, nothing, resolved
    assert kinds == [["open"], [], ["resolved"]]
    first = listener.received[0]["json"]["alerts"][0]
    assert first["invariant_id"] == "PRD-06" and first["partition"] == "2026-01-10"
    assert "team_abbr=" in first["sample"][0] and first["runbook"]
    assert open_alerts(DuckDBWarehouse(db)) == {}


def test_still_failing_is_resent_after_the_renotify_interval(warehouse, listener):
    config = _config(webhook_url=listener.url, renotify=timedelta(hours=2))
    catalog = load_catalog(ROOT)
    for hours in (0, 1, 3):
        alert_cycle(warehouse, config, catalog, _clock(NOW + timedelta(hours=hours)))
    assert [r["json"]["alerts"][0]["kind"] for r in listener.received] == ["open", "still failing"]


def test_slack_payload_is_block_kit_and_retries_past_5xx(warehouse, listener):
    # given a Slack webhook that fails twice with 500 before accepting
    listener.script = [500, 500]
    config = _config(slack_webhook_url=listener.url)
    # when an alert is sent
    _, events, sent = alert_cycle(warehouse, config, load_catalog(ROOT), _clock(NOW))
    # then it arrived on the third attempt, as Block Kit naming the invariant and its runbook
    assert sent == ["slack"] and len(listener.received) == 3
    payload = listener.received[-1]["json"]
    assert payload["blocks"][0]["type"] == "header"
    text = json.dumps(payload["blocks"])
    assert "ORC-02" in text and "Runbook" in text and "ORC-02" in payload["text"]


@pytest.mark.parametrize("script, reason", [([500, 500, 500], "HTTP 500"), (["hang"] * 3, "timed out")])
def test_a_channel_that_keeps_failing_raises_without_leaking_the_secret(warehouse, listener, script, reason):
    listener.script = list(script)
    config = _config(webhook_url=listener.url)
    with pytest.raises(DeliveryError) as err:
        alert_cycle(warehouse, config, load_catalog(ROOT), _clock(NOW))
    message = str(err.value)
    assert reason in message and "after 3 attempt(s)" in message
    assert "s3cr3t" not in message and "/services/" not in message
    assert open_alerts(warehouse) == {}  # undelivered, so not logged: the next run tries again


def test_email_reaches_a_real_smtp_server(warehouse, smtp_server):
    inbox, port = smtp_server
    config = _config(smtp=Smtp("127.0.0.1", port, None, None, False), email_to=("oncall@example.com",))
    alert_cycle(warehouse, config, load_catalog(ROOT), _clock(NOW))
    [msg] = inbox.messages
    assert "ORC-02" in msg["Subject"] and msg["To"] == "oncall@example.com"
    assert "Runbook:" in msg.get_payload()


def test_alert_without_a_channel_is_a_named_error(tmp_path, monkeypatch):
    for var in ("PROPS_ALERT_SLACK_WEBHOOK_URL", "PROPS_ALERT_WEBHOOK_URL", "PROPS_ALERT_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(main, ["alert", "--database", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2 and "no alert channel configured" in result.output


def test_alert_with_no_recorded_run_is_a_named_error_not_an_all_clear(tmp_path, listener):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    result = CliRunner().invoke(main, ["alert", "--database", str(db)],
                                env={"PROPS_ALERT_WEBHOOK_URL": listener.url})
    assert result.exit_code == 2 and "no completed `props-contracts run`" in result.output
    assert listener.received == []
