"""Run records in the warehouse: what a run set out to evaluate, what each
contract said (pass, warn, fail, or unknown, with the reason), and the failing
rows, bounded per date. The one home for reading and writing results: the
summary, alerts, gate and report all read a run back from here, on any target,
never from dbt's local artifacts.

Tables (in `<schema>_audit`; on BigQuery partitioned by the run's date):
  contract_runs            one row per completed run
  contract_run_results     one row per contract (data test) or freshness check
  contract_run_invariants  one row per invariant the run set out to evaluate
  contract_failing_rows    up to ROWS_PER_PARTITION rows per failing contract and date
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from props_contracts.warehouse import (
    DATE,
    FLOAT64,
    INT64,
    STRING,
    TIMESTAMP,
    Table,
    Warehouse,
    to_json,
)

# Columns that say which date a failing row is about, in order of preference.
DATE_COLUMNS = ("game_date", "data_date", "run_date", "analysis_date")
ROWS_PER_PARTITION = 20
# How far back `latest_run` looks (a partition filter on BigQuery).
LATEST_RUN_MAX_AGE = timedelta(days=30)

# Per-contract statuses. dbt's "error" and "skipped", and a contract that never
# ran, are UNKNOWN: it was not evaluated, so it is never shown as a pass.
PASS, WARN, FAIL, UNKNOWN = "pass", "warn", "fail", "unknown"
BROKEN = (FAIL, WARN, UNKNOWN)

RUNS = Table("contract_runs", (
    ("run_id", STRING), ("command", STRING), ("target_name", STRING), ("started_at", TIMESTAMP),
    ("finished_at", TIMESTAMP), ("as_of", TIMESTAMP), ("window_start", DATE), ("window_end", DATE),
    ("selection", STRING), ("outcome", STRING), ("exit_code", INT64), ("message", STRING),
    ("git_sha", STRING), ("invariants_expected", INT64), ("invariants_unknown", INT64),
), partition_by="started_at")
RESULTS = Table("contract_run_results", (
    ("run_id", STRING), ("started_at", TIMESTAMP), ("kind", STRING), ("unique_id", STRING),
    ("name", STRING), ("invariant_id", STRING), ("phase", STRING), ("severity", STRING),
    ("status", STRING), ("failures", INT64), ("reason", STRING), ("description", STRING),
    ("relation", STRING), ("execution_seconds", FLOAT64),
), partition_by="started_at", cluster_by=("invariant_id",))
INVARIANTS = Table("contract_run_invariants", (
    ("run_id", STRING), ("started_at", TIMESTAMP), ("invariant_id", STRING), ("status", STRING),
    ("severity", STRING), ("reason", STRING),
), partition_by="started_at", cluster_by=("invariant_id",))
FAILING_ROWS = Table("contract_failing_rows", (
    ("run_id", STRING), ("started_at", TIMESTAMP), ("unique_id", STRING), ("name", STRING),
    ("invariant_id", STRING), ("partition_date", STRING), ("partition_rows", INT64),
    ("row_index", INT64), ("row_json", STRING),
), partition_by="started_at", cluster_by=("invariant_id",))
ALL_TABLES = (RUNS, RESULTS, INVARIANTS, FAILING_ROWS)


@dataclass(frozen=True)
class ContractResult:
    unique_id: str
    name: str
    invariant_id: str | None
    phase: str | None
    severity: str  # configured severity: error or warn
    status: str  # pass, warn, fail, unknown
    failures: int
    description: str
    relation: str | None  # its stored-failures table, only if a test turns store_failures on
    reason: str = ""  # why a contract is unknown (or what failed)
    kind: str = "test"  # test or freshness
    execution_seconds: float = 0.0
    failing_sql: str | None = None  # the test's compiled query: it selects the failing rows

    def failing_rows_query(self, limit: int) -> str | None:
        """The query that reads this contract's failing rows back (at most `limit`):
        its stored-failures table if it has one, else its compiled test query.
        Stored failures are off by default (dbt_project.yml): a table written per
        test per run cost more than re-reading the few that fail."""
        if self.relation:
            return f"select * from {self.relation} limit {int(limit)}"
        if self.failing_sql and self.failing_sql.strip():
            # newlines around it: the compiled query may end in a -- comment
            return f"select * from (\n{self.failing_sql.strip().rstrip(';')}\n) as failing_rows limit {int(limit)}"
        return None

    @property
    def failed(self) -> bool:
        """Failed, or could not be evaluated: never counted as passing."""
        return self.status in (FAIL, UNKNOWN)


@dataclass(frozen=True)
class FailingRow:
    unique_id: str
    invariant_id: str | None
    partition: str  # 'YYYY-MM-DD', or 'all' when the row carries no date
    partition_rows: int  # failing rows of this contract about this date
    row: dict


@dataclass
class RunRecord:
    run_id: str
    command: str
    target_name: str
    started_at: datetime
    finished_at: datetime
    as_of: datetime
    window_start: date | None
    window_end: date
    selection: str
    exit_code: int
    message: str
    git_sha: str = ""
    results: list[ContractResult] = field(default_factory=list)
    invariants: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (status, severity, reason)
    rows: list[FailingRow] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return {0: PASS, 1: FAIL}.get(self.exit_code, UNKNOWN)

    @property
    def unknown(self) -> dict[str, str]:
        return {i: reason for i, (status, _, reason) in self.invariants.items() if status == UNKNOWN}

    def rows_of(self, unique_id: str) -> list[FailingRow]:
        return [r for r in self.rows if r.unique_id == unique_id]


def invariant_status(results: list[ContractResult]) -> str:
    """One invariant from its contracts: a failure at error severity is known to
    fail; otherwise anything not evaluated makes it unknown; then warn; then pass."""
    statuses = {r.status for r in results}
    if not results:
        return UNKNOWN
    for s in (FAIL, UNKNOWN, WARN):
        if s in statuses:
            return s
    return PASS


def partition_of(row: dict) -> str:
    col = next((c for c in DATE_COLUMNS if c in row), None)
    if col is None or row[col] is None:
        return "all"
    return str(row[col])[:10]


def bound_rows(result: ContractResult, rows: list[dict]) -> list[FailingRow]:
    """A contract's failing rows grouped by the date they are about, the first
    ROWS_PER_PARTITION of each kept, each carrying its date's full count."""
    by_partition: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=to_json):  # a stable order on every warehouse
        by_partition[partition_of(row)].append(row)
    return [FailingRow(result.unique_id, result.invariant_id, p, len(rs), row)
            for p, rs in sorted(by_partition.items()) for row in rs[:ROWS_PER_PARTITION]]


def write_run(wh: Warehouse, rec: RunRecord) -> None:
    """One batch write per table. The run row goes last: a run is 'completed'
    (visible to alert, report, gate) only once everything else is written."""
    base = {"run_id": rec.run_id, "started_at": rec.started_at}
    wh.ensure(*ALL_TABLES)
    wh.append(RESULTS, [{**base, "kind": r.kind, "unique_id": r.unique_id, "name": r.name,
                         "invariant_id": r.invariant_id, "phase": r.phase, "severity": r.severity,
                         "status": r.status, "failures": r.failures, "reason": r.reason[:2000],
                         "description": r.description[:2000], "relation": r.relation,
                         "execution_seconds": r.execution_seconds} for r in rec.results])
    wh.append(INVARIANTS, [{**base, "invariant_id": i, "status": s, "severity": sev, "reason": reason[:2000]}
                           for i, (s, sev, reason) in sorted(rec.invariants.items())])
    names = {r.unique_id: r.name for r in rec.results}
    counters: dict[str, int] = defaultdict(int)
    rows = []
    for fr in rec.rows:
        counters[fr.unique_id] += 1
        rows.append({**base, "unique_id": fr.unique_id, "name": names.get(fr.unique_id),
                     "invariant_id": fr.invariant_id,
                     "partition_date": None if fr.partition == "all" else fr.partition,
                     "partition_rows": fr.partition_rows, "row_index": counters[fr.unique_id],
                     "row_json": to_json(fr.row)})
    wh.append(FAILING_ROWS, rows)
    wh.append(RUNS, [{**base, "command": rec.command, "target_name": rec.target_name,
                      "finished_at": rec.finished_at, "as_of": rec.as_of, "window_start": rec.window_start,
                      "window_end": rec.window_end, "selection": rec.selection, "outcome": rec.outcome,
                      "exit_code": rec.exit_code, "message": rec.message[:4000], "git_sha": rec.git_sha,
                      "invariants_expected": len(rec.invariants),
                      "invariants_unknown": len(rec.unknown)}])


def latest_run(wh: Warehouse, command: str, now: datetime) -> RunRecord | None:
    """The newest completed run of `command` on this warehouse (None if there is none)."""
    wh.ensure(*ALL_TABLES)
    since = now - LATEST_RUN_MAX_AGE
    found = wh.query(f"select run_id from {wh.audit(RUNS)} where command = @command "
                     "and started_at >= @since order by started_at desc, finished_at desc limit 1",
                     {"command": command, "since": since})
    return load_run(wh, found[0]["run_id"], since) if found else None


def load_run(wh: Warehouse, run_id: str, since: datetime) -> RunRecord:
    args = {"run_id": run_id, "since": since}
    where = "where run_id = @run_id and started_at >= @since"
    [run] = wh.query(f"select * from {wh.audit(RUNS)} {where}", args)
    rec = RunRecord(run_id, run["command"], run["target_name"], run["started_at"], run["finished_at"],
                    run["as_of"], run["window_start"], run["window_end"], run["selection"] or "",
                    int(run["exit_code"]), run["message"] or "", run["git_sha"] or "")
    for r in wh.query(f"select * from {wh.audit(RESULTS)} {where} order by kind, name", args):
        rec.results.append(ContractResult(
            r["unique_id"], r["name"], r["invariant_id"], r["phase"], r["severity"] or "error",
            r["status"], int(r["failures"] or 0), r["description"] or "", r["relation"], r["reason"] or "",
            r["kind"], float(r["execution_seconds"] or 0)))
    for r in wh.query(f"select * from {wh.audit(INVARIANTS)} {where}", args):
        rec.invariants[r["invariant_id"]] = (r["status"], r["severity"] or "error", r["reason"] or "")
    for r in wh.query(f"select * from {wh.audit(FAILING_ROWS)} {where} order by unique_id, row_index", args):
        rec.rows.append(FailingRow(r["unique_id"], r["invariant_id"], r["partition_date"] or "all",
                                   int(r["partition_rows"] or 0), json.loads(r["row_json"])))
    return rec


def recent_runs(wh: Warehouse, command: str, runs: int, now: datetime) -> list[tuple[str, datetime]]:
    """(run_id, started_at) of the last `runs` completed runs, oldest first."""
    found = wh.query(f"select run_id, started_at from {wh.audit(RUNS)} where command = @command "
                     "and started_at >= @since order by started_at desc limit @n",
                     {"command": command, "since": now - LATEST_RUN_MAX_AGE, "n": int(runs)})
    return [(r["run_id"], r["started_at"]) for r in reversed(found)]


def invariant_history(wh: Warehouse, run_ids: list[tuple[str, datetime]]) -> dict[str, dict[str, str]]:
    """invariant -> run_id -> status, over the given runs."""
    if not run_ids:
        return {}
    since = min(started for _, started in run_ids)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    wanted = {rid for rid, _ in run_ids}
    for r in wh.query(f"select run_id, invariant_id, status from {wh.audit(INVARIANTS)} "
                      "where started_at >= @since", {"since": since}):
        if r["run_id"] in wanted:
            out[r["invariant_id"]][r["run_id"]] = r["status"]
    return out


# The invariant key of "props-contracts itself stopped running" (alerts, report):
# not a data test, so not in seeds/invariants.csv; seeds 004 (a missing invoker
# permission silently stopped the completeness check) and 000/003 (a 45-hour
# orchestration outage nobody noticed), one level up.
SELF_ID = "SELF-01"
SELF_TITLE = "props-contracts ran within max_run_age_hours (a stopped job is noticed)"
SELF_RUNBOOK = ("Check the scheduler (Cloud Scheduler / cron) and the job's logs and permissions; "
                "run `props-contracts run` by hand; until it runs, nothing says the pipeline is fine.")


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def record_age_problem(rec: RunRecord, now: datetime, max_age: timedelta) -> str | None:
    """None when the record finished within max_age of now; else what to say:
    "contracts have not run since <time> (<age> ago; ...)". Both naive UTC (an
    aware finished_at, as BigQuery may return, is converted first)."""
    finished = rec.finished_at
    if finished.tzinfo is not None:
        finished = finished.astimezone(UTC).replace(tzinfo=None)
    age = now - finished
    if age <= max_age:
        return None
    return (f"contracts have not run since {finished:%Y-%m-%d %H:%M} UTC ({_age(age)} ago; "
            f"the limit is {_age(max_age)}, max_run_age_hours): the newest run record is "
            f"{rec.command} {rec.run_id[:8]}, and nothing newer says the pipeline is fine")
