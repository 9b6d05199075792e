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
wall time. It prints a table and the targets, and writes everything as JSON.
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


def _timed_run(settings: DbtSettings, full_refresh: bool) -> RunFigures:
    """One run in this process (wall: from the run's start, dbt already imported)."""
    from props_contracts.runner import run_contracts

    log = settings.log_path / "dbt.log"
    offset = log.stat().st_size if log.exists() else 0
    dbt = Dbt(settings, reuse_parses=False)  # a scheduled run is a fresh process: it parses
    t0 = time.monotonic()
    outcome = run_contracts(settings, full_refresh=full_refresh, dbt=dbt)
    wall = time.monotonic() - t0
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", errors="replace")
    statements, busy = _busy_seconds(text)
    return RunFigures(wall_s=wall, dbt_invocations=dbt.invocations,
                      sql_statements=statements + outcome.tool_statements,
                      sql_busy_s=busy + outcome.tool_sql_seconds, exit_code=outcome.exit_code,
                      contracts=len(outcome.results), failed=sum(1 for r in outcome.results if r.failed),
                      parse=dbt.parse_mode or "")


def _run_in_child(settings: DbtSettings, full_refresh: bool) -> RunFigures:
    """One run as the scheduler starts it: a fresh process. Its wall is the whole
    process's, interpreter start and imports included (startup_s)."""
    spec = {"project_dir": str(settings.project_dir), "duckdb_path": str(settings.duckdb_path),
            "artifacts_dir": str(settings.artifacts_dir), "log_path": str(settings.log_path),
            "vars": settings.vars, "full_refresh": full_refresh}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "props_contracts.bench", "run", json.dumps(spec, default=str)],
                          capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise PropsContractsError(f"the benchmark's {'first' if full_refresh else 'daily'} run crashed "
                                  f"(exit {proc.returncode}): "
                                  f"{(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
    inner = RunFigures(**json.loads(lines[-1]))
    return replace(inner, wall_s=wall, startup_s=max(0.0, wall - inner.wall_s))


def _run_main(argv: list[str]) -> None:
    """Child process: one run (_timed_run), its figures printed as one JSON line."""
    [raw] = argv
    spec = json.loads(raw)
    # imported before the run's clock starts, so `start` holds the import of dbt
    # (which props-contracts otherwise defers to its first dbt call)
    from dbt.cli.main import dbtRunner  # noqa: F401

    import props_contracts.runner  # noqa: F401
    settings = DbtSettings(project_dir=Path(spec["project_dir"]), duckdb_path=Path(spec["duckdb_path"]), quiet=True,
                           artifacts_dir=Path(spec["artifacts_dir"]), log_path=Path(spec["log_path"]),
                           vars=spec["vars"])
    print(json.dumps(asdict(_timed_run(settings, full_refresh=spec["full_refresh"]))))


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


def run_bench(day_counts: list[int], seed: int, lookback_days: int, repeats: int,
              say: Callable[[str], None]) -> tuple[datetime, list[BenchRow]]:
    """(the instant every run is judged at, one row per history length)."""
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
                                   vars={"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", "lookback_days": lookback_days})
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
        # The daily runs of the history lengths take turns (180, 720, 180, 720, ...):
        # a machine that speeds up or slows down over the minutes this takes (a
        # shared VM does) moves every length alike instead of the last one only.
        for i in range(repeats):
            for row, settings, baked in runs:
                say(f"[{row.days} days] daily run {i + 1}/{repeats} (incremental, stateless, baked parse) ...")
                row.daily.append(_run_in_child(_stateless(settings, Path(tmp) / f"run_{row.days}", baked),
                                               full_refresh=False))
        for row, settings, _ in runs:
            say(f"[{row.days} days] daily run without a baked parse (incremental, stateless) ...")
            row.daily_cold = _run_in_child(_stateless(settings, Path(tmp) / f"run_{row.days}", None),
                                           full_refresh=False)
            row.warehouse_mb = settings.duckdb_path.stat().st_size / 2**20
    return as_of, rows


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


def to_json(as_of: datetime, rows: list[BenchRow], lookback_days: int) -> dict:
    return {
        "as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", "lookback_days": lookback_days, "targets": TARGETS,
        "ratios": ratios(rows),
        "histories": [{**asdict(r), "daily_wall_median_s": r.daily_wall_median_s} for r in rows],
    }


def _seasons(days: int) -> str:
    return f"{days / SEASON_DAYS:.2f}"


def render(as_of: datetime, rows: list[BenchRow], lookback_days: int) -> str:
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
    return "\n".join(lines)


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
