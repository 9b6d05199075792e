"""The run summary a person reads: each invariant, its status, and what broke it."""

from __future__ import annotations

from collections import defaultdict

from props_contracts.catalog import Invariant
from props_contracts.dbt import DbtSettings
from props_contracts.failures import sample_failures
from props_contracts.results import ContractResult

ORDER = {"fail": 0, "error": 0, "warn": 1, "pass": 2, "skipped": 3}
LABEL = {"fail": "FAIL", "error": "ERROR", "warn": "WARN", "pass": "pass", "skipped": "skip"}


def invariant_status(results: list[ContractResult]) -> str:
    """Worst status over one invariant's contracts."""
    return min((r.status for r in results), key=lambda s: ORDER.get(s, 9))


def render_summary(results: list[ContractResult], catalog: dict[str, Invariant],
                   settings: DbtSettings, sample_rows: int = 3) -> str:
    by_id: dict[str, list[ContractResult]] = defaultdict(list)
    other = []
    for r in results:
        (by_id[r.invariant_id] if r.invariant_id else other).append(r)
    samples = sample_failures([r for r in results if r.status in ("fail", "warn", "error")],
                              settings, sample_rows)
    lines = ["", "=" * 100, "props-contracts: invariants", "=" * 100]
    counts: dict[str, int] = defaultdict(int)
    phase = None
    for inv in sorted(catalog.values(), key=lambda i: (i.phase_tag, i.invariant_id)):
        if inv.phase_tag != phase:
            phase = inv.phase_tag
            lines.append(f"\n[{phase}]")
        rs = by_id.get(inv.invariant_id, [])
        if not rs:
            lines.append(f"  {'----':<5} {inv.invariant_id:<7} no contract ran  {inv.title}")
            counts["not run"] += 1
            continue
        status = invariant_status(rs)
        counts[status] += 1
        lines.append(f"  {LABEL.get(status, status):<5} {inv.invariant_id:<7} {inv.title}")
        broken = [r for r in rs if r.status in ("fail", "warn", "error")]
        for r in sorted(broken, key=lambda r: ORDER.get(r.status, 9)):
            lines.append(f"        {LABEL[r.status]} {r.name}: {r.failures} failing row(s)")
            for row in samples.get(r.unique_id, []):
                lines.append(f"          - {row}")
        if broken:
            lines.append(f"        runbook: {inv.runbook}")
    bad_other = [r for r in other if r.status in ("fail", "error", "warn")]
    lines.append(f"\n[model keys and reference data] {len(other) - len(bad_other)} of {len(other)} pass")
    for r in bad_other:
        lines.append(f"  {LABEL[r.status]:<5} {r.name}: {r.failures} failing row(s)")
        for row in samples.get(r.unique_id, []):
            lines.append(f"          - {row}")
    total = ", ".join(f"{n} {LABEL.get(s, s).lower()}" for s, n in sorted(counts.items(), key=lambda x: ORDER.get(x[0], 9)))
    lines.append(f"\n{len(catalog)} invariants: {total}; {len(results)} data tests ran.")
    return "\n".join(lines)
