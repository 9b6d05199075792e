"""props-contracts command line: simulate, run, demo, gate, alert, report, check-pruning, bench, invariants.

Exit codes, for every command: 0 all error-severity contracts passed (or the
command did what was asked); 1 a contract failed; 2 dbt, the warehouse or the
input failed (the message says which).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from props_contracts import project_root
from props_contracts.catalog import load_catalog
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.errors import PropsContractsError, UsageError
from props_contracts.summary import render_summary

DEFAULT_DB = ".warehouse/props_contracts.duckdb"


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} must be a date like 2026-01-15, got {value!r}") from exc


def _parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--as-of must be a UTC timestamp like '2026-01-16 17:00:00', got {value!r}") from exc
    if parsed.tzinfo is not None:  # an explicit offset: convert, then store naive UTC
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def resolve_window(start: date | None, end: date | None, days: int | None,
                   as_of: datetime | None) -> tuple[date, date, datetime]:
    """Validate and complete --start/--end/--days/--as-of into (start, end, as_of)."""
    from props_contracts.simulator.world import latest_complete_date, lifecycle_end

    if days is not None and days <= 0:
        raise UsageError(f"--days must be a positive number of days, got {days}")
    if days is not None and start is not None and end is not None:
        raise UsageError("give --days with at most one of --start / --end, not both")
    if as_of is None:
        if end is not None:
            as_of = lifecycle_end(end) + timedelta(hours=4)
        else:
            as_of = datetime.utcnow().replace(second=0, microsecond=0)
    if end is None:
        if start is not None and days is not None:
            end = start + timedelta(days=days - 1)
        else:
            end = latest_complete_date(as_of)
    if start is None:
        start = end - timedelta(days=(days or 7) - 1)
    if end < start:
        raise UsageError(f"--end ({end}) is before --start ({start})")
    if lifecycle_end(end) > as_of:
        raise UsageError(
            f"--as-of {as_of:%Y-%m-%d %H:%M} UTC is before game date {end} finished "
            f"(grading completes by {lifecycle_end(end):%Y-%m-%d %H:%M} UTC); use a later --as-of or an earlier --end"
        )
    return start, end, as_of


@click.group()
@click.version_option(package_name="props-contracts")
def main() -> None:
    """Data-quality contracts for the NBA player-props pipeline."""


def _db_option(fn):
    return click.option(
        "--database", "database", envvar="PROPS_DUCKDB_PATH", default=DEFAULT_DB, show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="DuckDB file of the embedded warehouse (env PROPS_DUCKDB_PATH).",
    )(fn)


@main.command()
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed; same seed, same data.")
@click.option("--start", help="First game date (YYYY-MM-DD).")
@click.option("--end", help="Last game date (YYYY-MM-DD). Default: the newest fully finished night.")
@click.option("--days", type=int, help="Number of game dates (default 7).")
@click.option("--as-of", "as_of", help="UTC instant the pipeline is observed at. Default: now (or end + 1 day, 12:00 ET).")
@click.option("--inject", default="", help="Comma-separated invariant IDs whose fault to inject, e.g. PRD-07,ORC-01.")
@_db_option
@click.option("--quiet", is_flag=True, help="No progress output.")
def simulate(seed, start, end, days, as_of, inject, database, quiet):
    """Generate the pipeline's source tables into the DuckDB warehouse."""
    _exit(lambda: _simulate(seed, start, end, days, as_of, inject, database, quiet))


def _simulate(seed, start, end, days, as_of, inject, database, quiet) -> int:
    from props_contracts.schema import load_source_tables
    from props_contracts.simulator.faults import apply_faults
    from props_contracts.simulator.world import build_world
    from props_contracts.simulator.writer import write_duckdb

    start_d, end_d, as_of_ts = resolve_window(
        _parse_date(start, "--start"), _parse_date(end, "--end"), days, _parse_as_of(as_of))
    ids = [i.strip().upper() for i in inject.split(",") if i.strip()]
    tables = load_source_tables(project_root() / "models")
    say = (lambda *a, **k: None) if quiet else click.echo
    t0 = time.monotonic()
    say(f"simulating {start_d} .. {end_d} (seed {seed}, as of {as_of_ts:%Y-%m-%d %H:%M} UTC)")

    def progress(i: int, n: int, day: date) -> None:
        if not quiet:
            click.echo(f"  [{i:>3}/{n}] {day}", err=True)

    world = build_world(seed, start_d, end_d, as_of_ts, progress=progress)
    apply_faults(world, ids)
    counts = write_duckdb(world, tables, Path(database))
    say(f"wrote {sum(counts.values()):,} rows in {len(counts)} tables to {database} "
        f"in {time.monotonic() - t0:.1f}s" + (f"; injected {', '.join(ids)}" if ids else ""))
    if not quiet:
        for fqn, n in sorted(counts.items()):
            say(f"  {fqn:<50} {n:>8,}")
    return 0


@main.command()
@_db_option
@click.option("--target", default="duckdb", show_default=True, help="dbt target (duckdb or bigquery).")
@click.option("--as-of", "as_of", help="UTC instant contracts judge at (default: now).")
@click.option("--lookback-days", type=int, help="Override the lookback_days var.")
@click.option("--select", "select", default=None, help="dbt selection (default: everything).")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models.")
@click.option("--quiet", is_flag=True, help="Only the summary, not dbt's progress.")
def run(database, target, as_of, lookback_days, select, full_refresh, quiet):
    """Build the models, run every contract, print the summary."""
    _exit(lambda: _run(database, target, as_of, lookback_days, select, full_refresh, quiet))


def check_freshness(settings: DbtSettings) -> list:
    """`dbt source freshness` against now. Stale sources are results, not exceptions;
    a source that cannot be queried is a dbt failure (exit 2)."""
    from props_contracts.results import load_freshness

    Dbt(settings).invoke(["source", "freshness"], allow_node_failures=True,
                         node_error_statuses=frozenset({"runtime error"}))
    return load_freshness(settings.target_path)


def run_contracts(settings: DbtSettings, select: str | None = None, full_refresh: bool = False):
    """Build models (and unit tests), then run every data test. Returns the results.

    Two dbt calls rather than one `dbt build`: in a build, a failing contract
    skips everything downstream of it, hiding the other failures of the night.
    The models are safe to build on bad input (they deduplicate, never fail a
    MERGE), so all contracts always run and report.
    """
    from props_contracts.results import load_results

    dbt = Dbt(settings)
    sel = ["--select", select] if select else []
    build = ["build", "--exclude-resource-type", "test", *sel]  # seeds, models, unit tests
    if full_refresh:
        build.append("--full-refresh")
    dbt.invoke(build)
    # unit tests already ran in the build
    dbt.invoke(["test", "--exclude-resource-type", "unit_test", *sel], allow_node_failures=True)
    return load_results(settings.target_path)


def _settings(database: Path, target: str, as_of: str | None, lookback_days: int | None,
              quiet: bool) -> DbtSettings:
    vars_: dict = {}
    parsed = _parse_as_of(as_of)
    if parsed is not None:
        vars_["as_of"] = f"{parsed:%Y-%m-%d %H:%M:%S}"
    if lookback_days is not None:
        if lookback_days <= 0:
            raise UsageError(f"--lookback-days must be positive, got {lookback_days}")
        vars_["lookback_days"] = lookback_days
    if target == "duckdb" and not Path(database).exists():
        raise UsageError(f"no warehouse at {database}; run `props-contracts simulate` first "
                         "(or pass --database / set PROPS_DUCKDB_PATH)")
    if target == "bq_emulator":
        require_emulator()
    return DbtSettings(project_dir=project_root(), target=target,
                       duckdb_path=Path(database).resolve(), vars=vars_, quiet=quiet)


def _run(database, target, as_of, lookback_days, select, full_refresh, quiet) -> int:
    settings = _settings(database, target, as_of, lookback_days, quiet)
    freshness = check_freshness(settings) if as_of is None else []
    results = run_contracts(settings, select, full_refresh)
    catalog = load_catalog(project_root())
    click.echo(render_summary(results, catalog, settings))
    if as_of is None:
        stale = [f for f in freshness if f.status != "pass"]
        click.echo(f"source freshness: {len(freshness) - len(stale)} of {len(freshness)} sources fresh"
                   + "".join(f"\n  {f.status.upper():<5} {f.name}: {f.description}" for f in stale))
    else:
        click.echo("source freshness: not checked (it compares with now; --as-of pins another instant)")
    failed = any(r.failed and r.severity == "error" for r in [*results, *freshness])
    return 1 if failed else 0


@main.command()
@click.option("--phase", type=int, required=True, help="Pipeline phase about to run (2-6).")
@click.option("--date", "day", required=True, help="Game date the phase would process (YYYY-MM-DD).")
@_db_option
@click.option("--target", default="duckdb", show_default=True, help="dbt target.")
@click.option("--as-of", "as_of", help="UTC instant to judge at (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON (for orchestrators).")
def gate(phase, day, database, target, as_of, as_json):
    """May phase N run for date D? Exit 0 ready, 1 not ready, 2 could not tell."""
    def body() -> int:
        import json

        from props_contracts.gate import decide
        game_date = _parse_date(day, "--date")
        settings = _settings(database, target, as_of, None, quiet=True)
        decision = decide(settings, phase, game_date)
        if as_json:
            click.echo(json.dumps(decision.as_dict(), indent=2))
        else:
            verdict = "READY" if decision.ready else "NOT READY"
            click.echo(f"phase {phase} for {game_date}: {verdict} "
                       f"(gate: {', '.join(decision.gate_invariants)})")
            for b in decision.blocking:
                click.echo(f"  blocked by {b.invariant_id} {b.test}: {b.rows_for_date} row(s) for this date")
                for row in b.sample:
                    click.echo(f"    - {row}")
        return 0 if decision.ready else 1
    _exit(body)


@main.command()
@_db_option
@click.option("--target", default="duckdb", show_default=True, help="dbt target of the last run.")
@click.option("--dry-run", is_flag=True, help="Print the alerts instead of sending them; state unchanged.")
def alert(database, target, dry_run):
    """Send alerts for the last `run`: new failures, reminders, resolutions.

    Channels and state come from the environment (README, "Alerts"). Exit 0
    when every event was delivered (or there was nothing to send), 2 when a
    channel still failed after retries; the state then keeps those events for
    the next run.
    """
    _exit(lambda: _alert(database, target, dry_run))


def _alert(database, target, dry_run, state_path: Path | None = None) -> int:
    import dataclasses
    import os

    from props_contracts.alerts import format as fmt
    from props_contracts.alerts.config import from_env
    from props_contracts.alerts.engine import alert_cycle
    from props_contracts.results import load_results

    config = from_env(os.environ)
    if state_path is not None:
        config = dataclasses.replace(config, state_path=state_path)
    if not dry_run and not config.channels:
        raise UsageError("no alert channel configured: set PROPS_ALERT_SLACK_WEBHOOK_URL, "
                         "PROPS_ALERT_WEBHOOK_URL or PROPS_ALERT_SMTP_HOST (or use --dry-run)")
    settings = _settings(database, target, None, None, quiet=True)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    events, sent = alert_cycle(load_results(settings.target_path), settings, config,
                               load_catalog(project_root()), now, dry_run=dry_run)
    if not events:
        click.echo("alerts: nothing new to send")
    elif dry_run:
        click.echo(f"alerts that would be sent ({len(events)}; "
                   f"channels: {', '.join(config.channels) or 'none configured'}):")
        for e in events:
            click.echo(f"  {fmt.headline(e)}")
    else:
        click.echo(f"alerts: {len(events)} event(s) delivered to {', '.join(sent)}")
    return 0


@main.command()
@_db_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("target/props_contracts_report.html"), show_default=True)
@click.option("--runs", type=int, default=20, show_default=True, help="Contract runs of history to show.")
def report(database, output, runs):
    """Write the self-contained HTML report of the last run (DuckDB target)."""
    _exit(lambda: _report(database, output, runs))


def _report(database, output, runs) -> int:
    from props_contracts.catalog import project_vars
    from props_contracts.report import render, write_report
    from props_contracts.results import load_results

    if runs <= 0:
        raise UsageError(f"--runs must be positive, got {runs}")
    settings = _settings(database, "duckdb", None, None, quiet=True)
    html_text = render(load_results(settings.target_path), load_catalog(project_root()), settings,
                       project_vars(project_root()), runs)
    click.echo(f"report written to {write_report(Path(output), html_text)}")
    return 0


DEMO_FAULTS = ("PRD-07", "ORC-01", "PRD-06", "ING-01", "PRC-05", "EXP-03")


@main.command()
@_db_option
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--days", type=int, default=7, show_default=True)
@click.option("--quiet", is_flag=True, help="Only the summary, not dbt's progress.")
def demo(database, seed, days, quiet):
    """Simulate a week with seed incidents injected, run the contracts, show what they caught.

    Exits 0 when exactly the injected invariants failed (the demo ran as
    designed), non-zero when something else broke or an injected fault went
    unnoticed.
    """
    _exit(lambda: _demo(database, seed, days, quiet))


def _demo(database, seed, days, quiet) -> int:
    from props_contracts.simulator.faults import FAULTS

    start, end, as_of = resolve_window(None, None, days, None)
    click.echo("props-contracts demo: one simulated week of the pipeline with these incidents injected:")
    for fid in DEMO_FAULTS:
        f = FAULTS[fid]
        click.echo(f"  {fid} ({f.severity}): {f.summary}")
    _simulate(seed, str(start), str(end), None, f"{as_of:%Y-%m-%d %H:%M:%S}", ",".join(DEMO_FAULTS),
              database, quiet)
    settings = _settings(database, "duckdb", f"{as_of:%Y-%m-%d %H:%M:%S}", None, quiet)
    results = run_contracts(settings, full_refresh=True)
    catalog = load_catalog(project_root())
    click.echo(render_summary(results, catalog, settings))
    caught = {r.invariant_id for r in results if r.invariant_id and r.status in ("fail", "warn", "error")}
    missed = sorted(set(DEMO_FAULTS) - caught)
    unexpected = sorted(
        {r.invariant_id or r.name for r in results if r.failed and r.severity == "error"} - set(DEMO_FAULTS))
    if missed or unexpected:
        click.echo(f"DEMO DID NOT RUN AS DESIGNED: injected but not caught {missed or 'none'}; "
                   f"failed without injection {unexpected or 'none'}", err=True)
        return 1
    click.echo("")
    # A fresh state file: every failure of the demo is new.
    _alert(database, "duckdb", dry_run=True, state_path=Path(database).parent / "demo_alert_state.json")
    _report(database, project_root() / "target" / "props_contracts_report.html", 20)
    click.echo(f"\ndemo ran as designed: all {len(DEMO_FAULTS)} injected incidents were caught, "
               "and nothing else failed.")
    return 0


@main.command()
@click.option("--days", "days", default="7,28,56", show_default=True,
              help="History lengths to simulate, comma-separated game days.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--lookback-days", type=int, default=7, show_default=True, help="The contracts' window.")
def bench(days, seed, lookback_days):
    """Time the nightly job (first run and daily incremental run) and its peak
    memory on simulated warehouses of growing history; prints a table."""
    def body() -> int:
        from props_contracts.bench import render, run_bench
        try:
            day_counts = [int(d) for d in days.split(",") if d.strip()]
        except ValueError as exc:
            raise UsageError(f"--days must be comma-separated whole numbers, got {days!r}") from exc
        as_of, rows = run_bench(day_counts, seed, lookback_days, lambda m: click.echo(m, err=True))
        click.echo(render(as_of, rows, lookback_days))
        return 0
    _exit(body)


@main.command("check-pruning")
@click.option("--target", default="bigquery", show_default=True,
              help="BigQuery dbt target to compile for (bigquery or bq_emulator).")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="Judge this BigQuery-compiled manifest.json instead of compiling.")
@click.option("--as-of", "as_of", help="UTC instant to compile at (default: now).")
def check_pruning(target, manifest, as_of):
    """Does every contract and incremental query on BigQuery filter the partition
    column of each partitioned table it reads? Exit 0 yes, 1 no (each unfiltered
    scan named), 2 it could not tell (no manifest, unparsable SQL, dbt failed)."""
    _exit(lambda: _check_pruning(target, manifest, as_of))


def _check_pruning(target: str, manifest: Path | None, as_of: str | None) -> int:
    from props_contracts.pruning import check_manifest

    if manifest is None:
        manifest = compile_for_bigquery(target, as_of)
    report = check_manifest(manifest)
    kinds: dict[str, int] = {}
    for q in report.checked:
        kinds[q.kind] = kinds.get(q.kind, 0) + 1
    click.echo(f"partition pruning: {len(report.checked)} queries checked "
               f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}) "
               f"against {len(report.partitioned)} partitioned relations")
    if not report.findings:
        click.echo("every scan of a partitioned relation filters its partition column")
        return 0
    click.echo(f"{len(report.findings)} scan(s) read a partitioned relation without a partition filter:")
    for f in report.findings:
        click.echo(f"  - {f.describe()}")
    incremental = {q.name for q in report.checked if q.kind == "incremental model"}
    if any(f.query in incremental for f in report.findings):
        click.echo("  (an incremental model compiles its full-refresh branch, which reads all history, until "
                   "its table exists: judge it after the first `run --full-refresh`)")
    return 1


def require_emulator() -> None:
    """The bq_emulator target's endpoint must answer: with it down, dbt-bigquery
    retries for about ten minutes before it fails (platform notes)."""
    import os
    import urllib.request

    endpoint = os.environ.get("PROPS_BQ_EMULATOR_ENDPOINT", "http://127.0.0.1:9050")
    try:
        with urllib.request.urlopen(f"{endpoint}/healthz", timeout=3):
            return
    except OSError as exc:
        raise UsageError(
            f"no BigQuery emulator answers at {endpoint} (PROPS_BQ_EMULATOR_ENDPOINT): {exc}. Start one "
            "with `.venv-bqemu/bin/python scripts/bq_emulator/launch.py start --project props-local` "
            "(after `make bq-emulator`; it listens on 127.0.0.1:9050)") from exc


def compile_for_bigquery(target: str, as_of: str | None) -> Path:
    """`dbt compile` for a BigQuery target (it needs the warehouse: is_incremental()
    and the incremental window look at the existing table). Returns the manifest."""
    if target not in ("bigquery", "bq_emulator"):
        raise UsageError(f"--target {target}: partition pruning is a BigQuery question; "
                         "use --target bigquery or --target bq_emulator")
    if target == "bq_emulator":
        require_emulator()
    parsed = _parse_as_of(as_of)
    artifacts = project_root() / "target" / "pruning"
    settings = DbtSettings(project_dir=project_root(), target=target, artifacts_dir=artifacts,
                           vars={"as_of": f"{parsed:%Y-%m-%d %H:%M:%S}"} if parsed else {})
    Dbt(settings).invoke(["compile"])
    return artifacts / "manifest.json"


@main.command()
@click.option("--markdown", is_flag=True, help="As the README's Markdown table.")
def invariants(markdown):
    """List the invariant catalog: ID, severity, thresholds, runbook hint."""
    def body() -> int:
        from props_contracts.catalog import catalog_markdown
        catalog = load_catalog(project_root())
        if markdown:
            click.echo(catalog_markdown(catalog, project_root()))
        else:
            for inv in catalog.values():
                click.echo(f"{inv.invariant_id:<7} {inv.severity:<5} {inv.phase_tag:<20} {inv.title}")
        return 0
    _exit(body)


def _exit(body) -> None:
    try:
        code = body()
    except PropsContractsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code)
