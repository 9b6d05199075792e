"""Contracts that generalise (issue 11): randomised fault shapes and benign operations.

Each shape (simulator/shapes.py) shows an incident where else it can surface
(a backfill, mid-window, another table, state that began before the window, a
NULL claim). Hypothesis draws the simulated week (its seed) and the shape's
position, magnitude and target entity (the recipe seed), then real dbt judges it:

- above the threshold, the shape's own ID fails at its severity, and nothing else
  fails at error but the consequences the shape names;
- below it (every shape that has one, all in one week), nothing fails at error;
- every benign operation a healthy pipeline performs, all in one week: nothing
  fails at error.

Draws per shape: PROPS_SHAPE_DRAWS (1 in `make test`; `make matrix` sets more).
`make test` packs shapes into weeks of up to PROPS_SHAPE_GROUP_SIZE (6) shapes whose
invariants and consequences do not overlap, each on its own dates; `make matrix`
runs each shape in a week of its own (size 1), so collateral is exact per shape.
Shrinking is off: each example is a full dbt run, and the failing draw is printed.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import long_suite
from props_contracts.matrix import run_scenario
from props_contracts.simulator.shapes import BENIGN, SHAPES, shape_groups

DRAWS = int(os.environ.get("PROPS_SHAPE_DRAWS", "1"))
# shapes judged together in one week (1: a week per shape, as `make matrix` runs them)
GROUP_SIZE = int(os.environ.get("PROPS_SHAPE_GROUP_SIZE", "6"))
DRAW_SETTINGS = settings(max_examples=DRAWS, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], print_blob=True,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
world_seeds = st.integers(min_value=1, max_value=10_000)
recipe_seeds = st.integers(min_value=0, max_value=2**31 - 1)


RESULTS: list[dict] = []  # every judged week, written to target/shape_matrix.{json,md} at the end


@pytest.fixture(scope="module", autouse=True)
def shape_matrix_report():
    yield
    if RESULTS:
        from props_contracts import project_root
        from props_contracts.matrix import write_shape_matrix

        md, _ = write_shape_matrix(RESULTS, project_root() / "target")
        print("\n" + md.read_text())


def _record(kind, sc, world_seed, recipe_seed, **extra):
    RESULTS.append({"kind": kind, "world_seed": world_seed, "recipe_seed": recipe_seed, "shapes": list(sc.shapes),
                    "benign": list(sc.benign), "failed_error": sc.failed_error, "warned": sc.warned,
                    "unknown": sc.unknown, "seconds": sc.seconds, **extra})


def _run(tmp_path, name, world_seed, recipe_seed, shapes=(), benign=()):
    sc = run_scenario((name, world_seed, (), str(tmp_path), tuple(shapes), tuple(benign), recipe_seed))
    _record(name, sc, world_seed, recipe_seed)
    return sc


@pytest.mark.parametrize("group", shape_groups(GROUP_SIZE), ids=lambda g: "+".join(k.split(":")[0] for k in g))
def test_shapes_above_threshold_fail_their_own_invariants(tmp_path_factory, group):
    own = {SHAPES[k].invariant_id for k in group}
    allowed = own | {c for k in group for c in SHAPES[k].consequences}

    @DRAW_SETTINGS
    @given(world_seed=world_seeds, recipe_seed=recipe_seeds)
    def check(world_seed, recipe_seed):
        # given a clean simulated week with these shapes drawn above their thresholds
        work = tmp_path_factory.mktemp("above")
        # when every contract runs on it
        sc = _run(work, "above", world_seed, recipe_seed, shapes=[(k, True) for k in group])
        draw = f"(world {world_seed}, recipe {recipe_seed}, shapes {group})"
        # then every contract was evaluated,
        assert sc.unknown == [], f"not evaluated {sc.unknown} {draw}"
        # each shape's own invariant fails at its catalog severity,
        for k in group:
            s = SHAPES[k]
            seen = sc.failed_error if s.severity == "error" else sc.warned + sc.failed_error
            assert s.invariant_id in seen, (
                f"{k} not caught: failing {sc.failed_error}, warning {sc.warned} {draw}")
        # and nothing else fails at error but what the incidents themselves break
        collateral = sorted(set(sc.failed_error) - allowed)
        assert collateral == [], f"collateral {collateral} {draw}"

    check()


@pytest.mark.parametrize("group", shape_groups(GROUP_SIZE, below=True),
                         ids=lambda g: "+".join(k.split(":")[0] for k in g))
def test_shapes_just_below_their_thresholds_fail_nothing_at_error(tmp_path_factory, group):
    below = [(k, False) for k in group]

    @DRAW_SETTINGS
    @given(world_seed=world_seeds, recipe_seed=recipe_seeds)
    def check(world_seed, recipe_seed):
        # given one week with these shapes drawn just inside their thresholds
        sc = _run(tmp_path_factory.mktemp("below"), "below", world_seed, recipe_seed, shapes=below)
        # then no contract fails at error, and every one was evaluated
        assert sc.unknown == []
        assert sc.failed_error == [], f"below-threshold week (world {world_seed}, recipe {recipe_seed})"

    check()


def test_benign_operations_fail_nothing_at_error(tmp_path_factory):
    @DRAW_SETTINGS
    @given(world_seed=world_seeds, recipe_seed=recipe_seeds)
    def check(world_seed, recipe_seed):
        # given one week in which the pipeline did every benign operation once
        sc = _run(tmp_path_factory.mktemp("benign"), "benign", world_seed, recipe_seed, benign=sorted(BENIGN))
        # then no contract fails at error, and every one was evaluated
        assert sc.unknown == []
        assert sc.failed_error == [], f"benign week (world {world_seed}, recipe {recipe_seed}): {sorted(BENIGN)}"
        # and the newly onboarded target table is reported as unverifiable, not passed in silence
        assert {"PRC-01", "ING-03"} <= set(sc.warned), sc.warned

    check()


def test_every_shape_names_a_catalog_invariant():
    from props_contracts import project_root
    from props_contracts.catalog import load_catalog

    catalog = load_catalog(project_root())
    assert {s.invariant_id for s in SHAPES.values()} <= set(catalog)
    assert all(set(s.consequences) <= set(catalog) for s in SHAPES.values())


def _replay_groups():
    from props_contracts.simulator.shapes import RUNBOOK, RUNBOOK_GROUPS

    if GROUP_SIZE == 1:
        return [(i,) for i in sorted(RUNBOOK)]
    return list(RUNBOOK_GROUPS)


@long_suite("make test's clean weeks and below-threshold shapes prove a sound week passes; "
            "each runbook's traces (a new lock, a rerun, a registry entry) are replayed here")
@pytest.mark.parametrize("ids", _replay_groups(), ids=lambda g: "+".join(g))
def test_runbook_replay_returns_the_contract_to_green(tmp_path_factory, ids):
    # given the week with each invariant's canonical fault injected, and then what its
    # runbook says to do applied (the step rerun correctly, with the traces it leaves)
    sc = run_scenario(("replay", 7, tuple(ids), str(tmp_path_factory.mktemp("replay")), (), (), 0, tuple(ids)))
    _record("replay", sc, 7, 0, replayed=list(ids))
    # when every contract runs, then every one was evaluated,
    assert sc.unknown == []
    # nothing fails at error but a consequence judged over the window's history (the DLQ
    # sampler's gap, ABS-03, stays in the window after FRS-03's restart: it happened), and the
    # replayed invariants do not even warn
    from props_contracts.simulator.faults import FAULTS
    from props_contracts.simulator.shapes import HISTORY_INVARIANTS

    lasting = {c for i in ids for c in FAULTS[i].consequences if c in HISTORY_INVARIANTS}
    assert sorted(set(sc.failed_error) - lasting) == [], f"after the runbooks of {ids}"
    assert sorted(set(ids) & set(sc.warned)) == [], f"still warning after the runbook: {sc.warned}"


def test_every_invariant_has_a_runbook_replay_or_is_judged_over_history():
    from props_contracts import project_root
    from props_contracts.catalog import load_catalog
    from props_contracts.simulator.shapes import HISTORY_INVARIANTS, RUNBOOK, RUNBOOK_GROUPS

    catalog = set(load_catalog(project_root()))
    assert set(RUNBOOK) | set(HISTORY_INVARIANTS) == catalog
    assert not set(RUNBOOK) & set(HISTORY_INVARIANTS)
    assert sorted(i for g in RUNBOOK_GROUPS for i in g) == sorted(RUNBOOK)
