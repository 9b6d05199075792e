"""Alert messages: Slack Block Kit, generic JSON webhook, e-mail. Pure functions.

Titles, runbooks, samples of failing rows and the context are data, not markup:
in Slack every piece is escaped (no `<!channel>`, link or mention can come from
a row), on the terminal and in e-mail control characters and escape sequences
are removed (no row can clear a screen or add a header line).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from email.message import EmailMessage

from props_contracts.alerts.state import (
    ACKNOWLEDGED,
    NOT_EVALUATED,
    OPEN,
    RESOLVED,
    UNEVALUATED,
    AlertEvent,
)
from props_contracts.textsafe import slack_escape, strip_control

ICON = {OPEN: ":rotating_light:", "still failing": ":warning:", RESOLVED: ":white_check_mark:",
        "could not evaluate": ":grey_question:", "evaluated again": ":white_check_mark:",
        "aged out": ":hourglass:", ACKNOWLEDGED: ":eyes:"}
DEFAULT_ICON = ":information_source:"
LABEL = {OPEN: "FAILING", "still failing": "STILL FAILING", RESOLVED: "RESOLVED", ACKNOWLEDGED: "ACKNOWLEDGED"}
# kinds that close an alert: they carry no failing rows, only since when it was open
CLOSING = (RESOLVED, "evaluated again", "aged out")


def _label(kind: str) -> str:
    return LABEL.get(kind) or str(kind).upper()


def _headline(e: AlertEvent, clean: Callable[[str], str]) -> str:
    where = "" if e.partition in ("all", NOT_EVALUATED) else f" for {clean(str(e.partition))}"
    return (f"[{clean(str(e.severity).upper())}] {clean(str(e.invariant_id))} {clean(_label(e.kind))}{where}: "
            f"{clean(str(e.title))}")


def headline(e: AlertEvent) -> str:
    """One line for a terminal or a log: no control characters from the data."""
    return _headline(e, strip_control)


def slack_payload(events: list[AlertEvent], context: str) -> dict:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"props-contracts: {len(events)} alert(s)"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(str(context))}]}]
    for e in events:
        lines = [f"{ICON.get(e.kind, DEFAULT_ICON)} *{_headline(e, slack_escape)}*"]
        if e.kind == ACKNOWLEDGED:
            lines.append(slack_escape(str(e.note)))
        elif e.kind not in CLOSING:
            if e.kind != UNEVALUATED:
                lines.append(f"{slack_escape(str(e.rows))} failing row(s)")
            lines += [f"• `{slack_escape(str(s))}`" for s in e.sample]
            lines.append(f"_Runbook:_ {slack_escape(str(e.runbook))}")
        else:
            lines.append(f"open since {slack_escape(str(e.opened_at))}")
        if e.event_id:
            lines.append(f"_event_ `{slack_escape(str(e.event_id))}`")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    return {"text": "; ".join(_headline(e, slack_escape) for e in events), "blocks": blocks}


def webhook_payload(events: list[AlertEvent], context: str) -> dict:
    def s(value: object) -> str:
        return strip_control(str(value))

    return {"source": "props-contracts", "context": s(context),
            "alerts": [{"kind": s(e.kind), "invariant_id": s(e.invariant_id), "partition": s(e.partition),
                        "severity": s(e.severity), "title": s(e.title), "runbook": s(e.runbook),
                        "failing_rows": e.rows, "sample": [s(x) for x in e.sample], "opened_at": s(e.opened_at),
                        "event_id": s(e.event_id), **({"note": s(e.note)} if e.note else {})}
                       for e in events]}


def email_message(events: list[AlertEvent], context: str, sender: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    opened = sum(e.kind == OPEN for e in events)
    msg["Subject"] = (f"props-contracts: {headline(events[0])}" if len(events) == 1
                      else f"props-contracts: {len(events)} alerts ({opened} new)")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    ids = [strip_control(str(e.event_id)) for e in events if e.event_id]
    if ids:  # the same events, the same Message-ID: a mail system can drop the repeat
        msg["X-Props-Event-IDs"] = " ".join(ids)
        msg["Message-ID"] = f"<{hashlib.sha256(' '.join(ids).encode()).hexdigest()[:40]}@props-contracts>"
    body = [strip_control(str(context)), ""]
    for e in events:
        body.append(headline(e))
        if e.kind == ACKNOWLEDGED:
            body.append(f"  {strip_control(str(e.note))}")
        elif e.kind not in CLOSING:
            body.append(f"  {strip_control(str(e.rows))} failing row(s)")
            body += [f"  - {strip_control(str(s))}" for s in e.sample]
            body.append(f"  Runbook: {strip_control(str(e.runbook))}")
        if e.event_id:
            body.append(f"  Event ID: {strip_control(str(e.event_id))}")
        body.append("")
    msg.set_content("\n".join(body))
    return msg
