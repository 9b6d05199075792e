"""Alert state, kept in the warehouse: an append-only log of what was sent
(`<schema>_audit.alert_log`), with the open set derived from it. A job in a
fresh container behaves exactly like one with a warm disk.

A failure is announced once when it opens, again only every `renotify` while it
stays open, and once when it resolves. An invariant that could not be
evaluated is announced as such ("could not evaluate"); its open alerts stay
open, since nothing showed them fixed. A resolution is sent only on positive
evidence: every contract of the invariant ran in the latest run and none failed
on that date (engine.failures_of). A date that has left the
contracts' window is closed as "aged out", never as resolved.

Two `alert` runs at once: a lease row in `alert_lock`, taken with one MERGE
(BigQuery runs mutating DML on a table one statement at a time; DuckDB allows
one writer), serializes them, so the second reads the first's log and sends
nothing twice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from props_contracts.errors import PropsContractsError
from props_contracts.warehouse import INT64, STRING, TIMESTAMP, Table, Warehouse

OPEN, REMINDER, RESOLVED = "open", "still failing", "resolved"
UNEVALUATED, REEVALUATED, AGED_OUT = "could not evaluate", "evaluated again", "aged out"
OPENS, CLOSES = (OPEN, UNEVALUATED), (RESOLVED, REEVALUATED, AGED_OUT)
NOT_EVALUATED = "not evaluated"  # the partition of a "could not evaluate" alert
# an open incident an ack or silence now covers (alerts/acks.py): announced once, changes nothing open
ACKNOWLEDGED = "acknowledged"

ALERT_LOG = Table("alert_log", (
    ("event_id", STRING), ("run_id", STRING), ("invariant_id", STRING), ("partition_key", STRING),
    ("kind", STRING), ("severity", STRING), ("sent_at", TIMESTAMP), ("opened_at", TIMESTAMP),
    ("channels", STRING), ("failing_rows", INT64), ("holder", STRING),
), cluster_by=("invariant_id",))
ALERT_LOCK = Table("alert_lock", (
    ("name", STRING), ("holder", STRING), ("acquired_at", TIMESTAMP), ("expires_at", TIMESTAMP),
))


class AlertStateError(PropsContractsError):
    """The alert log or lock cannot be read or written."""


@dataclass(frozen=True)
class Failure:
    """One failing (or unevaluated) invariant on one partition, as seen in this run."""

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
    opened_at: datetime
    last_notified_at: datetime


@dataclass
class AlertEvent:
    kind: str
    invariant_id: str
    partition: str
    severity: str
    title: str = ""
    runbook: str = ""
    rows: int = 0
    sample: tuple[str, ...] = ()
    opened_at: str = ""
    event_id: str = ""  # stable across reruns (alerts/eventid.py)
    note: str = ""  # who acknowledged, why, until when (kind acknowledged)


def key(invariant_id: str, partition: str) -> tuple[str, str]:
    return invariant_id, partition


LOG_KINDS = (OPEN, REMINDER, RESOLVED, UNEVALUATED, REEVALUATED, AGED_OUT, ACKNOWLEDGED)
LOG_SEVERITIES = ("error", "warn")


def _log_problem(r: dict) -> str | None:
    """What is wrong with one alert_log row (None: nothing)."""
    absent = [c for c in ("event_id", "invariant_id", "partition_key", "kind", "severity", "sent_at")
              if r.get(c) is None or (isinstance(r[c], str) and not r[c].strip())]
    if absent:
        return f"has no {', '.join(absent)}"
    if r["kind"] not in LOG_KINDS:
        return f"has kind {r['kind']!r} outside {'/'.join(LOG_KINDS)}"
    if r["severity"] not in LOG_SEVERITIES:
        return f"has severity {r['severity']!r} outside {'/'.join(LOG_SEVERITIES)}"
    return None


def open_alerts(wh: Warehouse) -> dict[tuple[str, str], OpenAlert]:
    """The open set, folded from the log in the order things were sent. Every row
    is checked first: a log row with a NULL or an unknown kind cannot say what was
    sent, so no open set is derived from it (AlertStateError, exit 2) rather than
    one that might announce twice, or forget an open failure."""
    wh.ensure(ALERT_LOG)
    rows = wh.query(f"select event_id, invariant_id, partition_key, kind, severity, sent_at "
                    f"from {wh.audit(ALERT_LOG)} order by sent_at, event_id")
    problems = [f"row {i} (event {r.get('event_id')}) {why}" for i, r in enumerate(rows, 1)
                if (why := _log_problem(r))]
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise AlertStateError(f"the alert log {wh.audit(ALERT_LOG)} is malformed: {'; '.join(problems[:5])}{more}. "
                              "No alert is sent from a log that cannot say what was sent: repair or delete "
                              "those rows")
    out: dict[tuple[str, str], OpenAlert] = {}
    for r in rows:
        k = key(r["invariant_id"], r["partition_key"])
        if r["kind"] in OPENS:
            out[k] = OpenAlert(k[0], k[1], r["severity"], r["sent_at"], r["sent_at"])
        elif r["kind"] in CLOSES:
            out.pop(k, None)
        elif k in out and r["kind"] != ACKNOWLEDGED:  # an ack notice is no reminder
            out[k].last_notified_at = r["sent_at"]
    return out


def transition(open_set: dict[tuple[str, str], OpenAlert], failures: list[Failure], evaluated: set[str],
               window_start: date | None, now: datetime, renotify: timedelta) -> list[AlertEvent]:
    """Events to send for this run. `evaluated`: invariants the run shows passing on
    every date it does not list as failing (engine.failures_of): only their open
    alerts resolve; every other open alert stays open."""
    events: list[AlertEvent] = []
    stamp = now.isoformat(timespec="seconds")
    seen = set()
    for f in failures:
        k = key(f.invariant_id, f.partition)
        seen.add(k)
        current = open_set.get(k)
        if current is None:
            kind = UNEVALUATED if f.partition == NOT_EVALUATED else OPEN
            events.append(AlertEvent(kind, f.invariant_id, f.partition, f.severity, rows=f.rows,
                                     sample=f.sample, opened_at=stamp))
        elif now - current.last_notified_at >= renotify:
            kind = UNEVALUATED if f.partition == NOT_EVALUATED else REMINDER
            events.append(AlertEvent(kind, f.invariant_id, f.partition, f.severity, rows=f.rows,
                                     sample=f.sample, opened_at=current.opened_at.isoformat(timespec="seconds")))
    for k in sorted(set(open_set) - seen):
        gone = open_set[k]
        if gone.partition == NOT_EVALUATED:
            if gone.invariant_id not in evaluated:
                continue
            kind = REEVALUATED
        elif gone.invariant_id not in evaluated:
            continue  # not evaluated in this run: nothing shows it fixed, it stays open
        elif window_start is not None and _date(gone.partition) is not None and _date(gone.partition) < window_start:
            kind = AGED_OUT  # the contracts no longer look at that date: not verified fixed
        else:
            kind = RESOLVED
        events.append(AlertEvent(kind, gone.invariant_id, gone.partition, gone.severity,
                                 opened_at=gone.opened_at.isoformat(timespec="seconds")))
    return events


def _date(partition: str) -> date | None:
    try:
        return date.fromisoformat(partition)
    except ValueError:
        return None


def record_sent(wh: Warehouse, events: list[AlertEvent], run_id: str, channels: list[str], now: datetime,
                holder: str, per_event: dict[int, list[str]] | None = None) -> None:
    """Append what was sent, in one batch. per_event: id(event) -> the channels that
    event went to (routes), where it differs from `channels`."""
    per_event = per_event or {}
    wh.append(ALERT_LOG, [{
        "event_id": e.event_id or str(uuid.uuid4()), "run_id": run_id, "invariant_id": e.invariant_id,
        "partition_key": e.partition, "kind": e.kind, "severity": e.severity, "sent_at": now,
        "opened_at": datetime.fromisoformat(e.opened_at) if e.opened_at else None,
        "channels": ",".join(per_event.get(id(e), channels)), "failing_rows": e.rows, "holder": holder} for e in events])


@contextmanager
def alert_lock(wh: Warehouse, clock, ttl: timedelta = timedelta(minutes=10),
               wait: timedelta = timedelta(minutes=2)) -> Iterator[str]:
    """Hold the alert lease while planning, sending and logging. A lease left by a
    crashed run expires after `ttl`. Gives up after `wait` with a named error."""
    wh.ensure(ALERT_LOCK)
    holder = str(uuid.uuid4())
    table = wh.audit(ALERT_LOCK)
    take = (f"merge into {table} as t using (select @name as name, @holder as holder, @now as acquired_at, "
            "@expires as expires_at) as s on t.name = s.name "
            "when matched and t.expires_at < @now then update set holder = s.holder, "
            "acquired_at = s.acquired_at, expires_at = s.expires_at "
            "when not matched then insert (name, holder, acquired_at, expires_at) "
            "values (s.name, s.holder, s.acquired_at, s.expires_at)")
    deadline = time.monotonic() + wait.total_seconds()
    while True:
        now = clock()
        wh.query(take, {"name": "alert", "holder": holder, "now": now, "expires": now + ttl})
        rows = wh.query(f"select holder, acquired_at from {table} where name = @name", {"name": "alert"})
        if rows and rows[0]["holder"] == holder:
            break
        if time.monotonic() > deadline:
            since = f"since {rows[0]['acquired_at']} UTC " if rows else ""
            raise AlertStateError(f"another `alert` run has held the alert lock {since}"
                                  f"(it expires {ttl} after it was taken); try again later")
        if rows:  # held by another run; none: it was released between the take and this read
            time.sleep(0.5)
    try:
        yield holder
    finally:
        wh.query(f"delete from {table} where name = @name and holder = @holder", {"name": "alert", "holder": holder})
