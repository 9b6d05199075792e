"""The morning digest (`props-contracts digest`, 07:00 ET): what the warehouse says
about each date of the latest run's window, what is open, which breakers are in
force, and how long the last 7 days' incidents took to detect and to resolve.

Everything is read back from the warehouse and checked before it is shown:
- the dates are every date of the window (the clock), not the dates the marts
  happen to hold: a date with games due and no mart row says MISSING;
- figures come from the marts (fct_boxscore_coverage_by_date,
  fct_prediction_coverage_by_date, fct_grading_latency_by_date,
  fct_export_reconciliation) and int_games; a value out of its type or range,
  or a date twice, is a problem the digest names (exit 2), never a figure;
- open incidents come from the alert log and the incident log (grouping.py);
  acknowledgements, when this build has the ack module (alerts/acks.py);
- no fresh run record is an error: none at all, exit 2 and nothing is sent;
  one older than max_run_age_hours, the digest opens with SELF-01 and exits 2;
  so does a run that left invariants unknown (the marts may be stale).
Formatting is digest_format.py; sending reuses alerts/deliver.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import DeliveryError, post_json, send_email
from props_contracts.alerts.grouping import INCIDENT_CLOSES, INCIDENT_LOG, read_membership
from props_contracts.alerts.state import ALERT_LOG, CLOSES, NOT_EVALUATED, OPEN, OPENS, open_alerts
from props_contracts.catalog import Invariant
from props_contracts.errors import PropsContractsError, UsageError
from props_contracts.records import (
    FAILING_ROWS,
    READER_EXCLUDED_COMMANDS,
    RESULTS,
    RUNS,
    RunRecord,
    latest_record,
    no_record_message,
    record_age_problem,
    stale_reasons,
)
from props_contracts.textsafe import strip_control
from props_contracts.warehouse import Warehouse

TIMING_DAYS = 7  # time to detect / resolve: incidents opened in the last 7 days
BREACH_LOOKBACK = timedelta(days=30)  # how far before its first alert a breach is looked for
MAX_BREAKERS_LISTED = 50
MARTS = ("fct_boxscore_coverage_by_date", "fct_prediction_coverage_by_date", "fct_grading_latency_by_date",
         "fct_export_reconciliation")


class DigestError(PropsContractsError):
    """The digest cannot be built (no run record, a mart that cannot be read)."""


@dataclass
class DateLine:
    """One date of the window, as the marts hold it (None: no row for that date)."""

    game_date: str
    games: int | None = None  # scheduled, not postponed (int_games)
    games_due: int | None = None  # expected final by the run's as_of
    boxscores: dict | None = None  # teams_with_final_games, teams_with_boxscores, coverage, missing_teams
    predictions: dict | None = None  # teams_playing, teams_without_predictions, expected/predicted_players, ...
    grading: dict | None = None  # final_games, games_graded_within_sla, median/p95_latency_hours
    exports: dict = field(default_factory=lambda: {"exports": 0, "mismatched": 0, "latest": None})
    missing: list[str] = field(default_factory=list)  # marts that should have a row for this date and do not


@dataclass
class OpenIncident:
    key: str
    title: str
    severity: str
    opened_at: datetime
    age: timedelta
    members: list[tuple[str, str]]
    acks: list[str] = field(default_factory=list)


@dataclass
class Breaker:
    processor_name: str
    entity_id: str
    analysis_date: str
    tripped_at: datetime | None
    until: datetime | None  # None: no end recorded (PRC-06 flags it)
    stale: bool  # data for it arrived after it tripped (int_stale_circuit_breakers, PRC-07)


@dataclass
class Timing:
    key: str
    title: str
    first_alert_at: datetime
    breach_at: datetime | None  # the first run record that saw it failing (None: none found)
    closed_at: datetime | None
    close_kind: str | None

    @property
    def to_detect(self) -> timedelta | None:
        return None if self.breach_at is None else max(self.first_alert_at - self.breach_at, timedelta(0))

    @property
    def to_resolve(self) -> timedelta | None:
        return None if self.closed_at is None else self.closed_at - self.first_alert_at


@dataclass
class Digest:
    record: RunRecord
    now: datetime
    window: tuple[date, date]
    dates: list[DateLine]
    incidents: list[OpenIncident]
    breakers: list[Breaker]
    breakers_total: int
    timings: list[Timing]
    acks_available: bool
    problems: list[str] = field(default_factory=list)  # each makes the digest exit 2
    stale: str | None = None  # SELF-01's message when the record is older than max_run_age

    @property
    def exit_code(self) -> int:
        return 2 if self.problems or self.stale else 0


# --- reading, checked ------------------------------------------------------------------------

def _count(value: object) -> int | None:
    """A whole, non-negative count, or None if the value is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    try:  # Decimal from a warehouse client
        as_int = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return as_int if as_int == value and as_int >= 0 else None


def _number(value: object, low: float | None = None, high: float | None = None) -> float | None:
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x) or (low is not None and x < low) or (high is not None and x > high):
        return None
    return x


def _day(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


class _Checker:
    """Collects what is wrong with rows read back, named by mart, date and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def count(self, mart: str, day: str, row: dict, column: str) -> int | None:
        got = _count(row.get(column))
        if got is None:
            self.problems.append(f"{mart} row for {day}: {column} = {strip_control(repr(row.get(column)))[:40]} "
                                 "is not a whole number >= 0")
        return got

    def ratio(self, mart: str, day: str, row: dict, column: str, nullable: bool = True) -> float | None:
        raw = row.get(column)
        if raw is None and nullable:
            return None
        got = _number(raw, 0.0, 1.0)
        if got is None:
            self.problems.append(f"{mart} row for {day}: {column} = {strip_control(repr(raw))[:40]} is not a "
                                 "share from 0 to 1")
        return got

    def hours(self, mart: str, day: str, row: dict, column: str) -> float | None:
        raw = row.get(column)
        if raw is None:
            return None
        got = _number(raw, -48.0, 24.0 * 366)
        if got is None:
            self.problems.append(f"{mart} row for {day}: {column} = {strip_control(repr(raw))[:40]} is not a "
                                 "number of hours")
        return got


def _by_date(wh: Warehouse, mart: str, columns: str, start: date, end: date, problems: list[str],
             schema: str = "marts", extra: str = "") -> dict[str, dict]:
    """One row per game date of the window; a second row for a date, or a date that
    is not one, is a problem (the first row is kept for display only)."""
    rows = wh.query(f"select game_date, {columns} from {wh.relation(schema, mart)} "
                    f"where game_date >= @start and game_date <= @end {extra} order by game_date",
                    {"start": start, "end": end})
    out: dict[str, dict] = {}
    for r in rows:
        day = _day(r.get("game_date"))
        if day is None:
            problems.append(f"{mart}: a row whose game_date {strip_control(repr(r.get('game_date')))[:40]} is "
                            "not a date")
            continue
        if day in out:
            problems.append(f"{mart}: two rows for {day} (one row per date expected)")
            continue
        out[day] = r
    return out


def _read(what: str, fn: Callable[[], object], problems: list[str]) -> object:
    """A read that may fail on its own (a mart that was never built): named, not fatal to the rest."""
    try:
        return fn()
    except PropsContractsError as exc:
        problems.append(f"{what} could not be read: {strip_control(str(exc))[:300]}")
        return None


def read_dates(wh: Warehouse, start: date, end: date, problems: list[str]) -> list[DateLine]:
    check = _Checker(problems)
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    lines = {d: DateLine(d) for d in days}
    games = _read("int_games", lambda: wh.query(
        f"select game_date, "
        f"sum(case when is_postponed then 0 else 1 end) as games, "
        f"sum(case when is_expected_final then 1 else 0 end) as games_due "
        f"from {wh.relation('intermediate', 'int_games')} "
        "where game_date >= @start and game_date <= @end group by game_date",
        {"start": start, "end": end}), problems)
    if games is not None:
        for r in games:
            day = _day(r.get("game_date"))
            if day in lines:
                lines[day].games = check.count("int_games", day, r, "games")
                lines[day].games_due = check.count("int_games", day, r, "games_due")
        for line in lines.values():  # the schedule has no game that day
            if line.games is None:
                line.games, line.games_due = 0, 0
    box = _read(MARTS[0], lambda: _by_date(wh, MARTS[0], "teams_with_final_games, teams_with_boxscores, coverage, "
                                            "missing_teams", start, end, problems), problems)
    pred = _read(MARTS[1], lambda: _by_date(wh, MARTS[1], "teams_playing, teams_without_predictions, "
                                             "expected_players, predicted_players, coverage, is_due",
                                             start, end, problems), problems)
    grade = _read(MARTS[2], lambda: _by_date(wh, MARTS[2], "final_games, games_graded_within_sla, "
                                              "median_latency_hours, p95_latency_hours", start, end, problems),
                  problems)
    exports = _read(MARTS[3], lambda: wh.query(
        f"select game_date, export_id, exported_at, exported_rows, active_predictions, row_difference "
        f"from {wh.relation('marts', MARTS[3])} where game_date >= @start and game_date <= @end "
        "order by game_date, exported_at, export_id", {"start": start, "end": end}), problems)
    for day, line in lines.items():
        if isinstance(box, dict) and day in box:
            r = box[day]
            line.boxscores = {"teams_with_final_games": check.count(MARTS[0], day, r, "teams_with_final_games"),
                              "teams_with_boxscores": check.count(MARTS[0], day, r, "teams_with_boxscores"),
                              "coverage": check.ratio(MARTS[0], day, r, "coverage", nullable=False),
                              "missing_teams": strip_control(str(r.get("missing_teams") or ""))[:300]}
        elif isinstance(box, dict) and line.games_due:
            line.missing.append(MARTS[0])
        if isinstance(pred, dict) and day in pred:
            r = pred[day]
            line.predictions = {"teams_playing": check.count(MARTS[1], day, r, "teams_playing"),
                                "teams_without_predictions": check.count(MARTS[1], day, r,
                                                                         "teams_without_predictions"),
                                "expected_players": check.count(MARTS[1], day, r, "expected_players"),
                                "predicted_players": check.count(MARTS[1], day, r, "predicted_players"),
                                "coverage": check.ratio(MARTS[1], day, r, "coverage"),
                                "is_due": bool(r.get("is_due")) if isinstance(r.get("is_due"), bool) else None}
            if line.predictions["is_due"] is None:
                problems.append(f"{MARTS[1]} row for {day}: is_due is not true or false")
        elif isinstance(pred, dict) and line.games:
            line.missing.append(MARTS[1])
        if isinstance(grade, dict) and day in grade:
            r = grade[day]
            line.grading = {"final_games": check.count(MARTS[2], day, r, "final_games"),
                            "games_graded_within_sla": check.count(MARTS[2], day, r, "games_graded_within_sla"),
                            "median_latency_hours": check.hours(MARTS[2], day, r, "median_latency_hours"),
                            "p95_latency_hours": check.hours(MARTS[2], day, r, "p95_latency_hours")}
        elif isinstance(grade, dict) and line.games_due:
            line.missing.append(MARTS[2])
    if isinstance(exports, list):
        for r in exports:
            day = _day(r.get("game_date"))
            if day not in lines:
                problems.append(f"{MARTS[3]}: an export whose game_date {strip_control(repr(r.get('game_date')))[:40]}"
                                " is not a date of the window")
                continue
            ex = lines[day].exports
            rows = check.count(MARTS[3], day, r, "exported_rows")
            active = check.count(MARTS[3], day, r, "active_predictions")
            diff = r.get("row_difference")
            if not isinstance(diff, int) or isinstance(diff, bool) or rows is None or active is None \
                    or diff != rows - active:
                problems.append(f"{MARTS[3]} export for {day}: row_difference does not equal exported_rows - "
                                "active_predictions")
                continue
            ex["exports"] += 1
            ex["mismatched"] += int(diff != 0)
            ex["latest"] = {"exported_rows": rows, "active_predictions": active, "row_difference": diff}
    for line in lines.values():
        for mart in line.missing:
            problems.append(f"{mart} has no row for {line.game_date}, which has {line.games_due or line.games} "
                            "game(s) due: MISSING, not zero")
    return [lines[d] for d in days]


def read_breakers(wh: Warehouse, as_of: datetime, problems: list[str]) -> tuple[list[Breaker], int]:
    """Breakers in force at the run's as_of (the breaker source, as staged), each
    marked stale when int_stale_circuit_breakers holds it (PRC-07)."""
    rows = _read("the circuit breakers (stg_nba_orchestration__reprocess_attempts)", lambda: wh.query(
        f"select processor_name, entity_id, analysis_date, tripped_at, circuit_breaker_until "
        f"from {wh.relation('staging', 'stg_nba_orchestration__reprocess_attempts')} "
        "where circuit_breaker_tripped and (circuit_breaker_until is null or circuit_breaker_until > @as_of) "
        "order by processor_name, entity_id, analysis_date", {"as_of": as_of}), problems)
    stale = _read("int_stale_circuit_breakers", lambda: wh.query(
        f"select processor_name, entity_id, analysis_date from "
        f"{wh.relation('intermediate', 'int_stale_circuit_breakers')}"), problems)
    if not isinstance(rows, list):
        return [], 0
    stale_keys = {(r["processor_name"], r["entity_id"], _day(r["analysis_date"])) for r in stale or []}
    out = []
    for r in rows:
        day = _day(r.get("analysis_date")) or "?"
        key = (r.get("processor_name"), r.get("entity_id"), day)
        out.append(Breaker(strip_control(str(r.get("processor_name")))[:100],
                           strip_control(str(r.get("entity_id")))[:100], day, r.get("tripped_at"),
                           r.get("circuit_breaker_until"), key in stale_keys))
    return out[:MAX_BREAKERS_LISTED], len(out)


# --- open incidents and acks ------------------------------------------------------------------

AckReader = Callable[[Warehouse, datetime], list]


def default_ack_reader() -> AckReader | None:
    """The ack module's active_acks, when this build has it (alerts/acks.py: `ack`,
    `silence`); None otherwise: the digest then says acks are not available."""
    if importlib.util.find_spec("props_contracts.alerts.acks") is None:
        return None
    module = importlib.import_module("props_contracts.alerts.acks")
    return module.active_acks


def open_incidents(wh: Warehouse, catalog: dict[str, Invariant], now: datetime,
                   acks: list) -> list[OpenIncident]:
    """Open alerts grouped by the incident they were sent in (or their own key)."""
    open_set = open_alerts(wh)
    membership = read_membership(wh, open_set)
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for k in sorted(open_set):
        grouped[membership.incident_of.get(k, f"{k[0]}|{k[1]}")].append(k)
    out = []
    for ikey, members in grouped.items():
        opened = membership.opened_at.get(ikey) or min(open_set[k].opened_at for k in members)
        first = members[0]
        inv = catalog.get(first[0])
        title = membership.titles.get(ikey) or (inv.title if inv else first[0])
        notes = []
        for k in members:
            for a in acks:
                if a.covers(*k) and a.describe() not in notes:
                    notes.append(strip_control(a.describe())[:300])
        out.append(OpenIncident(ikey, strip_control(title)[:500],
                                "error" if any(open_set[k].severity == "error" for k in members) else "warn",
                                opened, now - opened, members, notes))
    return sorted(out, key=lambda i: (i.severity != "error", -i.age.total_seconds(), i.key))


# --- time to detect, time to resolve ----------------------------------------------------------

def _observations(wh: Warehouse, since: datetime) -> tuple[dict[tuple[str, str], list[datetime]],
                                                          dict[tuple[str, str], list[datetime]]]:
    """When completed records (gate's aside) saw each key failing: (key, status
    class) -> run starts, and (key, date) -> run starts from the failing rows."""
    excluded = ", ".join(f"'{c}'" for c in READER_EXCLUDED_COMMANDS)
    runs = (f"select run_id from {wh.audit(RUNS)} where started_at >= @since "
            f"and (command is null or command not in ({excluded}))")
    wh.ensure(RUNS, RESULTS, FAILING_ROWS)
    by_status: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for r in wh.query(f"select started_at, invariant_id, name, status from {wh.audit(RESULTS)} "
                      f"where started_at >= @since and status in ('fail', 'warn', 'unknown') "
                      f"and run_id in ({runs})", {"since": since}):
        k = r["invariant_id"] or r["name"]
        if k and r["started_at"] is not None:
            by_status[(k, NOT_EVALUATED if r["status"] == "unknown" else "failed")].append(r["started_at"])
    by_date: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for r in wh.query(f"select distinct started_at, invariant_id, name, partition_date "
                      f"from {wh.audit(FAILING_ROWS)} where started_at >= @since "
                      f"and run_id in ({runs})", {"since": since}):
        k = r["invariant_id"] or r["name"]
        if k and r["started_at"] is not None:
            by_date[(k, str(r["partition_date"] or "all"))].append(r["started_at"])
    return by_status, by_date


def read_timings(wh: Warehouse, now: datetime, days: int = TIMING_DAYS) -> list[Timing]:
    """Incidents whose first alert was sent in the last `days` days: from the
    incident log, and from the alert log for alerts sent with no grouping."""
    since = now - timedelta(days=days)
    wide = since - BREACH_LOOKBACK
    wh.ensure(ALERT_LOG, INCIDENT_LOG)
    log = wh.query(f"select invariant_id, partition_key, kind, sent_at from {wh.audit(ALERT_LOG)} "
                   "where sent_at >= @wide order by sent_at, event_id", {"wide": wide})
    inc_rows = wh.query(f"select incident_key, kind, title, invariant_id, partition_key, sent_at "
                        f"from {wh.audit(INCIDENT_LOG)} where sent_at >= @wide order by sent_at, event_id",
                        {"wide": wide})
    for r in (*log, *inc_rows):
        if r.get("sent_at") is None or r.get("kind") is None or r.get("invariant_id") is None:
            raise DigestError("the alert or incident log holds a row with no sent_at, kind or invariant_id: "
                              "no time to detect or resolve is computed from it; repair or delete that row")
    grouped_at = {(r["invariant_id"], r["partition_key"], r["sent_at"]) for r in inc_rows}
    episodes: list[dict] = []
    current: dict[str, dict] = {}
    for r in inc_rows:  # incidents, in the order they were sent
        key = r["incident_key"]
        ep = current.get(key)
        if ep is None and r["kind"] == OPEN:
            ep = current[key] = {"key": key, "title": r["title"] or key, "at": r["sent_at"], "members": set(),
                                 "closed": None, "close_kind": None}
            episodes.append(ep)
        if ep is None:
            continue
        if r["sent_at"] == ep["at"]:
            ep["members"].add((r["invariant_id"], r["partition_key"]))
        if r["kind"] in INCIDENT_CLOSES and ep["closed"] is None:
            ep["closed"], ep["close_kind"] = r["sent_at"], r["kind"]
            del current[key]
    alone: dict[tuple[str, str], dict] = {}
    for r in log:  # alerts sent before grouping existed: each its own incident
        k = (r["invariant_id"], r["partition_key"])
        if (k[0], k[1], r["sent_at"]) in grouped_at:
            continue
        if r["kind"] in OPENS and k not in alone:
            alone[k] = {"key": f"{k[0]}|{k[1]}", "title": f"{k[0]}|{k[1]}", "at": r["sent_at"], "members": {k},
                        "closed": None, "close_kind": None}
            episodes.append(alone[k])
        elif r["kind"] in CLOSES and k in alone:
            alone.pop(k).update(closed=r["sent_at"], close_kind=r["kind"])
    last_close: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for r in log:
        if r["kind"] in CLOSES:
            last_close[(r["invariant_id"], r["partition_key"])].append(r["sent_at"])
    by_status, by_date = _observations(wh, wide - BREACH_LOOKBACK)
    out = []
    for ep in episodes:
        if ep["at"] < since:
            continue
        seen = []
        for k in ep["members"]:
            after = max([t for t in last_close.get(k, []) if t < ep["at"]], default=ep["at"] - BREACH_LOOKBACK)
            if k[1] == NOT_EVALUATED:
                times = by_status.get((k[0], NOT_EVALUATED), [])
            elif k[1] == "all":
                times = by_status.get((k[0], "failed"), [])
            else:
                times = by_date.get(k, [])
            seen += [t for t in times if after < t <= ep["at"]]
        out.append(Timing(ep["key"], strip_control(str(ep["title"]))[:300], ep["at"], min(seen, default=None),
                          ep["closed"], ep["close_kind"]))
    return sorted(out, key=lambda t: t.first_alert_at)


def summary(values: list[timedelta]) -> dict | None:
    if not values:
        return None
    secs = sorted(v.total_seconds() for v in values)
    return {"n": len(secs), "median_seconds": statistics.median(secs), "max_seconds": secs[-1]}


# --- the digest ----------------------------------------------------------------------------

def build_digest(wh: Warehouse, catalog: dict[str, Invariant], now: datetime, max_run_age: timedelta,
                 ack_reader: AckReader | None = None) -> Digest:
    rec = latest_record(wh, now)
    if rec is None:
        raise DigestError(no_record_message(wh, now, "no digest is sent, and nothing is assumed fine"))
    problems: list[str] = []
    stale = record_age_problem(rec, now, max_run_age)
    problems += [f"the run record {rec.run_id[:8]} is stale: {r}" for r in stale_reasons(wh, rec, now)]
    if rec.unknown:
        problems.append(f"the latest run could not evaluate {len(rec.unknown)} invariant(s) "
                        f"({', '.join(sorted(rec.unknown))}): the marts it did not rebuild may be stale")
    end = rec.window_end
    start = rec.window_start or end - timedelta(days=TIMING_DAYS)
    dates = read_dates(wh, start, end, problems)
    breakers, total = read_breakers(wh, rec.as_of, problems)
    acks: list = []
    if ack_reader is not None:
        acks = ack_reader(wh, now)
    return Digest(rec, now, (start, end), dates, open_incidents(wh, catalog, now, acks), breakers, total,
                  read_timings(wh, now), ack_reader is not None, problems, stale)


def send_digest(d: Digest, config: AlertConfig) -> list[str]:
    """Slack, the webhook and e-mail, each tried; DeliveryError naming every one that failed."""
    from props_contracts.alerts import digest_format as dfmt

    senders: dict[str, Callable[[], None]] = {
        "slack": lambda: post_json("slack", config.slack_webhook_url, dfmt.slack_payload(d), config.retry),
        "webhook": lambda: post_json("webhook", config.webhook_url, dfmt.webhook_payload(d), config.retry),
        "email": lambda: send_email(config.smtp, dfmt.email_message(d, config.email_from, list(config.email_to)),
                                    config.retry),
    }
    sent, errors = [], []
    for name in config.channels:
        if name not in senders:
            continue  # a paging channel: the digest is not a page
        try:
            senders[name]()
            sent.append(name)
        except DeliveryError as exc:  # collected, then raised below: never swallowed
            errors.append(exc)
    if errors:
        raise DeliveryError("digest: " + "; ".join(str(e) for e in errors)
                            + (f" (delivered to: {', '.join(sent)})" if sent else ""))
    if not sent:
        raise UsageError("no digest channel configured: set PROPS_ALERT_SLACK_WEBHOOK_URL, PROPS_ALERT_WEBHOOK_URL "
                         "or PROPS_ALERT_SMTP_HOST (or use --dry-run)")
    return sent


__all__ = ["Digest", "DigestError", "build_digest", "default_ack_reader", "read_timings", "send_digest"]
