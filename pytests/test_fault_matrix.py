"""Every injected fault is caught by its own invariant at the catalog's severity,
with no collateral error-severity failure; clean weeks fail nothing.

Writes target/fault_matrix.md and target/fault_matrix.json (the README shows it).
"""

from __future__ import annotations

import os

import pytest

from props_contracts import project_root
from props_contracts.matrix import run_matrix, write_matrix
from props_contracts.simulator.faults import FAULTS

# `make test` judges 2 clean seeds here (test_shapes.py judges more random weeks);
# `make matrix` sets PROPS_CLEAN_SEEDS=5.
CLEAN_SEEDS = list(range(1, int(os.environ.get("PROPS_CLEAN_SEEDS", "2")) + 1))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    scenarios = run_matrix(tmp_path_factory.mktemp("matrix"), sorted(FAULTS), CLEAN_SEEDS)
    md, _ = write_matrix(scenarios, project_root() / "target")
    print("\n" + md.read_text())
    return {s.name: s for s in scenarios}


@pytest.mark.parametrize("seed", CLEAN_SEEDS)
def test_clean_week_fails_no_error_contract(matrix, seed):
    assert matrix[f"clean_seed_{seed}"].failed_error == []


@pytest.mark.parametrize("fault_id", sorted(FAULTS))
def test_fault_is_caught_by_its_invariant_and_nothing_else(matrix, fault_id):
    sc = matrix[f"inject_{fault_id}"]
    if FAULTS[fault_id].severity == "error":
        assert sc.failed_error == [fault_id]
    else:
        assert fault_id in sc.warned
        assert sc.failed_error == []
