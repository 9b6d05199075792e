"""The Elementary / dbt_expectations switch costs nothing when it is off.

No packages needed: these run in the default `make test`. The real packages are
exercised by test_elementary_packages.py (skipped unless PROPS_DBT_PACKAGES_DIR
points at them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from elementary_support import SWITCH, build_shape, copy_project, disabled_by_switch
from props_contracts.dbt import Dbt, DbtSettings


def _parse(project: Path) -> Path:
    target = project / "target"
    Dbt(DbtSettings(project_dir=project, duckdb_path=project / "parse.duckdb", artifacts_dir=target,
                    quiet=True)).invoke(["parse", "--no-partial-parse"])
    return target / "manifest.json"


def _gated(entry: object) -> bool:
    """A YAML test entry whose `enabled` is the switch."""
    if not isinstance(entry, dict) or len(entry) != 1:
        return False
    body = next(iter(entry.values()))
    return isinstance(body, dict) and SWITCH in str((body.get("config") or {}).get("enabled", ""))


def _strip_tests(node: dict) -> int:
    removed = 0
    for key in ("data_tests", "tests"):
        if isinstance(node.get(key), list):
            kept = [t for t in node[key] if not _gated(t)]
            removed += len(node[key]) - len(kept)
            node[key] = kept
    for child_key in ("columns", "tables"):
        for child in node.get(child_key) or []:
            if isinstance(child, dict):
                removed += _strip_tests(child)
    return removed


def _remove_integration(project: Path) -> int:
    """The project as it would be without the integration: no switch-gated tests, no
    Elementary config in dbt_project.yml. Returns the number of tests removed."""
    removed = 0
    for path in [*(project / "models").rglob("_*.yml"), *(project / "seeds").rglob("_*.yml")]:
        doc = yaml.safe_load(path.read_text())
        n = sum(_strip_tests(node) for section in ("models", "sources", "seeds", "snapshots")
                for node in (doc.get(section) or []))
        if n:
            removed += n
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
    proj_path = project / "dbt_project.yml"
    proj = yaml.safe_load(proj_path.read_text())
    proj["models"].pop("elementary")
    proj["flags"].pop("require_explicit_package_overrides_for_builtin_materializations")
    spec_path = project / "macros" / "vars" / "var_spec.sql"
    spec = spec_path.read_text()
    for var in (SWITCH, "disable_run_results", "cache_artifacts"):
        proj["vars"].pop(var)
        line = f"        '{var}': {{'kind': 'boolean'}},\n"
        assert line in spec, f"var_spec.sql no longer declares {var} as expected"
        spec = spec.replace(line, "")
    proj_path.write_text(yaml.safe_dump(proj, sort_keys=False))
    spec_path.write_text(spec)
    return removed


def test_switch_off_builds_exactly_what_the_project_builds_without_the_integration(tmp_path):
    # given the project as it ships (no hub packages) and the same project with the
    # integration taken out (its gated tests and its dbt_project.yml entries)
    shipped = copy_project(tmp_path / "shipped")
    without = copy_project(tmp_path / "without")
    removed = _remove_integration(without)
    # when both are parsed with the switch at its default (off)
    shipped_manifest, without_manifest = _parse(shipped), _parse(without)
    # then the switch gates real tests: Elementary's monitors, disabled, not absent
    gated = disabled_by_switch(shipped_manifest)
    assert len(gated) == removed and removed >= 3, (removed, gated)
    # and every enabled node (models, tests, seeds, sources, hooks) is the same, field
    # for field: the same SQL runs, in the same order, with the same configs
    a, b = build_shape(shipped_manifest), build_shape(without_manifest)
    assert sorted(a) == sorted(b)
    differing = sorted(uid for uid in a if a[uid] != b[uid])
    assert differing == []


def test_hub_packages_refuses_a_directory_without_the_packages(tmp_path):
    # given a directory that holds only one of the four packages
    (tmp_path / "elementary").mkdir()
    (tmp_path / "elementary" / "dbt_project.yml").write_text("name: elementary\nversion: '0.25.1'\n")
    # when the packages are installed from it
    cli = Path(sys.executable).with_name("props-contracts")
    env = {k: v for k, v in os.environ.items() if k != "PROPS_DBT_PACKAGES_DIR"}
    proc = subprocess.run([str(cli), "hub-packages", "--from", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    # then nothing is installed and the error names what is missing
    assert proc.returncode == 2, proc.stderr
    assert "lacks the package directories dbt_utils, dbt_expectations, dbt_date" in proc.stderr
