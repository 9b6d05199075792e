"""Alert configuration, read from the environment when the command runs (never at import).

Every value is checked here, so that a bad one stops the command with a one-line
UsageError (exit 2) naming the variable and what is allowed, before anything is
sent; a webhook URL is never echoed beyond scheme://host[:port]/***.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from props_contracts.alerts.deliver import Retry, Smtp, UnsafeUrlError, check_url
from props_contracts.errors import UsageError


@dataclass(frozen=True)
class AlertConfig:
    slack_webhook_url: str | None = None
    webhook_url: str | None = None
    smtp: Smtp | None = None
    email_from: str = "props-contracts@localhost"
    email_to: tuple[str, ...] = ()
    renotify: timedelta = timedelta(hours=6)
    min_severity: str = "error"
    retry: Retry = field(default_factory=Retry)
    pagerduty_routing_key: str | None = None  # alerts/pagerduty.py
    pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"

    @property
    def channels(self) -> list[str]:
        return [name for name, on in (("slack", self.slack_webhook_url), ("webhook", self.webhook_url),
                                      ("email", self.smtp), ("pagerduty", self.pagerduty_routing_key)) if on]

    def __repr__(self) -> str:  # never print secrets
        return f"AlertConfig(channels={self.channels}, renotify={self.renotify})"


def _shown(raw: str) -> str:
    """A value as it may appear in a one-line message: quoted, escapes visible, bounded."""
    return repr(raw if len(raw) <= 60 else raw[:60] + "...")


def _number(env: Mapping[str, str], name: str, default: float, *, low: float, high: float,
            low_inclusive: bool = True) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    allowed = f"{'from' if low_inclusive else 'more than'} {low:g} {'to' if low_inclusive else 'and at most'} {high:g}"
    try:
        value = float(raw)
    except ValueError as exc:
        raise UsageError(f"{name}={_shown(raw)} is not a number; allowed: {allowed}") from exc
    if not math.isfinite(value) or value > high or value < low or (value == low and not low_inclusive):
        raise UsageError(f"{name}={_shown(raw)} is out of range; allowed: {allowed}")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    allowed = f"a whole number from {low} to {high}"
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise UsageError(f"{name}={_shown(raw)} is not a whole number; allowed: {allowed}") from exc
    if not low <= value <= high:
        raise UsageError(f"{name}={_shown(raw)} is out of range; allowed: {allowed}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "")
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise UsageError(f"{name}={_shown(raw)} is not a yes/no value; allowed: true/false, yes/no, on/off, 1/0")


# local@domain: exactly one @, nothing that could end a header or start another
# address (whitespace, CR/LF and other controls, <>()[],;:"\).
_ADDRESS = re.compile(r'[^@\s<>()\[\],;:"\\]+@[^@\s<>()\[\],;:"\\]+')


def _address(name: str, raw: str) -> str:
    if not _ADDRESS.fullmatch(raw) or not raw.isprintable():
        raise UsageError(f"{name}: {_shown(raw)} is not an e-mail address; allowed: local@domain, "
                         "no spaces, line breaks or display names")
    return raw


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    try:
        check_url(raw)
    except UnsafeUrlError as exc:
        raise UsageError(f"{name} {exc}") from exc
    return raw


# a PagerDuty integration's routing (integration) key: 32 characters; never echoed
_ROUTING_KEY = re.compile(r"[A-Za-z0-9_-]{8,128}")


def routing_key(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    if not _ROUTING_KEY.fullmatch(raw):
        raise UsageError(f"{name} is not a PagerDuty routing key (letters, digits, _ and -, 8 to 128 "
                         "characters: the Integration Key of an Events API v2 integration)")
    return raw


def from_env(env: Mapping[str, str]) -> AlertConfig:
    to = tuple(_address("PROPS_ALERT_EMAIL_TO", a.strip())
               for a in env.get("PROPS_ALERT_EMAIL_TO", "").split(",") if a.strip())
    sender = _address("PROPS_ALERT_EMAIL_FROM", env.get("PROPS_ALERT_EMAIL_FROM") or "props-contracts@localhost")
    smtp = None
    host = env.get("PROPS_ALERT_SMTP_HOST", "")
    if host:
        if not to:
            raise UsageError("PROPS_ALERT_SMTP_HOST is set but PROPS_ALERT_EMAIL_TO is empty")
        if not host.isprintable() or any(c.isspace() or c in "/@" for c in host):
            raise UsageError(f"PROPS_ALERT_SMTP_HOST={_shown(host)} is not a host name or address")
        smtp = Smtp(host, _integer(env, "PROPS_ALERT_SMTP_PORT", 25, low=1, high=65535),
                    env.get("PROPS_ALERT_SMTP_USER") or None, env.get("PROPS_ALERT_SMTP_PASSWORD") or None,
                    _flag(env, "PROPS_ALERT_SMTP_STARTTLS"))
    severity = env.get("PROPS_ALERT_MIN_SEVERITY", "error").lower()
    if severity not in ("error", "warn"):
        raise UsageError(f"PROPS_ALERT_MIN_SEVERITY must be error or warn, got {_shown(severity)}")
    return AlertConfig(
        slack_webhook_url=_url(env, "PROPS_ALERT_SLACK_WEBHOOK_URL"),
        webhook_url=_url(env, "PROPS_ALERT_WEBHOOK_URL"),
        smtp=smtp,
        email_from=sender,
        email_to=to,
        renotify=timedelta(hours=_number(env, "PROPS_ALERT_RENOTIFY_HOURS", 6, low=0, high=720,
                                         low_inclusive=False)),
        min_severity=severity,
        retry=Retry(attempts=_integer(env, "PROPS_ALERT_ATTEMPTS", 4, low=1, high=10),
                    backoff_seconds=_number(env, "PROPS_ALERT_BACKOFF_SECONDS", 0.5, low=0, high=60),
                    timeout_seconds=_number(env, "PROPS_ALERT_TIMEOUT_SECONDS", 5, low=0, high=120,
                                            low_inclusive=False)),
        pagerduty_routing_key=routing_key(env, "PROPS_ALERT_PAGERDUTY_ROUTING_KEY"),
        pagerduty_url=_url(env, "PROPS_ALERT_PAGERDUTY_URL") or "https://events.pagerduty.com/v2/enqueue",
    )
