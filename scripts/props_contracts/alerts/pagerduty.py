"""PagerDuty Events API v2 as an alert channel.

One POST per event to PROPS_ALERT_PAGERDUTY_URL (default the public
https://events.pagerduty.com/v2/enqueue), with the integration's routing key:

- a failure opening, a reminder, "could not evaluate": `trigger`
  (PagerDuty appends a repeat to the open incident of the same dedup_key);
- resolved, evaluated again: `resolve`;
- acknowledged or silenced in `props-contracts ack` / `silence`: `acknowledge`;
- aged out (the date left the contracts' window, nothing showed it fixed):
  nothing; the incident stays open in PagerDuty for a person to close.

dedup_key is the incident key, `INVARIANT|PARTITION` (e.g. `PRD-06|2026-01-10`):
readable in PagerDuty, the same for the trigger and its resolve. A resolved
key that fails again opens a new PagerDuty incident (PagerDuty never reopens a
resolved one). Every event carries the stable event ID in custom_details.
"""

from __future__ import annotations

from props_contracts.alerts import format as fmt
from props_contracts.alerts.deliver import Retry, post_json
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


def send(events: list[AlertEvent], routing_key: str, url: str, context: str, retry: Retry) -> int:
    """POST each event in order (a trigger before its acknowledge); the number sent.
    A failure raises DeliveryError (deliver.post_json) naming the host only, never
    the routing key."""
    n = 0
    for e in events:
        body = event_body(e, routing_key, context)
        if body is not None:
            post_json("pagerduty", url, body, retry)
            n += 1
    return n


__all__ = ["DEFAULT_URL", "dedup_key", "event_body", "send", "severity"]
