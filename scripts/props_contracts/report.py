"""A self-contained HTML report: every invariant now, its recent history, failing
rows, and prediction coverage per date. Inline CSS and SVG only: it opens from a
file or an e-mail attachment with no network at view time.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from props_contracts import project_root
from props_contracts.alerts.grouping import Lineage, groups_of, load_lineage
from props_contracts.catalog import Invariant
from props_contracts.errors import PropsContractsError
from props_contracts.failures import format_row
from props_contracts.records import (
    FAIL,
    PASS,
    UNKNOWN,
    WARN,
    ContractResult,
    RunRecord,
    invariant_history,
    invariant_status,
    latest_record,
    no_record_message,
    recent_records,
    stale_reasons,
)
from props_contracts.warehouse import Warehouse

COVERAGE_MODEL = "fct_prediction_coverage_by_date"
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
.fail,.error{background:#fde2e1;color:#b42318}.unknown{background:#e9d7fe;color:#53389e}
.warnline{background:#fde2e1;color:#b42318;padding:8px 12px;border-radius:6px;font-weight:600}.warn{background:#fef0c7;color:#93370d}
.pass,.success{background:#dcfae6;color:#067647}.none{background:#eceef2;color:#6b7385}
.strip span{display:inline-block;width:10px;height:16px;margin-right:2px;border-radius:2px}
.strip .fail,.strip .error{background:#f04438}.strip .unknown{background:#9e77ed}.strip .warn{background:#fdb022}.strip .pass{background:#32d583}
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


@dataclass
class ReportData:
    """Everything the page shows, read from the warehouse (any target)."""

    record: RunRecord
    labels: list[str] = field(default_factory=list)  # one per run in the history strip
    strips: dict[str, list[str]] = field(default_factory=dict)  # invariant -> status per run
    coverage: list[CoveragePoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read, shown on the page
    acks: list = field(default_factory=list)  # acks and silences in force (alerts/acks.py)
    open_keys: list[tuple[str, str]] = field(default_factory=list)  # this run's incidents (ID, date)


def read_report_data(wh: Warehouse, runs: int, now: datetime) -> ReportData:
    rec = latest_record(wh, now)
    if rec is None:
        raise ReportError(no_record_message(wh, now, "nothing to report"))
    recent = recent_records(wh, runs, now)
    history = invariant_history(wh, recent)
    data = ReportData(rec, [f"{started:%m-%d %H:%M}" for _, started in recent],
                      {inv: [by_run.get(rid, "none") for rid, _ in recent] for inv, by_run in history.items()})
    # a newer dbt invocation with no record: this record is not the newest word
    data.problems += [f"this record is stale: {reason}" for reason in stale_reasons(wh, rec, now)]
    try:  # who acknowledged what, why, until when (docs/on-call.md)
        from props_contracts.alerts.acks import active_acks
        from props_contracts.alerts.engine import failures_of
        data.acks = active_acks(wh, now)
        # the incidents of this run (invariant, date), as `alert` keys them
        data.open_keys = sorted({(f.invariant_id, f.partition) for f in failures_of(rec, "warn")[0]})
    except PropsContractsError as exc:
        data.problems.append(f"acknowledgements could not be read: {exc}")
    start = rec.window_start or (rec.as_of.date() - timedelta(days=30))
    try:
        data.coverage = [CoveragePoint(str(r["game_date"]), float(r["coverage"] or 0), int(r["expected_players"]),
                                       int(r["predicted_players"])) for r in wh.query(
            f"select game_date, coverage, expected_players, predicted_players "
            f"from {wh.relation('marts', COVERAGE_MODEL)} "
            "where game_date >= @start and game_date <= @end order by game_date",
            {"start": start, "end": rec.window_end})]
    except PropsContractsError as exc:
        data.problems.append(f"prediction coverage could not be read: {exc}")
    return data


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


def root_causes_html(rec: RunRecord, catalog: dict[str, Invariant], lineage: Lineage) -> str:
    """The run's failures grouped by root cause (alerts/grouping.py), as alert sends them."""
    from props_contracts.alerts.engine import failures_of

    e = html.escape
    failures, _ = failures_of(rec, "warn")
    groups = groups_of(rec, failures, lineage)
    if not groups:
        return ""
    items = []
    for cause, keys, notes in groups:
        if cause.kind == "invariant":
            inv = catalog.get(cause.root[0]) if cause.root else None
            name = f"{cause.name}: {inv.title}" if inv else cause.name
        else:
            name = cause.name
        members = "".join(
            f'<li><a href="#{e(iid)}">{e(iid)}</a> {e("" if part in ("all", "not evaluated") else part)}'
            f'{" <b>not evaluated</b>" if part == "not evaluated" else ""}'
            + (f' <span class="muted">({e(notes[(iid, part)])})</span>' if notes.get((iid, part)) else "")
            + "</li>" for iid, part in keys)
        items.append(f'<li class="incident" data-key="{e(cause.key)}"><code>{e(cause.key)}</code> {e(name)}'
                     f'<ul class="rows">{members}</ul></li>')
    return (f'<section id="root-causes"><h2>Root causes ({len(groups)}): one incident each, as alerts send '
            f'them</h2><ul>{"".join(items)}</ul></section>')


def render(data: ReportData, catalog: dict[str, Invariant], thresholds: dict,
           now: datetime | None = None, lineage: Lineage | None = None) -> str:
    e = html.escape
    rec = data.record
    causes = root_causes_html(rec, catalog, lineage or load_lineage(project_root(), catalog))
    by_id: dict[str, list[ContractResult]] = defaultdict(list)
    for r in rec.results:
        if r.invariant_id:
            by_id[r.invariant_id].append(r)
    counts: dict[str, int] = defaultdict(int)
    status_rows, detail_rows = [], []
    # failures first, then what could not be evaluated, warnings, passes; by phase within each
    rank = {FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 4}
    for inv in sorted(catalog.values(), key=lambda i: (
            rank.get(rec.invariants.get(i.invariant_id, ("none",))[0], 3), i.phase_tag, i.invariant_id)):
        status, _, reason = rec.invariants.get(inv.invariant_id, ("none", "", "not selected in this run"))
        counts[status] += 1
        strip = "".join(f'<span class="{e(s)}" title="{e(lbl)}: {e(s)}"></span>'
                        for lbl, s in zip(data.labels, data.strips.get(inv.invariant_id, []), strict=False))
        acked = [a for a in data.acks if any(a.covers(inv.invariant_id, p) for i, p in data.open_keys
                                             if i == inv.invariant_id)]
        ack_badge = "".join(f' <span class="badge none" title="{e(a.describe())}">{"ACKED" if a.action == "ack" else "SILENCED"}'
                            f' by {e(a.author)}</span>' for a in acked[:1])
        status_rows.append(
            f'<tr><td><a href="#{inv.invariant_id}">{inv.invariant_id}</a></td>'
            f'<td><span class="badge {e(status)}">{e(status.upper())}</span>{ack_badge}</td><td>{e(inv.phase_tag)}</td>'
            f'<td>{e(inv.title)}</td><td class="strip">{strip or "<span class=none></span>"}</td></tr>')
        samples = []
        for r in by_id.get(inv.invariant_id, []):
            if r.status == UNKNOWN:
                samples.append(f'<li><code>{e(r.name)}</code>: <b>not evaluated</b> ({e(r.reason)})</li>')
            elif r.status in (FAIL, WARN):
                rows = rec.rows_of(r.unique_id)
                note = f" ({e(r.reason)})" if r.reason else ""
                samples.append(f'<li><code>{e(r.name)}</code>: {r.failures} failing row(s){note}<ul class="rows">'
                               + "".join(f"<li>{e(format_row(fr.row))}</li>" for fr in rows[:5]) + "</ul></li>")
        if status in (UNKNOWN, "none") and not samples and reason:
            samples.append(f"<li>{e(reason)}</li>")
        tv = ", ".join(f"<code>{e(v)}</code> = {e(str(thresholds.get(v)))}" for v in inv.threshold_vars)
        detail_rows.append(
            f'<tr id="{inv.invariant_id}"><td><b>{inv.invariant_id}</b><br>'
            f'<span class="badge {e(status)}">{e(status.upper())}</span></td><td>{e(inv.title)}'
            f'<div class="muted">severity {e(inv.severity)}; {tv or "model contract"}</div>'
            f'<div><b>Runbook:</b> {e(inv.runbook)}</div>'
            + (f'<ul>{"".join(samples)}</ul>' if samples else "") + "</td></tr>")
    # Defence in depth: every contract that failed or was not evaluated is on the page
    # and in the cards, under its ID when the catalog lacks it, or under its own name
    # when it carries none (a key test); never "0 FAIL" beside a failure.
    extra: dict[str, tuple[str, list[ContractResult]]] = {}
    for iid in sorted((set(rec.invariants) | set(by_id)) - set(catalog)):
        rs = by_id.get(iid, [])
        extra[iid] = (rec.invariants[iid][0] if iid in rec.invariants else invariant_status(rs), rs)
    for r in rec.results:
        if not r.invariant_id and r.status in (FAIL, WARN, UNKNOWN):
            extra[r.name] = (r.status, [r])
    for key, (status, rs) in extra.items():
        counts[status] += 1
        what = "not in the invariant catalog" if any(r.invariant_id for r in rs) or not rs else "no invariant ID"
        status_rows.append(
            f'<tr><td><a href="#{e(key)}">{e(key)}</a></td><td><span class="badge {e(status)}">{e(status.upper())}'
            f'</span></td><td>-</td><td>{e(what)}</td><td class="strip"><span class=none></span></td></tr>')
        items = "".join(
            f'<li><code>{e(r.name)}</code>: '
            + (f"<b>not evaluated</b> ({e(r.reason)})" if r.status == UNKNOWN else
               f'{r.failures} failing row(s)<ul class="rows">'
               + "".join(f"<li>{e(format_row(fr.row))}</li>" for fr in rec.rows_of(r.unique_id)[:5]) + "</ul>")
            + "</li>" for r in rs if r.status in (FAIL, WARN, UNKNOWN))
        detail_rows.append(
            f'<tr id="{e(key)}"><td><b>{e(key)}</b><br><span class="badge {e(status)}">{e(status.upper())}</span>'
            f'</td><td>{e(what)}<div class="muted">{e(rs[0].description if rs else "")}</div>'
            + (f"<ul>{items}</ul>" if items else "") + "</td></tr>")
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    cards = "".join(f'<div class="card"><b>{counts.get(k, 0)}</b><span class="badge {k}">{k.upper()}</span></div>'
                    for k in (FAIL, UNKNOWN, WARN, PASS))
    svg = coverage_svg(data.coverage, float(thresholds["prd05_warn_min_coverage"]),
                       float(thresholds["prd05_error_min_coverage"]))
    notes = "".join(f'<p class="warnline">{e(p)}</p>' for p in data.problems)
    if rec.unknown:
        notes += (f'<p class="warnline">{len(rec.unknown)} invariant(s) could not be evaluated in this run: '
                  f'{e(", ".join(sorted(rec.unknown)))}. Unknown is not pass.</p>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>props-contracts report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>props-contracts: pipeline invariants</h1>
<p>Generated {stamp} from target <code>{e(rec.target_name)}</code>, run <code>{e(rec.run_id[:8])}</code>
(<code>{e(rec.command)}</code>) started {rec.started_at:%Y-%m-%d %H:%M} UTC, judged as of {rec.as_of:%Y-%m-%d %H:%M} UTC;
history of the last {len(data.labels)} run(s).</p></header>
<main>{notes}<div class="cards">{cards}</div>{causes}
<section><h2>Invariants now</h2><table><thead><tr><th>ID</th><th>Status</th><th>Phase</th><th>Invariant</th>
<th>History (oldest to newest)</th></tr></thead><tbody>{"".join(status_rows)}</tbody></table></section>
{acks_section(data)}
<section><h2>Prediction coverage per game date (PRD-05)</h2>{svg}</section>
<section><h2>Details, failing rows and runbooks</h2><table><tbody>{"".join(detail_rows)}</tbody></table></section>
</main></body></html>
"""


def acks_section(data: ReportData) -> str:
    """Acknowledgements and silences in force: who, why, until when, what each holds."""
    e = html.escape
    if not data.acks:
        return ('<section><h2>Acknowledged and silenced</h2><p class="muted">None in force: every open '
                'incident is reminded.</p></section>')
    rows = "".join(
        f"<tr><td><code>{e(a.what)}</code></td><td>{e(a.author)}</td><td>{e(a.reason)}</td>"
        f"<td>{a.expires_at:%Y-%m-%d %H:%M} UTC</td><td>"
        + (e(", ".join(f"{i}|{p}" for i, p in data.open_keys if a.covers(i, p))) or '<span class="muted">nothing '
           "failing in this run</span>") + "</td></tr>" for a in data.acks)
    return ("<section><h2>Acknowledged and silenced</h2><p class=\"muted\">Reminders of these are held until "
            "the time shown; openings and resolutions are still sent.</p><table><thead><tr><th>What</th>"
            "<th>Who</th><th>Why</th><th>Until</th><th>Holds (failing in this run)</th></tr></thead><tbody>"
            f"{rows}</tbody></table></section>")


def render_unreadable(message: str, now: datetime | None = None) -> str:
    """The page written when the run record cannot be trusted: it replaces any older
    report at that path, so no earlier all-clear is left standing as the current one."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>props-contracts report: '
            f'UNKNOWN</title><style>{CSS}</style></head><body><header><h1>props-contracts: pipeline invariants'
            f'</h1><p>Generated {stamp}</p></header><main><p class="warnline">UNKNOWN: the latest run record '
            f'cannot be trusted, so no invariant is shown as passing.</p><section><p>{html.escape(message)}</p>'
            '</section></main></body></html>\n')


def write_report(path: Path, content: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from exc
    return path
