"""The morning digest as Slack Block Kit, JSON for the webhook, and e-mail. Pure
functions. Every line is data once it holds a value read from the warehouse (a
team, a processor, an incident title, an ack's reason), so each is escaped for
its medium as a whole: Slack's `& < >` (no mention or link can come from the
data), control characters and escape sequences stripped for e-mail and the
terminal (textsafe.py, as alerts/format.py does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from props_contracts.alerts.digest import Digest, summary
from props_contracts.records import SELF_ID
from props_contracts.textsafe import slack_escape, strip_control

EASTERN = ZoneInfo("America/New_York")
SLACK_SECTION_CHARS = 2900


def duration(value: timedelta | None) -> str:
    if value is None:
        return "not measured"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _hours(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f} h"


def title(d: Digest) -> str:
    local = d.now.replace(tzinfo=ZoneInfo("UTC")).astimezone(EASTERN)
    state = "NOT FINE" if d.exit_code else "ok"
    return f"props-contracts morning digest {local:%Y-%m-%d} ({state})"


def context(d: Digest) -> str:
    rec = d.record
    return (f"target {rec.target_name}, run {rec.run_id[:8]} ({rec.command}) at {rec.started_at:%Y-%m-%d %H:%M} "
            f"UTC, judged as of {rec.as_of:%Y-%m-%d %H:%M} UTC; window {d.window[0]} .. {d.window[1]}")


def date_line(line) -> str:
    if not line.games and not line.games_due and line.boxscores is None and line.predictions is None:
        return f"{line.game_date}: no games"
    parts = [f"{line.game_date}: {line.games} game(s), {line.games_due} due"]
    b = line.boxscores
    if b is not None:
        missing = f", missing {b['missing_teams']}" if b["missing_teams"] else ""
        parts.append(f"box scores {b['teams_with_boxscores']}/{b['teams_with_final_games']} teams "
                     f"({_pct(b['coverage'])}){missing}")
    p = line.predictions
    if p is not None:
        due = "" if p["is_due"] else ", not due yet"
        without = f", {p['teams_without_predictions']} team(s) without" if p["teams_without_predictions"] else ""
        parts.append(f"predictions {p['predicted_players']}/{p['expected_players']} players "
                     f"({_pct(p['coverage'])}){without}{due}")
    ex = line.exports
    if ex["exports"]:
        latest = ex["latest"]
        mism = f", {ex['mismatched']} mismatched" if ex["mismatched"] else ""
        parts.append(f"exports {ex['exports']}{mism} (latest {latest['exported_rows']} rows vs "
                     f"{latest['active_predictions']} active)")
    elif line.games:
        parts.append("exports none")
    g = line.grading
    if g is not None:
        parts.append(f"graded {g['games_graded_within_sla']}/{g['final_games']} within SLA (median "
                     f"{_hours(g['median_latency_hours'])}, p95 {_hours(g['p95_latency_hours'])})")
    if line.missing:
        parts.append("MISSING: " + ", ".join(line.missing))
    return " · ".join(parts)


def sections(d: Digest) -> list[tuple[str, list[str]]]:
    """(heading, lines) in the order shown; every line unescaped (each medium escapes)."""
    out: list[tuple[str, list[str]]] = []
    if d.stale or d.problems:
        alarm = [f"{SELF_ID}: {d.stale}"] if d.stale else []
        out.append(("NOT FINE: this digest is not a green light", alarm + d.problems))
    out.append((f"Per date ({d.window[0]} .. {d.window[1]})", [date_line(x) for x in d.dates]))
    if d.incidents:
        lines = []
        for i in d.incidents:
            ack = f"; {'; '.join(i.acks)}" if i.acks else ""
            lines.append(f"[{i.severity.upper()}] {i.key} open {duration(i.age)} (since {i.opened_at:%Y-%m-%d %H:%M}"
                         f" UTC), {len(i.members)} alert(s): {i.title}{ack}")
        out.append((f"Open incidents ({len(d.incidents)})", lines))
    else:
        out.append(("Open incidents (0)", ["none open in the alert log"]))
    if not d.acks_available:
        out[-1][1].append("acknowledgements: not available in this build (no ack module)")
    if d.breakers_total:
        lines = [f"{b.processor_name} {b.entity_id} {b.analysis_date} until "
                 f"{b.until:%Y-%m-%d %H:%M} UTC" if b.until else
                 f"{b.processor_name} {b.entity_id} {b.analysis_date}: no end recorded" for b in d.breakers]
        lines = [ln + (" (stale: data arrived after it tripped)" if b.stale else "")
                 for ln, b in zip(lines, d.breakers, strict=True)]
        if d.breakers_total > len(d.breakers):
            lines.append(f"... and {d.breakers_total - len(d.breakers)} more")
        out.append((f"Circuit breakers in force ({d.breakers_total})", lines))
    else:
        out.append(("Circuit breakers in force (0)", ["none"]))
    detect = summary([t.to_detect for t in d.timings if t.to_detect is not None])
    resolve = summary([t.to_resolve for t in d.timings if t.to_resolve is not None])
    still = sum(t.closed_at is None for t in d.timings)
    head = [f"{len(d.timings)} incident(s) opened; "
            + (f"time to detect median {duration(timedelta(seconds=detect['median_seconds']))}, max "
               f"{duration(timedelta(seconds=detect['max_seconds']))}" if detect else "time to detect not measured")
            + "; "
            + (f"time to resolve median {duration(timedelta(seconds=resolve['median_seconds']))}, max "
               f"{duration(timedelta(seconds=resolve['max_seconds']))}" if resolve else "none resolved")
            + f"; {still} still open"]
    head += [f"{t.key}: detected in {duration(t.to_detect)}, "
             + (f"{t.close_kind} in {duration(t.to_resolve)}" if t.closed_at else "still open")
             for t in d.timings]
    out.append(("Last 7 days: breach to first alert, alert to resolution", head))
    return out


def _bounded(lines: list[str], limit: int) -> str:
    text = ""
    for i, line in enumerate(lines):
        if len(text) + len(line) + 1 > limit - 80:
            return text + f"\n... and {len(lines) - i} more line(s): see the e-mail or the webhook"
        text += ("\n" if text else "") + line
    return text


def _medium(d: Digest, clean: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    return [(clean(h), [clean(line) for line in lines]) for h, lines in sections(d)]


def slack_payload(d: Digest) -> dict:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": slack_escape(title(d))[:150]}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(context(d))}]}]
    for heading, lines in _medium(d, slack_escape):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _bounded(
            [f"*{heading}*", *[f"• {ln}" for ln in lines]], SLACK_SECTION_CHARS)}})
    return {"text": slack_escape(title(d)), "blocks": blocks}


def webhook_payload(d: Digest) -> dict:
    def s(value: object) -> str | None:
        return None if value is None else strip_control(str(value))

    def ts(value) -> str | None:
        return None if value is None else value.isoformat(timespec="seconds")

    def secs(value: timedelta | None) -> float | None:
        return None if value is None else value.total_seconds()

    return {
        "source": "props-contracts", "kind": "digest", "title": s(title(d)), "context": s(context(d)),
        "ok": d.exit_code == 0, "self_01": s(d.stale), "problems": [s(p) for p in d.problems],
        "run_id": s(d.record.run_id), "as_of": ts(d.record.as_of), "generated_at": ts(d.now),
        "window": [d.window[0].isoformat(), d.window[1].isoformat()],
        "dates": [{"game_date": x.game_date, "games": x.games, "games_due": x.games_due,
                   "boxscores": None if x.boxscores is None else {
                       **x.boxscores, "missing_teams": s(x.boxscores["missing_teams"])},
                   "predictions": x.predictions, "grading": x.grading, "exports": x.exports,
                   "missing": list(x.missing)} for x in d.dates],
        "open_incidents": [{"key": s(i.key), "title": s(i.title), "severity": s(i.severity),
                            "opened_at": ts(i.opened_at), "age_seconds": secs(i.age),
                            "members": [f"{s(a)}|{s(b)}" for a, b in i.members], "acks": [s(a) for a in i.acks]}
                           for i in d.incidents],
        "acks_available": d.acks_available,
        "breakers_in_force": d.breakers_total,
        "breakers": [{"processor_name": s(b.processor_name), "entity_id": s(b.entity_id),
                      "analysis_date": s(b.analysis_date), "tripped_at": ts(b.tripped_at), "until": ts(b.until),
                      "stale": b.stale} for b in d.breakers],
        "incidents_last_7_days": [{"key": s(t.key), "title": s(t.title), "breach_at": ts(t.breach_at),
                                   "first_alert_at": ts(t.first_alert_at), "closed_at": ts(t.closed_at),
                                   "close_kind": s(t.close_kind), "detect_seconds": secs(t.to_detect),
                                   "resolve_seconds": secs(t.to_resolve)} for t in d.timings],
    }


def text(d: Digest) -> str:
    """The digest as plain text (e-mail body, --dry-run)."""
    body = [strip_control(title(d)), strip_control(context(d)), ""]
    for heading, lines in _medium(d, strip_control):
        body.append(heading)
        body += [f"  - {ln}" for ln in lines]
        body.append("")
    return "\n".join(body)


def email_message(d: Digest, sender: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = strip_control(title(d))
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg.set_content(text(d))
    return msg


__all__ = ["email_message", "slack_payload", "text", "webhook_payload"]
