"""dbt's run_results.json of one direct dbt call, as typed contract results.

Only for callers that invoked dbt themselves and read the artifacts that very
call wrote (the generic-test cases). Commands read completed runs from the
warehouse (records.py), never artifacts left by an earlier call.
"""

from __future__ import annotations

import json
from pathlib import Path

from props_contracts.errors import DbtInvocationError
from props_contracts.records import UNKNOWN, ContractResult

STATUS = {"pass": "pass", "warn": "warn", "fail": "fail"}


def load_results(target_path: Path) -> list[ContractResult]:
    """Every data test of the last dbt call in target_path, joined with its manifest node."""
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
        status = STATUS.get(str(r["status"]).lower(), UNKNOWN)
        out.append(ContractResult(
            unique_id=r["unique_id"], name=node["name"], invariant_id=meta.get("invariant_id"),
            phase=next((t for t in node.get("tags", []) if t.startswith("phase_")), None),
            severity=str(config.get("severity", "error")).lower(), status=status,
            failures=int(r.get("failures") or 0),
            description=(node.get("description") or "").strip(), relation=node.get("relation_name") if config.get("store_failures") else None,
            failing_sql=r.get("compiled_code") or None,
            reason="" if status != UNKNOWN else f"dbt {r['status']}: {r.get('message') or ''}".strip(),
        ))
    return out
