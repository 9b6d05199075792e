"""A self-contained HTML report: every invariant now, its recent history, failing
rows, and prediction coverage per date. Inline CSS and SVG only: it opens from a
file or an e-mail attachment with no network at view time.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from props_contracts.catalog import Invariant
from props_contracts.dbt import DbtSettings
from props_contracts.errors import PropsContractsError
from props_contracts.failures import duckdb_query, failing_rows, format_row
from props_contracts.results import ContractResult
from props_contracts.summary import invariant_status

HISTORY_TABLE = "props_contracts_audit.contract_results_history"
COVERAGE_TABLE = "props_contracts_marts.fct_prediction_coverage_by_date"
WORST = {"fail": 0, "error": 0, "warn": 1, "pass": 2, "success": 2, "skipped": 3}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f5f6f8}
header{background:#1d2433;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c5cbd6}header code{background:#33405a;color:#fff}main{padding:20px 28px;max-width:1200px}
.cards{display:flex;gap:12px;margin-bottom:18px}.card{background:#fff;border-radius:8px;padding:12px 18px;
box-shadow:0 1px 2px #0002;min-width:110px}.card b{display:block;font-size:26px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 2px #0002;padding:16px 20px;margin-bottom:18px}
h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
td:first-child{white-space:nowrap}
th{font-size:12px;text-transform:uppercase;color:#6b7385}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600}
.fail,.error{background:#fde2e1;color:#b42318}.warn{background:#fef0c7;color:#93370d}
.pass,.success{background:#dcfae6;color:#067647}.none{background:#eceef2;color:#6b7385}
.strip span{display:inline-block;width:10px;height:16px;margin-right:2px;border-radius:2px}
.strip .fail,.strip .error{background:#f04438}.strip .warn{background:#fdb022}.strip .pass{background:#32d583}
.strip .none{background:#d0d5dd}a{color:#1d4ed8}code{font-size:12px;background:#f2f4f7;padding:1px 4px;border-radius:3px}
.rows{margin:4px 0 0 0;padding-left:18px;color:#475467}.muted{color:#6b7385}
"""


class ReportError(PropsContractsError):
    """The report's inputs cannot be read."""


@dataclass(frozen=True)
class CoveragePoint:
    game_date: str
    coverage: float
    expected: int
    predicted: int


def _query(settings: DbtSettings, sql: str) -> list[tuple]:
    if settings.target != "duckdb" or settings.duckdb_path is None:
        raise ReportError("the HTML report reads the DuckDB warehouse; on BigQuery, query "
                          "<dataset>_audit.contract_results_history instead (report support: next)")
    import duckdb

    try:
        return duckdb_query(settings, sql)[1]
    except duckdb.CatalogException as exc:
        raise ReportError(f"report input missing ({exc}); run `props-contracts run` first") from exc


def history(settings: DbtSettings, runs: int) -> tuple[list[str], dict[str, list[str]]]:
    """The last `runs` test invocations, and each invariant's worst status in each."""
    rows = _query(settings, f"""
        with invocations as (
            select invocation_id, min(run_started_at) as started
            from {HISTORY_TABLE} where resource_type = 'test' group by 1
            order by started desc limit {int(runs)}
        )
        select i.invocation_id, i.started, h.invariant_id, h.status
        from {HISTORY_TABLE} h join invocations i using (invocation_id)
        where h.invariant_id is not null order by i.started""")
    order: list[str] = []
    worst: dict[str, dict[str, str]] = defaultdict(dict)
    for inv_id, started, invariant, status in rows:
        label = f"{started:%m-%d %H:%M}"
        if inv_id not in order:
            order.append(inv_id)
        cur = worst[invariant].get(inv_id)
        if cur is None or WORST.get(status, 9) < WORST.get(cur, 9):
            worst[invariant][inv_id] = status
        worst["__label__"][inv_id] = label
    labels = [worst["__label__"][i] for i in order]
    return labels, {k: [v.get(i, "none") for i in order] for k, v in worst.items() if k != "__label__"}


def coverage(settings: DbtSettings) -> list[CoveragePoint]:
    return [CoveragePoint(str(d), float(c or 0), int(e), int(p)) for d, c, e, p in _query(
        settings, f"select game_date, coverage, expected_players, predicted_players "
                  f"from {COVERAGE_TABLE} order by game_date")]


def coverage_svg(points: list[CoveragePoint], warn: float, error: float) -> str:
    if not points:
        return '<p class="muted">No prediction coverage in the window.</p>'
    w, h, pad = 760, 220, 36
    bw = (w - 2 * pad) / len(points)
    # Zoom the axis to the data: 94 % vs 100 % must be visible, not a 6-pixel step.
    lo = max(0.0, min(error - 0.1, min(p.coverage for p in points) - 0.05))
    y = lambda v: h - pad - (h - 2 * pad) * (max(v, lo) - lo) / (1 - lo)  # noqa: E731
    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="Prediction coverage per date">']
    for v, cls, dy in ((warn, "#fdb022", -3), (error, "#f04438", 11)):
        parts.append(f'<line x1="{pad}" x2="{w - pad}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{cls}" '
                     f'stroke-dasharray="4 3"/><text x="{w - pad + 2}" y="{y(v) + dy:.1f}" font-size="10" '
                     f'fill="{cls}">{v:.0%}</text>')
    parts.append(f'<text x="{pad - 4}" y="{y(1.0) + 4:.1f}" font-size="10" text-anchor="end">100%</text>'
                 f'<text x="{pad - 4}" y="{h - pad:.1f}" font-size="10" text-anchor="end">{lo:.0%}</text>')
    for i, p in enumerate(points):
        color = "#32d583" if p.coverage >= warn else "#fdb022" if p.coverage >= error else "#f04438"
        x = pad + i * bw + bw * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{y(p.coverage):.1f}" width="{bw * 0.7:.1f}" '
                     f'height="{h - pad - y(p.coverage):.1f}" fill="{color}">'
                     f'<title>{p.game_date}: {p.predicted}/{p.expected} players ({p.coverage:.1%})</title></rect>')
        parts.append(f'<text x="{x + bw * 0.35:.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">'
                     f'{p.game_date[5:]}</text>')
    parts.append(f'<line x1="{pad}" x2="{w - pad}" y1="{h - pad}" y2="{h - pad}" stroke="#98a2b3"/></svg>')
    return "".join(parts)


def render(results: list[ContractResult], catalog: dict[str, Invariant], settings: DbtSettings,
           thresholds: dict, runs: int = 20, now: datetime | None = None) -> str:
    e = html.escape
    labels, strips = history(settings, runs)
    by_id: dict[str, list[ContractResult]] = defaultdict(list)
    for r in results:
        if r.invariant_id:
            by_id[r.invariant_id].append(r)
    counts: dict[str, int] = defaultdict(int)
    status_rows, detail_rows = [], []
    for inv in sorted(catalog.values(), key=lambda i: (i.phase_tag, i.invariant_id)):
        rs = by_id.get(inv.invariant_id, [])
        status = invariant_status(rs) if rs else "none"
        counts[status] += 1
        strip = "".join(f'<span class="{s}" title="{e(lbl)}: {s}"></span>'
                        for lbl, s in zip(labels, strips.get(inv.invariant_id, []), strict=False))
        status_rows.append(
            f'<tr><td><a href="#{inv.invariant_id}">{inv.invariant_id}</a></td>'
            f'<td><span class="badge {status}">{status.upper()}</span></td><td>{e(inv.phase_tag)}</td>'
            f'<td>{e(inv.title)}</td><td class="strip">{strip or "<span class=none></span>"}</td></tr>')
        bad = [r for r in rs if r.status in ("fail", "warn", "error")]
        samples = []
        for r in bad:
            rows = failing_rows(settings, r.relation) or []
            samples.append(f'<li><code>{e(r.name)}</code>: {r.failures} failing row(s)<ul class="rows">'
                           + "".join(f"<li>{e(format_row(row))}</li>" for row in rows[:5]) + "</ul></li>")
        tv = ", ".join(f"<code>{e(v)}</code> = {e(str(thresholds.get(v)))}" for v in inv.threshold_vars)
        detail_rows.append(
            f'<tr id="{inv.invariant_id}"><td><b>{inv.invariant_id}</b><br>'
            f'<span class="badge {status}">{status.upper()}</span></td><td>{e(inv.title)}'
            f'<div class="muted">severity {e(inv.severity)}; {tv or "model contract"}</div>'
            f'<div><b>Runbook:</b> {e(inv.runbook)}</div>'
            + (f'<ul>{"".join(samples)}</ul>' if samples else "") + "</td></tr>")
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    cards = "".join(f'<div class="card"><b>{counts.get(k, 0)}</b><span class="badge {k}">{k.upper()}</span></div>'
                    for k in ("fail", "warn", "pass"))
    svg = coverage_svg(coverage(settings), float(thresholds["prd05_warn_min_coverage"]),
                       float(thresholds["prd05_error_min_coverage"]))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>props-contracts report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>props-contracts: pipeline invariants</h1>
<p>Generated {stamp} from target <code>{e(settings.target)}</code>; history of the last {len(labels)} contract run(s).</p></header>
<main><div class="cards">{cards}</div>
<section><h2>Invariants now</h2><table><thead><tr><th>ID</th><th>Status</th><th>Phase</th><th>Invariant</th>
<th>History (oldest to newest)</th></tr></thead><tbody>{"".join(status_rows)}</tbody></table></section>
<section><h2>Prediction coverage per game date (PRD-05)</h2>{svg}</section>
<section><h2>Details, failing rows and runbooks</h2><table><tbody>{"".join(detail_rows)}</tbody></table></section>
</main></body></html>
"""


def write_report(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path
