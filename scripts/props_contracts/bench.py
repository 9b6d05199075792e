"""Benchmark: how long the nightly job takes, and how much memory, as history grows.

For each history length it simulates a warehouse, runs the full build and every
contract (the first run, --full-refresh), then the same again incrementally
(the scheduled daily run), and records wall time, rows and peak memory. The
contracts read a window (lookback_days), so the daily run should stay nearly
flat while the history grows: the figures show whether it does.
Figures, not pass/fail: timing assertions in tests flake, a printed table does not.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from props_contracts import project_root
from props_contracts.dbt import DbtSettings
from props_contracts.errors import UsageError


@dataclass(frozen=True)
class BenchRow:
    days: int
    source_rows: int
    simulate_s: float
    first_run_s: float
    daily_run_s: float
    contracts: int
    failed: int
    warehouse_mb: float
    peak_rss_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.source_rows / self.simulate_s if self.simulate_s else 0.0


# the last simulated night; history grows backwards from it
BENCH_LAST_NIGHT = date(2026, 1, 15)


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux; dbt and DuckDB run in this process
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(day_counts: list[int], seed: int, lookback_days: int,
              say: Callable[[str], None]) -> tuple[datetime, list[BenchRow]]:
    """(the instant every run is judged at, one row per history length)."""
    from props_contracts.runner import resolve_window, run_contracts
    from props_contracts.schema import load_source_tables
    from props_contracts.simulator.world import build_world
    from props_contracts.simulator.writer import write_duckdb

    if not day_counts or any(d <= 0 for d in day_counts):
        raise UsageError(f"--days needs positive numbers of days, got {day_counts}")
    tables = load_source_tables(project_root() / "models")
    # one fixed night, so every history length is judged at the same instant
    _, end, as_of = resolve_window(None, BENCH_LAST_NIGHT, 1, None)
    rows: list[BenchRow] = []
    with tempfile.TemporaryDirectory(prefix="props-bench-") as tmp:
        for days in day_counts:
            db = Path(tmp) / f"bench_{days}.duckdb"
            say(f"[{days} days] simulating ...")
            t0 = time.monotonic()
            world = build_world(seed, end - timedelta(days=days - 1), end, as_of)
            counts = write_duckdb(world, tables, db)
            simulate_s = time.monotonic() - t0
            settings = DbtSettings(project_dir=project_root(), duckdb_path=db, quiet=True,
                                   artifacts_dir=Path(tmp) / f"target_{days}",
                                   vars={"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", "lookback_days": lookback_days})
            say(f"[{days} days] {sum(counts.values()):,} source rows; first run (full refresh) ...")
            t0 = time.monotonic()
            run_contracts(settings, full_refresh=True)
            first_s = time.monotonic() - t0
            say(f"[{days} days] daily run (incremental) ...")
            t0 = time.monotonic()
            results = run_contracts(settings).results
            daily_s = time.monotonic() - t0
            rows.append(BenchRow(
                days=days, source_rows=sum(counts.values()), simulate_s=simulate_s,
                first_run_s=first_s, daily_run_s=daily_s, contracts=len(results),
                failed=sum(1 for r in results if r.failed), warehouse_mb=db.stat().st_size / 2**20,
                peak_rss_mb=_peak_rss_mb()))
    return as_of, rows


def render(as_of: datetime, rows: list[BenchRow], lookback_days: int) -> str:
    head = (f"{'history':>8} {'source rows':>12} {'simulate':>9} {'rows/s':>9} {'first run':>10} "
            f"{'daily run':>10} {'contracts':>10} {'failed':>7} {'warehouse':>10} {'peak RSS':>9}")
    lines = [f"benchmark: DuckDB, window lookback_days={lookback_days}, judged at {as_of:%Y-%m-%d %H:%M} UTC", head]
    for r in rows:
        lines.append(f"{r.days:>6} d {r.source_rows:>12,} {r.simulate_s:>8.1f}s {r.rows_per_s:>9,.0f} "
                     f"{r.first_run_s:>9.1f}s {r.daily_run_s:>9.1f}s {r.contracts:>10} {r.failed:>7} "
                     f"{r.warehouse_mb:>8.1f}MB {r.peak_rss_mb:>7.0f}MB")
    lines.append("peak RSS is the process's high-water mark so far (it only grows down the table).")
    return "\n".join(lines)
