"""From the latest completed run, as the warehouse holds it, to delivered alerts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from props_contracts.alerts import format as fmt
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import DeliveryError, post_json, send_email
from props_contracts.alerts.state import (
    NOT_EVALUATED,
    AlertEvent,
    Failure,
    alert_lock,
    open_alerts,
    record_sent,
    transition,
)
from props_contracts.catalog import Invariant
from props_contracts.errors import UsageError
from props_contracts.failures import format_row
from props_contracts.records import (
    FAIL,
    SELF_ID,
    SELF_RUNBOOK,
    SELF_TITLE,
    UNKNOWN,
    WARN,
    RunRecord,
    latest_run,
    record_age_problem,
)
from props_contracts.textsafe import strip_control
from props_contracts.warehouse import Warehouse


def failures_of(rec: RunRecord, min_severity: str) -> tuple[list[Failure], set[str]]:
    """(failing invariants split by the date their rows are about, or 'all' when
    a row carries no date; plus one 'could not evaluate' per unknown invariant),
    and the invariants whose every contract ran (only those may resolve)."""
    wanted = {FAIL} | ({WARN} if min_severity == "warn" else set())
    grouped: dict[tuple[str, str], dict] = defaultdict(lambda: {"tests": set(), "rows": [], "count": 0,
                                                                "sev": "warn"})
    for r in rec.results:
        if r.status not in wanted or not r.invariant_id:
            continue
        parts: dict[str, list] = defaultdict(list)
        for fr in rec.rows_of(r.unique_id):
            parts[fr.partition].append(fr)
        if not parts:
            parts["all"] = []
        for partition, rows in parts.items():
            g = grouped[(r.invariant_id, partition)]
            g["tests"].add(r.name)
            g["rows"] += [fr.row for fr in rows]
            g["count"] = max(g["count"], rows[0].partition_rows if rows else r.failures)
            if r.status == FAIL and r.severity == "error":
                g["sev"] = "error"
    failures = [Failure(iid, part, g["sev"], tuple(sorted(g["tests"])), g["count"],
                        tuple(format_row(row) for row in g["rows"][:3]))
                for (iid, part), g in sorted(grouped.items())]
    for iid, reason in sorted(rec.unknown.items()):
        tests = tuple(sorted(r.name for r in rec.results if r.invariant_id == iid and r.status == UNKNOWN))
        failures.append(Failure(iid, NOT_EVALUATED, "error", tests, 0, (strip_control(reason)[:500],)))
    by_inv: dict[str, list[str]] = defaultdict(list)
    for r in rec.results:
        if r.invariant_id:
            by_inv[r.invariant_id].append(r.status)
    evaluated = {i for i, statuses in by_inv.items() if UNKNOWN not in statuses and i not in rec.unknown}
    return failures, evaluated


def plan(wh: Warehouse, rec: RunRecord, config: AlertConfig, catalog: dict[str, Invariant],
         now: datetime, max_run_age: timedelta | None = None) -> list[AlertEvent]:
    """max_run_age: the staleness rule (SELF-01). A record older than that opens
    (and reminds) "contracts have not run since ..." at error severity, and
    resolves nothing: an old pass is no evidence about now. None: not checked."""
    failures, evaluated = failures_of(rec, config.min_severity)
    if max_run_age is not None:
        stale = record_age_problem(rec, now, max_run_age)
        if stale:
            failures.append(Failure(SELF_ID, "all", "error", (), 0, (stale,)))
            evaluated = set()
        else:
            evaluated.add(SELF_ID)
    events = transition(open_alerts(wh), failures, evaluated, rec.window_start, now, config.renotify)
    for e in events:
        inv = catalog.get(e.invariant_id)
        if inv:
            e.title, e.runbook = inv.title, inv.runbook
        elif e.invariant_id == SELF_ID:
            e.title, e.runbook = SELF_TITLE, SELF_RUNBOOK
    return events


def deliver(events: list[AlertEvent], config: AlertConfig, context: str) -> list[str]:
    """Send to every configured channel; raises DeliveryError naming each that failed
    (after trying the others, so one dead channel does not silence the rest)."""
    errors = []
    sent = []
    senders: dict[str, Callable[[], None]] = {
        "slack": lambda: post_json("slack", config.slack_webhook_url, fmt.slack_payload(events, context), config.retry),
        "webhook": lambda: post_json("webhook", config.webhook_url, fmt.webhook_payload(events, context), config.retry),
        "email": lambda: send_email(config.smtp, fmt.email_message(events, context, config.email_from,
                                                                   list(config.email_to)), config.retry),
    }
    for name in config.channels:
        try:
            senders[name]()
            sent.append(name)
        except DeliveryError as exc:  # collected, then raised below: never swallowed
            errors.append(exc)
    if errors:
        raise DeliveryError("; ".join(str(e) for e in errors)
                            + (f" (delivered to: {', '.join(sent)})" if sent else ""))
    return sent


def context_of(rec: RunRecord) -> str:
    return (f"target {rec.target_name}, run {rec.run_id[:8]} at {rec.started_at:%Y-%m-%d %H:%M} UTC "
            f"(judged as of {rec.as_of:%Y-%m-%d %H:%M} UTC)")


def alert_cycle(wh: Warehouse, config: AlertConfig, catalog: dict[str, Invariant],
                clock: Callable[[], datetime], dry_run: bool = False, max_run_age: timedelta | None = None
                ) -> tuple[RunRecord, list[AlertEvent], list[str]]:
    """Under the alert lock: plan from the latest completed run and the alert log,
    deliver, then (only if every channel took it) append what was sent."""
    rec = latest_run(wh, "run", clock())
    if rec is None:
        raise UsageError(f"no completed `props-contracts run` recorded on target {wh.target} in the last "
                         "30 days: run the contracts first (nothing to alert on, and nothing is assumed fine)")
    if dry_run:
        return rec, plan(wh, rec, config, catalog, clock(), max_run_age), []
    with alert_lock(wh, clock) as holder:
        now = clock()
        events = plan(wh, rec, config, catalog, now, max_run_age)
        if not events:
            return rec, events, []
        sent = deliver(events, config, context_of(rec))
        record_sent(wh, events, rec.run_id, sent, now, holder)
    return rec, events, sent


__all__ = ["alert_cycle", "deliver", "failures_of", "plan"]
