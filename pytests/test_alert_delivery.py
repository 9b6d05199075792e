"""Alert delivery that can't lie: every check runs against a real server on 127.0.0.1.

Real parts only: http.server listeners, raw socketserver peers that answer garbage
or drip bytes, an aiosmtpd SMTP server, the real CLI. No mocks.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from props_contracts.alerts import format as fmt
from props_contracts.alerts.config import AlertConfig, from_env
from props_contracts.alerts.deliver import DeliveryError, Retry, Smtp, post_json, send_email
from props_contracts.alerts.engine import deliver
from props_contracts.alerts.state import AlertEvent
from props_contracts.cli import main
from props_contracts.errors import UsageError

SECRET = "s3cr3t-token"
SECRET_PATH = f"/services/T000/B000/{SECRET}"
QUICK = Retry(attempts=2, backoff_seconds=0.01, timeout_seconds=1.0)


# --- real peers ------------------------------------------------------------------------------

class Listener:
    """A real HTTP server recording every request; answers POSTs from a script of
    (status, headers) pairs, 200 once the script is empty."""

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append({"method": self.command, "path": self.path, "body": body})

            def do_POST(self):  # noqa: N802 (http.server's name)
                self._record()
                status, headers = outer.script.pop(0) if outer.script else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self):  # noqa: N802
                self._record()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep test output clean
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.base + SECRET_PATH

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawPeer:
    """A real TCP server that reads an HTTP request (or nothing, for SMTP) and then
    plays `answer`: bytes sent at once, or dripped one byte every `drip` seconds.
    Records whether the client hung up on it while it was still talking."""

    def __init__(self, answer: bytes, *, drip: float = 0.0, read_http_request: bool = True,
                 then_close: bool = True) -> None:
        self.requests = 0
        self.hung_up = threading.Event()
        self.stop = threading.Event()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                if read_http_request:
                    length = 0
                    for line in iter(self.rfile.readline, b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                        if not line:
                            return
                    self.rfile.read(length)
                outer.requests += 1
                try:
                    if drip:
                        for i in range(len(answer)):
                            if outer.stop.is_set():
                                return
                            self.wfile.write(answer[i:i + 1])
                            self.wfile.flush()
                            time.sleep(drip)
                    else:
                        self.wfile.write(answer)
                        self.wfile.flush()
                    if not then_close:
                        outer.stop.wait(10)
                except (BrokenPipeError, ConnectionResetError):
                    outer.hung_up.set()  # recorded and asserted by the tests

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{SECRET_PATH}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    srv = Listener()
    yield srv
    srv.close()


@pytest.fixture
def peers():
    started: list[RawPeer] = []

    def start(answer: bytes, **kw) -> RawPeer:
        started.append(RawPeer(answer, **kw))
        return started[-1]

    yield start
    for peer in started:
        peer.close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
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


def _event(kind: str = "open", sample: tuple[str, ...] = ("player=LeBron James",), title: str = "Props are fresh",
           runbook: str = "docs/runbooks/prd-06.md") -> AlertEvent:
    return AlertEvent(kind=kind, invariant_id="PRD-06", partition="2026-01-10", severity="error",
                      title=title, runbook=runbook, rows=3, sample=sample, opened_at="2026-01-16T17:00:00")


PAYLOAD = {"source": "props-contracts", "alerts": [{"kind": "open", "invariant_id": "PRD-06"}]}


# --- redirects --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failure_and_is_never_followed(listener, status):
    # given a webhook that answers the POST with a redirect to another path on the same server
    listener.script = [(status, {"Location": listener.base + "/landing"})]
    # when an alert is posted (3 attempts allowed)
    with pytest.raises(DeliveryError) as err:
        post_json("webhook", listener.url, PAYLOAD, Retry(attempts=3, backoff_seconds=0.01, timeout_seconds=1))
    # then it is a named failure: one POST, no bodiless GET, no re-post, nothing secret
    message = str(err.value)
    assert f"HTTP {status}" in message and "redirect" in message
    assert [r["method"] for r in listener.requests] == ["POST"]
    assert SECRET not in message and "/services/" not in message


# --- garbage answers: one channel fails alone --------------------------------------------------

HTTP_GARBAGE = {
    "garbage status line": b"garbage\r\n\r\n",
    "truncated body": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
    "bad chunk size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "header line too long": b"HTTP/1.1 200 OK\r\nX-Junk: " + b"a" * 70_000 + b"\r\n\r\n",
    "hang up without answer": b"",
}


@pytest.mark.parametrize("answer", list(HTTP_GARBAGE.values()), ids=list(HTTP_GARBAGE))
def test_a_garbage_http_answer_fails_only_its_own_channel(listener, smtp_server, peers, answer):
    # given slack pointing at a peer that answers garbage, and healthy webhook and e-mail channels
    bad = peers(answer)
    inbox, port = smtp_server
    config = AlertConfig(slack_webhook_url=bad.url, webhook_url=listener.url,
                         smtp=Smtp("127.0.0.1", port, None, None, False),
                         email_to=("oncall@example.com",), retry=QUICK)
    # when the alert is delivered
    with pytest.raises(DeliveryError) as err:
        deliver([_event()], config, "target duckdb")
    # then the healthy channels got their message and the error names only slack, redacted
    message = str(err.value)
    assert len(listener.posts()) == 1 and len(inbox.messages) == 1
    assert message.startswith(f"slack alert to http://127.0.0.1:{bad.port}/*** failed")
    assert "webhook alert" not in message and "email alert" not in message
    assert SECRET not in message and "/services/" not in message and "\n" not in message


def test_a_garbage_smtp_server_fails_only_the_email_channel(listener, peers):
    # given e-mail pointing at a peer that greets with garbage, and a healthy webhook
    bad = peers(b"garbage\r\n", read_http_request=False)
    config = AlertConfig(webhook_url=listener.url, smtp=Smtp("127.0.0.1", bad.port, "u", "hunter2", False),
                         email_to=("oncall@example.com",), retry=QUICK)
    # when the alert is delivered
    with pytest.raises(DeliveryError) as err:
        deliver([_event()], config, "target duckdb")
    # then the webhook got it and the error names only the e-mail channel, without the password
    message = str(err.value)
    assert len(listener.posts()) == 1
    assert message.startswith(f"email alert via 127.0.0.1:{bad.port} failed")
    assert "webhook alert" not in message and "hunter2" not in message


def test_a_recipient_refused_by_the_smtp_server_is_a_failure(smtp_server):
    # given two recipients of which the real SMTP server refuses one
    inbox, port = smtp_server
    msg = fmt.email_message([_event()], "target duckdb", "props@example.com",
                            ["oncall@example.com", "nobody@example.com"])
    # when the message is sent
    with pytest.raises(DeliveryError) as err:
        send_email(Smtp("127.0.0.1", port, None, None, False), msg, QUICK)
    # then the partial delivery is reported (naming the refused address) and not re-sent
    assert "nobody@example.com" in str(err.value) and "refused" in str(err.value)
    assert [rcpts for rcpts, _ in inbox.messages] == [["oncall@example.com"]]


# --- one total deadline per attempt -----------------------------------------------------------

DRIPS = {
    "status line": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: " + b"p" * 200 + b"\r\n\r\nok",
    "body": b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + b"b" * 200,
}


@pytest.mark.parametrize("answer", list(DRIPS.values()), ids=list(DRIPS))
def test_a_dripping_http_answer_is_cut_at_the_total_deadline(peers, answer):
    # given a peer that answers one byte every 50 ms (about 10 s in all)
    slow = peers(answer, drip=0.05)
    # when one attempt with a 1 s timeout is made
    started = time.monotonic()
    with pytest.raises(DeliveryError) as err:
        post_json("webhook", slow.url, PAYLOAD, Retry(attempts=1, backoff_seconds=0.01, timeout_seconds=1))
    elapsed = time.monotonic() - started
    # then it failed as "timed out" within the timeout plus slack, and really hung up
    assert "timed out" in str(err.value) and SECRET not in str(err.value)
    assert elapsed < 2.5, f"one attempt took {elapsed:.1f} s"
    assert slow.hung_up.wait(3), "the client kept the dripping connection open"


def test_a_dripping_smtp_server_is_cut_at_the_total_deadline(peers):
    # given an SMTP peer whose greeting drips one byte every 50 ms
    slow = peers(b"220 " + b"x" * 200 + b"\r\n", drip=0.05, read_http_request=False)
    msg = fmt.email_message([_event()], "target duckdb", "props@example.com", ["oncall@example.com"])
    # when one attempt with a 1 s timeout is made
    started = time.monotonic()
    with pytest.raises(DeliveryError) as err:
        send_email(Smtp("127.0.0.1", slow.port, None, None, False), msg,
                   Retry(attempts=1, backoff_seconds=0.01, timeout_seconds=1))
    elapsed = time.monotonic() - started
    # then it failed as "timed out" within the timeout plus slack
    assert "timed out" in str(err.value)
    assert elapsed < 2.5, f"one attempt took {elapsed:.1f} s"
    assert slow.hung_up.wait(3), "the client kept the dripping connection open"


@pytest.fixture
def tls_cert(tmp_path):
    """A self-signed certificate for 127.0.0.1, made by the openssl CLI: (cert, key)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


def test_https_is_delivered_only_to_a_trusted_certificate(tls_cert, monkeypatch):
    # given a real HTTPS listener whose certificate is self-signed
    srv = Listener(tls=tls_cert)
    try:
        # when an alert is posted while that certificate is not trusted
        with pytest.raises(DeliveryError) as err:
            post_json("webhook", srv.url, PAYLOAD, Retry(attempts=3, backoff_seconds=0.01, timeout_seconds=2))
        # then it is a named failure, not retried, and nothing was received
        assert "certificate not trusted" in str(err.value) and "after 1 attempt(s)" in str(err.value)
        assert srv.posts() == [] and SECRET not in str(err.value)
        # and when the certificate is trusted, the same POST is delivered once, over TLS
        monkeypatch.setenv("SSL_CERT_FILE", tls_cert[0])
        post_json("webhook", srv.url, PAYLOAD, QUICK)
        assert [json.loads(r["body"]) for r in srv.posts()] == [PAYLOAD]
        assert srv.posts()[0]["path"] == SECRET_PATH
    finally:
        srv.close()


def test_a_tls_handshake_that_never_completes_is_cut_at_the_deadline(peers):
    # given a peer that accepts the connection and then says nothing
    mute = peers(b"", read_http_request=False, then_close=False)
    # when one HTTPS attempt with a 1 s timeout is made
    started = time.monotonic()
    with pytest.raises(DeliveryError) as err:
        post_json("slack", f"https://127.0.0.1:{mute.port}{SECRET_PATH}", PAYLOAD,
                  Retry(attempts=1, backoff_seconds=0.01, timeout_seconds=1))
    elapsed = time.monotonic() - started
    # then it failed as "timed out" within the timeout plus slack
    assert "timed out" in str(err.value) and SECRET not in str(err.value)
    assert elapsed < 2.5, f"one attempt took {elapsed:.1f} s"


# --- URLs ---------------------------------------------------------------------------------

BAD_URLS = {
    "file": f"file:///tmp{SECRET_PATH}",
    "ftp": f"ftp://hooks.example.com{SECRET_PATH}",
    "no scheme": f"hooks.slack.com{SECRET_PATH}",
    "no scheme, port": f"hooks.slack.com:443{SECRET_PATH}",
    "http to a public host": f"http://hooks.slack.com{SECRET_PATH}",
    "http to a private address": f"http://10.0.0.7{SECRET_PATH}",
    "no host": f"https://{SECRET_PATH}",
    "bad port": f"https://hooks.slack.com:99999{SECRET_PATH}",
    "broken ipv6": f"https://[::1{SECRET_PATH}",
    "whitespace": f"https://hooks.slack.com{SECRET_PATH} x",
    "newline": f"https://hooks.slack.com{SECRET_PATH}\n",
    "secret in query": f"ftp://hooks.example.com/x?token={SECRET}",
}


@pytest.fixture
def clean_env(monkeypatch):
    import os
    for var in [v for v in os.environ if v.startswith("PROPS_ALERT_")]:
        monkeypatch.delenv(var)


@pytest.mark.parametrize("var", ["PROPS_ALERT_SLACK_WEBHOOK_URL", "PROPS_ALERT_WEBHOOK_URL"])
@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_an_unsafe_or_malformed_url_is_refused_by_the_cli_without_the_secret(tmp_path, clean_env, var, url):
    # given the alert command configured with an unusable webhook URL
    # when it runs
    result = CliRunner().invoke(main, ["alert", "--database", str(tmp_path / "w.duckdb")], env={var: url})
    # then it exits 2 with a one-line message naming the variable and never the secret
    assert result.exit_code == 2, result.output
    assert var in result.output and result.output.strip().count("\n") == 0
    assert SECRET not in result.output and "/services/" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_post_json_refuses_an_unsafe_url_itself(tmp_path, url):
    # given a URL that bypassed the configuration (a file that exists, in the file:// case)
    target = tmp_path / SECRET_PATH.lstrip("/")
    target.parent.mkdir(parents=True)
    target.write_text("{}")
    url = url.replace("file:///tmp", f"file://{tmp_path}")
    # when it is posted to
    with pytest.raises(DeliveryError) as err:
        post_json("slack", url, PAYLOAD, QUICK)
    # then nothing was "delivered" and the error does not show the secret
    assert SECRET not in str(err.value) and "/services/" not in str(err.value)


@pytest.mark.parametrize("url", ["https://hooks.slack.com/services/T/B/x", "http://127.0.0.1:8080/hook",
                                 "http://127.8.9.10/hook", "http://localhost:9/hook", "http://[::1]:9/hook",
                                 "HTTPS://Hooks.Slack.com/services/T/B/x"])
def test_https_and_loopback_http_urls_are_accepted(url):
    config = from_env({"PROPS_ALERT_SLACK_WEBHOOK_URL": url, "PROPS_ALERT_WEBHOOK_URL": url})
    assert config.slack_webhook_url == url and config.channels == ["slack", "webhook"]


# --- numbers, addresses, flags ------------------------------------------------------------------

BAD_NUMBERS = [
    ("PROPS_ALERT_ATTEMPTS", v) for v in ("nan", "inf", "0", "11", "2.5", "-1", "four", "1e3")
] + [
    ("PROPS_ALERT_BACKOFF_SECONDS", v) for v in ("-1", "nan", "61", "inf", "-inf")
] + [
    ("PROPS_ALERT_TIMEOUT_SECONDS", v) for v in ("0", "-1", "121", "nan", "1e300")
] + [
    ("PROPS_ALERT_RENOTIFY_HOURS", v) for v in ("1e300", "0", "nan", "inf", "-5", "721")
] + [
    ("PROPS_ALERT_SMTP_PORT", v) for v in ("0", "65536", "25.5", "nan", "smtp")
]


@pytest.mark.parametrize("var, value", BAD_NUMBERS)
def test_a_numeric_setting_out_of_type_or_range_is_a_one_line_usage_error(var, value):
    env = {var: value, "PROPS_ALERT_SMTP_HOST": "127.0.0.1", "PROPS_ALERT_EMAIL_TO": "oncall@example.com"}
    with pytest.raises(UsageError) as err:
        from_env(env)
    message = str(err.value)
    assert err.value.exit_code == 2
    assert var in message and value in message and "\n" not in message


@pytest.mark.parametrize("kw", [{"attempts": 0}, {"attempts": 2.5}, {"backoff_seconds": float("nan")},
                                {"timeout_seconds": 0}, {"timeout_seconds": float("inf")}])
def test_a_retry_policy_out_of_range_cannot_be_built(kw):
    with pytest.raises(UsageError):
        Retry(**kw)


def test_numeric_settings_at_their_limits_are_accepted():
    config = from_env({"PROPS_ALERT_ATTEMPTS": "10", "PROPS_ALERT_BACKOFF_SECONDS": "0",
                       "PROPS_ALERT_TIMEOUT_SECONDS": "120", "PROPS_ALERT_RENOTIFY_HOURS": "720",
                       "PROPS_ALERT_SMTP_HOST": "127.0.0.1", "PROPS_ALERT_SMTP_PORT": "65535",
                       "PROPS_ALERT_EMAIL_TO": "a@example.com, b@example.com"})
    assert (config.retry.attempts, config.retry.backoff_seconds, config.retry.timeout_seconds) == (10, 0, 120)
    assert config.renotify.total_seconds() == 720 * 3600 and config.smtp.port == 65535
    assert config.email_to == ("a@example.com", "b@example.com")


@pytest.mark.parametrize("var, value", [
    ("PROPS_ALERT_EMAIL_TO", "oncall@example.com\r\nBcc: thief@example.net"),
    ("PROPS_ALERT_EMAIL_TO", "oncall@example.com\nBcc: thief@example.net"),
    ("PROPS_ALERT_EMAIL_TO", "not-an-address"),
    ("PROPS_ALERT_EMAIL_TO", "a@@example.com"),
    ("PROPS_ALERT_EMAIL_TO", "on call@example.com"),
    ("PROPS_ALERT_EMAIL_TO", "a@example.com, b@"),
    ("PROPS_ALERT_EMAIL_FROM", "props@example.com\r\nBcc: thief@example.net"),
    ("PROPS_ALERT_EMAIL_FROM", "props"),
    ("PROPS_ALERT_SMTP_STARTTLS", "on please"),
])
def test_an_address_or_flag_that_could_inject_or_mislead_is_a_usage_error(var, value):
    env = {"PROPS_ALERT_SMTP_HOST": "127.0.0.1", "PROPS_ALERT_EMAIL_TO": "oncall@example.com", var: value}
    with pytest.raises(UsageError) as err:
        from_env(env)
    assert var in str(err.value) and "\n" not in str(err.value)


# --- untrusted text -------------------------------------------------------------------------

HOSTILE = ("player=<!channel> \x1b[2J\x1b]0;pwned\x07", "link=<http://evil.example|click> & <@U123>",
           "name=Luka\tDon\u010di\u0107\r\nBcc: x@y")


def test_row_values_are_neutralised_for_every_channel(listener, smtp_server):
    # given events whose title, runbook and failing-row samples carry Slack markup and terminal escapes,
    # plus kinds this formatter has never seen
    events = [_event(sample=HOSTILE, title="Fresh <!here>\x9b2J now", runbook="<https://evil.example|runbook>"),
              _event(kind="could not evaluate", sample=HOSTILE), _event(kind="aged out")]
    slack = Listener()
    inbox, port = smtp_server
    config = AlertConfig(slack_webhook_url=slack.url, webhook_url=listener.url,
                         smtp=Smtp("127.0.0.1", port, None, None, False),
                         email_to=("oncall@example.com",), retry=QUICK)
    try:
        # when they are delivered
        assert deliver(events, config, "target <!everyone>") == ["slack", "webhook", "email"]
        [slack_post] = slack.posts()
    finally:
        slack.close()
    # then Slack got escaped text: no mention, link or escape sequence survives
    received = json.loads(slack_post["body"])
    texts = [received["text"]] + [json.dumps(b) for b in received["blocks"]]
    assert all("<" not in t and ">" not in t for t in texts)
    everything = received["text"] + json.dumps(received["blocks"], ensure_ascii=False)
    assert "&lt;!channel&gt;" in everything and "&lt;http://evil.example|click&gt; &amp; &lt;@U123&gt;" in everything
    assert "\x1b" not in everything and "\x9b" not in everything and "\x07" not in everything
    assert "COULD NOT EVALUATE" in everything and "AGED OUT" in everything
    # and the webhook got the literal values, minus control characters
    webhook = json.loads(listener.posts()[0]["body"])
    sample = webhook["alerts"][0]["sample"]
    assert sample[0].startswith("player=<!channel>") and "\x1b" not in json.dumps(webhook, ensure_ascii=False)
    assert [a["kind"] for a in webhook["alerts"]] == ["open", "could not evaluate", "aged out"]
    # and the e-mail has no control characters and no injected header
    [(rcpts, mail)] = inbox.messages
    body = mail.get_payload(decode=True).decode()
    assert rcpts == ["oncall@example.com"] and mail["Bcc"] is None
    assert "\x1b" not in body and "\x07" not in body and "\x9b" not in body and "\r\nBcc" not in body
    assert "Luka Don\u010di\u0107" in body
    # and the terminal headline is clean
    line = fmt.headline(events[0])
    assert line == "[ERROR] PRD-06 FAILING for 2026-01-10: Fresh <!here> now"


@pytest.mark.parametrize("raw, clean", [
    ("\x1b[2Jcleared", "cleared"),
    ("\x1b[1;31mred\x1b[0m", "red"),
    ("\x1b]0;window title\x07name", "name"),
    ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1bPdevice control\x1b\\x", "x"),
    ("a\x1b7b\x1b8c", "abc"),
    ("\x9b2Jc1", "c1"),
    ("nul\x00bell\x07bs\x08del\x7fend", "nulbellbsdelend"),
    ("tab\there", "tab here"),
    ("cr\rlf\nend", "cr lf end"),
    ("trailing escape\x1b", "trailing escape"),
    ("Don\u010di\u0107 \u2603", "Don\u010di\u0107 \u2603"),
    ("\x1b]0;unterminated", "0;unterminated"),
    ("evil\u202egnp.exe", "evilgnp.exe"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
])
def test_strip_control_removes_control_characters_and_escape_sequences(raw, clean):
    from props_contracts.textsafe import strip_control
    assert strip_control(raw) == clean


def test_strip_control_keeps_newlines_only_when_asked():
    from props_contracts.textsafe import strip_control
    assert strip_control("a\r\nb\x1b[2J\nc", keep_newlines=True) == "a\nb\nc"
    assert strip_control("a\r\nb\nc") == "a b c"


def test_slack_escape_escapes_markup_after_stripping():
    from props_contracts.textsafe import slack_escape
    assert slack_escape("<!channel> & <http://x|y> \x1b[2J&amp;") == "&lt;!channel&gt; &amp; &lt;http://x|y&gt; &amp;amp;"
