"""Every injected fault is caught by its own invariant at the catalog's severity,
with no collateral error-severity failure; clean weeks fail nothing.

`make test` injects the faults in the groups of faults.FAULT_GROUPS (5-6 faults a
week, none of which breaks or hides another): each must be caught, and nothing
outside its group may fail at error. `make matrix` (PROPS_FAULTS_ALONE=1) gives
each fault a week of its own, so "nothing else" is exact per fault.

Writes target/fault_matrix.md and target/fault_matrix.json (docs/testing.md shows it).
"""

from __future__ import annotations

import os

import pytest

from props_contracts import project_root
from props_contracts.matrix import run_matrix, write_matrix
from props_contracts.simulator.faults import FAULT_GROUPS, FAULTS

# `make test` judges 1 clean seed here (test_shapes.py's below-threshold and benign weeks
# are 10 more sound weeks, each of another random world); `make matrix` sets PROPS_CLEAN_SEEDS=5.
CLEAN_SEEDS = list(range(1, int(os.environ.get("PROPS_CLEAN_SEEDS", "1")) + 1))
ALONE = os.environ.get("PROPS_FAULTS_ALONE", "") == "1"
GROUPS = [(f,) for f in sorted(FAULTS)] if ALONE else [tuple(g) for g in FAULT_GROUPS]
GROUP_OF = {f: g for g in GROUPS for f in g}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    scenarios = run_matrix(tmp_path_factory.mktemp("matrix"), GROUPS, CLEAN_SEEDS)
    md, _ = write_matrix(scenarios, project_root() / "target")
    print("\n" + md.read_text())
    return {s.inject: s for s in scenarios if s.inject} | {s.name: s for s in scenarios if not s.inject}


def test_fault_groups_partition_the_faults():
    grouped = [f for g in FAULT_GROUPS for f in g]
    assert sorted(grouped) == sorted(FAULTS)  # every fault once
    assert all(g and len(set(g)) == len(g) for g in FAULT_GROUPS)
    # a fault's own ID is never another fault's consequence in its week: that would hide a miss
    for g in FAULT_GROUPS:
        assert not {c for f in g for c in FAULTS[f].consequences} & set(g), g


@pytest.mark.parametrize("seed", CLEAN_SEEDS)
def test_clean_week_fails_no_error_contract(matrix, seed):
    assert matrix[f"clean_seed_{seed}"].failed_error == []
    assert matrix[f"clean_seed_{seed}"].unknown == []


@pytest.mark.parametrize("fault_id", sorted(FAULTS))
def test_fault_is_caught_by_its_invariant_and_nothing_else(matrix, fault_id):
    group = GROUP_OF[fault_id]
    sc = matrix[group]
    assert sc.unknown == [], f"not evaluated in the week of {group}: {sc.unknown}"
    if FAULTS[fault_id].severity == "error":
        assert fault_id in sc.failed_error, f"{fault_id} not caught: failing {sc.failed_error}, warning {sc.warned}"
    else:
        assert fault_id in sc.warned + sc.failed_error, f"{fault_id} not caught: warning {sc.warned}"
        assert fault_id not in sc.failed_error, f"{fault_id} is a warning in the catalog, yet failed at error"
    # nothing fails at error but the error-severity faults of its own week and the
    # consequences they name (a job that never ran is also a scheduled run missing)
    own_errors = {f for f in group if FAULTS[f].severity == "error"} | {c for f in group for c in FAULTS[f].consequences}
    assert sorted(set(sc.failed_error) - own_errors) == [], f"collateral in the week of {group}"
