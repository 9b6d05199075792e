"""Typed contract results, parsed once from dbt's manifest and run_results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from props_contracts.errors import DbtInvocationError


@dataclass(frozen=True)
class ContractResult:
    unique_id: str
    name: str
    invariant_id: str | None
    phase: str | None
    severity: str  # configured severity: error or warn
    status: str  # pass, fail, warn, error, skipped
    failures: int
    description: str
    relation: str | None  # stored failures, when store_failures is on

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")


def _phase(tags: list[str]) -> str | None:
    for t in tags:
        if t.startswith("phase_"):
            return t
    return None


def load_results(target_path: Path) -> list[ContractResult]:
    """Every data test of the last `dbt test` / `dbt build`, joined with its manifest node."""
    try:
        manifest = json.loads((target_path / "manifest.json").read_text())
        run = json.loads((target_path / "run_results.json").read_text())
    except FileNotFoundError as exc:
        raise DbtInvocationError(f"dbt artifacts missing ({exc.filename}); did dbt run?") from exc
    nodes = manifest["nodes"]
    out = []
    for r in run["results"]:
        node = nodes.get(r["unique_id"])
        if node is None or node["resource_type"] != "test":
            continue
        config = node.get("config", {})
        meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
        out.append(ContractResult(
            unique_id=r["unique_id"],
            name=node["name"],
            invariant_id=meta.get("invariant_id"),
            phase=_phase(node.get("tags", [])),
            severity=str(config.get("severity", "error")).lower(),
            status=str(r["status"]).lower(),
            failures=int(r.get("failures") or 0),
            description=(node.get("description") or meta.get("description") or "").strip(),
            relation=node.get("relation_name"),
        ))
    return out


def load_freshness(target_path: Path) -> list[ContractResult]:
    """Source freshness results (target/sources.json) in the same shape as contracts."""
    try:
        doc = json.loads((target_path / "sources.json").read_text())
    except FileNotFoundError as exc:
        raise DbtInvocationError("dbt source freshness wrote no sources.json") from exc
    out = []
    for r in doc.get("results", []):
        uid = r["unique_id"]  # source.props_contracts.<source>.<table>
        name = "freshness " + ".".join(uid.split(".")[-2:])
        age_h = (r.get("max_loaded_at_time_ago_in_s") or 0) / 3600
        status = {"pass": "pass", "warn": "warn", "error": "fail"}.get(r["status"], "error")
        if str(r.get("max_loaded_at", "")).startswith("0001-01-01"):
            # dbt's stand-in for max() of no rows: the freshness filter's partitions are empty
            description = ("no rows at all in the partitions it reads "
                           "(the last freshness_partition_days game dates)")
        else:
            description = f"newest row {age_h:.1f} h old"
        out.append(ContractResult(uid, name, None, "freshness", "error", status,
                                  0 if status == "pass" else 1, description, None))
    return out
