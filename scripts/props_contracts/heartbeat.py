"""Heartbeat: `run` pings a dead-man's switch (healthchecks.io convention), so a
job that stops running, or stops finishing, is noticed by something outside it.

    <url>/start?rid=<id>   when the run starts
    <url>?rid=<id>         when it ends with exit 0
    <url>/fail?rid=<id>    when it ends with exit 1 (a contract failed) or 2 (unknown, broken)

Each ping is a POST of a small JSON body (command, exit code, the error if any),
which healthchecks.io keeps as the ping's log. `rid` pairs a start with its
finish, so the service measures the run's duration and notices a start that
never finished. Sent with the alert channels' HTTP code (alerts/deliver.py:
https only, http only to loopback; no redirects; one deadline per attempt).

A ping that fails never changes the run's exit code and never stops the run:
it is said on stderr, loudly, and the switch's own grace period is what then
notices. A malformed PROPS_HEARTBEAT_URL is a named error (exit 2) before
anything runs.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from props_contracts.alerts.deliver import (
    DeliveryError,
    Retry,
    UnsafeUrlError,
    check_url,
    post_json,
    redact,
)
from props_contracts.errors import UsageError
from props_contracts.textsafe import strip_control
from props_contracts.warehouse import env_seconds

URL_ENV = "PROPS_HEARTBEAT_URL"
TIMEOUT_ENV = "PROPS_HEARTBEAT_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 10.0
ATTEMPTS = 2  # the timeout is shared between them: a dead endpoint costs at most the timeout


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class Heartbeat:
    url: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    command: str = "run"
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    say: Callable[[str], None] = _stderr

    def ping_url(self, suffix: str) -> str:
        """<url>[/suffix]?rid=<run id>, keeping any query the URL already has."""
        parts = urlsplit(self.url)
        path = parts.path.rstrip("/") + (f"/{suffix}" if suffix else "")
        query = "&".join(q for q in (parts.query, urlencode({"rid": self.run_id})) if q)
        return urlunsplit((parts.scheme, parts.netloc, path or "/", query, ""))

    def _ping(self, suffix: str, payload: dict) -> bool:
        retry = Retry(attempts=ATTEMPTS, backoff_seconds=0.0, timeout_seconds=self.timeout_seconds / ATTEMPTS)
        try:
            post_json("heartbeat", self.ping_url(suffix), {"source": "props-contracts", "command": self.command,
                                                           "rid": self.run_id, **payload}, retry)
        except DeliveryError as exc:  # said loudly below; the run's own outcome stands
            self.say(f"error: HEARTBEAT NOT SENT ({suffix or 'success'} ping to {redact(self.url)}): "
                     f"{strip_control(str(exc))}. The dead-man's switch will not hear from this run; "
                     "the run's exit code is not changed by this.")
            return False
        return True

    def start(self) -> bool:
        return self._ping("start", {"event": "start"})

    def finish(self, exit_code: int, message: str = "") -> bool:
        outcome = {0: "pass", 1: "fail"}.get(exit_code, "unknown")
        return self._ping("" if exit_code == 0 else "fail",
                          {"event": "finish", "exit_code": exit_code, "outcome": outcome,
                           "message": strip_control(message)[:4000]})


def from_env(env: Mapping[str, str], command: str = "run") -> Heartbeat | None:
    """The heartbeat PROPS_HEARTBEAT_URL asks for (None when unset); a malformed
    URL or timeout is a UsageError naming the variable (never echoing the URL's path)."""
    raw = env.get(URL_ENV, "")
    if raw == "":
        return None
    try:
        check_url(raw)
    except UnsafeUrlError as exc:
        raise UsageError(f"{URL_ENV} {exc}") from exc
    if urlsplit(raw).fragment:
        raise UsageError(f"{URL_ENV} has a #fragment ({redact(raw)}): give the ping URL itself")
    set_timeout = {TIMEOUT_ENV: env[TIMEOUT_ENV]} if env.get(TIMEOUT_ENV, "") != "" else {}  # empty: the default
    timeout = env_seconds(set_timeout, TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS, 0.2, 120)
    return Heartbeat(raw, timeout, command)
