"""One incident per root cause (docs/incidents-and-digest.md).

The alert log stays per invariant and date (alerts/state.py): each member's
opening, reminder and resolution is decided exactly as before, and a member
resolves only on positive evidence that it passed (engine.failures_of). This
module only decides which of those events belong together, and says so once:

- a model that did not build leaves contracts unknown: their "could not
  evaluate" events are one incident, keyed `model:NAME`, or `source:DATASET.TABLE`
  when SCH-01 fails on a row naming a source table the model reads (a dropped or
  changed source table), with SCH-01's own failure in it;
- unknown contracts with no model to blame but the same reason (dbt could not
  parse, the catalog refused a test) are one incident, `unknown:<hash of the reason>`;
- on one date, the failures of later pipeline phases are listed under the
  failure of the earliest phase that failed on that date ("likely caused by
  ING-04 2026-01-10"), keyed `INV|DATE` of that earliest one. Phases come from
  the catalog (seeds/invariants.csv phase_tag, ordered by
  seeds/pipeline_phases.csv phase_number; a cross-cutting invariant takes the
  first phase whose gate lists it);
- everything else is its own incident, `INV|PARTITION`.

Membership is sticky: an open alert stays in the incident it was first sent
in (`<schema>_audit.incident_log`, append-only, beside the alert log), so an
incident keeps its key until its last open member closes. The incident closes
only then, and says how its members closed: "resolved" only when every member
that closed in that message resolved; "evaluated again" when some were merely
evaluated again; "aged out" when some left the window unverified.
"""

from __future__ import annotations

import csv
import hashlib
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from props_contracts.alerts.state import (
    AGED_OUT,
    CLOSES,
    NOT_EVALUATED,
    OPEN,
    OPENS,
    REEVALUATED,
    REMINDER,
    RESOLVED,
    AlertEvent,
    AlertStateError,
    Failure,
    OpenAlert,
)
from props_contracts.catalog import Invariant
from props_contracts.errors import PropsContractsError
from props_contracts.failures import format_row
from props_contracts.records import UNKNOWN, RunRecord
from props_contracts.textsafe import strip_control
from props_contracts.warehouse import STRING, TIMESTAMP, Table, Warehouse

UPDATED = "updated"  # an open incident gained or lost members
ACKNOWLEDGED = "acknowledged"  # a notice that an ack or silence covers it (alerts/acks.py, where present)
INCIDENT_KINDS = (OPEN, UPDATED, REMINDER, RESOLVED, REEVALUATED, AGED_OUT, ACKNOWLEDGED)
INCIDENT_CLOSES = (RESOLVED, REEVALUATED, AGED_OUT)
SCHEMA_ID = "SCH-01"  # its failing rows name the source table that is missing or changed
MAX_TITLE = 500

INCIDENT_LOG = Table("incident_log", (
    ("event_id", STRING), ("incident_key", STRING), ("kind", STRING), ("title", STRING),
    ("invariant_id", STRING), ("partition_key", STRING), ("member_kind", STRING), ("note", STRING),
    ("run_id", STRING), ("sent_at", TIMESTAMP), ("opened_at", TIMESTAMP), ("holder", STRING),
), cluster_by=("incident_key",))


class LineageError(PropsContractsError):
    """seeds/pipeline_phases.csv cannot say how the phases are ordered."""


# --- lineage: phases of the catalog, and which source tables a model reads -----------------

@dataclass(frozen=True)
class Lineage:
    phase_of: dict[str, int]  # invariant -> pipeline phase number (1+); absent: cross-cutting
    sources_of: dict[str, frozenset[str]]  # model -> source tables (dataset.table) it reads, transitively

    def phase(self, invariant_id: str) -> int | None:
        return self.phase_of.get(invariant_id)


_REF = re.compile(r"""\bref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")
_SOURCE = re.compile(r"""\bsource\(\s*['"]([A-Za-z0-9_]+)['"]\s*,\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")


def load_lineage(root: Path, catalog: dict[str, Invariant]) -> Lineage:
    """The phase order from seeds/pipeline_phases.csv and the models' ref()/source() calls."""
    path = root / "seeds" / "pipeline_phases.csv"
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise LineageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    numbers: dict[str, int] = {}
    gates: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows, 2):
        try:
            n = int(str(r.get("phase_number") or "").strip())
        except ValueError as exc:
            raise LineageError(f"{path} line {i}: phase_number {r.get('phase_number')!r} is not a whole "
                               "number") from exc
        tag = str(r.get("phase_tag") or "").strip()
        if not tag:
            raise LineageError(f"{path} line {i}: no phase_tag")
        numbers[tag] = n
        for inv in str(r.get("gate_invariants") or "").split():
            if n > 0:
                gates[inv].append(n)
    phase_of = {}
    for inv in catalog.values():
        n = numbers.get(inv.phase_tag, 0)
        if n <= 0 and gates.get(inv.invariant_id):
            n = min(gates[inv.invariant_id])  # a cross-cutting invariant, where a gate first reads it
        if n > 0:
            phase_of[inv.invariant_id] = n
    refs: dict[str, set[str]] = {}
    direct: dict[str, set[str]] = {}
    for sql in sorted((root / "models").rglob("*.sql")):
        text = sql.read_text(encoding="utf-8", errors="replace")
        refs[sql.stem] = set(_REF.findall(text))
        direct[sql.stem] = {f"{a}.{b}" for a, b in _SOURCE.findall(text)}
    sources_of: dict[str, frozenset[str]] = {}
    for model in refs:
        seen, stack, found = {model}, [model], set()
        while stack:
            m = stack.pop()
            found |= direct.get(m, set())
            for parent in refs.get(m, ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        sources_of[model] = frozenset(found)
    return Lineage(phase_of, sources_of)


# --- root causes in one run record ---------------------------------------------------------

@dataclass(frozen=True)
class Cause:
    key: str  # source:DATASET.TABLE, model:NAME, unknown:HASH, or INV|DATE
    kind: str  # source, model, unknown, invariant
    name: str  # one line, for the incident's title
    runbook: str = ""
    root: tuple[str, str] | None = None  # an invariant cause: the (invariant, date) alert it is about


@dataclass
class Grouping:
    """What one run says belongs together: alert key -> its cause, and the line
    shown beside the member ("likely caused by ING-04 2026-01-10")."""

    cause_of: dict[tuple[str, str], Cause] = field(default_factory=dict)
    note_of: dict[tuple[str, str], str] = field(default_factory=dict)


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# runner.py: "not evaluated: A did not build (msg); B did not build (msg)"
_RUNNER_ROOT = re.compile(rf"(?:^not evaluated: |; )({_NAME}) did not build \((.*?)\)(?=; {_NAME} did not build \(|$)")
# macros/results/skip_reason.sql: "skipped: an upstream model did not build in this build (A: msg; B: msg)"
_HOOK_ROOTS = re.compile(r"^skipped: an upstream model did not build in this \w+ \((.*)\)$")
_HOOK_SPLIT = re.compile(rf"; (?={_NAME}: )")


def build_roots(reason: str) -> list[tuple[str, str]]:
    """The models a contract's 'not evaluated' reason blames, with their errors, in
    either recorder's wording; [] when the reason names none (it is then not grouped
    by model, never guessed)."""
    reason = str(reason or "")
    if reason.startswith("not evaluated: "):
        found = _RUNNER_ROOT.findall(reason)
        # the whole reason must be made of such roots: a message that only looks like one is not split
        rebuilt = "not evaluated: " + "; ".join(f"{m} did not build ({msg})" for m, msg in found)
        return found if found and rebuilt == reason else []
    hook = _HOOK_ROOTS.match(reason)
    if hook:
        out = []
        for part in _HOOK_SPLIT.split(hook.group(1)):
            name, sep, msg = part.partition(": ")
            if not sep or not re.fullmatch(_NAME, name):
                return []
            out.append((name, msg))
        return out
    return []


def _schema_tables(rec: RunRecord) -> dict[str, dict]:
    """Source tables SCH-01's failing rows name (table_name = dataset.table) -> the first such row."""
    out: dict[str, dict] = {}
    ids = {r.unique_id for r in rec.results if r.invariant_id == SCHEMA_ID}
    for fr in rec.rows:
        name = fr.row.get("table_name") if fr.unique_id in ids else None
        if isinstance(name, str) and re.fullmatch(rf"{_NAME}\.{_NAME}", name):
            out.setdefault(name, fr.row)
    return out


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text) is not None


def _build_cause(model: str, message: str, tables: dict[str, dict], lineage: Lineage) -> Cause:
    message = strip_control(message)[:300]
    reads = lineage.sources_of.get(model, frozenset())
    named = sorted(t for t in tables if t in reads or _word_in(t.split(".", 1)[1], message))
    if named:
        table = named[0]
        return Cause(f"source:{table}", "source",
                     f"source table {table} is missing or changed: {model} did not build ({message}); "
                     f"{SCHEMA_ID}: {format_row(tables[table])}",
                     f"Restore {table} (or its declared columns) in the warehouse, or correct the source "
                     f"declaration, then run the contracts again: every invariant listed here stays unknown until then.")
    return Cause(f"model:{model}", "model", f"model {model} did not build ({message})",
                 f"Read the model's error above and fix {model} (or what it reads), then run the contracts "
                 "again: every invariant listed here stays unknown until then.")


def alert_key_of(invariant_id: str | None, name: str) -> str:
    """engine.alert_key: the invariant ID, or a key test's own name."""
    return invariant_id or name


def _date(partition: str) -> date | None:
    try:
        return date.fromisoformat(partition)
    except ValueError:
        return None


def analyse(rec: RunRecord, failures: list[Failure], lineage: Lineage) -> Grouping:
    """Root causes of this run's failures (engine.failures_of's list)."""
    g = Grouping()
    failing = {(f.invariant_id, f.partition) for f in failures}
    tables = _schema_tables(rec)
    # 1. unknown contracts, by the model(s) their reason blames
    roots_of: dict[tuple[str, str], list[Cause]] = defaultdict(list)
    reasons_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rec.results:
        if r.status != UNKNOWN:
            continue
        k = (alert_key_of(r.invariant_id, r.name), NOT_EVALUATED)
        roots = build_roots(r.reason)
        if not roots:
            reasons_of[k].add(strip_control(r.reason or "not evaluated"))
        for model, message in roots:
            cause = _build_cause(model, message, tables, lineage)
            if cause.key not in {c.key for c in roots_of[k]}:
                roots_of[k].append(cause)
    # an invariant the run set out to evaluate that has no contract result at all
    for iid, reason in rec.unknown.items():
        if not any(r.invariant_id == iid for r in rec.results):
            reasons_of[(iid, NOT_EVALUATED)].add(strip_control(reason or "not evaluated"))
    for k, causes in roots_of.items():
        if k not in failing:
            continue
        causes = sorted(causes, key=lambda c: c.key)
        g.cause_of[k] = causes[0]
        others = [c.key for c in causes[1:]]
        g.note_of[k] = "left unknown" + (f" (also by {', '.join(others)})" if others else "")
    # SCH-01's failure names the table: it belongs with that table's incident
    sources = {c.key: c for c in g.cause_of.values() if c.kind == "source"}
    for k in sorted(failing):
        if k[0] == SCHEMA_ID and k[1] != NOT_EVALUATED:
            named = sorted(f"source:{t}" for t in tables if f"source:{t}" in sources)
            if named:
                g.cause_of[k] = sources[named[0]]
                g.note_of[k] = f"names {named[0].split(':', 1)[1]}"
    # 2. unknown with no model to blame: one incident per identical reason, when several share it
    by_reason: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for k, reasons in reasons_of.items():
        if k in failing and k not in g.cause_of and len(reasons) == 1:
            by_reason[next(iter(reasons))].append(k)
    for reason, keys in by_reason.items():
        if len(keys) < 2:
            continue
        digest = hashlib.sha1(reason.encode("utf-8", "replace")).hexdigest()[:8]
        cause = Cause(f"unknown:{digest}", "unknown", f"{len(keys)} could not be evaluated: {reason[:300]}",
                      "Read the reason above (dbt's own error), fix it, then run the contracts again.")
        for k in keys:
            g.cause_of[k] = cause
            g.note_of[k] = "left unknown"
    # 3. on one date, later phases under the earliest phase that failed
    by_date: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for iid, partition in failing:
        phase = lineage.phase(iid)
        if phase is not None and _date(partition) is not None:
            by_date[partition].append((phase, iid))
    for day, found in sorted(by_date.items()):
        found.sort()
        root_phase, root_id = found[0]
        upstream = [i for p, i in found if p == root_phase and i != root_id]
        also = f" (also failing upstream: {', '.join(upstream)})" if upstream else ""
        cause = Cause(f"{root_id}|{day}", "invariant", f"{root_id} {day}", root=(root_id, day))
        for phase, iid in found:
            if phase > root_phase:
                g.cause_of[(iid, day)] = cause
                g.note_of[(iid, day)] = f"likely caused by {root_id} {day}{also}"
    return g


def groups_of(rec: RunRecord, failures: list[Failure], lineage: Lineage
              ) -> list[tuple[Cause, list[tuple[str, str]], dict[tuple[str, str], str]]]:
    """The run's root causes, each with its members (an invariant cause's own failure
    first) and their notes: what the report shows."""
    g = analyse(rec, failures, lineage)
    by: dict[str, tuple[Cause, list[tuple[str, str]]]] = {}
    for k, cause in sorted(g.cause_of.items()):
        by.setdefault(cause.key, (cause, []))[1].append(k)
    out = []
    for cause, keys in by.values():
        if cause.root is not None:
            keys = [cause.root, *[k for k in keys if k != cause.root]]
        out.append((cause, keys, {k: g.note_of.get(k, "") for k in keys}))
    return sorted(out, key=lambda c: (c[0].kind == "invariant", c[0].key))


# --- incidents: events grouped for sending --------------------------------------------------

def own_key(invariant_id: str, partition: str) -> str:
    return f"{invariant_id}|{partition}"


@dataclass
class Incident:
    key: str
    kind: str
    severity: str
    title: str
    runbook: str
    members: list[AlertEvent]
    notes: dict[tuple[str, str], str]
    opened_at: str
    still_open: int  # members still open after this message
    cause_kind: str = "invariant"

    @property
    def root(self) -> AlertEvent | None:
        """The member the incident is about (an invariant incident's own alert)."""
        return next((m for m in self.members if own_key(m.invariant_id, m.partition) == self.key), None)


def _weakest_close(kinds: list[str]) -> str:
    for kind in (AGED_OUT, REEVALUATED):
        if kind in kinds:
            return kind
    return RESOLVED


@dataclass(frozen=True)
class Membership:
    """From the incident log: which incident each open alert belongs to, and since when."""

    incident_of: dict[tuple[str, str], str]
    opened_at: dict[str, datetime]  # incident key -> when it opened
    titles: dict[str, str]  # incident key -> its latest title


_LOG_REQUIRED = ("event_id", "incident_key", "kind", "invariant_id", "partition_key", "member_kind", "sent_at")


def read_membership(wh: Warehouse, open_set: dict[tuple[str, str], OpenAlert]) -> Membership:
    """Fold the incident log for the alerts open now. A row with a NULL where a
    value is required, or a kind outside the vocabulary, cannot say what was sent
    together: AlertStateError (exit 2), as for a malformed alert log."""
    wh.ensure(INCIDENT_LOG)
    rows = wh.query(f"select event_id, incident_key, kind, title, invariant_id, partition_key, member_kind, "
                    f"sent_at, opened_at from {wh.audit(INCIDENT_LOG)} order by sent_at, event_id")
    problems = []
    for i, r in enumerate(rows, 1):
        absent = [c for c in _LOG_REQUIRED if r.get(c) is None or (isinstance(r[c], str) and not r[c].strip())]
        if absent:
            problems.append(f"row {i} has no {', '.join(absent)}")
        elif r["kind"] not in INCIDENT_KINDS:
            problems.append(f"row {i} has kind {strip_control(str(r['kind']))[:40]!r} outside "
                            f"{'/'.join(INCIDENT_KINDS)}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise AlertStateError(f"the incident log {wh.audit(INCIDENT_LOG)} is malformed: {'; '.join(problems[:5])}"
                              f"{more}. No alert is sent from a log that cannot say what was sent together: "
                              "repair or delete those rows")
    incident_of: dict[tuple[str, str], str] = {}
    opened: dict[str, datetime] = {}
    titles: dict[str, str] = {}
    for r in rows:
        k = (r["invariant_id"], r["partition_key"])
        current = open_set.get(k)
        titles[r["incident_key"]] = strip_control(str(r.get("title") or ""))[:MAX_TITLE]
        if current is not None and r["sent_at"] >= current.opened_at:  # this opening of that alert, not an older one
            incident_of[k] = r["incident_key"]
            opened.setdefault(r["incident_key"], r["opened_at"] or r["sent_at"])
    live = set(incident_of.values())
    return Membership(incident_of, {k: v for k, v in opened.items() if k in live}, titles)


def _incident_title(key: str, cause: Cause | None, members: list[AlertEvent], remembered: str) -> str:
    """A build cause's name; else the root member's title; else what the log says it was called."""
    if cause is not None and cause.kind != "invariant":
        return cause.name
    root = next((m for m in members if own_key(m.invariant_id, m.partition) == key), None)
    if root is not None and root.title:
        return root.title
    return remembered or f"failures likely caused by {key.replace('|', ' ')}"


def group(events: list[AlertEvent], grouping: Grouping, membership: Membership,
          open_before: dict[tuple[str, str], OpenAlert], lineage: Lineage, now: datetime) -> list[Incident]:
    """This cycle's events, as incidents to send (the events themselves unchanged)."""
    assigned: dict[str, list[AlertEvent]] = defaultdict(list)
    causes: dict[str, Cause] = {}
    for e in events:
        k = (e.invariant_id, e.partition)
        cause = grouping.cause_of.get(k)
        if k in membership.incident_of:
            ikey = membership.incident_of[k]
        elif cause is not None and cause.root is not None:
            ikey = membership.incident_of.get(cause.root, cause.key)  # where the root alert already is
        elif cause is not None:
            ikey = cause.key
        else:
            ikey = own_key(*k)
        if cause is not None and cause.key == ikey:
            causes[ikey] = cause
        assigned[ikey].append(e)
    out = []
    stamp = now.isoformat(timespec="seconds")
    for ikey, members in assigned.items():
        keys = {(m.invariant_id, m.partition) for m in members}
        # open before this cycle: its members by the log, and any event's alert that was open
        # (a reminder of an alert sent before grouping existed has no membership, and is open)
        before = {k for k, inc in membership.incident_of.items() if inc == ikey and k in open_before}
        before |= keys & set(open_before)
        opened = {(m.invariant_id, m.partition) for m in members if m.kind in OPENS} - set(open_before)
        closed = {(m.invariant_id, m.partition) for m in members if m.kind in CLOSES}
        after = (before | opened) - closed
        if not after and closed:  # its last open member closed in this message
            kind = _weakest_close([m.kind for m in members if m.kind in CLOSES])
        elif not before:
            kind = OPEN
        elif opened or closed:
            kind = UPDATED
        elif all(m.kind not in (REMINDER, *OPENS, *CLOSES) for m in members):  # notices only (an ack)
            kind = members[0].kind if members[0].kind in INCIDENT_KINDS else UPDATED
        else:
            kind = REMINDER
        root_key = None
        if "|" in ikey and not ikey.startswith(("source:", "model:", "unknown:")):
            iid, _, part = ikey.partition("|")
            root_key = (iid, part)
        # the root first, then by phase, invariant and date
        members.sort(key=lambda m: ((m.invariant_id, m.partition) != root_key,
                                    lineage.phase(m.invariant_id) or 99, m.invariant_id, m.partition))
        cause = causes.get(ikey)
        head = members[0]
        title = _incident_title(ikey, cause, members, membership.titles.get(ikey, ""))
        runbook = cause.runbook if cause is not None and cause.runbook else head.runbook
        opened_at = membership.opened_at.get(ikey)
        notes = {(m.invariant_id, m.partition): grouping.note_of[(m.invariant_id, m.partition)]
                 for m in members if (m.invariant_id, m.partition) in grouping.note_of}
        severity = "error" if any(m.severity == "error" for m in members) else "warn"
        out.append(Incident(ikey, kind, severity, strip_control(title)[:MAX_TITLE], runbook, members, notes,
                            opened_at.isoformat(timespec="seconds") if opened_at else stamp, len(after),
                            cause.kind if cause is not None else ("invariant" if root_key else "other")))
    out.sort(key=lambda i: (i.kind in INCIDENT_CLOSES, i.severity != "error", i.key))
    return out


def restrict(incidents: list[Incident], events: list[AlertEvent]) -> list[Incident]:
    """The incidents with only their members among `events` (a route's share), the
    empty ones left out."""
    ids = {id(e) for e in events}
    out = []
    for inc in incidents:
        members = [m for m in inc.members if id(m) in ids]
        if members:
            out.append(replace(inc, members=members))
    return out


def singletons(events: list[AlertEvent]) -> list[Incident]:
    """Each event its own incident (what `deliver` sends when given no grouping)."""
    return [Incident(own_key(e.invariant_id, e.partition),
                     _weakest_close([e.kind]) if e.kind in CLOSES else e.kind, e.severity, e.title, e.runbook,
                     [e], {}, e.opened_at, 0 if e.kind in CLOSES else 1) for e in events]


def record_incidents(wh: Warehouse, incidents: list[Incident], run_id: str, now: datetime, holder: str) -> None:
    """Append one row per member of each incident sent, in one batch."""
    rows = []
    for inc in incidents:
        event_id = str(uuid.uuid4())
        opened = datetime.fromisoformat(inc.opened_at) if inc.opened_at else now
        for m in inc.members:
            rows.append({"event_id": event_id, "incident_key": inc.key, "kind": inc.kind, "title": inc.title,
                         "invariant_id": m.invariant_id, "partition_key": m.partition, "member_kind": m.kind,
                         "note": inc.notes.get((m.invariant_id, m.partition), "")[:MAX_TITLE],
                         "run_id": run_id, "sent_at": now, "opened_at": opened, "holder": holder})
    wh.append(INCIDENT_LOG, rows)


__all__ = ["INCIDENT_LOG", "Cause", "Grouping", "Incident", "Lineage", "Membership", "analyse", "build_roots",
           "group", "groups_of", "load_lineage", "read_membership", "record_incidents", "singletons"]
