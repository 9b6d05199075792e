"""props-contracts run: 0 all error contracts pass, 1 a contract failed, 2 dbt or the warehouse failed."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import duckdb
import pytest
from click.testing import CliRunner

from conftest import AS_OF, ROOT, simulate
from props_contracts.cli import main


def _run(db, *extra):
    return CliRunner().invoke(main, ["run", "--database", str(db), "--quiet", *extra], catch_exceptions=False)


def test_exit_codes_follow_the_outcome(tmp_path):
    pinned = ["--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"]
    clean, broken, missing = tmp_path / "clean.duckdb", tmp_path / "broken.duckdb", tmp_path / "missing.duckdb"
    simulate(clean)
    simulate(broken, inject=("PRD-06",))
    simulate(missing)
    con = duckdb.connect(str(missing))
    con.execute("drop table nba_raw.nbac_schedule")
    con.close()

    ok = _run(clean, *pinned)
    assert ok.exit_code == 0, ok.output[-2000:]
    from props_contracts.catalog import load_catalog

    n = len(load_catalog(ROOT))  # every catalog ID, however many the catalog has
    assert f"{n} invariants: {n} pass" in ok.output

    failed = _run(broken, *pinned)
    assert failed.exit_code == 1
    assert "FAIL    PRD-06" in failed.output

    crashed = _run(missing, *pinned)
    assert crashed.exit_code == 2
    assert "could not be evaluated" in crashed.output and "nbac_schedule does not exist" in crashed.output
    assert "table_name=nba_raw.nbac_schedule" in crashed.output  # SCH-01 names the table
    assert "Traceback" not in crashed.output


def _stopped_days_ago(db, days: int):
    """A simulated pipeline whose last data arrived `days` ago (its last game two days before)."""
    stopped = datetime.utcnow().replace(microsecond=0) - timedelta(days=days)
    end = (stopped - timedelta(days=2)).date()
    simulate(db, start=end - timedelta(days=4), end=end, as_of=stopped)


def test_live_run_checks_freshness(tmp_path):
    # given a pipeline whose data stopped three days ago
    db = tmp_path / "stale.duckdb"
    _stopped_days_ago(db, 3)
    # when the contracts run live (judged at now)
    result = _run(db)
    # then the stale feeds are named under their freshness invariants and the run fails
    assert result.exit_code == 1
    assert "FAIL    FRS-01" in result.output and "FAIL    FRS-02" in result.output
    assert "feed=nba-com/schedule" in result.output


def test_a_feed_with_nothing_in_the_window_is_named_stale(tmp_path):
    # given a pipeline whose data stopped ten days ago: more than the 7 days of the
    # window the freshness rules read (lookback_days)
    db = tmp_path / "stopped.duckdb"
    _stopped_days_ago(db, 10)
    # when the contracts run live
    result = _run(db)
    # then each feed fails freshness with no newest row at all, and the run fails
    assert result.exit_code == 1
    assert "FAIL    FRS-01" in result.output and "frs_01_scraper_feeds_fresh_error: 7 failing row(s)" in result.output
    assert "problem=no row in the window at or before as_of" in result.output
    assert "Traceback" not in result.output


def test_bench_prints_its_figures(tmp_path):
    # given a tiny history (the smoke test: seconds, not seasons) and one daily run
    out = tmp_path / "bench.json"
    # when the benchmark runs
    result = CliRunner().invoke(main, ["bench", "--days", "2", "--repeats", "1", "--json", str(out)])
    # then it prints a first and a daily row, the targets, and writes the JSON
    assert result.exit_code == 0, result.output[-2000:]
    lines = result.output.splitlines()
    first = next(line for line in lines if line.strip().startswith("2 d"))
    daily = lines[lines.index(first) + 1].split()
    assert first.split()[6] == "first" and daily[0] == "daily"
    assert int(daily[3]) >= 2 and int(daily[4].replace(",", "")) > 100  # dbt calls, SQL statements
    # every contract ran (as many in the daily run as in the first, and exit 0: none unknown)
    assert int(daily[-4]) == int(first.split()[-4]) > 100 and daily[-2] == "0"
    # the daily run reused the baked parse state; the cold one, without it, parsed in full
    cold = lines[lines.index(first) + 2].split()
    assert (daily[-1], cold[0], cold[-1], cold[-2]) == ("reused", "cold", "full", "0")
    assert any("daily@2d / daily@2d" in line for line in lines)
    figures = json.loads(out.read_text())
    assert [h["days"] for h in figures["histories"]] == [2]
    assert figures["histories"][0]["simulate_peak_mb"] > 0 and figures["ratios"]
    assert figures["histories"][0]["daily"][0]["parse"] == "reused"
    # each run was a fresh process, as the scheduler starts it: its wall includes the
    # interpreter's start and the imports (start), shown in the table too
    daily_json = figures["histories"][0]["daily"][0]
    assert 0 < daily_json["startup_s"] < daily_json["wall_s"]
    assert float(daily[2].rstrip("s")) == pytest.approx(daily_json["startup_s"], abs=0.051)
    assert figures["histories"][0]["daily_cold"]["parse"].startswith("full: ")
    assert figures["histories"][0]["week_peak_mb"] > 0 and figures["ratios"]["simulate_peak_longest_over_week"] > 0
    assert any(line.strip().startswith("simulator peak at 2d / at 7d") for line in lines)
    # one history: each daily run paired with itself
    assert figures["ratios"]["daily_longest_over_daily_shortest_paired"] == 1.0
    assert any("paired run by run, median 1.00" in line for line in lines)
    # the floor: the daily run's shape (its models by kind, as many tests as it ran contracts),
    # doing nothing, run once in turn with the daily run, its parse reused; the ratio printed
    floor = figures["floor"]
    assert floor["shape"]["tests"] == daily_json["contracts"] == floor["runs"][0]["contracts"]
    assert floor["shape"]["views"] > 0 and floor["shape"]["tables"] > 0 and len(floor["runs"]) == 1
    assert floor["runs"][0]["parse"] == "reused" and floor["runs"][0]["dbt_invocations"] == 1
    ratio = next(line for line in lines if line.strip().startswith("daily / floor = "))
    assert re.search(r"daily / floor = \d+\.\d\dx \(target <= 1\.3x\)", ratio), ratio
    assert figures["histories"][0]["daily_over_floor"] == pytest.approx(daily_json["wall_s"] / floor["runs"][0]["wall_s"])
    # the time that is ours, itemised: every step of the daily run, adding up to its wall
    steps = figures["histories"][0]["daily_itemised_s"]
    assert steps["dbt parse"] > 0 and steps["dbt test"] > 0 and steps["run record"] > 0 and steps["seed check"] > 0
    assert sum(steps.values()) == pytest.approx(daily_json["wall_s"], abs=0.01)
    assert sum(figures["floor"]["itemised_s"].values()) == pytest.approx(floor["runs"][0]["wall_s"], abs=0.01)
    for item in ("second invocation", "seed check", "run record", "failing rows read back", "parse loading",
                 "interpreter start", "imports"):
        assert any(line.strip().startswith(item) for line in lines), item
    bad = CliRunner().invoke(main, ["bench", "--days", "two"])
    assert bad.exit_code == 2 and "--days must be comma-separated whole numbers" in bad.output


def test_the_simulators_peak_memory_is_its_own_not_its_parents():
    # given a parent (this test) holding 400 MB, which starts a child the way the benchmark does
    import subprocess
    import sys
    held = bytearray(400 * 2**20)
    held[::4096] = b"\x01" * len(held[::4096])  # touched: resident
    # when the child reports its peak memory
    proc = subprocess.run([sys.executable, "-c", "from props_contracts.bench import peak_rss_mb; print(peak_rss_mb())"],
                          capture_output=True, text=True, check=True)
    # then it is the child's own (a bare interpreter: tens of MB), not the parent's 400 MB
    # (getrusage's ru_maxrss reported the parent's high-water mark here)
    assert 1 < float(proc.stdout) < 200, proc.stdout
    assert len(held) == 400 * 2**20
