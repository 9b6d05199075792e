"""Helpers for the Elementary / dbt_expectations tests: a copy of the project to
parse or build in isolation, and a manifest reduced to what decides a build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SWITCH = "elementary_enabled"
# What a project copy needs; never the virtualenvs, artifacts, warehouses or installed packages.
PROJECT_ITEMS = ("dbt_project.yml", "profiles.yml", "packages.hub.yml", "models", "macros", "tests",
                 "seeds", "snapshots")
# Fields of a manifest node that say nothing about what runs (paths of the copy, parse time).
VOLATILE = ("root_path", "created_at", "build_path", "compiled_path", "unrendered_config_call_dict")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for item in PROJECT_ITEMS:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item)
        else:
            shutil.copyfile(src, dest / item)
    return dest


def cli_in_copy(copy: Path, args: list[str], db: Path) -> subprocess.CompletedProcess:
    """The CLI, importing the copy's package (its project_root is the copy), on `db`."""
    env = {**os.environ, "PYTHONPATH": str(copy / "scripts"), "DBT_PROFILES_DIR": str(copy),
           "DBT_TARGET_PATH": str(copy / "target"), "DBT_LOG_PATH": str(copy / "logs")}
    code = "import sys; from props_contracts.cli import main; sys.argv[0] = 'props-contracts'; main()"
    return subprocess.run([sys.executable, "-c", code, *args, "--database", str(db)], capture_output=True,
                          text=True, env=env, cwd=copy, timeout=600)


def build_shape(manifest_path: Path) -> dict[str, dict]:
    """Every enabled node, source, exposure and unit test, without volatile fields.
    The hooks' checksum is that of dbt_project.yml as a file: its SQL is compared instead."""
    m = json.loads(manifest_path.read_text())
    out: dict[str, dict] = {}
    for section in ("nodes", "sources", "exposures", "unit_tests"):
        for uid, node in (m.get(section) or {}).items():
            node = {k: v for k, v in node.items() if k not in VOLATILE}
            if node.get("resource_type") == "operation":
                node.pop("checksum", None)
            out[uid] = node
    return out


# Every test on the switch carries one of these tags (the convention of docs/elementary.md).
SWITCH_TAGS = {"elementary", "dbt_expectations"}


def disabled_by_switch(manifest_path: Path) -> list[str]:
    """Disabled tests tagged as the switch's (their `enabled` is the switch)."""
    m = json.loads(manifest_path.read_text())
    return sorted(uid for uid, versions in (m.get("disabled") or {}).items()
                  if any(n.get("resource_type") == "test" and SWITCH_TAGS & set(n.get("tags") or [])
                         for n in versions))
