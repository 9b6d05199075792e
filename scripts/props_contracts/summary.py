"""The run summary a person reads: each invariant, its status, and what broke it,
rendered from the run record as the warehouse holds it."""

from __future__ import annotations

from collections import defaultdict

from props_contracts.catalog import Invariant
from props_contracts.failures import format_row
from props_contracts.records import (
    BROKEN,
    FAIL,
    PASS,
    UNKNOWN,
    WARN,
    ContractResult,
    RunRecord,
    invariant_status,
)
from props_contracts.textsafe import strip_control

ORDER = {FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3}
LABEL = {FAIL: "FAIL", UNKNOWN: "UNKNOWN", WARN: "WARN", PASS: "pass", "not selected": "----"}


def _samples(rec: RunRecord, r: ContractResult, n: int) -> list[str]:
    return [format_row(fr.row) for fr in rec.rows_of(r.unique_id)[:n]]


def _short(reason: str, rec: RunRecord) -> str:
    """A reason, without repeating the run's own failure under every invariant."""
    if rec.message and rec.message.split(";")[0] in reason:
        return "not evaluated: the run failed (see 'run problems' below)"
    return strip_control(reason)


def render_summary(rec: RunRecord, catalog: dict[str, Invariant], sample_rows: int = 3) -> str:
    by_id: dict[str, list[ContractResult]] = defaultdict(list)
    other = []
    for r in rec.results:
        (by_id[r.invariant_id] if r.invariant_id else other).append(r)
    lines = ["", "=" * 100, "props-contracts: invariants", "=" * 100]
    counts: dict[str, int] = defaultdict(int)
    phase = None
    for inv in sorted(catalog.values(), key=lambda i: (i.phase_tag, i.invariant_id)):
        if inv.phase_tag != phase:
            phase = inv.phase_tag
            lines.append(f"\n[{phase}]")
        if inv.invariant_id not in rec.invariants:
            counts["not selected"] += 1
            lines.append(f"  {'----':<7} {inv.invariant_id:<7} not selected in this run  {inv.title}")
            continue
        status, _, reason = rec.invariants[inv.invariant_id]
        counts[status] += 1
        lines.append(f"  {LABEL.get(status, status):<7} {inv.invariant_id:<7} {inv.title}")
        rs = by_id.get(inv.invariant_id, [])
        if not rs and reason:
            lines.append(f"          {_short(reason, rec)}")
        broken = sorted((r for r in rs if r.status in BROKEN), key=lambda r: ORDER.get(r.status, 9))
        for r in broken:
            if r.status == UNKNOWN:
                lines.append(f"        UNKNOWN {r.name}: {_short(r.reason, rec)}")
                continue
            lines.append(f"        {LABEL[r.status]} {r.name}: {r.failures} failing row(s)")
            if r.reason:  # e.g. its failing rows were not available
                lines.append(f"          ({strip_control(r.reason)})")
            lines += [f"          - {row}" for row in _samples(rec, r, sample_rows)]
        if any(r.status in (FAIL, WARN) for r in broken):
            lines.append(f"        runbook: {inv.runbook}")
    # Defence in depth: an ID outside the catalog (the parse refuses such tests, but a
    # record may come from elsewhere) is shown and counted, never dropped.
    strays = sorted((set(rec.invariants) | set(by_id)) - set(catalog))
    if strays:
        lines.append("\n[not in the invariant catalog]")
    for iid in strays:
        rs = by_id.get(iid, [])
        status = rec.invariants[iid][0] if iid in rec.invariants else invariant_status(rs)
        counts[status] += 1
        lines.append(f"  {LABEL.get(status, status):<7} {strip_control(iid):<7} not in seeds/invariants.csv")
        for r in sorted((r for r in rs if r.status in BROKEN), key=lambda r: ORDER.get(r.status, 9)):
            detail = strip_control(r.reason) if r.status == UNKNOWN else f"{r.failures} failing row(s)"
            lines.append(f"        {LABEL[r.status]} {strip_control(r.name)}: {detail}")
            lines += [f"          - {row}" for row in _samples(rec, r, sample_rows)]
    contracts = [r for r in other if r.kind == "test"]
    bad_other = [r for r in contracts if r.status in BROKEN]
    lines.append(f"\n[model keys and reference data] {len(contracts) - len(bad_other)} of {len(contracts)} pass")
    for r in bad_other:
        detail = strip_control(r.reason) if r.status == UNKNOWN else f"{r.failures} failing row(s)" + (
            f" ({strip_control(r.reason)})" if r.reason else "")
        lines.append(f"  {LABEL.get(r.status, r.status):<7} {strip_control(r.name)}: {detail}")
        lines += [f"          - {row}" for row in _samples(rec, r, sample_rows)]
    fresh = [r for r in rec.results if r.kind == "freshness"]
    if fresh:
        stale = [r for r in fresh if r.status != PASS]
        lines.append(f"\nsource freshness: {len(fresh) - len(stale)} of {len(fresh)} sources fresh")
        lines += [f"  {LABEL.get(r.status, r.status):<7} {r.name}: {strip_control(r.description or r.reason)}"
                  for r in stale]
    total = ", ".join(f"{n} {LABEL.get(s, s).lower() if s != 'not selected' else s}"
                      for s, n in sorted(counts.items(), key=lambda x: ORDER.get(x[0], 9)))
    tests = sum(1 for r in rec.results if r.kind == "test")
    keys = ""
    if bad_other:
        keys = "; " + ", ".join(f"{n} {LABEL.get(st, st).lower()}" for st, n in sorted(
            {st: sum(r.status == st for r in bad_other) for st in {r.status for r in bad_other}}.items(),
            key=lambda x: ORDER.get(x[0], 9))) + " without an invariant ID"
    outside = f" (+{len(strays)} outside the catalog)" if strays else ""
    lines.append(f"\n{len(catalog)} invariants{outside}: {total}; {tests} data tests{keys}.")
    if rec.unknown:
        lines.append(f"NOT EVALUATED ({len(rec.unknown)}): " + ", ".join(sorted(rec.unknown))
                     + ". Their status is unknown, not pass: see the reasons above.")
    if rec.message:
        lines.append(f"run problems: {strip_control(rec.message)}")
    return "\n".join(lines)
