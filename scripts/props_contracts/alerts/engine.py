"""From the latest completed run, as the warehouse holds it, to delivered alerts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from props_contracts import project_root
from props_contracts.alerts import incident_format as ifmt
from props_contracts.alerts import pagerduty
from props_contracts.alerts.acks import hold_acknowledged
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import DeliveryError, post_json, send_email
from props_contracts.alerts.eventid import assign as assign_event_ids
from props_contracts.alerts.grouping import (
    Incident,
    Lineage,
    analyse,
    group,
    load_lineage,
    read_membership,
    record_incidents,
    restrict,
    singletons,
)
from props_contracts.alerts.routes import Routes, default_routes, deliver_routed
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
    ROWS_NOT_AVAILABLE,
    SELF_ID,
    SELF_RUNBOOK,
    SELF_TITLE,
    UNKNOWN,
    WARN,
    ContractResult,
    RunRecord,
    latest_record,
    no_record_message,
    record_age_problem,
    rows_problem,
)
from props_contracts.textsafe import strip_control
from props_contracts.warehouse import Warehouse


def alert_key(r: ContractResult) -> str:
    """What an alert is about: the contract's invariant ID, or, for a contract with
    none (a key test), its own name. Every failing contract is announced."""
    return r.invariant_id or r.name


def failures_of(rec: RunRecord, min_severity: str) -> tuple[list[Failure], set[str]]:
    """(failing invariants split by the date their rows are about, or 'all' when
    a row carries no date; plus one 'could not evaluate' per unknown invariant),
    and the invariants this run shows passing on every date it does not list as
    failing: only their open alerts may resolve. That takes positive evidence:
    every contract of the invariant ran (none unknown), none failed on rows that
    carry no date (those are about every date), and every failure is accounted
    for by its stored rows (a contract whose rows were not available failed on
    dates nobody knows). The record itself was verified when it was read
    (records.parse_record)."""
    wanted = {FAIL} | ({WARN} if min_severity == "warn" else set())
    grouped: dict[tuple[str, str], dict] = defaultdict(lambda: {"tests": set(), "rows": [], "count": 0,
                                                                "sev": "warn"})
    no_evidence: set[str] = set()  # invariants some dates of which nothing shows passing
    for r in rec.results:
        if r.status in (FAIL, WARN) and (r.reason.startswith(ROWS_NOT_AVAILABLE)
                                         or rows_problem(r, rec.rows_of(r.unique_id))):
            no_evidence.add(alert_key(r))
        if r.status not in wanted:
            continue
        parts: dict[str, list] = defaultdict(list)
        for fr in rec.rows_of(r.unique_id):
            parts[fr.partition].append(fr)
        if not parts:
            parts["all"] = []
        if "all" in parts:
            no_evidence.add(alert_key(r))
        for partition, rows in parts.items():
            g = grouped[(alert_key(r), partition)]
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
    # a contract without an invariant ID (a key test) cannot be unknown in silence either
    for r in rec.results:
        if not r.invariant_id and r.status == UNKNOWN:
            failures.append(Failure(alert_key(r), NOT_EVALUATED, "error", (r.name,), 0,
                                    (strip_control(r.reason or "not evaluated")[:500],)))
    by_inv: dict[str, list[str]] = defaultdict(list)
    for r in rec.results:
        by_inv[alert_key(r)].append(r.status)
    # an invariant resolves only on positive evidence: every contract of it ran in this
    # record, the record holds the invariant as evaluated, and every failing row of it
    # was accounted for; a contract without an ID (a key test) when it ran and passed
    evaluated = {i for i, statuses in by_inv.items()
                 if UNKNOWN not in statuses and i not in rec.unknown and i not in no_evidence
                 and (rec.invariants.get(i, (UNKNOWN,))[0] != UNKNOWN
                      if any(r.invariant_id == i for r in rec.results) else True)}
    return failures, evaluated


def plan(wh: Warehouse, rec: RunRecord, config: AlertConfig, catalog: dict[str, Invariant],
         now: datetime, max_run_age: timedelta | None = None, held: list | None = None) -> list[AlertEvent]:
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
    open_set = open_alerts(wh)
    events = transition(open_set, failures, evaluated, rec.window_start, now, config.renotify)
    # acknowledged or silenced: reminders held, an "acknowledged" notice once (alerts/acks.py)
    events, held_now = hold_acknowledged(wh, events, open_set, now)
    if held is not None:
        held += held_now
    for e in events:
        inv = catalog.get(e.invariant_id)
        if inv:
            e.title, e.runbook = inv.title, inv.runbook
        elif e.invariant_id == SELF_ID:
            e.title, e.runbook = SELF_TITLE, SELF_RUNBOOK
        elif any(r.invariant_id == e.invariant_id for r in rec.results):
            # never an empty title: an ID outside the catalog says so, with its contracts
            tests = sorted({t for f in failures if f.invariant_id == e.invariant_id for t in f.tests}
                           - {e.invariant_id})
            names = f"{e.invariant_id} ({', '.join(tests)})" if tests else e.invariant_id
            e.title = e.title or f"{names}: a contract whose invariant ID is not in seeds/invariants.csv"
            e.runbook = e.runbook or ("Read the contract's failing rows and its description in the YAML; "
                                      "add its ID to seeds/invariants.csv, or correct the ID.")
        else:  # keyed by a test's own name: a model's key test (the parse refuses any other test without an ID)
            e.title = e.title or f"{e.invariant_id}: a model's key test (no invariant ID)"
            e.runbook = e.runbook or ("A key repeats or is NULL in the model the test names: read its failing "
                                      "rows; the model's input has duplicates the staging dedup did not remove.")
    assign_event_ids(wh, events, set(open_set))
    return events


def deliver(events: list[AlertEvent], config: AlertConfig, context: str,
            incidents: list[Incident] | None = None) -> list[str]:
    """Send to every configured channel, one section per incident (grouping.py; without
    a grouping, each event is its own); raises DeliveryError naming each that failed
    (after trying the others, so one dead channel does not silence the rest)."""
    # each route sends its own events: the incidents' members among them
    incidents = singletons(events) if incidents is None else restrict(incidents, events)
    errors = []
    sent = []
    senders: dict[str, Callable[[], None]] = {
        "slack": lambda: post_json("slack", config.slack_webhook_url,
                                   ifmt.slack_payload(incidents, events, context), config.retry),
        "webhook": lambda: post_json("webhook", config.webhook_url,
                                     ifmt.webhook_payload(incidents, events, context), config.retry),
        "email": lambda: send_email(config.smtp, ifmt.email_message(incidents, events, context, config.email_from,
                                                                    list(config.email_to)), config.retry),
        "pagerduty": lambda: pagerduty.send(incidents, config.pagerduty_routing_key, config.pagerduty_url, context,
                                            config.retry),
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


@dataclass
class Cycle:
    record: RunRecord
    events: list[AlertEvent]
    incidents: list[Incident]
    sent: list[str]


def incidents_of(wh: Warehouse, rec: RunRecord, events: list[AlertEvent], config: AlertConfig,
                 lineage: Lineage, now: datetime) -> list[Incident]:
    """The events grouped by root cause (grouping.py), from the run and the incident log."""
    open_before = open_alerts(wh)
    failures, _ = failures_of(rec, config.min_severity)
    return group(events, analyse(rec, failures, lineage), read_membership(wh, open_before), open_before,
                 lineage, now)


def alert_cycle_incidents(wh: Warehouse, config: AlertConfig, catalog: dict[str, Invariant],
                          clock: Callable[[], datetime], dry_run: bool = False,
                          max_run_age: timedelta | None = None, lineage: Lineage | None = None,
                          routes: Routes | None = None, held: list | None = None) -> Cycle:
    """Under the alert lock: plan from the latest completed run and the alert log,
    group by root cause, deliver, then (only if every channel took it) append what
    was sent: the members to the alert log, the grouping to the incident log."""
    lineage = lineage or load_lineage(project_root(), catalog)
    rec = latest_record(wh, clock())
    if rec is None:
        raise UsageError(no_record_message(wh, clock(), "nothing to alert on, and nothing is assumed fine"))
    if dry_run:
        events = plan(wh, rec, config, catalog, clock(), max_run_age, held)
        return Cycle(rec, events, incidents_of(wh, rec, events, config, lineage, clock()), [])
    with alert_lock(wh, clock) as holder:
        now = clock()
        events = plan(wh, rec, config, catalog, now, max_run_age, held)
        if not events:
            return Cycle(rec, events, [], [])
        incidents = incidents_of(wh, rec, events, config, lineage, now)
        per_event: dict[int, list[str]] = {}
        sent = deliver_routed(events, routes or default_routes(config), catalog, context_of(rec),
                              lambda evs, cfg, ctx: deliver(evs, cfg, ctx, incidents), per_event)
        record_sent(wh, events, rec.run_id, sent, now, holder, per_event)
        record_incidents(wh, incidents, rec.run_id, now, holder)
    return Cycle(rec, events, incidents, sent)


def alert_cycle(wh: Warehouse, config: AlertConfig, catalog: dict[str, Invariant],
                clock: Callable[[], datetime], dry_run: bool = False, max_run_age: timedelta | None = None,
                routes: Routes | None = None, held: list | None = None
                ) -> tuple[RunRecord, list[AlertEvent], list[str]]:
    """alert_cycle_incidents, as (record, events, channels sent to)."""
    c = alert_cycle_incidents(wh, config, catalog, clock, dry_run, max_run_age, routes=routes, held=held)
    return c.record, c.events, c.sent


__all__ = ["Cycle", "alert_cycle", "alert_cycle_incidents", "deliver", "failures_of", "incidents_of", "plan"]
