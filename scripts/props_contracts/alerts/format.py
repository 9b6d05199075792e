"""Alert messages: Slack Block Kit, generic JSON webhook, e-mail. Pure functions."""

from __future__ import annotations

from email.message import EmailMessage

from props_contracts.alerts.state import OPEN, RESOLVED, AlertEvent

ICON = {OPEN: ":rotating_light:", "still failing": ":warning:", RESOLVED: ":white_check_mark:"}


def headline(e: AlertEvent) -> str:
    where = "" if e.partition == "all" else f" for {e.partition}"
    what = {OPEN: "FAILING", "still failing": "STILL FAILING", RESOLVED: "RESOLVED"}[e.kind]
    return f"[{e.severity.upper()}] {e.invariant_id} {what}{where}: {e.title}"


def slack_payload(events: list[AlertEvent], context: str) -> dict:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"props-contracts: {len(events)} alert(s)"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}]
    for e in events:
        lines = [f"{ICON[e.kind]} *{headline(e)}*"]
        if e.kind != RESOLVED:
            lines.append(f"{e.rows} failing row(s)")
            lines += [f"• `{s}`" for s in e.sample]
            lines.append(f"_Runbook:_ {e.runbook}")
        else:
            lines.append(f"open since {e.opened_at}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    return {"text": "; ".join(headline(e) for e in events), "blocks": blocks}


def webhook_payload(events: list[AlertEvent], context: str) -> dict:
    return {"source": "props-contracts", "context": context,
            "alerts": [{"kind": e.kind, "invariant_id": e.invariant_id, "partition": e.partition,
                        "severity": e.severity, "title": e.title, "runbook": e.runbook,
                        "failing_rows": e.rows, "sample": list(e.sample), "opened_at": e.opened_at}
                       for e in events]}


def email_message(events: list[AlertEvent], context: str, sender: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    opened = sum(e.kind == OPEN for e in events)
    msg["Subject"] = (f"props-contracts: {headline(events[0])}" if len(events) == 1
                      else f"props-contracts: {len(events)} alerts ({opened} new)")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    body = [context, ""]
    for e in events:
        body.append(headline(e))
        if e.kind != RESOLVED:
            body.append(f"  {e.rows} failing row(s)")
            body += [f"  - {s}" for s in e.sample]
            body.append(f"  Runbook: {e.runbook}")
        body.append("")
    msg.set_content("\n".join(body))
    return msg
