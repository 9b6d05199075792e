"""dbt_project.yml's configured paths all match nodes, and a plain dbt call on the
default project prints no warning: a warning people learn to ignore hides the next
real one. dbt's own "unused configuration paths" warning is silenced (the optional
Elementary package's path is unused without it), so this test does its job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

# resource section of dbt_project.yml -> the resource types its paths configure
SECTIONS = {"models": {"model"}, "seeds": {"seed"}, "snapshots": {"snapshot"}, "data_tests": {"test"}}
# configured on purpose for a package that is absent by default (docs/elementary.md)
OPTIONAL_PACKAGES = {("models", "elementary")}


def configured_paths(tree: dict, prefix: tuple[str, ...] = ()):
    """Every folder / package path of a config tree: keys without '+' that hold a mapping."""
    for key, value in tree.items():
        if key.startswith("+") or not isinstance(value, dict):
            continue
        yield (*prefix, key)
        yield from configured_paths(value, (*prefix, key))


def test_every_configured_path_matches_a_node_and_dbt_prints_no_warning(tmp_path):
    # given the project as a fresh clone has it, with no hub packages installed
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_DUCKDB_PATH": str(tmp_path / "w.duckdb")}
    # when dbt lists every node (a full parse, as a plain `dbt build` starts)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "ls", "--output", "json",
         "--output-keys", "fqn resource_type", "--project-dir", str(ROOT),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # then dbt warned about nothing
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines()
                if "[WARNING]" in line or "Warning:" in line or "[WARN]" in line]
    assert not warnings, "\n".join(warnings)
    # and every folder path dbt_project.yml configures reaches at least one node of its kind
    nodes = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert nodes, proc.stdout[-2000:]
    config = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    unused = []
    for section, kinds in SECTIONS.items():
        for path in configured_paths(config.get(section) or {}):
            if (section, path[0]) in OPTIONAL_PACKAGES:
                continue
            if not any(n["resource_type"] in kinds and tuple(n["fqn"][:len(path)]) == path for n in nodes):
                unused.append(f"{section}: {'.'.join(path)}")
    # generic_test_cases is a seed folder enabled only by its own test's var: it exists on disk
    unused = [u for u in unused if not u.startswith("seeds: props_contracts.generic_test_cases")]
    assert not unused, f"configured in dbt_project.yml but matching no node: {unused}"
