"""Run orchestration: one `run` (or `gate`) from preflight to a record in the warehouse.

What it guarantees (never a false all-clear):
- every contract the run set out to evaluate ends as pass, warn, fail or
  UNKNOWN, with the reason: a contract that errored, was skipped, or never ran
  because a model it reads failed to build;
- a model that fails to build (a dropped source table, a renamed column, a
  value that does not cast) does not black out the rest: the models and
  contracts that do not depend on it still build, run and report, and the
  contracts below it are excluded from the test run (a stale table from an
  earlier run must not answer for them) and reported unknown;
- the record (results, invariants, bounded failing rows) is written to the
  warehouse in one batch per table, the run row last: alert, report and gate
  read completed runs from there, never dbt's local artifacts.

Two dbt calls rather than one `dbt build`: in a build, a failing contract skips
everything downstream of it, hiding the rest of the night's failures.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from props_contracts import project_root
from props_contracts.catalog import (
    catalog_error,
    contracts_outside_catalog,
    load_catalog,
    project_vars,
)
from props_contracts.dbt import Dbt, DbtSettings, artifacts_lock, git_sha
from props_contracts.errors import DbtInvocationError, PropsContractsError, UsageError
from props_contracts.expectations import ExpectationsError, check_expectations_current
from props_contracts.processor_settings import ProcessorSettingsError
from props_contracts.records import (
    FAIL,
    HISTORY,
    PASS,
    ROWS_NOT_AVAILABLE,
    UNKNOWN,
    WARN,
    ContractResult,
    FailingRow,
    RunRecord,
    bound_rows,
    invariant_status,
    rows_problem,
    write_run,
)
from props_contracts.warehouse import Warehouse, env_seconds, open_warehouse

# failing rows read back per failing contract: as many as dbt_project.yml's
# data_tests `+limit` lets a test return
FAILING_ROWS_READ = 1000
STATUS = {"pass": PASS, "success": PASS, "warn": WARN, "fail": FAIL}  # anything else: unknown


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} must be a date like 2026-01-15, got {value!r}") from exc


def parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--as-of must be a UTC timestamp like '2026-01-16 17:00:00', got {value!r}") from exc
    if parsed.tzinfo is not None:  # an explicit offset: convert, then store naive UTC
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if not 2000 <= parsed.year <= 2100:
        raise UsageError(f"--as-of must be between 2000 and 2100, got {value!r}")
    return parsed


def explicit_vars(as_of: str | None, lookback_days: int | None) -> dict[str, tuple[str, object]]:
    """The vars --as-of and --lookback-days set: name -> (option, value)."""
    out: dict[str, tuple[str, object]] = {}
    parsed = parse_as_of(as_of)
    if parsed is not None:
        out["as_of"] = ("--as-of", f"{parsed:%Y-%m-%d %H:%M:%S}")
    if lookback_days is not None:
        if not 1 <= lookback_days <= 3660:
            raise UsageError(f"--lookback-days must be between 1 and 3660, got {lookback_days}")
        out["lookback_days"] = ("--lookback-days", lookback_days)
    return out


def make_settings(database: Path | None, target: str, as_of: str | None, lookback_days: int | None,
                  quiet: bool, artifacts_dir: Path | None = None, given_vars: dict | None = None) -> DbtSettings:
    """given_vars: --vars, already checked (dbt_vars.parse_vars); it must agree with the options."""
    from props_contracts.dbt_vars import merge

    vars_ = merge(explicit_vars(as_of, lookback_days), given_vars or {})
    settings = DbtSettings(project_dir=project_root(), target=target,
                           duckdb_path=Path(database).resolve() if database else None, vars=vars_, quiet=quiet,
                           artifacts_dir=artifacts_dir,
                           lock_wait_seconds=env_seconds(os.environ, "PROPS_ARTIFACTS_LOCK_WAIT_SECONDS", 600, 0,
                                                         86_400))
    warehouse_for(settings)  # names a missing database file, project or keyfile before dbt starts
    return settings


def warehouse_for(settings: DbtSettings) -> Warehouse:
    return open_warehouse(settings.target, settings.duckdb_path, {**os.environ, **settings.extra_env})


def preflight(wh: Warehouse, settings: DbtSettings) -> None:
    """The warehouse answers, within a bounded wait, before dbt starts: with
    BigQuery unreachable dbt-bigquery retries for many minutes."""
    try:
        wh.ping()
    except PropsContractsError as exc:
        if settings.target == "bq_emulator":
            endpoint = getattr(getattr(wh, "t", None), "endpoint", "")
            raise type(exc)(f"no BigQuery emulator answers at {endpoint} (PROPS_BQ_EMULATOR_ENDPOINT): {exc}. "
                            "Start the emulator with `.venv-bqemu/bin/python scripts/bq_emulator/launch.py start "
                            "--project props-local` (after `make bq-emulator`; it listens on 127.0.0.1:9050)") from exc
        raise


@dataclass
class RunOutcome:
    record: RunRecord
    # statements props-contracts itself sent (preflight, seed check, failing rows,
    # the record) and their seconds; dbt's own are in dbt's log
    tool_statements: int = 0
    tool_sql_seconds: float = 0.0

    @property
    def results(self) -> list[ContractResult]:
        return self.record.results

    @property
    def exit_code(self) -> int:
        return self.record.exit_code


def _window(settings: DbtSettings, as_of: datetime) -> tuple[date | None, date]:
    defaults = project_vars(project_root())
    if str(settings.vars.get("full_history", defaults.get("full_history"))).lower() in ("true", "1"):
        return None, as_of.date()
    days = int(settings.vars.get("lookback_days", defaults["lookback_days"]))
    return as_of.date() - timedelta(days=days), as_of.date()


def _first_line(text: str | None) -> str:
    """The informative line of a dbt message (not "Runtime Error in model x (path)")."""
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    useful = [ln for ln in lines if not re.match(r"^(Runtime|Compilation|Database) Error in \w+ ", ln)]
    return (useful or lines or [""])[0][:300]


def _phase(tags: list[str]) -> str | None:
    return next((t for t in tags if t.startswith("phase_")), None)


def _test_node_result(node: dict, status: str, failures: int, reason: str, seconds: float = 0.0,
                      failing_sql: str | None = None) -> ContractResult:
    config = node.get("config", {})
    meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
    return ContractResult(
        unique_id=node["unique_id"], name=node["name"], invariant_id=meta.get("invariant_id"),
        phase=_phase(node.get("tags", [])), severity=str(config.get("severity", "error")).lower(),
        status=status, failures=failures, description=(node.get("description") or "").strip(),
        relation=node.get("relation_name") if config.get("store_failures") else None, reason=reason,
        execution_seconds=seconds, failing_sql=failing_sql)


def _ancestors(parent_map: dict[str, list[str]], uid: str) -> set[str]:
    seen: set[str] = set()
    stack = list(parent_map.get(uid, []))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(parent_map.get(n, []))
    return seen


def _build_failures(run_result: object) -> dict[str, tuple[str, str]]:
    """Nodes of the build that did not succeed: unique_id -> (status, message)."""
    out = {}
    for r in getattr(run_result, "results", None) or []:
        status = str(getattr(r, "status", "")).lower()
        node = getattr(r, "node", None)
        if node is not None and status not in ("success", "pass"):
            out[node.unique_id] = (status, _first_line(getattr(r, "message", "")))
    return out


def _test_results(run_result: object) -> dict[str, tuple[str, int, str, float, str | None]]:
    """unique_id -> (status, failures, message, seconds, the compiled query)."""
    out = {}
    for r in getattr(run_result, "results", None) or []:
        node = getattr(r, "node", None)
        if node is None:
            continue
        out[node.unique_id] = (str(getattr(r, "status", "")).lower(), int(getattr(r, "failures", 0) or 0),
                               _first_line(getattr(r, "message", "")), float(getattr(r, "execution_time", 0) or 0),
                               getattr(node, "compiled_code", None) or None)
    return out


def _selected_tests(dbt: Dbt, select: str) -> set[str]:
    listed = dbt.invoke(["ls", "--resource-type", "test", "--select", select,
                         "--output", "json", "--output-keys", "unique_id"])
    return {json.loads(line)["unique_id"] for line in listed or []}


def _seed_rows(manifest: dict) -> dict[str, tuple[str, int, str]]:
    """Every enabled seed: unique_id -> (relation, rows in its CSV file, dbt's checksum of it)."""
    out = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "seed" or not node.get("relation_name"):
            continue
        with (project_root() / node["original_file_path"]).open(newline="", encoding="utf-8") as f:
            rows = sum(1 for record in csv.reader(f) if record) - 1  # minus the header
        out[uid] = (node["relation_name"], rows, (node.get("checksum") or {}).get("checksum") or "")
    return out


# How far back the results history is read for a seed's last load (BigQuery scans
# only these partitions); a seed last loaded before is loaded again, once.
SEED_LOAD_LOOKBACK_DAYS = 35


def seeds_to_load(wh: Warehouse, manifest: dict) -> tuple[list[str], str]:
    """Which seeds the warehouse lacks or holds an older version of: (seed unique_ids,
    why). A stateless container has no dbt state to compare, so the warehouse is
    asked: each seed table's row count against its CSV, and the checksum of the CSV
    its last successful load had (contract_results_history, written by every dbt
    invocation's hook) against the CSV's now, so a same-size edit is loaded too. A
    missing table, another row count, another or no recorded checksum, or a query
    that fails (we cannot confirm them) means load; never skip silently."""
    seeds = _seed_rows(manifest)
    if not seeds:
        return [], ""
    counts = " union all ".join(f"select '{uid}' as seed_id, count(*) as n from {rel}"
                                for uid, (rel, _, _) in sorted(seeds.items()))
    since = utcnow() - timedelta(days=SEED_LOAD_LOOKBACK_DAYS)
    loads = (f"select node_unique_id as seed_id, checksum from {wh.audit(HISTORY)} "
             "where resource_type = 'seed' and status = 'success' and run_started_at >= @since "
             "qualify row_number() over (partition by node_unique_id order by recorded_at desc) = 1")
    try:
        found = {r["seed_id"]: int(r["n"]) for r in wh.query(counts)}
        wh.ensure(HISTORY)
        loaded = {r["seed_id"]: r["checksum"] for r in wh.query(loads, {"since": since})}
    except PropsContractsError as exc:
        return sorted(seeds), f"could not confirm them in the warehouse ({_first_line(str(exc))})"
    recount = {uid for uid, (_, rows, _) in seeds.items() if found.get(uid) != rows}
    changed = {uid for uid, (_, _, checksum) in seeds.items()
               if uid not in recount and (not checksum or loaded.get(uid) != checksum)}
    why = [w for w, ids in (("row counts differ from the CSV files", recount),
                            ("their CSV files changed since they were loaded (or no load of them is recorded "
                             f"in the last {SEED_LOAD_LOOKBACK_DAYS} days)", changed)) if ids]
    return sorted(recount | changed), "; ".join(why)


def _elementary_rows(wh: Warehouse, r: ContractResult, invocations: set[str]) -> list[dict]:
    """An Elementary monitor's failing rows, from where Elementary keeps them: its
    test_result_rows (one JSON row each) for this test in this `dbt test` call
    (elementary_test_results.invocation_id); of an anomaly test's scored buckets,
    the anomalous ones. Its compiled query cannot be re-run: it reads a temporary
    table Elementary dropped at the end of the call."""
    if len(invocations) != 1:
        raise UsageError(f"the `dbt test` call reported {len(invocations)} invocation ids")
    found = wh.query(
        f"select rr.result_row from {wh.relation('elementary', 'test_result_rows')} as rr "
        f"join {wh.relation('elementary', 'elementary_test_results')} as tr on rr.elementary_test_results_id = tr.id "
        "where tr.test_unique_id = @uid and tr.invocation_id = @invocation order by tr.id, rr.row_index",
        {"uid": r.unique_id, "invocation": next(iter(invocations))})
    out = []
    for f in found:
        try:
            row = json.loads(f["result_row"]) if isinstance(f["result_row"], str) else None
        except ValueError:
            row = None
        if not isinstance(row, dict):
            raise UsageError("a row of Elementary's test_result_rows is not a JSON object")
        out.append(row)
    if any("is_anomalous" in row for row in out):
        out = [row for row in out if row.get("is_anomalous") in (True, 1, "true", "True")]
    return out


def _failing_rows(wh: Warehouse, r: ContractResult, is_elementary: bool,
                  invocations: set[str]) -> tuple[list[FailingRow], str | None]:
    """(the contract's failing rows, bounded per date; why they are not available, or None)."""
    if is_elementary:
        try:
            return bound_rows(r, _elementary_rows(wh, r, invocations)), None
        except PropsContractsError as exc:
            return [], f"Elementary's test_result_rows could not be read ({_first_line(str(exc))})"
    query = r.failing_rows_query(FAILING_ROWS_READ)
    if query is None:
        return [], "dbt gave no query that selects them"
    try:
        return bound_rows(r, wh.query(query)), None
    except PropsContractsError as exc:
        return [], f"its query could not be run again ({_first_line(str(exc))})"


def run_contracts(settings: DbtSettings, select: str | None = None, full_refresh: bool = False, *,
                  command: str = "run", build_select: str | None = None,
                  say: Callable[[str], None] | None = None,
                  setup: bool = False, snapshots: bool = False, unit_tests: bool = False,
                  dbt: Dbt | None = None) -> RunOutcome:
    """Build the models, run the contracts, record the run. `select` chooses the
    contracts (and, unless build_select is given, the models built).

    The job holds dbt's artifacts directory from start to record (artifacts_lock):
    a second job in the same checkout waits for it, then refuses by name.
    """
    with artifacts_lock(settings.target_path, settings.lock_wait_seconds):
        return _run_contracts(settings, select, full_refresh, command=command, build_select=build_select,
                              say=say, setup=setup, snapshots=snapshots,
                              unit_tests=unit_tests, dbt=dbt)


def _run_contracts(settings: DbtSettings, select: str | None, full_refresh: bool, *, command: str,
                   build_select: str | None, say: Callable[[str], None] | None,
                   setup: bool, snapshots: bool, unit_tests: bool, dbt: Dbt | None) -> RunOutcome:
    """run_contracts' body, under the artifacts lock.

    The scheduled run is lean: the project is parsed once and every dbt call
    reuses that manifest; seeds are loaded only when the warehouse lacks them
    (seeds_to_load); dbt unit tests (CI) and snapshots (their own schedule) run
    only when asked. `setup` (the deploy step) and `full_refresh` (the first run)
    do all of it: seeds, unit tests, snapshots."""
    started = utcnow()
    as_of = datetime.fromisoformat(settings.vars["as_of"]) if settings.vars.get("as_of") else started
    wh = warehouse_for(settings)
    preflight(wh, settings)
    dbt = dbt or Dbt(settings)
    first_invocation = len(dbt.invocation_ids)
    say = say or (lambda _m: None)
    problems: list[str] = []
    everything = setup or full_refresh

    manifest_path = settings.target_path / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # a manifest left by another call must not stand in for this one
    parse_started = utcnow()
    try:
        dbt.parse()
    except (DbtInvocationError, ProcessorSettingsError) as exc:  # nothing built or judged: all unknown
        problems.append(str(exc))
    else:
        say(f"parsed the project in {(utcnow() - parse_started).total_seconds():.0f}s ({dbt.parse_mode})")
    manifest = dbt.manifest_dict if manifest_path.exists() and not problems else None
    catalog = load_catalog(project_root())
    outside = contracts_outside_catalog(manifest, catalog) if manifest is not None else []
    if outside:  # refused at parse time: nothing is built or judged, every invariant unknown
        problems.append(str(catalog_error(outside)))
        manifest = None
    if manifest is not None:  # the declared expectations: a malformed row refuses the run by name
        try:
            check_expectations_current(settings.project_dir, settings.vars)
        except ExpectationsError as exc:
            problems.append(str(exc))
            manifest = None

    failed_nodes: dict[str, tuple[str, str]] = {}
    if manifest is not None:
        exclude = ["test"]
        if not (everything or unit_tests):
            exclude.append("unit_test")
        if not (everything or snapshots):
            exclude.append("snapshot")
        if not everything:
            exclude.append("seed")
            stale, why = seeds_to_load(wh, manifest)
            if stale:
                names = [manifest["nodes"][uid]["name"] for uid in stale]
                say(f"loading seeds {', '.join(names)}: {why} ...")
                try:
                    failed_nodes.update(_build_failures(dbt.invoke(
                        ["seed", "--select", *names], allow_node_failures=True, node_error_statuses=frozenset())))
                except DbtInvocationError as exc:
                    problems.append(str(exc))
        build = ["build", "--exclude-resource-type", *exclude]
        if build_select or select:
            build += ["--select", build_select or select]
        if full_refresh:
            build.append("--full-refresh")
        say("building models ...")
        try:
            failed_nodes.update(_build_failures(dbt.invoke(build, allow_node_failures=True,
                                                           node_error_statuses=frozenset())))
        except DbtInvocationError as exc:
            problems.append(str(exc))
    results: list[ContractResult] = []
    invocations: set[str] = set()
    if manifest is None:
        if not problems:
            problems.append("dbt wrote no manifest")
        expected_invariants = set(catalog) if not select else set()
        tests: dict[str, dict] = {}
    else:
        # the tests dbt would run: enabled, over enabled parents (a disabled seed's tests are not)
        known = set(manifest["nodes"]) | set(manifest["sources"])
        all_tests = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "test"
                     and n.get("config", {}).get("enabled", True) is not False and all(d in known for d in n.get("depends_on", {}).get("nodes", []))}
        wanted = _selected_tests(dbt, select) if select else set(all_tests)
        tests = {uid: all_tests[uid] for uid in sorted(wanted) if uid in all_tests}
        expected_invariants = set(catalog) if not select else set()

        # contracts below a model that did not build: excluded and unknown
        errored = {uid: msg for uid, (status, msg) in failed_nodes.items() if status in ("error", "fail")}
        blocked: dict[str, str] = {}
        for uid in tests:
            roots = sorted(a for a in _ancestors(manifest["parent_map"], uid) if a in errored)
            skipped = [a for a in _ancestors(manifest["parent_map"], uid) if a in failed_nodes]
            if roots:
                blocked[uid] = "not evaluated: " + "; ".join(
                    f"{manifest['nodes'].get(a, {}).get('name', a)} did not build ({errored[a]})" for a in roots[:3])
            elif skipped:
                blocked[uid] = f"not evaluated: {len(skipped)} model(s) it reads were skipped"
        ran: dict[str, tuple[str, int, str, float, str | None]] = {}
        invocations: set[str] = set()  # the `dbt test` call's invocation id (Elementary records it)
        runnable = [uid for uid in tests if uid not in blocked]
        if runnable and not problems:
            test_cmd = ["test", "--exclude-resource-type", "unit_test"]
            if select:
                test_cmd += ["--select", select]
            exclude = sorted({manifest["nodes"][a]["name"] + "+" for a in failed_nodes if a in manifest["nodes"]})
            if exclude:
                test_cmd += ["--exclude", *exclude]
            say(f"running {len(runnable)} contracts ...")
            try:
                ran = _test_results(dbt.invoke(test_cmd, allow_node_failures=True, node_error_statuses=frozenset(),
                                               callbacks=[lambda msg: invocations.add(msg.info.invocation_id)]))
            except DbtInvocationError as exc:
                problems.append(str(exc))
        for uid, node in tests.items():
            if uid in ran:
                status, failures, message, seconds, compiled = ran[uid]
                mapped = STATUS.get(status, UNKNOWN)
                reason = "" if mapped != UNKNOWN else f"dbt {status}: {message or 'no message'}"
                results.append(_test_node_result(node, mapped, failures, reason, seconds, compiled))
            else:
                reason = blocked.get(uid) or ("not evaluated: " + (problems[-1] if problems else "dbt did not run it"))
                results.append(_test_node_result(node, UNKNOWN, 0, reason))

    # invariants: what the run set out to evaluate, each with its contracts' verdict
    by_inv: dict[str, list[ContractResult]] = {}
    for r in results:
        if r.invariant_id:
            by_inv.setdefault(r.invariant_id, []).append(r)
    expected_invariants |= set(by_inv)
    invariants = {}
    for inv in sorted(expected_invariants):
        rs = by_inv.get(inv, [])
        status = invariant_status(rs)
        severity = catalog[inv].severity if inv in catalog else "error"
        if not rs:
            reason = ("not evaluated: " + problems[-1]) if problems else "no contract in the project carries this ID"
        else:
            reason = "; ".join(sorted({r.reason for r in rs if r.status == UNKNOWN and r.reason}))[:2000]
        invariants[inv] = (status, severity, reason)

    # failing rows, read back for each contract that failed or warned: its compiled
    # query run once more (the rows it found, up to the tests' limit), or, for an
    # Elementary monitor, the rows Elementary kept. Rows that cannot be read, or do
    # not add up to dbt's count, leave the contract failed with the reason "failing
    # rows not available: ...": it is a result, not a broken run.
    rows = []
    elementary = {uid for uid, n in tests.items() if (n.get("test_metadata") or {}).get("namespace") == "elementary"}
    for i, r in enumerate(results):
        if r.status not in (FAIL, WARN):
            continue
        got, why = _failing_rows(wh, r, r.unique_id in elementary, invocations)
        if why is None:
            why = rows_problem(r, got)
        if why is not None:
            results[i] = dataclasses.replace(r, reason=f"{ROWS_NOT_AVAILABLE}: {why}"[:2000])
            say(f"{r.name} {r.status}ed; {ROWS_NOT_AVAILABLE}: {why}")
        rows.extend(got)

    unknown_results = [r for r in results if r.status == UNKNOWN]
    unknown_invs = [i for i, (s, _, _) in invariants.items() if s == UNKNOWN]
    if not tests and manifest is not None:
        problems.append(f"the selection {select!r} matched no contract" if select else "the project has no contract")
    if problems or unknown_invs or unknown_results:
        exit_code = 2
    elif any(r.status == FAIL and r.severity == "error" for r in results):
        exit_code = 1
    else:
        exit_code = 0
    window_start, window_end = _window(settings, as_of)
    record = RunRecord(
        run_id=str(uuid.uuid4()), command=command, target_name=settings.target, started_at=started,
        finished_at=utcnow(), as_of=as_of, window_start=window_start, window_end=window_end,
        selection=select or "", exit_code=exit_code, message="; ".join(dict.fromkeys(problems))[:4000],
        git_sha=git_sha(settings.project_dir), results=results, invariants=invariants, rows=rows,
        invocation_ids=dbt.invocation_ids[first_invocation:])
    write_run(wh, record)
    return RunOutcome(record, getattr(wh, "statements", 0), getattr(wh, "sql_seconds", 0.0))


def resolve_window(start: date | None, end: date | None, days: int | None,
                   as_of: datetime | None) -> tuple[date, date, datetime]:
    """Validate and complete simulate's --start/--end/--days/--as-of into (start, end, as_of)."""
    from props_contracts.simulator.world import latest_complete_date, lifecycle_end

    if days is not None and not 1 <= days <= MAX_SIMULATED_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_SIMULATED_DAYS}, got {days}")
    if days is not None and start is not None and end is not None:
        raise UsageError("give --days with at most one of --start / --end, not both")
    for name, d in (("--start", start), ("--end", end)):
        if d is not None and not MIN_DATE <= d <= MAX_DATE:
            raise UsageError(f"{name} must be between {MIN_DATE} and {MAX_DATE}, got {d}")
    if as_of is None:
        if end is not None:
            as_of = lifecycle_end(end) + timedelta(hours=4)
        elif start is not None:
            as_of = lifecycle_end(start + timedelta(days=(days or 7) - 1)) + timedelta(hours=4)
        else:
            as_of = utcnow().replace(second=0)
    if end is None:
        if start is not None:
            end = start + timedelta(days=(days or 7) - 1)
        else:
            end = latest_complete_date(as_of)
    if start is None:
        start = end - timedelta(days=(days or 7) - 1)
    if end < start:
        raise UsageError(f"--end ({end}) is before --start ({start})")
    if (end - start).days + 1 > MAX_SIMULATED_DAYS:
        raise UsageError(f"--start {start} .. --end {end} is {(end - start).days + 1} days; "
                         f"simulate at most {MAX_SIMULATED_DAYS}")
    if lifecycle_end(end) > as_of:
        raise UsageError(
            f"--as-of {as_of:%Y-%m-%d %H:%M} UTC is before game date {end} finished "
            f"(grading completes by {lifecycle_end(end):%Y-%m-%d %H:%M} UTC); use a later --as-of or an earlier --end"
        )
    if (as_of.date() - end).days > MAX_SIMULATED_DAYS:
        raise UsageError(f"--as-of {as_of:%Y-%m-%d} is more than {MAX_SIMULATED_DAYS} days after --end {end}: "
                         "the simulated heartbeats would run all that way")
    return start, end, as_of


# The simulator streams (flat memory), so the bound is about time, not memory: 1,500
# days is about 8 seasons of game dates (4 seasons, ~720, simulate in about a minute
# on 2 cores) and still stops a typo (--days 150000) from running for hours.
MAX_SIMULATED_DAYS = 1500
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
