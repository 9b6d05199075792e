"""Phase gate: may phase N run for game date D?

Builds the models the phase's gate contracts read, runs those contracts, and
looks at their stored failing rows: a failing error-severity contract blocks
date D when one of its rows is about D, or when its rows carry no date at all
(a global problem such as an orchestration outage).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from datetime import date

from props_contracts import project_root
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.errors import UsageError
from props_contracts.failures import failing_rows
from props_contracts.results import load_results

DATE_COLUMNS = ("game_date", "data_date", "run_date", "analysis_date")


@dataclass
class Blocker:
    invariant_id: str
    test: str
    rows_for_date: int
    sample: list[dict] = field(default_factory=list)


@dataclass
class GateDecision:
    phase: int
    date: str
    ready: bool
    gate_invariants: list[str]
    blocking: list[Blocker]

    def as_dict(self) -> dict:
        return asdict(self)


def gate_invariants(phase: int) -> list[str]:
    with (project_root() / "seeds" / "pipeline_phases.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["phase_number"]) == phase]
    if not rows:
        with (project_root() / "seeds" / "pipeline_phases.csv").open(newline="") as fh:
            valid = sorted({int(r["phase_number"]) for r in csv.DictReader(fh)} - {0})
        raise UsageError(f"no gate for phase {phase}; phases with gates: {valid}")
    return rows[0]["gate_invariants"].split()


def _rows_about(rows: list[dict], day: date) -> list[dict]:
    dated = [c for c in DATE_COLUMNS if rows and c in rows[0]]
    if not dated:
        return rows  # no date: the failure is global, so it blocks every date
    return [r for r in rows if any(str(r.get(c))[:10] == day.isoformat() for c in dated)]


def decide(settings: DbtSettings, phase: int, day: date) -> GateDecision:
    ids = gate_invariants(phase)
    selector = " ".join(f"config.meta.invariant_id:{i}" for i in ids)
    dbt = Dbt(settings)
    dbt.invoke(["build", "--select", " ".join(f"+{s}" for s in selector.split()),
                "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"])
    dbt.invoke(["test", "--select", selector, "--exclude-resource-type", "unit_test"],
               allow_node_failures=True)
    blocking = []
    for r in load_results(settings.target_path):
        if not (r.failed and r.severity == "error"):
            continue
        rows = failing_rows(settings, r.relation)
        about = _rows_about(rows, day) if rows is not None else None
        if about is None or about:
            blocking.append(Blocker(r.invariant_id or r.name, r.name,
                                    len(about) if about is not None else r.failures,
                                    [{k: str(v) for k, v in row.items()} for row in (about or [])[:3]]))
    return GateDecision(phase, day.isoformat(), not blocking, ids, blocking)
