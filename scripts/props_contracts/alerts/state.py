"""Alert state per invariant and partition (game date, or 'all').

A failure is announced once when it opens, again only every `renotify_hours`
while it stays open, and once when it resolves. State is written only after
every event was delivered, so an undelivered event is retried next run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from props_contracts.errors import PropsContractsError

OPEN, REMINDER, RESOLVED = "open", "still failing", "resolved"


class AlertStateError(PropsContractsError):
    """The alert state file cannot be read or written."""


@dataclass(frozen=True)
class Failure:
    """One failing invariant on one partition, as seen in this run."""

    invariant_id: str
    partition: str
    severity: str
    tests: tuple[str, ...]
    rows: int
    sample: tuple[str, ...] = ()


@dataclass
class OpenAlert:
    invariant_id: str
    partition: str
    severity: str
    opened_at: str
    last_notified_at: str


@dataclass
class AlertEvent:
    kind: str  # open, still failing, resolved
    invariant_id: str
    partition: str
    severity: str
    title: str = ""
    runbook: str = ""
    rows: int = 0
    sample: tuple[str, ...] = ()
    opened_at: str = ""


@dataclass
class AlertState:
    open: dict[str, OpenAlert] = field(default_factory=dict)

    @staticmethod
    def key(invariant_id: str, partition: str) -> str:
        return f"{invariant_id}|{partition}"

    @classmethod
    def load(cls, path: Path) -> AlertState:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text())
            return cls({k: OpenAlert(**v) for k, v in raw.get("open", {}).items()})
        except (OSError, ValueError, TypeError) as exc:
            raise AlertStateError(f"alert state {path} is unreadable ({exc}); fix or remove it") from exc

    def save(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"open": {k: asdict(v) for k, v in self.open.items()}}, indent=2))
            tmp.replace(path)
        except OSError as exc:
            raise AlertStateError(f"cannot write alert state {path}: {exc}") from exc


def transition(state: AlertState, failures: list[Failure], now: datetime,
               renotify: timedelta) -> tuple[list[AlertEvent], AlertState]:
    """Events to send for this run, and the state to keep once they are sent."""
    events: list[AlertEvent] = []
    new = AlertState(dict(state.open))
    stamp = now.isoformat(timespec="seconds")
    seen = set()
    for f in failures:
        k = AlertState.key(f.invariant_id, f.partition)
        seen.add(k)
        current = new.open.get(k)
        if current is None:
            new.open[k] = OpenAlert(f.invariant_id, f.partition, f.severity, stamp, stamp)
            events.append(AlertEvent(OPEN, f.invariant_id, f.partition, f.severity, rows=f.rows,
                                     sample=f.sample, opened_at=stamp))
        elif now - datetime.fromisoformat(current.last_notified_at) >= renotify:
            current.last_notified_at = stamp
            events.append(AlertEvent(REMINDER, f.invariant_id, f.partition, f.severity, rows=f.rows,
                                     sample=f.sample, opened_at=current.opened_at))
    for k in sorted(set(new.open) - seen):
        gone = new.open.pop(k)
        events.append(AlertEvent(RESOLVED, gone.invariant_id, gone.partition, gone.severity,
                                 opened_at=gone.opened_at))
    return events, new
