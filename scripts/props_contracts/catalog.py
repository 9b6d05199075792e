"""The invariant catalog (seeds/invariants.csv), read once into typed objects."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Invariant:
    invariant_id: str
    phase_tag: str
    severity: str
    threshold_vars: tuple[str, ...]
    title: str
    runbook: str


def load_catalog(root: Path) -> dict[str, Invariant]:
    with (root / "seeds" / "invariants.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        tv = tuple(v.strip() for v in r["threshold_vars"].split(",") if v.strip() and not v.startswith("("))
        out[r["invariant_id"]] = Invariant(r["invariant_id"], r["phase_tag"], r["severity"], tv,
                                           r["title"], r["runbook"])
    return out


def project_vars(root: Path) -> dict:
    return yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]


def catalog_markdown(catalog: dict[str, Invariant], root: Path) -> str:
    """The thresholds table of docs/contracts.md, generated so it cannot drift from the project."""
    defaults = project_vars(root)
    lines = [
        "| ID | Invariant | Severity | Threshold var = default | When it fails |",
        "|---|---|---|---|---|",
    ]
    for inv in catalog.values():
        thresholds = ", ".join(f"`{v}` = {defaults[v]}" for v in inv.threshold_vars) or "model contract"
        lines.append(f"| {inv.invariant_id} | {inv.title} | {inv.severity} | {thresholds} | {inv.runbook} |")
    return "\n".join(lines)
