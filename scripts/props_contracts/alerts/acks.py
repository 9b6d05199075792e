"""Acknowledgements and silences, kept in the warehouse beside the alert log.

`props-contracts ack ID [--date D]`, `silence --match GLOB`, `unack`, `acks`.
Stored append-only in `<schema>_audit.alert_acks`: an ack or a silence is one
row with its author, reason and expiry; `unack` appends a row that ends the
matching ones early. Nothing is updated or deleted, so a stateless job folds
the same active set from the same rows, and the table is the audit trail.

While an incident is acknowledged or silenced its reminders are held (no
"still failing", no repeated "could not evaluate"); its opening, its
resolution and a new failure are still sent. When the ack expires or is ended,
the next `alert` reminds again (the reminder is due: nothing was sent while it
was held). An ack also sends one "acknowledged" event per open incident it
covers (PagerDuty: `acknowledge` on the incident's dedup_key).

Everything an operator types is checked here before it reaches the warehouse
(and then only as a bind parameter): a bad duration, glob, reason, author, ID or
date is a UsageError (exit 2) naming what is allowed.
"""

from __future__ import annotations

import getpass
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fnmatch import fnmatchcase

from props_contracts.alerts.state import (
    ACKNOWLEDGED,
    ALERT_LOG,
    CLOSES,
    OPENS,
    REMINDER,
    UNEVALUATED,
    AlertEvent,
    AlertStateError,
    OpenAlert,
)
from props_contracts.errors import UsageError
from props_contracts.warehouse import STRING, TIMESTAMP, Table, Warehouse

ACK, SILENCE, UNACK = "ack", "silence", "unack"
ACTIONS = (ACK, SILENCE, UNACK)
MAX_DURATION = timedelta(days=14)
MIN_DURATION = timedelta(minutes=1)
MAX_REASON = 300

ALERT_ACKS = Table("alert_acks", (
    ("ack_id", STRING), ("action", STRING), ("invariant_id", STRING), ("partition_key", STRING),
    ("match_glob", STRING), ("author", STRING), ("reason", STRING), ("created_at", TIMESTAMP),
    ("expires_at", TIMESTAMP),
), cluster_by=("invariant_id",))

_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
# an invariant ID or incident key part: what the catalog and the alert log hold
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
_GLOB = re.compile(r"[A-Za-z0-9_.:|*?-]{1,128}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AUTHOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_MARKUP = set("<>`")


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 60 else raw[:60] + "...")


def parse_duration(raw: str, option: str = "--for") -> timedelta:
    """30m, 12h, 3d: from 1 minute to 14 days."""
    m = _DURATION.fullmatch(raw or "")
    allowed = "a whole number and a unit, m (minutes), h (hours) or d (days), e.g. 30m, 12h, 3d; at most 14d"
    if not m:
        raise UsageError(f"{option} {_shown(raw or '')} is not a duration; allowed: {allowed}")
    value = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    if value > MAX_DURATION or value < MIN_DURATION:
        raise UsageError(f"{option} {_shown(raw)} is out of range; allowed: {allowed}")
    return value


def check_reason(raw: str) -> str:
    text = (raw or "").strip()
    if len(text) < 3:
        raise UsageError("--reason is required: say why (at least 3 characters), e.g. "
                         "'box scores re-scraped, waiting for the backfill'")
    if len(text) > MAX_REASON:
        raise UsageError(f"--reason is {len(text)} characters long; allowed: at most {MAX_REASON}")
    if not text.isprintable():
        raise UsageError("--reason contains a line break, tab or other control or formatting character; "
                         "allowed: one line of printable text")
    if _MARKUP & set(text):
        raise UsageError(f"--reason {_shown(text)} contains markup characters (< > `); allowed: plain text "
                         "(it is shown in Slack, e-mail, PagerDuty and the HTML report)")
    return text


def author_from(env: Mapping[str, str]) -> str:
    """PROPS_ALERT_AUTHOR, else the OS user: who acknowledged."""
    raw = env.get("PROPS_ALERT_AUTHOR", "")
    name = "PROPS_ALERT_AUTHOR"
    if not raw:
        name = "the OS user name"
        try:
            raw = getpass.getuser()
        except (OSError, KeyError) as exc:  # no login name and no passwd entry (a bare container)
            raise UsageError("no author: set PROPS_ALERT_AUTHOR to who is acknowledging "
                             "(the OS user name is not known here)") from exc
    if not _AUTHOR.fullmatch(raw):
        raise UsageError(f"{name} {_shown(raw)} is not a user name; allowed: letters, digits and . _ @ + - "
                         "(at most 64, starting with a letter or digit)")
    return raw


def parse_day(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw).isoformat()
    except ValueError as exc:
        raise UsageError(f"--date {_shown(raw)} is not a date; allowed: YYYY-MM-DD, e.g. 2026-01-10") from exc


@dataclass(frozen=True)
class Ack:
    ack_id: str
    action: str  # ack or silence
    invariant_id: str | None  # an ack's ID (None for a silence)
    partition: str | None  # an ack's date or incident partition (None: every date)
    match: str | None  # a silence's glob
    author: str
    reason: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None  # by `unack`

    def active(self, now: datetime) -> bool:
        # from the second it was made: `alert` keeps whole seconds (runner.utcnow), an ack
        # microseconds, and an ack typed in the same second as the next `alert` must hold
        return self.created_at.replace(microsecond=0) <= now < self.expires_at and (self.ended_at is None or now < self.ended_at)

    def covers(self, invariant_id: str, partition: str) -> bool:
        if self.action == SILENCE:
            return fnmatchcase(invariant_id, self.match or "") or fnmatchcase(f"{invariant_id}|{partition}",
                                                                             self.match or "")
        return self.invariant_id == invariant_id and self.partition in (None, partition)

    @property
    def what(self) -> str:
        if self.action == SILENCE:
            return f"silence {self.match}"
        return f"ack {self.invariant_id}" + (f"|{self.partition}" if self.partition else " (every date)")

    def describe(self) -> str:
        return (f"{self.what} by {self.author} until {self.expires_at:%Y-%m-%d %H:%M} UTC: {self.reason}")


def _row_problem(r: dict) -> str | None:
    absent = [c for c in ("ack_id", "action", "author", "created_at", "expires_at")
              if r.get(c) is None or (isinstance(r[c], str) and not r[c].strip())]
    if absent:
        return f"has no {', '.join(absent)}"
    if r["action"] not in ACTIONS:
        return f"has action {r['action']!r} outside {'/'.join(ACTIONS)}"
    if r["action"] == SILENCE and not (isinstance(r.get("match_glob"), str) and _GLOB.fullmatch(r["match_glob"])):
        return "is a silence without a valid match glob"
    if r["action"] == ACK and not (isinstance(r.get("invariant_id"), str) and r["invariant_id"].strip()):
        return "is an ack without an invariant_id"
    if r["action"] != UNACK and not (timedelta(0) < r["expires_at"] - r["created_at"]
                                     <= MAX_DURATION + timedelta(minutes=1)):
        return f"lasts {r['expires_at'] - r['created_at']} (allowed: up to 14 days)"
    return None


def load_acks(wh: Warehouse) -> list[Ack]:
    """Every ack and silence ever recorded, with its end if `unack` ended it. Each
    row is checked: a malformed one is an AlertStateError (exit 2), never a
    guess about what is acknowledged."""
    wh.ensure(ALERT_ACKS)
    rows = wh.query(f"select ack_id, action, invariant_id, partition_key, match_glob, author, reason, created_at, "
                    f"expires_at from {wh.audit(ALERT_ACKS)} order by created_at, ack_id")
    problems = [f"row {i} (ack {r.get('ack_id')}) {why}" for i, r in enumerate(rows, 1) if (why := _row_problem(r))]
    if problems:
        raise AlertStateError(f"the ack table {wh.audit(ALERT_ACKS)} is malformed: {'; '.join(problems[:5])}. "
                              "No reminder is held or sent from acks that cannot be read: repair or delete "
                              "those rows")
    out: list[Ack] = []
    # an unack recorded in the same instant as the ack it ends comes after it
    for r in sorted(rows, key=lambda r: (r["created_at"], r["action"] == UNACK)):
        if r["action"] == UNACK:
            for i, a in enumerate(out):
                if a.ended_at is None and a.created_at <= r["created_at"] and _ended_by(a, r):
                    out[i] = Ack(**{**a.__dict__, "ended_at": r["created_at"]})
            continue
        out.append(Ack(r["ack_id"], r["action"], r["invariant_id"], r["partition_key"], r["match_glob"], r["author"],
                       r["reason"] or "", r["created_at"], r["expires_at"]))
    return out


def _ended_by(a: Ack, unack: dict) -> bool:
    if unack.get("match_glob") is not None:
        return a.action == SILENCE and a.match == unack["match_glob"]
    return (a.action == ACK and a.invariant_id == unack["invariant_id"]
            and (unack["partition_key"] is None or a.partition == unack["partition_key"]))


def active_acks(wh: Warehouse, now: datetime) -> list[Ack]:
    return [a for a in load_acks(wh) if a.active(now)]


def covering(acks: list[Ack], invariant_id: str, partition: str, now: datetime) -> Ack | None:
    """The active ack or silence that holds this incident's reminders (the one
    lasting longest), or None."""
    hits = [a for a in acks if a.active(now) and a.covers(invariant_id, partition)]
    return max(hits, key=lambda a: a.expires_at) if hits else None


def _notices(wh: Warehouse) -> dict[tuple[str, str], datetime]:
    """When each incident key was last announced as acknowledged."""
    wh.ensure(ALERT_LOG)
    return {(r["invariant_id"], r["partition_key"]): r["sent_at"] for r in wh.query(
        f"select invariant_id, partition_key, max(sent_at) as sent_at from {wh.audit(ALERT_LOG)} "
        "where kind = @kind group by invariant_id, partition_key", {"kind": ACKNOWLEDGED})}


def hold_acknowledged(wh: Warehouse, events: list[AlertEvent], open_set: dict[tuple[str, str], OpenAlert],
                      now: datetime) -> tuple[list[AlertEvent], list[tuple[AlertEvent, Ack]]]:
    """(events to send, reminders held with the ack holding each). A reminder of an
    open incident an active ack or silence covers is held; openings, resolutions
    and everything else go out. Each incident an ack newly covers (open, or
    opening in this run, and not closing) gets one "acknowledged" event."""
    acks = active_acks(wh, now)
    if not acks:
        return events, []
    out: list[AlertEvent] = []
    held: list[tuple[AlertEvent, Ack]] = []
    for e in events:
        k = (e.invariant_id, e.partition)
        a = covering(acks, *k, now)
        if a is not None and k in open_set and e.kind in (REMINDER, UNEVALUATED):
            held.append((e, a))
        else:
            out.append(e)
    closing = {(e.invariant_id, e.partition) for e in events if e.kind in CLOSES}
    opening = {(e.invariant_id, e.partition): e for e in events if e.kind in OPENS and
               (e.invariant_id, e.partition) not in open_set}
    notices = _notices(wh)
    for k in sorted((set(open_set) - closing) | set(opening)):
        a = covering(acks, *k, now)
        if a is None or (k in notices and notices[k] >= a.created_at):
            continue
        severity = open_set[k].severity if k in open_set else opening[k].severity
        opened = (open_set[k].opened_at.isoformat(timespec="seconds") if k in open_set else opening[k].opened_at)
        out.append(AlertEvent(ACKNOWLEDGED, k[0], k[1], severity, opened_at=opened, note=a.describe()))
    return out, held


# --- what an operator may name ------------------------------------------------------------------

def known_keys(wh: Warehouse) -> set[tuple[str, str]]:
    """Every incident key (invariant, partition) the alert log has announced."""
    wh.ensure(ALERT_LOG)
    return {(r["invariant_id"], r["partition_key"]) for r in wh.query(
        f"select distinct invariant_id, partition_key from {wh.audit(ALERT_LOG)}")}


def resolve_target(raw: str, day: str | None, catalog_ids: set[str], keys: set[tuple[str, str]]
                   ) -> tuple[str, str | None]:
    """(invariant ID, partition or None) from `ID` or `ID|PARTITION` and --date. The
    ID must be in the catalog or announced in the alert log; an incident key
    must be one the log holds."""
    if not isinstance(raw, str) or not raw.isprintable() or len(raw) > 200:
        raise UsageError(f"ID {_shown(str(raw))} is not an invariant ID or incident key; allowed: an ID of "
                         "`props-contracts invariants` (PRD-06) or an incident key of `acks`/`alert` "
                         "(PRD-06|2026-01-10)")
    inv, sep, part = raw.partition("|")
    if not _ID.fullmatch(inv):
        raise UsageError(f"ID {_shown(raw)} is not an invariant ID or incident key; allowed: letters, digits "
                         "and _ . : - (e.g. PRD-06), optionally |YYYY-MM-DD")
    if sep:
        if day is not None:
            raise UsageError(f"ID {_shown(raw)} already names its date: leave out --date")
        if (inv, part) not in keys:
            raise UsageError(f"incident key {_shown(raw)} is not one the alert log has announced; known keys "
                             "are INVARIANT|DATE pairs sent by `alert` (or give the ID and --date)")
        return inv, part
    if inv not in catalog_ids and inv not in {k[0] for k in keys}:
        raise UsageError(f"ID {_shown(inv)} is not in the invariant catalog (seeds/invariants.csv) and no "
                         "alert was ever sent for it; see `props-contracts invariants`")
    return inv, day


def check_glob(raw: str, catalog_ids: set[str], keys: set[tuple[str, str]]) -> str:
    if not isinstance(raw, str) or not _GLOB.fullmatch(raw):
        raise UsageError(f"--match {_shown(str(raw))} is not a glob of invariant IDs; allowed: letters, digits, "
                         "_ . : | - and the wildcards * and ? (e.g. 'PRD-*', 'ING-0?', 'PRD-06|2026-01-1*')")
    # the ID part must match an invariant someone could be alerted about: a typo silences nothing
    ids = set(catalog_ids) | {k[0] for k in keys}
    id_part = raw.partition("|")[0]
    if not any(fnmatchcase(i, id_part) for i in ids):
        raise UsageError(f"--match {_shown(raw)} matches no invariant of the catalog and no incident the alert "
                         "log has announced (a typo would silence nothing); see `props-contracts invariants`")
    return raw


def record(wh: Warehouse, action: str, now: datetime, author: str, reason: str, *,
           invariant_id: str | None = None, partition: str | None = None, match: str | None = None,
           duration: timedelta | None = None) -> dict:
    """Append one ack, silence or unack row (every value a bind parameter)."""
    row = {"ack_id": str(uuid.uuid4()), "action": action, "invariant_id": invariant_id, "partition_key": partition,
           "match_glob": match, "author": author, "reason": reason, "created_at": now,
           "expires_at": now + duration if duration is not None else now}
    wh.append(ALERT_ACKS, [row])
    return row


__all__ = ["ALERT_ACKS", "Ack", "active_acks", "author_from", "check_glob", "check_reason", "covering",
           "known_keys", "load_acks", "parse_day", "parse_duration", "record", "resolve_target"]
