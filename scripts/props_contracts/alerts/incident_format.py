"""Incident messages: Slack Block Kit, generic JSON webhook, e-mail. Pure functions.

One section (Slack) or block (e-mail) per incident: its key, what it is, then its
members, each once, with "likely caused by ..." beside the downstream ones. The
same escaping as alerts/format.py: every piece of text is data, escaped for
Slack (`& < >`) and stripped of control characters for e-mail and terminals.
The webhook keeps the flat `alerts` list (one entry per member, now naming its
`incident`) and adds `incidents`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage

from props_contracts.alerts import format as fmt
from props_contracts.alerts.grouping import UPDATED, Incident
from props_contracts.alerts.state import (
    NOT_EVALUATED,
    OPEN,
    REEVALUATED,
    REMINDER,
    UNEVALUATED,
    AlertEvent,
)
from props_contracts.textsafe import slack_escape, strip_control

SLACK_SECTION_CHARS = 2900  # Slack refuses a section text over 3000 characters
SLACK_MAX_SECTIONS = 45  # and a message over 50 blocks
SAMPLES_OF_ROOT = 3
ICON = {**fmt.ICON, UPDATED: ":warning:"}
LABEL = {**fmt.LABEL, UPDATED: "UPDATED"}
COMPACT = (UNEVALUATED, REEVALUATED)
_INVARIANT_ID = re.compile(r"[A-Z]{2,5}-\d{2,3}")  # a catalog ID; anything else is a key test's own name  # member kinds listed by ID on one line: they carry no rows


def label(kind: str) -> str:
    return LABEL.get(kind) or str(kind).upper()


def _headline(inc: Incident, clean: Callable[[str], str]) -> str:
    return (f"[{clean(str(inc.severity).upper())}] {clean(inc.key)} {clean(label(inc.kind))}: "
            f"{clean(str(inc.title))}")


def headline(inc: Incident) -> str:
    """One line for a terminal or a log."""
    return _headline(inc, strip_control)


def _where(m: AlertEvent) -> str:
    return "" if m.partition in ("all", NOT_EVALUATED) else f" for {m.partition}"


def _lines(inc: Incident, clean: Callable[[str], str], code: Callable[[str], str], bullet: str) -> list[str]:
    """The body of one incident, as lines (the headline not included)."""
    out: list[str] = []
    key_tests = {m.invariant_id for m in inc.members if not _INVARIANT_ID.fullmatch(str(m.invariant_id))}
    if inc.kind != OPEN:
        out.append(f"open since {clean(inc.opened_at)}; {inc.still_open} member(s) still open")
    root = inc.root
    if root is not None and root.kind in (OPEN, REMINDER):
        out.append(f"{clean(str(root.rows))} failing row(s)")
    if root is not None and root.kind in (OPEN, REMINDER, UNEVALUATED):  # the rows, or why it is unknown
        out += [f"{bullet}{code(clean(str(s)))}" for s in root.sample[:SAMPLES_OF_ROOT]]
    compact: dict[tuple[str, bool], list[str]] = {}
    members = [m for m in inc.members if m is not root]
    for m in members:
        if m.kind in COMPACT:  # invariants first, then the models' key tests (named by the test)
            compact.setdefault((m.kind, m.invariant_id in key_tests), []).append(clean(str(m.invariant_id)))
    for (kind, is_key_test), ids in sorted(compact.items()):
        what = "model key test(s)" if is_key_test else "invariant(s)"
        out.append(f"{label(kind)}, {len(ids)} {what}: {', '.join(sorted(ids))}")
    if root is not None and any(m.kind not in COMPACT for m in members):
        out.append("Listed under it, sent once (later phases failing on the same date):")
    for m in members:
        if m.kind in COMPACT:
            continue
        note = inc.notes.get((m.invariant_id, m.partition), "")
        rows = f", {clean(str(m.rows))} failing row(s)" if m.kind not in fmt.CLOSING else ""
        line = (f"{bullet}{clean(str(m.invariant_id))} {clean(label(m.kind))}{clean(_where(m))}{rows}: "
                f"{clean(str(m.title))}" + (f" ({clean(note)})" if note else ""))
        out.append(line)
        if m.kind not in fmt.CLOSING and m.sample:
            out.append(f"    {code(clean(str(m.sample[0])))}")
    if inc.kind not in fmt.CLOSING:
        out.append(f"Runbook: {clean(str(inc.runbook))}")
    return out


def _bounded(lines: list[str], limit: int) -> str:
    text, kept = "", 0
    for line in lines:
        if len(text) + len(line) + 1 > limit - 80:
            text += f"\n... and {len(lines) - kept} more line(s): see the e-mail, the webhook or the report"
            break
        text += ("\n" if text else "") + line
        kept += 1
    return text


def slack_payload(incidents: list[Incident], events: list[AlertEvent], context: str) -> dict:
    blocks = [{"type": "header", "text": {"type": "plain_text",
                                          "text": f"props-contracts: {len(incidents)} incident(s), "
                                                  f"{len(events)} alert(s)"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(str(context))}]}]
    for inc in incidents[:SLACK_MAX_SECTIONS]:
        head = f"{ICON.get(inc.kind, fmt.DEFAULT_ICON)} *{_headline(inc, slack_escape)}*"
        body = [ln.replace("Runbook:", "_Runbook:_", 1) if ln.startswith("Runbook:") else ln
                for ln in _lines(inc, slack_escape, lambda s: f"`{s}`", "• ")]
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": _bounded([head, *body], SLACK_SECTION_CHARS)}})
    rest = incidents[SLACK_MAX_SECTIONS:]
    if rest:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _bounded(
            [f"... and {len(rest)} more incident(s):"] + [_headline(i, slack_escape) for i in rest],
            SLACK_SECTION_CHARS)}})
    text = "; ".join(_headline(i, slack_escape) for i in incidents)
    return {"text": text if len(text) <= 3000 else text[:2990] + " ...", "blocks": blocks}


def webhook_payload(incidents: list[Incident], events: list[AlertEvent], context: str) -> dict:
    def s(value: object) -> str:
        return strip_control(str(value))

    payload = fmt.webhook_payload(events, context)
    incident_of = {id(m): inc.key for inc in incidents for m in inc.members}
    for e, entry in zip(events, payload["alerts"], strict=True):
        entry["incident"] = s(incident_of.get(id(e), f"{e.invariant_id}|{e.partition}"))
    payload["incidents"] = [{
        "key": s(inc.key), "kind": s(inc.kind), "severity": s(inc.severity), "title": s(inc.title),
        "cause": s(inc.cause_kind), "runbook": s(inc.runbook), "opened_at": s(inc.opened_at),
        "still_open": inc.still_open,
        "members": [{"invariant_id": s(m.invariant_id), "partition": s(m.partition), "kind": s(m.kind),
                     "failing_rows": m.rows, "note": s(inc.notes.get((m.invariant_id, m.partition), ""))}
                    for m in inc.members]} for inc in incidents]
    return payload


def email_message(incidents: list[Incident], events: list[AlertEvent], context: str, sender: str,
                  recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    opened = sum(i.kind == OPEN for i in incidents)
    msg["Subject"] = (f"props-contracts: {headline(incidents[0])}"[:250] if len(incidents) == 1
                      else f"props-contracts: {len(incidents)} incidents ({opened} new, {len(events)} alerts)")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    body = [strip_control(str(context)), ""]
    for inc in incidents:
        body.append(headline(inc))
        body += [f"  {line}" for line in _lines(inc, strip_control, lambda x: x, "- ")]
        body.append("")
    msg.set_content("\n".join(body))
    return msg


__all__ = ["email_message", "headline", "slack_payload", "webhook_payload"]
