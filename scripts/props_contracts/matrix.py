"""The fault-injection detection matrix: each injected fault x the invariants that fail.

Every scenario is a fresh simulated week in its own DuckDB file, built and
tested by real dbt. Scenarios run in worker processes (one dbt per process).
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from props_contracts import project_root

END = date(2026, 1, 15)
START = date(2026, 1, 9)
AS_OF = datetime(2026, 1, 16, 17, 0)


@dataclass
class Scenario:
    name: str
    seed: int
    inject: tuple[str, ...]
    failed_error: list[str] = field(default_factory=list)  # invariant IDs (or test names) failing at error
    warned: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # contracts that could not be evaluated
    seconds: float = 0.0
    # shapes.py: (shape key, above) and benign operations, applied after `inject`
    shapes: tuple[tuple[str, bool], ...] = ()
    benign: tuple[str, ...] = ()


def run_scenario(args: tuple) -> Scenario:
    """(name, seed, inject, workdir[, shapes, benign, recipe_seed[, runbooks]]): a fresh
    simulated week with the canonical faults `inject`, then the runbook replays of
    `runbooks` (shapes.RUNBOOK), then shapes and benign operations."""
    import time

    from props_contracts.dbt import DbtSettings
    from props_contracts.runner import run_contracts
    from props_contracts.schema import load_source_tables
    from props_contracts.simulator.faults import apply_faults
    from props_contracts.simulator.shapes import Recipe, apply_recipe, apply_runbooks
    from props_contracts.simulator.world import build_world
    from props_contracts.simulator.writer import write_duckdb

    name, seed, inject, workdir, *rest = args
    shapes, benign_ops, recipe_seed = (tuple(rest[0]), tuple(rest[1]), rest[2]) if rest else ((), (), seed)
    runbooks = tuple(rest[3]) if len(rest) > 3 else ()
    t0 = time.monotonic()
    work = Path(workdir) / name
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    world = build_world(seed, START, END, AS_OF)
    apply_faults(world, list(inject))
    if runbooks:
        apply_runbooks(world, build_world(seed, START, END, AS_OF), list(runbooks))
    apply_recipe(world, Recipe(shapes=list(shapes), benign=list(benign_ops), seed=recipe_seed))
    write_duckdb(world, load_source_tables(project_root() / "models"), db)
    # its own log directory too: dbt rotates dbt.log, and two processes rotating
    # one file lose each other's rotated copies (FileNotFoundError: dbt.log.5)
    settings = DbtSettings(project_dir=project_root(), duckdb_path=db, artifacts_dir=work / "target",
                           log_path=work / "logs",
                           quiet=True, vars={"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}"})
    results = run_contracts(settings).results
    sc = Scenario(name, seed, inject, shapes=shapes, benign=benign_ops)
    sc.failed_error = sorted({r.invariant_id or r.name for r in results
                              if r.failed and r.severity == "error"})
    sc.warned = sorted({r.invariant_id or r.name for r in results if r.status == "warn"})
    sc.unknown = sorted({r.name for r in results if r.status == "unknown"})
    sc.seconds = round(time.monotonic() - t0, 1)
    return sc


def run_matrix(workdir: Path, fault_groups: list[tuple[str, ...]], clean_seeds: list[int],
               workers: int = 2) -> list[Scenario]:
    """A clean week per seed, and a week (seed 7) per group of faults injected together."""
    jobs = [(f"clean_seed_{s}", s, (), str(workdir)) for s in clean_seeds]
    jobs += [(f"inject_{'+'.join(g)}", 7, tuple(g), str(workdir)) for g in fault_groups]
    return run_jobs(jobs, workers)


def run_jobs(jobs: list[tuple], workers: int = 2) -> list[Scenario]:
    """Scenarios in worker processes, one dbt per process (spawned: dbt is not fork-safe)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(run_scenario, jobs))


def write_matrix(scenarios: list[Scenario], out_dir: Path) -> tuple[Path, Path]:
    """target/fault_matrix.md and .json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / "fault_matrix.json"
    js.write_text(json.dumps([asdict(s) for s in scenarios], indent=2))
    lines = ["| Scenario | Injected | Failing at error | Warning | Seconds |", "|---|---|---|---|---|"]
    for s in scenarios:
        lines.append(f"| {s.name} | {', '.join(s.inject) or '-'} | {', '.join(s.failed_error) or '-'} "
                     f"| {', '.join(s.warned) or '-'} | {s.seconds} |")
    md = out_dir / "fault_matrix.md"
    md.write_text("\n".join(lines) + "\n")
    return md, js


def write_shape_matrix(results: list[dict], out_dir: Path) -> tuple[Path, Path]:
    """target/shape_matrix.md and .json: per invariant, the weeks that judged its
    shapes above and below threshold, its runbook replay, and what failed."""
    from props_contracts.simulator.shapes import SHAPES

    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / "shape_matrix.json"
    js.write_text(json.dumps(results, indent=2, default=str))
    rows: dict[str, dict] = {}
    for r in results:
        for key, above in r["shapes"]:
            s = SHAPES[key]
            row = rows.setdefault(s.invariant_id, {"shapes": set(), "caught": 0, "above": 0, "below_ok": 0, "below": 0,
                                                   "replay": "-"})
            row["shapes"].add(s.name)
            if above:
                row["above"] += 1
                seen = r["failed_error"] if s.severity == "error" else r["failed_error"] + r["warned"]
                row["caught"] += s.invariant_id in seen
            else:
                row["below"] += 1
                row["below_ok"] += not r["failed_error"]
        for i in r.get("replayed", []):
            row = rows.setdefault(i, {"shapes": set(), "caught": 0, "above": 0, "below_ok": 0, "below": 0, "replay": "-"})
            row["replay"] = "green" if not r["failed_error"] and i not in r["warned"] else "NOT green"
    lines = ["| ID | Second shape(s) | Caught above threshold (draws) | Below threshold, no error (draws) | Runbook replay |",
             "|---|---|---|---|---|"]
    for inv in sorted(rows):
        row = rows[inv]
        lines.append(f"| {inv} | {', '.join(sorted(row['shapes'])) or '-'} | {row['caught']}/{row['above']} "
                     f"| {row['below_ok']}/{row['below']} | {row['replay']} |")
    benign = [r for r in results if r["benign"]]
    lines.append("")
    lines.append(f"Benign weeks with no error-severity failure: {sum(not r['failed_error'] for r in benign)}/{len(benign)} "
                 f"({', '.join(sorted({b for r in benign for b in r['benign']}))}).")
    md = out_dir / "shape_matrix.md"
    md.write_text("\n".join(lines) + "\n")
    return md, js
