"""Phase gate: may phase N run for game date D?

Builds the models the phase's gate contracts read, runs those contracts (a
recorded run, command 'gate'), and reads their failing rows back from the
warehouse: a failing error-severity contract blocks date D when one of its rows
is about D, or when a row carries no date at all (a global problem such as an
orchestration outage), unless the row names the phases it gates (`gate_phases`: a
stale feed blocks only the phases that read it). A gate contract that could not be evaluated makes the
answer "could not tell" (exit 2), never "ready".

A date before the contracts' window (a backfill) widens the window to reach it,
so the gate judges that date instead of answering READY without looking.

The gate passes its date as the gate_date var: the phase's input for D must be
present now (fct_phase_inputs, PRC-02), and PRD-05 / PRD-06 judge D before its
export deadline too. Before the deadline a night without predictions is "not
ready", never "not due" (docs/inputs-and-gates.md).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from props_contracts import project_root
from props_contracts.catalog import project_vars
from props_contracts.dbt import DbtSettings
from props_contracts.errors import UsageError
from props_contracts.records import FAIL, LATEST_RUN_MAX_AGE, UNKNOWN, load_run
from props_contracts.runner import run_contracts, utcnow, warehouse_for

READY, NOT_READY, CANNOT_TELL = "ready", "not ready", "could not tell"


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
    decision: str
    gate_invariants: list[str]
    blocking: list[Blocker]
    unknown: dict[str, str] = field(default_factory=dict)  # invariant -> why it was not evaluated
    run_id: str = ""

    @property
    def ready(self) -> bool:
        return self.decision == READY

    @property
    def exit_code(self) -> int:
        return {READY: 0, NOT_READY: 1}.get(self.decision, 2)

    def as_dict(self) -> dict:
        return {**asdict(self), "ready": self.ready}


def _phases() -> list[dict]:
    with (project_root() / "seeds" / "pipeline_phases.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def gate_invariants(phase: int) -> list[str]:
    rows = [r for r in _phases() if int(r["phase_number"]) == phase]
    if not rows or not rows[0]["gate_invariants"].split():
        valid = sorted({int(r["phase_number"]) for r in _phases() if r["gate_invariants"].split()})
        raise UsageError(f"no gate for phase {phase}; phases with gates: {valid}")
    return rows[0]["gate_invariants"].split()


def _window_days(settings: DbtSettings, day: date) -> None:
    """Widen lookback_days so the window reaches `day` (a backfill date)."""
    as_of = datetime.fromisoformat(settings.vars["as_of"]) if settings.vars.get("as_of") else utcnow()
    if day > as_of.date():
        raise UsageError(f"--date {day} is after the instant judged ({as_of:%Y-%m-%d %H:%M} UTC): "
                         "its input cannot have arrived yet; pass a later --as-of")
    lookback = int(settings.vars.get("lookback_days", project_vars(project_root())["lookback_days"]))
    needed = (as_of.date() - day).days
    if needed > lookback:
        settings.vars["lookback_days"] = needed


def _rows_for_phase(rows: list, about: list) -> int:
    """Failing rows about D that block this phase: a partition's full count when every
    stored row of it blocks, else the stored rows that do (rows of other phases left out)."""
    count = 0
    for partition in {fr.partition for fr in about}:
        stored = [fr for fr in rows if fr.partition == partition]
        kept = [fr for fr in about if fr.partition == partition]
        count += kept[0].partition_rows if len(kept) == len(stored) else len(kept)
    return count


def decide(settings: DbtSettings, phase: int, day: date) -> GateDecision:
    ids = gate_invariants(phase)
    _window_days(settings, day)
    # the contracts judge D now, whatever the time of day: its input must be present
    # (fct_phase_inputs), and PRD-05 / PRD-06 hold before D's export deadline too
    settings.vars["gate_date"] = day.isoformat()
    selector = " ".join(f"config.meta.invariant_id:{i}" for i in ids)
    outcome = run_contracts(settings, selector, command="gate",
                            build_select=" ".join(f"+{s}" for s in selector.split()))
    # judged from the record as the warehouse holds it, verified like every reader's
    # (records.RecordError: exit 2, never READY)
    rec = load_run(warehouse_for(settings), outcome.record.run_id, utcnow() - LATEST_RUN_MAX_AGE)
    unknown = {i: reason for i, reason in rec.unknown.items() if i in ids}
    missing = [i for i in ids if i not in rec.invariants]
    # a run that stopped before its contracts (a parse refused) says why, not just "none ran"
    unknown.update({i: f"not evaluated: {rec.message}" if rec.message else "no contract with this ID ran"
                    for i in missing})
    blocking = []
    for r in rec.results:
        if r.status != FAIL or r.severity != "error":
            continue
        rows = rec.rows_of(r.unique_id)
        # a row naming the phases it gates (a stale feed: gate_phases) blocks only those
        about = [fr for fr in rows if fr.partition in (day.isoformat(), "all")
                 and ("gate_phases" not in fr.row or str(phase) in str(fr.row["gate_phases"] or "").split())]
        if about or not rows:  # no stored row to place it: it may be about D, so it blocks
            count = _rows_for_phase(rows, about) if about else r.failures
            blocking.append(Blocker(r.invariant_id or r.name, r.name, count,
                                    [{k: str(v) for k, v in fr.row.items()} for fr in about[:3]]))
    if unknown or any(r.status == UNKNOWN for r in rec.results):
        decision = CANNOT_TELL
    else:
        decision = NOT_READY if blocking else READY
    return GateDecision(phase, day.isoformat(), decision, ids, blocking, unknown, rec.run_id)
