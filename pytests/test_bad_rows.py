"""No row escapes judgement: NULL keys, NULL or impossible dates, NaN, infinity
and absurd magnitudes, in any source a contract reads, land on a named contract
that fails at error severity with the offending row among its failing rows.

Every bad-row class of the simulator (faults.BAD_ROWS) is written into one
simulated week, each into its own table rows and marked; the contracts run once.
"""

from __future__ import annotations

import duckdb
import pytest

from conftest import AS_OF, END, ROOT, START, settings_for
from props_contracts.runner import run_contracts
from props_contracts.schema import load_source_tables
from props_contracts.simulator.faults import BAD_ROWS, apply_bad_rows
from props_contracts.simulator.world import build_world
from props_contracts.simulator.writer import write_duckdb


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    work = tmp_path_factory.mktemp("bad_rows")
    db = work / "warehouse.duckdb"
    world = build_world(7, START, END, AS_OF)
    apply_bad_rows(world, sorted(BAD_ROWS))
    write_duckdb(world, load_source_tables(ROOT / "models"), db)
    results = run_contracts(settings_for(db, work / "target")).results
    con = duckdb.connect(str(db))
    failing_rows = {}
    for r in results:
        if r.status == "fail" and r.failing_rows_query(10_000):
            cur = con.execute(r.failing_rows_query(10_000))
            names = [d[0] for d in cur.description]
            failing_rows[r.unique_id] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    con.close()
    return results, failing_rows


@pytest.mark.parametrize("name", sorted(BAD_ROWS))
def test_bad_rows_fail_a_named_contract_with_the_row_visible(judged, name):
    # given a week with this class of bad rows written into one table (marked)
    bad = BAD_ROWS[name]
    results, failing_rows = judged
    # when the contracts ran, then the invariant meant to catch it failed at error severity
    caught = [r for r in results if r.invariant_id == bad.invariant_id
              and r.status == "fail" and r.severity == "error"]
    assert caught, f"{bad.summary} ({bad.table}): no error-severity {bad.invariant_id} contract failed"
    # and the offending row is among its failing rows, where the person on call looks
    rows = [row for r in caught for row in failing_rows.get(r.unique_id, [])]
    hits = [row for row in rows if any(bad.marker in str(v) for v in row.values())]
    assert hits, f"{bad.summary}: {bad.marker} not in the failing rows of {[r.name for r in caught]}"


def test_the_bad_rows_broke_nothing_they_should_not(judged):
    # every contract still ran (a NaN or an INT64 max must not crash a model or a test)
    results, _ = judged
    assert [r.name for r in results if r.status == "unknown"] == []
