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
  contract_run_invocations the dbt invocations a record accounts for (its own build/test calls)

A record is written by `props-contracts run` / `gate` (write_run) or, for a plain
`dbt build` / `dbt test`, by the on-run-end hook macros/results/record_run.sql.
Both create these tables from one declaration, the Table objects below: the hook
reads them from macros/results/run_record_tables.sql, generated from this module
(record_tables_macro; pytests/test_plain_dbt_record.py fails when it drifts).
Every dbt invocation also appends its node results to contract_results_history
(macros/results/record_results.sql): an invocation there that no completed record
accounts for makes a record stale (unrecorded_invocations).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from props_contracts.errors import PropsContractsError
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
DATE_COLUMNS = ("game_date", "data_date", "run_for_date", "run_date", "analysis_date", "bucket_start")
ROWS_PER_PARTITION = 20
# How far back `latest_run` looks (a partition filter on BigQuery).
LATEST_RUN_MAX_AGE = timedelta(days=30)

# Per-contract statuses. dbt's "error" and "skipped", and a contract that never
# ran, are UNKNOWN: it was not evaluated, so it is never shown as a pass.
PASS, WARN, FAIL, UNKNOWN = "pass", "warn", "fail", "unknown"
BROKEN = (FAIL, WARN, UNKNOWN)
# The record's vocabularies: a value read back that is not exactly one of these
# ('PASS', 'passed', '') makes the record malformed, never a pass.
STATUSES = (PASS, WARN, FAIL, UNKNOWN)
SEVERITIES = ("error", "warn")
KINDS = ("test", "freshness")
EXIT_CODES = (0, 1, 2)
# The reason of a failed or warned contract whose failing rows the run could not
# read (its query reads a table that is gone, or the rows disagree with dbt's
# count): it still failed, but which dates it failed on is not known, so none of
# its invariant's open alerts may resolve on this run.
ROWS_NOT_AVAILABLE = "failing rows not available"


class RecordError(PropsContractsError):
    """A run record read back from the warehouse is malformed or incomplete: a
    reader says so by name and treats every invariant of it as unknown."""

RUNS = Table("contract_runs", (
    ("run_id", STRING), ("command", STRING), ("target_name", STRING), ("started_at", TIMESTAMP),
    ("finished_at", TIMESTAMP), ("as_of", TIMESTAMP), ("window_start", DATE), ("window_end", DATE),
    ("selection", STRING), ("outcome", STRING), ("exit_code", INT64), ("message", STRING),
    ("git_sha", STRING), ("invariants_expected", INT64), ("invariants_unknown", INT64),
    ("contracts_expected", INT64),
), partition_by="started_at", added=("contracts_expected",))
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
INVOCATIONS = Table("contract_run_invocations", (
    ("run_id", STRING), ("started_at", TIMESTAMP), ("invocation_id", STRING),
), partition_by="started_at")
ALL_TABLES = (RUNS, RESULTS, INVARIANTS, FAILING_ROWS, INVOCATIONS)
# One row per executed node per dbt invocation, appended by every invocation's
# on-run-end hook (macros/results/record_results.sql), whoever started it.
HISTORY = Table("contract_results_history", (
    ("invocation_id", STRING), ("run_started_at", TIMESTAMP), ("recorded_at", TIMESTAMP),
    ("target_name", STRING), ("git_sha", STRING), ("node_unique_id", STRING), ("node_name", STRING),
    ("resource_type", STRING), ("invariant_id", STRING), ("phase", STRING), ("severity", STRING),
    ("status", STRING), ("failures", INT64), ("execution_seconds", FLOAT64), ("message", STRING),
    ("checksum", STRING),  # a seed's: dbt's checksum of the CSV it loaded (runner.seeds_to_load)
), partition_by="run_started_at", cluster_by=("invariant_id",), added=("checksum",))
# Records the readers (alert, report) never take as "the latest": gate's runs
# evaluate one phase's gate contracts and answer the gate only.
READER_EXCLUDED_COMMANDS = ("gate",)
# Node types that change or judge data: an invocation that ran only unit tests is not
# a newer evaluation of the warehouse.
DATA_NODE_TYPES = ("model", "seed", "snapshot", "test")


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
    # the dbt invocations this run made (its seed/build/test calls): they are this record's
    invocation_ids: list[str] = field(default_factory=list)

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
    """The date a failing row is about ('YYYY-MM-DD'), or 'all': no date column, a
    NULL, or a value that is not a date (a garbled string is about no one date)."""
    col = next((c for c in DATE_COLUMNS if c in row), None)
    if col is None or row[col] is None:
        return "all"
    try:
        return date.fromisoformat(str(row[col])[:10]).isoformat()
    except ValueError:
        return "all"


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
    wh.append(INVOCATIONS, [{**base, "invocation_id": i} for i in dict.fromkeys(rec.invocation_ids)])
    wh.append(RUNS, [{**base, "command": rec.command, "target_name": rec.target_name,
                      "finished_at": rec.finished_at, "as_of": rec.as_of, "window_start": rec.window_start,
                      "window_end": rec.window_end, "selection": rec.selection, "outcome": rec.outcome,
                      "exit_code": rec.exit_code, "message": rec.message[:4000], "git_sha": rec.git_sha,
                      "invariants_expected": len(rec.invariants),
                      "invariants_unknown": len(rec.unknown), "contracts_expected": len(rec.results)}])


def rows_problem(result: ContractResult, rows: list[FailingRow]) -> str | None:
    """Why the stored failing rows of a failed or warned contract do not account
    for its failure count (None: they do, or it keeps none: a freshness check, or
    a contract whose reason says its rows were not available). Each stored row
    carries its date's full count, and ROWS_PER_PARTITION rows are kept per date,
    so the dates' counts add up to dbt's `failures` (both bounded by the tests'
    `+limit`, FAILING_ROWS_READ)."""
    if result.kind != "test" or result.status not in (FAIL, WARN) or result.reason.startswith(ROWS_NOT_AVAILABLE):
        return None
    counts: dict[str, set[int]] = defaultdict(set)
    stored: Counter[str] = Counter()
    for fr in rows:
        counts[fr.partition].add(fr.partition_rows)
        stored[fr.partition] += 1
    for partition, ns in sorted(counts.items()):
        if len(ns) > 1:
            return f"its stored rows for {partition} disagree on that date's count ({sorted(ns)})"
        kept = min(next(iter(ns)), ROWS_PER_PARTITION)
        if stored[partition] != kept:
            return f"{stored[partition]} of its {kept} kept row(s) for {partition} are stored"
    total = sum(next(iter(ns)) for ns in counts.values())
    if total != result.failures:
        return (f"it {'failed' if result.status == FAIL else 'warned'} on {result.failures} row(s) but its "
                f"stored rows account for {total}")
    return None


def _rank(status: str) -> int:
    """invariant_status's precedence: a fail outranks unknown, which outranks warn, then pass."""
    return {PASS: 0, WARN: 1, UNKNOWN: 2, FAIL: 3}[status]


def parse_record(run_id: str, runs: list[dict], results: list[dict], invariants: list[dict],
                 failing_rows: list[dict]) -> RunRecord:
    """One run record from the rows the warehouse returned, verified: every value in
    its vocabulary, no NULL where a value is required, exactly one run row, the
    invariants the run set out to evaluate all present and agreeing with their
    contracts, every failing row parsing and every failure accounted for by its
    stored rows. Anything else raises RecordError naming the run and what is wrong:
    a reader never takes a record it cannot trust as a pass (or as 'nothing new')."""
    where = f"run record {str(run_id)[:8]}"
    if len(runs) != 1:
        raise RecordError(f"{where} is malformed: {len(runs)} run rows in contract_runs (exactly one expected)")
    run = runs[0]
    problems: list[str] = []

    def missing(row: dict, columns: tuple[str, ...]) -> list[str]:
        """Required columns that are NULL (or blank text)."""
        return [c for c in columns if row.get(c) is None or (isinstance(row[c], str) and not row[c].strip())]

    absent = missing(run, ("run_id", "command", "target_name", "started_at", "finished_at", "as_of", "window_end",
                           "exit_code", "invariants_expected", "invariants_unknown", "contracts_expected"))
    if absent:
        raise RecordError(f"{where} is malformed: its contract_runs row has no {', '.join(absent)}")
    if run["exit_code"] not in EXIT_CODES:
        raise RecordError(f"{where} is malformed: exit_code {run['exit_code']!r} is not one of 0, 1, 2")
    if run["finished_at"] < run["started_at"]:
        problems.append(f"it finished ({run['finished_at']}) before it started ({run['started_at']})")
    rec = RunRecord(run_id, run["command"], run["target_name"], run["started_at"], run["finished_at"],
                    run["as_of"], run["window_start"], run["window_end"], run["selection"] or "",
                    int(run["exit_code"]), run["message"] or "", run["git_sha"] or "")
    # first, what the run set out to record against what is there: a lost result, a pass
    # as much as a fail, leaves its invariant looking evaluated by the contracts left
    if len(results) != run["contracts_expected"]:
        problems.append(f"it set out to record {run['contracts_expected']} contract result(s) but "
                        f"{len(results)} are recorded")

    seen: set[str] = set()
    for i, r in enumerate(results, 1):
        label = f"contract_run_results row {i} ({r.get('name') or r.get('unique_id') or 'unnamed'})"
        absent = missing(r, ("unique_id", "name", "kind", "status", "severity"))
        bad = [f"{label} has no {', '.join(absent)}"] if absent else []
        for col, allowed in (("status", STATUSES), ("kind", KINDS), ("severity", SEVERITIES)):
            if r.get(col) is not None and r[col] not in allowed:
                bad.append(f"{label} has {col} {r[col]!r} outside {'/'.join(allowed)}")
        failures = r.get("failures")
        if failures is None and r.get("status") in (FAIL, WARN):
            bad.append(f"{label} is {r['status']} with no failures count")
        elif failures is not None and failures < 0:
            bad.append(f"{label} has a negative failures count ({failures})")
        if r.get("unique_id") in seen:
            bad.append(f"{label}: a second result for {r['unique_id']}")
        if bad:
            problems += bad
            continue
        seen.add(r["unique_id"])
        rec.results.append(ContractResult(
            r["unique_id"], r["name"], r["invariant_id"], r["phase"], r["severity"], r["status"],
            int(failures or 0), r["description"] or "", r["relation"], r["reason"] or "", r["kind"],
            float(r["execution_seconds"] or 0)))

    for i, r in enumerate(invariants, 1):
        label = f"contract_run_invariants row {i} ({r.get('invariant_id') or 'no ID'})"
        absent = missing(r, ("invariant_id", "status", "severity"))
        bad = [f"{label} has no {', '.join(absent)}"] if absent else []
        for col, allowed in (("status", STATUSES), ("severity", SEVERITIES)):
            if r.get(col) is not None and r[col] not in allowed:
                bad.append(f"{label} has {col} {r[col]!r} outside {'/'.join(allowed)}")
        if r.get("invariant_id") in rec.invariants:
            bad.append(f"{label}: a second row for {r['invariant_id']}")
        if bad:
            problems += bad
            continue
        rec.invariants[r["invariant_id"]] = (r["status"], r["severity"], r["reason"] or "")

    by_uid = {r.unique_id: r for r in rec.results}
    indexes: set[tuple[str, int]] = set()
    for i, r in enumerate(failing_rows, 1):
        label = f"contract_failing_rows row {i} ({r.get('name') or r.get('unique_id') or 'unnamed'})"
        owner = by_uid.get(r.get("unique_id"))
        absent = missing(r, ("unique_id", "partition_rows", "row_index", "row_json"))
        if absent:
            problems.append(f"{label} has no {', '.join(absent)}")
            continue
        if owner is None or owner.status not in (FAIL, WARN):
            problems.append(f"{label} belongs to no failed or warned contract of the run")
            continue
        partition = r["partition_date"]
        if partition is not None:
            try:
                date.fromisoformat(str(partition))
            except ValueError:
                problems.append(f"{label} has partition_date {partition!r}, not a date")
                continue
        if r["partition_rows"] < 1:
            problems.append(f"{label} has partition_rows {r['partition_rows']} (at least 1)")
            continue
        if (r["unique_id"], r["row_index"]) in indexes:
            problems.append(f"{label}: a second row_index {r['row_index']}")
            continue
        indexes.add((r["unique_id"], r["row_index"]))
        try:
            row = json.loads(r["row_json"])
        except ValueError:
            row = None
        if not isinstance(row, dict):
            problems.append(f"{label}: row_json is not a JSON object")
            continue
        rec.rows.append(FailingRow(r["unique_id"], owner.invariant_id, str(partition or "all"),
                                   int(r["partition_rows"]), row))

    # what the run set out to evaluate, against what it recorded
    if len(invariants) != run["invariants_expected"]:
        problems.append(f"it set out to evaluate {run['invariants_expected']} invariant(s) but "
                        f"{len(invariants)} are recorded")
    if len(rec.unknown) != run["invariants_unknown"] and len(invariants) == len(rec.invariants):
        problems.append(f"its run row counts {run['invariants_unknown']} unknown invariant(s), its invariant "
                        f"rows {len(rec.unknown)}")
    by_inv: dict[str, list[ContractResult]] = defaultdict(list)
    for r in rec.results:
        if r.invariant_id:
            by_inv[r.invariant_id].append(r)
    for inv in sorted(set(by_inv) - set(rec.invariants)):
        problems.append(f"contract(s) {', '.join(sorted(r.name for r in by_inv[inv]))} of {inv} ran but {inv} "
                        "has no invariant row")
    for inv, (status, _, _) in sorted(rec.invariants.items()):
        implied = invariant_status(by_inv.get(inv, []))
        # equal, or more careful than its contracts (unknown where they passed); never better
        if status != implied and not (status == UNKNOWN and _rank(implied) < _rank(UNKNOWN)):
            n = len(by_inv.get(inv, []))
            problems.append(f"invariant {inv} is recorded {status!r} but its {n} contract result(s) say {implied!r}")
    if rec.exit_code == 0:
        if not rec.results:
            problems.append("it exited 0 with no contract result")
        elif rec.unknown or any(r.status == UNKNOWN for r in rec.results):
            problems.append("it exited 0 with contracts unknown")
        elif any(r.status == FAIL and r.severity == "error" for r in rec.results):
            problems.append("it exited 0 with an error-severity contract failing")
    elif rec.exit_code == 1 and not any(r.status == FAIL and r.severity == "error" for r in rec.results):
        problems.append("it exited 1 (a contract failed) but no error-severity contract result failed")
    for r in rec.results:
        why = rows_problem(r, rec.rows_of(r.unique_id))
        if why:
            problems.append(f"contract {r.name} is incomplete: {why}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise RecordError(f"{where} (command {rec.command}, started {rec.started_at} UTC) is malformed or "
                          f"incomplete: {'; '.join(problems[:5])}{more}. Nothing in it is taken as evaluated: "
                          "repair or delete it, or run the contracts again")
    return rec


def latest_run(wh: Warehouse, command: str, now: datetime) -> RunRecord | None:
    """The newest completed run of `command` on this warehouse (None if there is none),
    verified (parse_record). A newest run that is malformed raises RecordError: it is
    never skipped for an older one, which would report an old all-clear as current."""
    return _newest(wh, "command = @command", {"command": command}, f"of command {command!r}", now)


def _newest(wh: Warehouse, where: str, args: dict, what: str, now: datetime) -> RunRecord | None:
    """The newest contract_runs row matching `where`, loaded and verified. A row with
    no started_at (or no run_id) sorts first: it cannot be placed in time, so it is
    reported, never passed over for an older record."""
    wh.ensure(*ALL_TABLES)
    since = now - LATEST_RUN_MAX_AGE
    found = wh.query(f"select run_id, started_at from {wh.audit(RUNS)} where ({where}) "
                     "and (started_at >= @since or started_at is null) "
                     "order by (started_at is null) desc, started_at desc, finished_at desc limit 1",
                     {**args, "since": since})
    if not found:
        return None
    newest = found[0]
    if newest["run_id"] is None or newest["started_at"] is None:
        missing = "run_id" if newest["run_id"] is None else "started_at"
        raise RecordError(f"a contract_runs row {what} (run {newest['run_id']}) has no {missing}: "
                          "the newest run cannot be placed, and no older run is taken in its place; "
                          "repair or delete that row")
    return load_run(wh, newest["run_id"], since)


def load_run(wh: Warehouse, run_id: str, since: datetime) -> RunRecord:
    """One run's record, read back and verified (parse_record: RecordError if it cannot be trusted)."""
    args = {"run_id": run_id, "since": since}
    where = "where run_id = @run_id and started_at >= @since"
    runs = wh.query(f"select * from {wh.audit(RUNS)} {where}", args)
    results = wh.query(f"select * from {wh.audit(RESULTS)} {where} order by kind, name, unique_id", args)
    invariants = wh.query(f"select * from {wh.audit(INVARIANTS)} {where} order by invariant_id", args)
    rows = wh.query(f"select * from {wh.audit(FAILING_ROWS)} {where} order by unique_id, row_index", args)
    return parse_record(run_id, runs, results, invariants, rows)


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
        if r["run_id"] in wanted and r["invariant_id"] is not None:
            # a status outside the vocabulary is never drawn as a pass
            out[r["invariant_id"]][r["run_id"]] = r["status"] if r["status"] in STATUSES else UNKNOWN
    return out


# ---- any command's record, and what no record accounts for ---------------------------

def _reader_filter() -> str:
    # a row with no command is not gate's: it is read, and parse_record names it malformed
    return "command is null or command not in (" + ", ".join(f"'{c}'" for c in READER_EXCLUDED_COMMANDS) + ")"


def latest_record(wh: Warehouse, now: datetime) -> RunRecord | None:
    """The newest completed record of any command that evaluates the project's
    contracts (`props-contracts run`, a plain `dbt build` / `dbt test`), gate's
    excluded; None if there is none in the last LATEST_RUN_MAX_AGE. Verified like
    latest_run: a malformed newest record raises RecordError, never falls back."""
    return _newest(wh, _reader_filter(), {}, "of a contracts run", now)


def recent_records(wh: Warehouse, runs: int, now: datetime) -> list[tuple[str, datetime]]:
    """(run_id, started_at) of the last `runs` completed records of any command but gate, oldest first."""
    found = wh.query(f"select run_id, started_at from {wh.audit(RUNS)} where ({_reader_filter()}) "
                     "and started_at >= @since order by started_at desc limit @n",
                     {"since": now - LATEST_RUN_MAX_AGE, "n": int(runs)})
    return [(r["run_id"], r["started_at"]) for r in reversed(found)]


@dataclass(frozen=True)
class Invocation:
    """A dbt invocation in contract_results_history that no completed record accounts for."""

    invocation_id: str
    started_at: datetime
    nodes: dict[str, int]  # resource type -> nodes it ran

    def describe(self) -> str:
        ran = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(self.nodes.items())) or "no node"
        return (f"a newer dbt invocation {self.invocation_id} at {self.started_at:%Y-%m-%d %H:%M:%S} UTC "
                f"left no run record (it ran {ran}; a plain `dbt run`/`seed`/`snapshot`, a build or test "
                "that crashed before its on-run-end hook finished, or one still running)")


def unrecorded_invocations(wh: Warehouse, since: datetime, now: datetime) -> list[Invocation]:
    """dbt invocations that started at or after `since` (the record a reader uses),
    ran data nodes, and are linked to no completed record (contract_run_invocations
    joined to contract_runs, gate's too: its calls are its own). Newest first."""
    wh.ensure(*ALL_TABLES, HISTORY)
    window = now - LATEST_RUN_MAX_AGE
    types = ", ".join(f"'{t}'" for t in DATA_NODE_TYPES)
    rows = wh.query(
        f"select h.invocation_id, min(h.run_started_at) as started_at, h.resource_type, count(*) as n "
        f"from {wh.audit(HISTORY)} as h "
        "where h.run_started_at >= @since and h.invocation_id is not null "
        f"and h.resource_type in ({types}) "
        "and h.invocation_id not in ("
        f"  select i.invocation_id from {wh.audit(INVOCATIONS)} as i "
        f"  inner join {wh.audit(RUNS)} as r on r.run_id = i.run_id "
        "  where i.started_at >= @window and r.started_at >= @window and i.invocation_id is not null) "
        "group by h.invocation_id, h.resource_type",
        {"since": since, "window": window})
    found: dict[str, tuple[datetime, dict[str, int]]] = {}
    for r in rows:
        started, nodes = found.setdefault(r["invocation_id"], (r["started_at"], {}))
        nodes[r["resource_type"]] = int(r["n"])
        if r["started_at"] < started:
            found[r["invocation_id"]] = (r["started_at"], nodes)
    return sorted((Invocation(i, started, nodes) for i, (started, nodes) in found.items()),
                  key=lambda inv: (inv.started_at, inv.invocation_id), reverse=True)


def stale_reasons(wh: Warehouse, rec: RunRecord | None, now: datetime) -> list[str]:
    """Why the record a reader uses is not the newest word on the warehouse: one line
    per newer dbt invocation with no record (empty when there is none)."""
    since = rec.started_at if rec is not None else now - LATEST_RUN_MAX_AGE
    return [inv.describe() for inv in unrecorded_invocations(wh, since, now)]


def no_record_message(wh: Warehouse, now: datetime, consequence: str) -> str:
    """Why a reader has nothing to read, naming any dbt invocation that left no record."""
    newer = stale_reasons(wh, None, now)
    return (f"no completed `props-contracts run` or plain `dbt build` / `dbt test` recorded on target "
            f"{wh.target} in the last 30 days: run the contracts first ({consequence})"
            + ("; " + "; ".join(newer[:3]) if newer else ""))


def record_tables_macro() -> str:
    """The text of macros/results/run_record_tables.sql: the audit tables as the
    on-run-end hooks create them, generated from the Table declarations above (one
    source of truth), with DuckDB's type names as warehouse.py maps them, and the
    failing-row bounds (DATE_COLUMNS, ROWS_PER_PARTITION, runner.FAILING_ROWS_READ)."""
    from props_contracts.runner import FAILING_ROWS_READ
    from props_contracts.warehouse import _DUCKDB_DDL

    def table(t: Table) -> str:
        cols = ", ".join(f"['{c}', '{ty}']" for c, ty in t.columns)
        cluster = ", ".join(f"'{c}'" for c in t.cluster_by)
        part = f"'{t.partition_by}'" if t.partition_by else "none"
        added = ", ".join(f"'{c}'" for c in t.added)
        return (f"        '{t.name}': {{\n            'columns': [{cols}],\n"
                f"            'partition_by': {part},\n            'cluster_by': [{cluster}],\n"
                f"            'added': [{added}],\n        }},\n")

    duck = ", ".join(f"'{k}': '{v}'" for k, v in _DUCKDB_DDL.items())
    return ("{#- GENERATED from scripts/props_contracts/records.py by record_tables_macro(): do not edit.\n"
            "    The audit tables the on-run-end hooks create, declared once in records.py (the CLI\n"
            "    creates them from the same declaration); pytests/test_plain_dbt_record.py fails when\n"
            "    this file drifts. Regenerate: .venv/bin/python -c \"from props_contracts.records import\n"
            "    record_tables_macro as m; open('macros/results/run_record_tables.sql', 'w').write(m())\" -#}\n"
            "{%- macro run_record_tables() -%}\n"
            "    {{ return({\n"
            + "".join(table(t) for t in (*ALL_TABLES, HISTORY))
            + f"        '_duckdb_types': {{{duck}}},\n"
            + f"        '_date_columns': [{', '.join(repr(c) for c in DATE_COLUMNS)}],\n"
            + f"        '_rows_per_partition': {ROWS_PER_PARTITION},\n"
            + f"        '_failing_rows_read': {FAILING_ROWS_READ},\n"
            "    }) }}\n"
            "{%- endmacro -%}\n")


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
