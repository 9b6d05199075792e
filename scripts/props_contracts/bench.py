"""Benchmark at season scale: the simulator and the nightly job, as history grows.

For each history length (default 1 and 4 seasons: 180 and 720 game dates) it
simulates a warehouse in a child process (its own peak memory, streaming),
then times the first run (--full-refresh: seeds, unit tests, snapshots, every
model and contract) and the scheduled daily run (incremental, lean), the daily
run `repeats` times (the median is reported), the history lengths taking turns
so that a machine whose speed drifts moves them alike. Every run is a fresh process, as
the scheduler starts it: its wall time includes starting the interpreter and
importing dbt (reported apart as `start`). For every run it counts dbt
invocations and SQL statements (dbt's log: one `SQL status` line per statement,
plus the statements props-contracts sends itself), and the time any SQL was
running (the union of the statements' intervals, threads overlapping) against
wall time. It times a floor too: a dbt project of the daily run's shape that
does nothing (write_floor_project), in turns with the daily runs, and prints
daily / floor and each run's time step by step (_Steps: ours against dbt's own).
It prints a table and the targets, and writes everything as JSON.
Figures, not pass/fail: timing assertions in tests flake, a printed table does not.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from props_contracts import project_root
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.errors import PropsContractsError, UsageError

SEASON_DAYS = 180  # game dates in an NBA regular season plus play-offs, about
# the last simulated night; history grows backwards from it
BENCH_LAST_NIGHT = date(2026, 1, 15)
TARGETS = {
    "daily_4_over_daily_1_max": 1.05,
    "simulate_peak_mb_at_4_max": 600,
    "simulate_peak_4_over_week_max": 1.5,
    "daily_at_4_wall_s_max": 5.0,
    "daily_at_4_outside_sql_share_max": 0.5,
    "full_at_4_wall_s_max": 60.0,
    "daily_over_floor_max": 1.3,
}
_SQL_STATUS = re.compile(r"(\d\d):(\d\d):(\d\d\.\d+) \[debug\] \[[^\]]*\]: SQL status: .* in (\d+\.\d+) seconds")


@dataclass(frozen=True)
class RunFigures:
    wall_s: float
    dbt_invocations: int
    sql_statements: int  # dbt's plus props-contracts' own
    sql_busy_s: float  # time any SQL statement was running
    exit_code: int
    contracts: int
    failed: int
    parse: str = ""  # how dbt parsed: reused (the baked parse state) or full, with dbt's reason
    # of wall_s, the seconds before the run began: the interpreter starting and
    # importing props-contracts and dbt, which every scheduled run (a fresh process) pays
    startup_s: float = 0.0
    # where the wall went, in seconds (_Steps): our steps and each dbt invocation
    # split into its nodes and the rest (see PHASES); the floor has dbt's only
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def outside_sql_share(self) -> float:
        return max(0.0, 1 - self.sql_busy_s / self.wall_s) if self.wall_s else 0.0


@dataclass
class BenchRow:
    days: int
    source_rows: int
    simulate_s: float
    simulate_peak_mb: float
    warehouse_mb: float
    first: RunFigures
    daily: list[RunFigures] = field(default_factory=list)
    # the simulator's peak for one week of history, in the same benchmark: the
    # baseline its flatness is judged against (memory at 4 seasons / at 1 week)
    week_peak_mb: float = 0.0
    # one daily run without the baked parse state: a container image built
    # without `props-contracts parse` parses from scratch
    daily_cold: RunFigures | None = None

    @property
    def daily_median(self) -> RunFigures:
        """The daily run with the median wall time (its counts go with it)."""
        ranked = sorted(self.daily, key=lambda r: r.wall_s)
        return ranked[(len(ranked) - 1) // 2]

    @property
    def daily_wall_median_s(self) -> float:
        return statistics.median(r.wall_s for r in self.daily)


def _busy_seconds(log_text: str) -> tuple[int, float]:
    """(statements, seconds during which at least one statement was running)."""
    spans = []
    for m in _SQL_STATUS.finditer(log_text):
        hh, mm, ss, dur = int(m[1]), int(m[2]), float(m[3]), float(m[4])
        end = hh * 3600 + mm * 60 + ss
        spans.append((end - dur, end))
    busy, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end <= reach:
            continue
        busy += end - max(start, reach)
        reach = end
    return len(spans), busy


class _Steps:
    """Times the steps of one run from outside runner.run_contracts, which is not
    changed for it: the runner's module-level steps (preflight, seeds_to_load,
    write_run) and the warehouse's queries are wrapped for this process only, and
    each dbt invocation gets a callback marking its first node's start, its last
    node's end and its on-run-* hooks (dbt's events, in this process's clock).
    The wrappers call straight through: the run does exactly what it does unwrapped."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    def timed(self, label: str, fn: Callable) -> Callable:
        def call(*args, **kwargs):
            t = time.monotonic()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spans.append((label, t, time.monotonic()))
        return call

    def watch_dbt(self, dbt: Dbt) -> None:
        invoke = dbt.invoke

        def timed_invoke(command, **kwargs):
            verb = command[0]
            marks: dict[str, list[float]] = {"node": [], "hook": []}
            hook_start: list[float] = []

            def listen(msg: object) -> None:
                name = msg.info.name  # type: ignore[attr-defined]
                now = time.monotonic()
                if name in ("NodeStart", "NodeFinished"):
                    marks["node"].append(now)
                elif name == "LogHookStartLine":
                    hook_start.append(now)
                elif name == "LogHookEndLine" and hook_start:
                    # on-run-end: its Jinja (over every result) renders before its start
                    # line, so it is timed from the last node's end
                    begin = max(marks["node"]) if marks["node"] and "end" in str(
                        getattr(msg.data, "statement", "")) else hook_start[-1]  # type: ignore[attr-defined]
                    self.spans.append((f"{verb} hooks", begin, now))

            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), listen]
            t = time.monotonic()
            try:
                return invoke(command, **kwargs)
            finally:
                self.spans.append((f"dbt {verb}", t, time.monotonic()))
                if marks["node"]:
                    self.spans.append((f"{verb} nodes", min(marks["node"]), max(marks["node"])))

        dbt.invoke = timed_invoke  # type: ignore[method-assign]

    def watch_runner(self) -> Callable[[], None]:
        """Wrap the runner's steps; returns what puts them back."""
        from props_contracts import runner

        saved = {n: getattr(runner, n) for n in ("preflight", "seeds_to_load", "write_run", "warehouse_for")}
        runner.preflight = self.timed("preflight", saved["preflight"])
        runner.seeds_to_load = self.timed("seed check", saved["seeds_to_load"])
        runner.write_run = self.timed("run record", saved["write_run"])

        def warehouse_for(settings: DbtSettings):
            wh = saved["warehouse_for"](settings)
            wh.query = self.timed("query", wh.query)
            return wh
        runner.warehouse_for = warehouse_for

        def restore() -> None:
            for n, fn in saved.items():
                setattr(runner, n, fn)
        return restore

    def phases(self, wall: float) -> dict[str, float]:
        """Seconds per step (PHASES); `other` is the wall no step accounts for."""
        total = dict.fromkeys(PHASES, 0.0)
        seed_check = [(a, b) for label, a, b in self.spans if label == "seed check"]
        inside: dict[str, float] = {}  # per dbt verb: its nodes' and hooks' seconds
        for label, a, b in self.spans:
            verb = label.split()[0]
            if label == "query":  # the seed check's own query is inside its span
                if not any(s <= a and b <= e for s, e in seed_check):
                    total["failing rows"] += b - a
            elif label.endswith(" nodes"):
                total[label if label in total else "other nodes"] += b - a
                inside[verb] = inside.get(verb, 0.0) + b - a
            elif label.endswith(" hooks"):
                total["hooks"] += b - a
                inside[verb] = inside.get(verb, 0.0) + b - a
            elif label.startswith("dbt "):
                total[label if label in total else "dbt other"] += b - a
            else:
                total[label] += b - a
        # an invocation's own time is what its nodes and hooks leave
        for verb, seconds in inside.items():
            total[f"dbt {verb}" if f"dbt {verb}" in total else "dbt other"] -= seconds
        total["other"] = wall - sum(total.values())
        return {k: round(v, 4) for k, v in total.items()}


# A run's steps (RunFigures.phases). interpreter: the process starting until
# the child's code runs; imports: importing dbt (and props-contracts' runner). "dbt X" is an invocation's own time: dbt
# starting the command, loading the manifest, planning, its events, less its
# nodes (first node's start to last node's end, threads overlapping) and its
# on-run-* hooks. The floor has one invocation: `dbt build`, its parse inside.
PHASES = ("interpreter", "imports", "preflight", "dbt parse", "seed check", "dbt build", "build nodes", "dbt test", "test nodes",
          "hooks", "dbt other", "other nodes", "failing rows", "run record", "other")


def _timed_run(settings: DbtSettings, full_refresh: bool) -> RunFigures:
    """One run in this process (wall: from the run's start, dbt already imported)."""
    from props_contracts.runner import run_contracts

    log = settings.log_path / "dbt.log"
    offset = log.stat().st_size if log.exists() else 0
    dbt = Dbt(settings, reuse_parses=False)  # a scheduled run is a fresh process: it parses
    steps = _Steps()
    steps.watch_dbt(dbt)
    restore = steps.watch_runner()
    t0 = time.monotonic()
    try:
        outcome = run_contracts(settings, full_refresh=full_refresh, dbt=dbt)
    finally:
        wall = time.monotonic() - t0
        restore()
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", errors="replace")
    statements, busy = _busy_seconds(text)
    return RunFigures(wall_s=wall, dbt_invocations=dbt.invocations,
                      sql_statements=statements + outcome.tool_statements,
                      sql_busy_s=busy + outcome.tool_sql_seconds, exit_code=outcome.exit_code,
                      contracts=len(outcome.results), failed=sum(1 for r in outcome.results if r.failed),
                      parse=dbt.parse_mode or "", phases=steps.phases(wall))


def _child(args: list[str], what: str) -> RunFigures:
    """A child process printing one RunFigures as its last line; its wall is the
    whole process's, the interpreter's start and the imports included."""
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "props_contracts.bench", *args],
                          capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise PropsContractsError(f"the benchmark's {what} crashed (exit {proc.returncode}): "
                                  f"{(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
    inner = RunFigures(**json.loads(lines[-1]))
    startup = max(0.0, wall - inner.wall_s)
    phases = {**inner.phases, "interpreter": round(max(0.0, startup - inner.phases.get("imports", 0.0)), 4)}
    return replace(inner, wall_s=wall, startup_s=startup, phases=phases)


def _run_in_child(settings: DbtSettings, full_refresh: bool) -> RunFigures:
    """One run as the scheduler starts it: a fresh process. Its wall is the whole
    process's, interpreter start and imports included (startup_s)."""
    spec = {"project_dir": str(settings.project_dir), "duckdb_path": str(settings.duckdb_path),
            "artifacts_dir": str(settings.artifacts_dir), "log_path": str(settings.log_path),
            "vars": settings.vars, "full_refresh": full_refresh}
    return _child(["run", json.dumps(spec, default=str)], f"{'first' if full_refresh else 'daily'} run")


def _settings_from(spec: dict) -> DbtSettings:
    return DbtSettings(project_dir=Path(spec["project_dir"]), duckdb_path=Path(spec["duckdb_path"]), quiet=True,
                       artifacts_dir=Path(spec["artifacts_dir"]), log_path=Path(spec["log_path"]),
                       vars=spec.get("vars") or {})


def _run_main(argv: list[str]) -> None:
    """Child process: one run (_timed_run), its figures printed as one JSON line."""
    [raw] = argv
    spec = json.loads(raw)
    # imported before the run's clock starts, so `start` holds the import of dbt
    # (which props-contracts otherwise defers to its first dbt call)
    t0 = time.monotonic()
    from dbt.cli.main import dbtRunner  # noqa: F401

    import props_contracts.runner  # noqa: F401
    imports = time.monotonic() - t0
    figures = _timed_run(_settings_from(spec), full_refresh=spec["full_refresh"])
    print(json.dumps(asdict(replace(figures, phases={**figures.phases, "imports": round(imports, 4)}))))


# ---- the floor: a dbt project of the daily run's shape that does nothing ------------------


@dataclass(frozen=True)
class FloorShape:
    views: int
    tables: int
    tests: int

    @property
    def key_columns(self) -> int:
        """Columns per model, each with a not_null and a unique test."""
        models = self.views + self.tables
        return max(1, -(-self.tests // (2 * models))) if models else 1


def floor_shape(manifest: dict, tests: int) -> FloorShape:
    """The models the daily run builds (views; tables and incremental models as
    tables; ephemeral ones build nothing) and the number of contracts it ran."""
    kinds = [n["config"].get("materialized") for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["config"].get("enabled", True) is not False]
    return FloorShape(views=kinds.count("view"), tables=sum(1 for k in kinds if k in ("table", "incremental")),
                      tests=tests)


def write_floor_project(root: Path, shape: FloorShape) -> Path:
    """One-row models (`select 1 as k1, ...`) and not_null / unique tests on their
    columns, shape.tests in all, DuckDB with 2 threads like the project's profile.
    No dependencies between the models: the floor is as parallel as dbt allows."""
    if shape.views + shape.tables < 1 or shape.tests < 0:
        raise PropsContractsError(f"the floor needs at least one model, got {shape}")
    models = root / "models"
    models.mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: bench_floor\nversion: '1.0'\nconfig-version: 2\nprofile: bench_floor\n"
        "model-paths: [models]\nflags:\n  send_anonymous_usage_stats: false\n")
    (root / "profiles.yml").write_text(
        "bench_floor:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        "      path: \"{{ env_var('PROPS_DUCKDB_PATH') }}\"\n      schema: floor\n      threads: 2\n")
    names = [f"floor_view_{i:03d}" for i in range(shape.views)] + [f"floor_table_{i:03d}" for i in range(shape.tables)]
    cols = [f"k{c + 1}" for c in range(shape.key_columns)]
    for name in names:
        kind = "view" if "view" in name else "table"
        (models / f"{name}.sql").write_text(
            f"{{{{ config(materialized='{kind}') }}}}\nselect {', '.join(f'1 as {c}' for c in cols)}\n")
    tests: dict[tuple[str, str], list[str]] = {}
    for k in range(shape.tests):  # round robin: model, then column, then not_null / unique
        model, rest = names[k % len(names)], k // len(names)
        tests.setdefault((model, cols[rest // 2]), []).append(("not_null", "unique")[rest % 2])
    lines = ["version: 2", "models:"]
    for name in names:
        lines.append(f"  - name: {name}")
        declared = [(c, tests[(name, c)]) for c in cols if (name, c) in tests]
        if declared:
            lines.append("    columns:")
            for c, kinds in declared:
                lines += [f"      - name: {c}", "        data_tests: [" + ", ".join(kinds) + "]"]
    (models / "schema.yml").write_text("\n".join(lines) + "\n")
    return root


def _floor_main(argv: list[str]) -> None:
    """Child process: one `dbt build` of the floor project, its figures as one JSON line."""
    [raw] = argv
    spec = json.loads(raw)
    t0 = time.monotonic()
    from dbt.cli.main import dbtRunner  # noqa: F401
    imports = time.monotonic() - t0
    settings = _settings_from(spec)
    log = settings.log_path / "dbt.log"
    offset = log.stat().st_size if log.exists() else 0
    dbt = Dbt(settings, reuse_parses=False)
    steps = _Steps()
    steps.watch_dbt(dbt)
    parse: list[str] = []

    def listen(msg: object) -> None:
        name = msg.info.name  # type: ignore[attr-defined]
        if name == "PartialParsingSkipParsing":
            parse.append("reused")
        elif name == "UnableToPartialParse":
            parse.append(f"full: {getattr(msg.data, 'reason', '')}")  # type: ignore[attr-defined]
    t0 = time.monotonic()
    result = dbt.invoke(["build"], callbacks=[listen])  # raises unless every node passed
    wall = time.monotonic() - t0
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", errors="replace")
    statements, busy = _busy_seconds(text)
    nodes = [r for r in getattr(result, "results", None) or [] if getattr(r, "node", None) is not None]
    tests = sum(1 for r in nodes if r.node.resource_type == "test")
    print(json.dumps(asdict(RunFigures(
        wall_s=wall, dbt_invocations=dbt.invocations, sql_statements=statements, sql_busy_s=busy, exit_code=0,
        contracts=tests, failed=0, parse=(parse or ["full: no saved parse"])[-1], phases={**steps.phases(wall), "imports": round(imports, 4)}))))


def _floor_in_child(settings: DbtSettings) -> RunFigures:
    spec = {"project_dir": str(settings.project_dir), "duckdb_path": str(settings.duckdb_path),
            "artifacts_dir": str(settings.artifacts_dir), "log_path": str(settings.log_path)}
    return _child(["floor", json.dumps(spec)], "floor run")


def _stateless(settings: DbtSettings, artifacts: Path, baked: Path | None) -> DbtSettings:
    """The settings of a run in a fresh container: an artifacts directory of its
    own, holding only the image's baked parse state (or nothing)."""
    if artifacts.exists():
        shutil.rmtree(artifacts)
    artifacts.mkdir(parents=True)
    if baked is not None:
        shutil.copy2(baked, artifacts / baked.name)
    return replace(settings, artifacts_dir=artifacts)


def _simulate_in_child(db: Path, seed: int, start: date, end: date, as_of: datetime) -> dict:
    """Simulate in a fresh process, so its peak memory is the simulator's alone."""
    proc = subprocess.run(
        [sys.executable, "-m", "props_contracts.bench", "simulate", str(db), str(seed), str(start), str(end),
         f"{as_of:%Y-%m-%d %H:%M:%S}"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise PropsContractsError(f"the benchmark's simulation of {start} .. {end} failed: "
                                  f"{(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@dataclass
class Floor:
    shape: FloorShape
    runs: list[RunFigures] = field(default_factory=list)

    @property
    def wall_median_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)


def run_bench(day_counts: list[int], seed: int, lookback_days: int, repeats: int,
              say: Callable[[str], None]) -> tuple[datetime, list[BenchRow], Floor]:
    """(the instant every run is judged at, one row per history length, the floor)."""
    from props_contracts.runner import MAX_SIMULATED_DAYS, resolve_window

    if not day_counts or any(not 1 <= d <= MAX_SIMULATED_DAYS for d in day_counts):
        raise UsageError(f"--days needs numbers of days between 1 and {MAX_SIMULATED_DAYS}, got {day_counts}")
    if len(day_counts) > 4 or len(set(day_counts)) != len(day_counts):
        raise UsageError(f"--days takes at most 4 distinct history lengths, got {day_counts}")
    if not 1 <= lookback_days <= 3660:
        raise UsageError(f"--lookback-days must be between 1 and 3660, got {lookback_days}")
    if not 1 <= repeats <= 20:
        raise UsageError(f"--repeats must be between 1 and 20, got {repeats}")
    # one fixed night, so every history length is judged at the same instant
    _, end, as_of = resolve_window(None, BENCH_LAST_NIGHT, 1, None)
    rows: list[BenchRow] = []
    with tempfile.TemporaryDirectory(prefix="props-bench-") as tmp:
        say("[7 days] simulating the baseline week (peak memory) ...")
        week = _simulate_in_child(Path(tmp) / "bench_week.duckdb", seed, end - timedelta(days=6), end, as_of)
        runs: list[tuple[BenchRow, DbtSettings, Path]] = []
        for days in day_counts:
            db = Path(tmp) / f"bench_{days}.duckdb"
            say(f"[{days} days] simulating (streamed) ...")
            sim = _simulate_in_child(db, seed, end - timedelta(days=days - 1), end, as_of)
            settings = DbtSettings(project_dir=project_root(), duckdb_path=db, quiet=True,
                                   artifacts_dir=Path(tmp) / f"target_{days}", log_path=Path(tmp) / f"logs_{days}",
                                   vars={"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", "lookback_days": lookback_days,
                                         # the simulated pipeline's go-live: nothing was owed before its
                                         # first day (docs/expectations.md), also when the window reaches further
                                         "expectations_start_date": f"{end - timedelta(days=days - 1)}"})
            say(f"[{days} days] {sim['rows']:,} source rows in {sim['seconds']:.1f}s, "
                f"peak {sim['peak_mb']:.0f} MB; first run (full refresh) ...")
            first = _run_in_child(settings, full_refresh=True)
            row = BenchRow(days=days, source_rows=sim["rows"], simulate_s=sim["seconds"],
                           simulate_peak_mb=sim["peak_mb"], warehouse_mb=0.0, first=first,
                           week_peak_mb=week["peak_mb"])
            # the image's build step (`props-contracts parse`): dbt's parse state, baked
            bake = replace(settings, artifacts_dir=Path(tmp) / f"image_{days}")
            Dbt(bake, reuse_parses=False).parse()
            runs.append((row, settings, bake.target_path / "partial_parse.msgpack"))
            rows.append(row)
        # the floor: the daily run's shape (read from the project's manifest), doing nothing;
        # its parse baked the same way, its objects built once before the timed runs
        manifest = json.loads((Path(tmp) / f"image_{day_counts[0]}" / "manifest.json").read_text())
        floor = Floor(floor_shape(manifest, rows[0].first.contracts))
        floor_settings = DbtSettings(project_dir=write_floor_project(Path(tmp) / "floor", floor.shape),
                                     duckdb_path=Path(tmp) / "floor.duckdb", quiet=True,
                                     artifacts_dir=Path(tmp) / "image_floor", log_path=Path(tmp) / "logs_floor")
        say(f"[floor] {floor.shape.views} views, {floor.shape.tables} tables, {floor.shape.tests} tests: "
            "building it once, which bakes its parse ...")
        # one `dbt build` from nothing: it parses in full, saves its parse state (the bake)
        # and builds the objects the timed runs replace; in a child, as dbt-duckdb keeps
        # the database locked in the process that ran it
        _floor_in_child(floor_settings)
        floor_baked = floor_settings.target_path / "partial_parse.msgpack"
        if not floor_baked.is_file():
            raise PropsContractsError(f"the floor's dbt build saved no parse state ({floor_baked})")
        # The daily runs of the history lengths and the floor take turns (180, 720,
        # floor, 180, 720, floor, ...): a machine that speeds up or slows down over
        # the minutes this takes (a shared VM does) moves them all alike.
        for i in range(repeats):
            for row, settings, baked in runs:
                say(f"[{row.days} days] daily run {i + 1}/{repeats} (incremental, stateless, baked parse) ...")
                row.daily.append(_run_in_child(_stateless(settings, Path(tmp) / f"run_{row.days}", baked),
                                               full_refresh=False))
            say(f"[floor] run {i + 1}/{repeats} (one dbt build, stateless, baked parse) ...")
            floor.runs.append(_floor_in_child(_stateless(floor_settings, Path(tmp) / "run_floor", floor_baked)))
        for row, settings, _ in runs:
            say(f"[{row.days} days] daily run without a baked parse (incremental, stateless) ...")
            row.daily_cold = _run_in_child(_stateless(settings, Path(tmp) / f"run_{row.days}", None),
                                           full_refresh=False)
            row.warehouse_mb = settings.duckdb_path.stat().st_size / 2**20
    return as_of, rows, floor


def over_floor(row: BenchRow, floor: Floor) -> dict[str, float]:
    """daily / floor: of the medians, and the median of the runs taken side by side."""
    return {"daily_over_floor": row.daily_wall_median_s / floor.wall_median_s,
            "daily_over_floor_paired": statistics.median(
                a.wall_s / b.wall_s for a, b in zip(row.daily, floor.runs, strict=True))}


def itemised(runs: list[RunFigures]) -> dict[str, float]:
    """The mean seconds of each step (PHASES) over the runs: means, so they add up
    to the mean wall."""
    return {k: statistics.fmean(r.phases.get(k, 0.0) for r in runs) for k in PHASES}


def ratios(rows: list[BenchRow]) -> dict[str, float | None]:
    """daily@longest / daily@shortest and full@longest / daily@longest."""
    if not rows:
        return {}
    short, long_ = min(rows, key=lambda r: r.days), max(rows, key=lambda r: r.days)
    return {
        "daily_longest_over_daily_shortest": long_.daily_wall_median_s / short.daily_wall_median_s,
        # each daily run of the longest history over the run of the shortest next to it in time
        "daily_longest_over_daily_shortest_paired": statistics.median(
            a.wall_s / b.wall_s for a, b in zip(long_.daily, short.daily, strict=True)),
        "full_longest_over_daily_longest": long_.first.wall_s / long_.daily_wall_median_s,
        "simulate_peak_longest_over_week": long_.simulate_peak_mb / long_.week_peak_mb if long_.week_peak_mb else None,
    }


def to_json(as_of: datetime, rows: list[BenchRow], lookback_days: int, floor: Floor) -> dict:
    return {
        "as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", "lookback_days": lookback_days, "targets": TARGETS,
        "ratios": ratios(rows),
        "histories": [{**asdict(r), "daily_wall_median_s": r.daily_wall_median_s,
                       **over_floor(r, floor), "daily_itemised_s": itemised(r.daily)} for r in rows],
        "floor": {"shape": asdict(floor.shape), "wall_median_s": floor.wall_median_s,
                  "itemised_s": itemised(floor.runs), "runs": [asdict(r) for r in floor.runs]},
    }


# the itemisation's rows: (label, the steps summed into it, what it is)
_ITEMS = (
    ("interpreter start", ("interpreter",), "the process starting"),
    ("imports", ("imports",), "importing dbt (ours: and props-contracts)"),
    ("parse loading", ("dbt parse",), "ours: its own `dbt parse` loading the baked state; floor: inside build"),
    ("dbt build, own time", ("dbt build",), "an invocation's own time, outside its nodes and hooks"),
    ("nodes", ("build nodes", "test nodes"), "models and contracts: the SQL and dbt's work per node"),
    ("  of which models", ("build nodes",), "ours: first model's start to last model's end"),
    ("  of which contracts", ("test nodes",), "ours: first test's start to last test's end"),
    ("second invocation", ("dbt test",), "`dbt test`'s own time, outside its nodes and hooks"),
    ("on-run-* hooks", ("hooks",), "validate_vars, record_results, every invocation"),
    ("preflight", ("preflight",), "the warehouse answering"),
    ("seed check", ("seed check",), "runner.seeds_to_load"),
    ("failing rows read back", ("failing rows",), "each failing contract's query once more"),
    ("run record", ("run record",), "records.write_run"),
    ("rest", ("dbt other", "other nodes", "other"), "the runner's own Python, anything else"),
)


def _seasons(days: int) -> str:
    return f"{days / SEASON_DAYS:.2f}"


def render(as_of: datetime, rows: list[BenchRow], lookback_days: int, floor: Floor) -> str:
    lines = [f"benchmark: DuckDB, 2 dbt threads, window lookback_days={lookback_days}, "
             f"judged at {as_of:%Y-%m-%d %H:%M} UTC; daily run = median of {len(rows[0].daily) if rows else 0}",
             f"{'history':>7} {'seasons':>7} {'source rows':>12} {'simulate':>9} {'sim peak':>9} {'run':>6} {'wall':>7} {'start':>6} "
             f"{'dbt calls':>9} {'SQL stmts':>9} {'SQL busy':>9} {'outside SQL':>11} {'contracts':>9} "
             f"{'failed':>6} {'exit':>4}  parse",
             "(each run a fresh process, as the scheduler starts it: wall is the whole process's, start the part "
             "before the run began (interpreter, imports); first: --full-refresh; daily: a stateless scheduled run "
             "with the image's baked parse state (`props-contracts parse`); cold: the same without it)"]
    for r in rows:
        runs = [("first", r.first), ("daily", r.daily_median)] + ([("cold", r.daily_cold)] if r.daily_cold else [])
        for label, f in runs:
            head = (f"{r.days:>5} d {_seasons(r.days):>7} {r.source_rows:>12,} {r.simulate_s:>8.1f}s "
                    f"{r.simulate_peak_mb:>7.0f}MB" if label == "first" else " " * 48)
            wall = r.daily_wall_median_s if label == "daily" else f.wall_s
            lines.append(f"{head} {label:>6} {wall:>6.1f}s {f.startup_s:>5.1f}s {f.dbt_invocations:>9} {f.sql_statements:>9,} "
                         f"{f.sql_busy_s:>8.1f}s {f.outside_sql_share:>10.0%} {f.contracts:>9} {f.failed:>6} "
                         f"{f.exit_code:>4}  {f.parse.split(':')[0]}")
    if rows:
        rat = ratios(rows)
        long_ = max(rows, key=lambda r: r.days)
        short = min(rows, key=lambda r: r.days)
        d = long_.daily_median
        lines += [
            "targets (figures, not assertions):",
            f"  daily@{long_.days}d / daily@{short.days}d = {rat['daily_longest_over_daily_shortest']:.2f}"
            f"  (target <= {TARGETS['daily_4_over_daily_1_max']}); paired run by run, median "
            f"{rat['daily_longest_over_daily_shortest_paired']:.2f}",
            f"  full@{long_.days}d / daily@{long_.days}d = {rat['full_longest_over_daily_longest']:.2f}",
            f"  simulator peak at {long_.days}d = {long_.simulate_peak_mb:.0f} MB"
            f"  (target <= {TARGETS['simulate_peak_mb_at_4_max']} MB at 4 seasons)",
            f"  simulator peak at {long_.days}d / at 7d = {long_.simulate_peak_mb:.0f} / {long_.week_peak_mb:.0f} MB"
            f" = {rat['simulate_peak_longest_over_week'] or 0:.2f}  (target <= {TARGETS['simulate_peak_4_over_week_max']})",
            f"  daily run at {long_.days}d = {long_.daily_wall_median_s:.1f}s wall, {d.outside_sql_share:.0%} outside SQL"
            f"  (target <= {TARGETS['daily_at_4_wall_s_max']}s, <= {TARGETS['daily_at_4_outside_sql_share_max']:.0%})",
            f"  full refresh at {long_.days}d = {long_.first.wall_s:.1f}s, exit {long_.first.exit_code}, "
            f"{long_.first.failed} failed (target: correct and < {TARGETS['full_at_4_wall_s_max']:.0f}s)",
        ]
        lines += _render_floor(rows, floor)
    return "\n".join(lines)


def _render_floor(rows: list[BenchRow], floor: Floor) -> list[str]:
    long_ = max(rows, key=lambda r: r.days)
    ratio = over_floor(long_, floor)
    sh = floor.shape
    walls = sorted(r.wall_s for r in floor.runs)
    lines = [
        f"floor (the daily run's shape doing nothing: {sh.views} views and {sh.tables} tables of one row, "
        f"{sh.tests} not_null / unique tests, DuckDB, 2 threads, one `dbt build` with its parse baked, "
        f"a fresh process; in turns with the daily runs): median {floor.wall_median_s:.1f}s "
        f"({walls[0]:.1f}-{walls[-1]:.1f}) of {len(walls)}, parse {floor.runs[0].parse.split(':')[0]}",
        f"  daily / floor = {ratio['daily_over_floor']:.2f}x (target <= {TARGETS['daily_over_floor_max']}x)"
        f"  daily@{long_.days}d {long_.daily_wall_median_s:.1f}s / floor {floor.wall_median_s:.1f}s, medians; "
        f"paired run by run, median {ratio['daily_over_floor_paired']:.2f}x",
    ]
    for r in rows:
        if r is not long_:
            o = over_floor(r, floor)
            lines.append(f"  daily@{r.days}d / floor = {o['daily_over_floor']:.2f}x; paired {o['daily_over_floor_paired']:.2f}x")
    cols = [(f"daily@{r.days}d", itemised(r.daily)) for r in rows]
    fl = itemised(floor.runs)
    lines.append(f"where the time goes (mean seconds per step over the runs, so a column adds up to the mean wall; "
                 f"ours = daily@{long_.days}d - floor):")
    lines.append(f"  {'step':<24}" + "".join(f"{c:>12}" for c, _ in cols) + f"{'floor':>8}{'ours':>8}  what")
    ours = dict(cols)[f"daily@{long_.days}d"]
    for label, keys, what in (*_ITEMS, ("wall", PHASES, "")):
        vals = [sum(it[k] for k in keys) for _, it in cols]
        f_val, o_val = sum(fl[k] for k in keys), sum(ours[k] for k in keys)
        tail = (f"{'':>8}{'':>8}" if label.startswith(" ") else f"{f_val:>7.2f}s{o_val - f_val:>+7.2f}s")
        lines.append(f"  {label:<24}" + "".join(f"{v:>11.2f}s" for v in vals) + f"{tail}  {what}".rstrip())
    return lines





def _simulate_main(argv: list[str]) -> None:
    """Child process: stream the world into the DuckDB file, print one JSON line."""
    from props_contracts.schema import load_source_tables
    from props_contracts.simulator.writer import stream_to_duckdb

    db, seed, start, end, as_of = argv
    t0 = time.monotonic()
    counts = stream_to_duckdb(int(seed), date.fromisoformat(start), date.fromisoformat(end),
                              datetime.fromisoformat(as_of), load_source_tables(project_root() / "models"), Path(db))
    print(json.dumps({"rows": sum(counts.values()), "seconds": time.monotonic() - t0, "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak resident memory. Not getrusage's ru_maxrss: on
    Linux a child started by fork/vfork + exec inherits the parent's high-water
    mark in it (exec keeps the larger of the two), so a simulation started by a
    benchmark that had already run dbt reported the benchmark's 480 MB, not its
    own 285 MB. /proc/self/status's VmHWM is the peak of this process image only."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    import resource  # not Linux: ru_maxrss (KiB on Linux, bytes on macOS)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


if __name__ == "__main__" and sys.argv[1:2] == ["simulate"]:
    _simulate_main(sys.argv[2:])
elif __name__ == "__main__" and sys.argv[1:2] == ["run"]:
    _run_main(sys.argv[2:])
elif __name__ == "__main__" and sys.argv[1:2] == ["floor"]:
    _floor_main(sys.argv[2:])
