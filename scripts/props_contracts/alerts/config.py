"""Alert configuration, read from the environment when the command runs (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from props_contracts.alerts.deliver import Retry, Smtp
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
    state_path: Path = Path(".warehouse/alert_state.json")
    retry: Retry = field(default_factory=Retry)

    @property
    def channels(self) -> list[str]:
        return [name for name, on in (("slack", self.slack_webhook_url), ("webhook", self.webhook_url),
                                      ("email", self.smtp)) if on]

    def __repr__(self) -> str:  # never print secrets
        return f"AlertConfig(channels={self.channels}, renotify={self.renotify}, state={self.state_path})"


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise UsageError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise UsageError(f"{name} must not be negative, got {raw!r}")
    return value


def from_env(env: Mapping[str, str]) -> AlertConfig:
    smtp = None
    to = tuple(a.strip() for a in env.get("PROPS_ALERT_EMAIL_TO", "").split(",") if a.strip())
    if env.get("PROPS_ALERT_SMTP_HOST"):
        if not to:
            raise UsageError("PROPS_ALERT_SMTP_HOST is set but PROPS_ALERT_EMAIL_TO is empty")
        smtp = Smtp(env["PROPS_ALERT_SMTP_HOST"], int(_number(env, "PROPS_ALERT_SMTP_PORT", 25)),
                    env.get("PROPS_ALERT_SMTP_USER") or None, env.get("PROPS_ALERT_SMTP_PASSWORD") or None,
                    env.get("PROPS_ALERT_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"))
    severity = env.get("PROPS_ALERT_MIN_SEVERITY", "error").lower()
    if severity not in ("error", "warn"):
        raise UsageError(f"PROPS_ALERT_MIN_SEVERITY must be error or warn, got {severity!r}")
    return AlertConfig(
        slack_webhook_url=env.get("PROPS_ALERT_SLACK_WEBHOOK_URL") or None,
        webhook_url=env.get("PROPS_ALERT_WEBHOOK_URL") or None,
        smtp=smtp,
        email_from=env.get("PROPS_ALERT_EMAIL_FROM", "props-contracts@localhost"),
        email_to=to,
        renotify=timedelta(hours=_number(env, "PROPS_ALERT_RENOTIFY_HOURS", 6)),
        min_severity=severity,
        state_path=Path(env.get("PROPS_ALERT_STATE_PATH", ".warehouse/alert_state.json")),
        retry=Retry(attempts=int(_number(env, "PROPS_ALERT_ATTEMPTS", 4)) or 1,
                    backoff_seconds=_number(env, "PROPS_ALERT_BACKOFF_SECONDS", 0.5),
                    timeout_seconds=_number(env, "PROPS_ALERT_TIMEOUT_SECONDS", 5)),
    )
