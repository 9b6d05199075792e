"""Each in-house generic test passes on its good case and fails on its bad case."""

from __future__ import annotations

from conftest import ROOT
from props_contracts.results import load_results


def test_every_generic_test_passes_and_fails_where_it_should(tmp_path, dbt_factory):
    # given the small case seeds (seeds/generic_test_cases), enabled only for this test
    dbt = dbt_factory(tmp_path / "cases.duckdb", generic_test_cases=True)
    # when they are built and every case is tested
    dbt.invoke(["build", "--select", "path:seeds/generic_test_cases"], allow_node_failures=True)
    results = {r.name: r.status for r in load_results(tmp_path / "target")}
    # then every generic test has a pass case and a fail case, each with the right outcome
    # (pc_columns_match_declared is proven by SCH-01 in the fault matrix and test_contracts.py)
    generic = {p.stem.removeprefix("pc_") for p in (ROOT / "tests" / "generic").glob("pc_*.sql")}
    expected = {f"{kind}_{g}" for g in generic - {"columns_match_declared"} for kind in ("pass", "fail")}
    assert expected <= set(results), sorted(expected - set(results))
    wrong = {n: s for n, s in results.items()
             if (n.startswith("pass_") and s != "pass") or (n.startswith("fail_") and s != "fail")}
    assert wrong == {}
