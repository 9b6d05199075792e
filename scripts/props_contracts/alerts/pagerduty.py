"""PagerDuty Events API v2 as an alert channel.

One POST per incident (alerts/grouping.py: one per root cause) to PROPS_ALERT_PAGERDUTY_URL (default the public
https://events.pagerduty.com/v2/enqueue), with the integration's routing key:

- a failure opening, a reminder, "could not evaluate": `trigger`
  (PagerDuty appends a repeat to the open incident of the same dedup_key);
- resolved, evaluated again: `resolve`, once no member of the incident is open;
- acknowledged or silenced in `props-contracts ack` / `silence`: `acknowledge`;
- aged out (the date left the contracts' window, nothing showed it fixed):
  nothing; the incident stays open in PagerDuty for a person to close.

dedup_key is the incident key, `INVARIANT|PARTITION` (e.g. `PRD-06|2026-01-10`), or a
build root cause's (`source:DATASET.TABLE`, `model:NAME`; docs/incidents-and-digest.md):
readable in PagerDuty, the same for the trigger and its resolve. A resolved
key that fails again opens a new PagerDuty incident (PagerDuty never reopens a
resolved one). Every event carries the stable event ID in custom_details.
"""

from __future__ import annotations

import hashlib

from props_contracts.alerts import format as fmt
from props_contracts.alerts import incident_format as ifmt
from props_contracts.alerts.deliver import Retry, post_json
from props_contracts.alerts.grouping import Incident
from props_contracts.alerts.state import (
    ACKNOWLEDGED,
    AGED_OUT,
    OPEN,
    REEVALUATED,
    REMINDER,
    RESOLVED,
    UNEVALUATED,
    AlertEvent,
)
from props_contracts.textsafe import strip_control

DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue"
ACTIONS = {OPEN: "trigger", REMINDER: "trigger", UNEVALUATED: "trigger", RESOLVED: "resolve",
           REEVALUATED: "resolve", ACKNOWLEDGED: "acknowledge"}
SKIPPED = (AGED_OUT,)  # never a resolve that nothing verified
MAX_SUMMARY = 1024  # PagerDuty's limits
MAX_DEDUP_KEY = 255


def dedup_key(e: AlertEvent) -> str:
    return strip_control(f"{e.invariant_id}|{e.partition}")[:MAX_DEDUP_KEY]


def severity(e: AlertEvent) -> str:
    """PagerDuty's severity from the contract's: a failing error-severity contract is
    critical, one that could not be evaluated an error, a warn-severity one a
    warning; anything else (a notice) info."""
    if e.kind == UNEVALUATED:
        return "error"
    if e.kind in (OPEN, REMINDER):
        return {"error": "critical", "warn": "warning"}.get(e.severity, "info")
    return "info"


def event_body(e: AlertEvent, routing_key: str, context: str) -> dict | None:
    """The Events v2 body for one alert event (None: not sent to PagerDuty)."""
    action = ACTIONS.get(e.kind)
    if action is None or e.kind in SKIPPED:
        return None

    def s(value: object) -> str:
        return strip_control(str(value))

    details = {"event_id": s(e.event_id), "kind": s(e.kind), "invariant_id": s(e.invariant_id),
               "partition": s(e.partition), "title": s(e.title), "context": s(context)}
    if e.kind in (OPEN, REMINDER, UNEVALUATED):
        details |= {"failing_rows": e.rows, "failing_row_entities": [s(x) for x in e.sample],
                    "runbook": s(e.runbook), "opened_at": s(e.opened_at)}
    if e.note:
        details["note"] = s(e.note)
    return {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key(e),
            "client": "props-contracts",
            "payload": {"summary": fmt.headline(e)[:MAX_SUMMARY], "source": "props-contracts",
                        "severity": severity(e), "component": s(e.invariant_id)[:255],
                        "class": s(e.kind), "custom_details": details}}


def incident_action(inc: Incident) -> str | None:
    """The Events v2 action for one incident (grouping.py): an open, updated or
    reminded incident triggers (PagerDuty folds it into the open alert of its key);
    it resolves only when it closed with no member left open; an aged-out close
    sends nothing (nothing showed it fixed); an ack or silence acknowledges."""
    if inc.kind == ACKNOWLEDGED:
        return "acknowledge"
    if inc.kind in SKIPPED:
        return None
    if inc.kind in (RESOLVED, REEVALUATED):
        return "resolve" if inc.still_open == 0 else "trigger"
    return "trigger"


_RANK = ("info", "warning", "error", "critical")


def incident_body(inc: Incident, routing_key: str, context: str) -> dict | None:
    """The Events v2 body of one incident: dedup_key is its key (`PRD-06|2026-01-10`,
    `source:nba_raw.nbac_schedule`, `model:NAME`), one page per root cause. An
    incident of one event is that event's body (its own event ID); several events
    carry every member, and an event ID made from theirs."""
    action = incident_action(inc)
    if action is None or not inc.members:
        return None
    if len(inc.members) == 1:
        body = event_body(inc.members[0], routing_key, context)
        if body is not None:
            body["event_action"], body["dedup_key"] = action, strip_control(inc.key)[:MAX_DEDUP_KEY]
        return body

    def s(value: object) -> str:
        return strip_control(str(value))

    ids = sorted(s(m.event_id) for m in inc.members)
    details = {"event_id": "pc1-" + hashlib.sha256("|".join(ids).encode()).hexdigest()[:20],
               "member_event_ids": ids, "kind": s(inc.kind), "title": s(inc.title), "context": s(context),
               "opened_at": s(inc.opened_at), "members_still_open": inc.still_open,
               "members": [{"invariant_id": s(m.invariant_id), "partition": s(m.partition), "kind": s(m.kind),
                            "failing_rows": m.rows} for m in inc.members],
               "failing_row_entities": [s(x) for m in inc.members for x in m.sample][:50],
               "runbook": s(inc.runbook)}
    notes = [s(m.note) for m in inc.members if m.note]
    if notes:
        details["note"] = "; ".join(notes)
    worst = max((severity(m) for m in inc.members), key=_RANK.index)
    return {"routing_key": routing_key, "event_action": action, "dedup_key": s(inc.key)[:MAX_DEDUP_KEY],
            "client": "props-contracts",
            "payload": {"summary": ifmt.headline(inc)[:MAX_SUMMARY], "source": "props-contracts",
                        "severity": worst, "component": s(inc.key)[:255], "class": s(inc.kind),
                        "custom_details": details}}


def send(incidents: list[Incident], routing_key: str, url: str, context: str, retry: Retry) -> int:
    """POST each incident in order (a trigger before its acknowledge); the number sent.
    A failure raises DeliveryError (deliver.post_json) naming the host only, never
    the routing key."""
    n = 0
    for inc in incidents:
        body = incident_body(inc, routing_key, context)
        if body is not None:
            post_json("pagerduty", url, body, retry)
            n += 1
    return n


__all__ = ["DEFAULT_URL", "dedup_key", "event_body", "incident_action", "incident_body", "send", "severity"]
