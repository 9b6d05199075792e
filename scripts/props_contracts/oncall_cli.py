"""On-call commands: ack, unack, silence, acks (docs/on-call.md).

Registered on the `props-contracts` group by cli.py. Every option is checked in
alerts/acks.py before the warehouse is opened for writing; what is stored goes
in as bind parameters. Exit 0 done, 2 bad input or the warehouse failed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click

from props_contracts.textsafe import strip_control


def _options(fn):
    from props_contracts.cli import _db_option, _target_option
    return _db_option(_target_option(fn))


def _warehouse(database, target):
    from props_contracts.runner import make_settings, warehouse_for
    return warehouse_for(make_settings(database, target, None, None, quiet=True))


def _names():
    from props_contracts import project_root
    from props_contracts.catalog import load_catalog
    from props_contracts.records import SELF_ID
    return set(load_catalog(project_root())) | {SELF_ID}


def _now() -> datetime:
    """Now, naive UTC, to the microsecond (an ack and its unack in one second keep their order)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _left(until: datetime, now: datetime) -> str:
    minutes = max(0, int((until - now).total_seconds() // 60))
    return f"{minutes // 1440}d{minutes % 1440 // 60}h{minutes % 60:02d}m" if minutes >= 1440 else \
        f"{minutes // 60}h{minutes % 60:02d}m"


def _covered_now(wh, ack, now) -> list[str]:
    from props_contracts.alerts.state import open_alerts
    return [f"{i}|{p}" for (i, p) in sorted(open_alerts(wh)) if ack.covers(i, p)]


def _say_recorded(wh, row: dict, now: datetime) -> None:
    from props_contracts.alerts.acks import Ack
    ack = Ack(row["ack_id"], row["action"], row["invariant_id"], row["partition_key"], row["match_glob"], row["author"],
              row["reason"], row["created_at"], row["expires_at"])
    click.echo(strip_control(f"{'acknowledged' if ack.action == 'ack' else 'silenced'}: {ack.describe()}"))
    covered = _covered_now(wh, ack, now)
    if covered:
        click.echo(strip_control(f"  holds the reminders of {len(covered)} open incident(s): {', '.join(covered)}; "
                                 "`alert` sends each one 'acknowledged' notice (PagerDuty: acknowledge)"))
    else:
        click.echo("  no open incident matches it now; reminders of one that opens before it expires are held "
                   "(its opening is still sent)")


@click.command()
@click.argument("invariant")
@click.option("--date", "day", help="Only this date's incident (YYYY-MM-DD); default: every date of the ID.")
@click.option("--for", "duration", required=True, help="How long: 30m, 12h, 3d (at most 14d).")
@click.option("--reason", required=True, help="Why (one line of plain text, shown wherever the alert goes).")
@_options
def ack(invariant, day, duration, reason, database, target):
    """Acknowledge an invariant (or one incident, ID|DATE): its reminders are held
    until the ack expires; a resolution is still sent. Author: PROPS_ALERT_AUTHOR
    or the OS user."""
    def body() -> int:
        from props_contracts.alerts import acks
        span = acks.parse_duration(duration)
        why = acks.check_reason(reason)
        author = acks.author_from(os.environ)
        part = acks.parse_day(day)
        wh = _warehouse(database, target)
        inv, part = acks.resolve_target(invariant, part, _names(), acks.known_keys(wh))
        now = _now()
        row = acks.record(wh, acks.ACK, now, author, why, invariant_id=inv, partition=part, duration=span)
        _say_recorded(wh, row, now)
        return 0
    _run(body)


@click.command()
@click.option("--match", "match", required=True,
              help="Glob over invariant IDs or incident keys: 'PRD-*', 'ING-0?', 'PRD-06|2026-01-1*'.")
@click.option("--for", "duration", required=True, help="How long: 30m, 12h, 3d (at most 14d).")
@click.option("--reason", required=True, help="Why (one line of plain text).")
@_options
def silence(match, duration, reason, database, target):
    """Silence every incident whose invariant ID (or ID|DATE key) matches a glob:
    reminders held until it expires. A new failure is still announced once,
    and a resolution is still sent."""
    def body() -> int:
        from props_contracts.alerts import acks
        span = acks.parse_duration(duration)
        why = acks.check_reason(reason)
        author = acks.author_from(os.environ)
        wh = _warehouse(database, target)
        glob = acks.check_glob(match, _names(), acks.known_keys(wh))
        now = _now()
        row = acks.record(wh, acks.SILENCE, now, author, why, match=glob, duration=span)
        _say_recorded(wh, row, now)
        return 0
    _run(body)


@click.command()
@click.argument("invariant", required=False)
@click.option("--date", "day", help="Only the ack of this date (YYYY-MM-DD).")
@click.option("--match", "match", help="End the silence with exactly this glob instead.")
@click.option("--reason", default="ended by unack", show_default=True, help="Why it ends (plain text).")
@_options
def unack(invariant, day, match, reason, database, target):
    """End acks of an invariant (ID, ID|DATE, or ID --date D) or a silence (--match GLOB)
    before they expire: its reminders resume at the next `alert`."""
    def body() -> int:
        from props_contracts.alerts import acks
        from props_contracts.errors import UsageError
        if (invariant is None) == (match is None):
            raise UsageError("unack takes an ID (an ack) or --match GLOB (a silence), one of them")
        if match is not None and day is not None:
            raise UsageError("--date goes with an ID, not with --match")
        why = acks.check_reason(reason)
        author = acks.author_from(os.environ)
        part = acks.parse_day(day)
        wh = _warehouse(database, target)
        now = _now()
        active = acks.active_acks(wh, now)
        if match is not None:
            glob = acks.check_glob(match, _names(), acks.known_keys(wh))
            ending = [a for a in active if a.action == acks.SILENCE and a.match == glob]
            inv = None
        else:
            inv, part = acks.resolve_target(invariant, part, _names(), acks.known_keys(wh))
            glob = None
            ending = [a for a in active if a.action == acks.ACK and a.invariant_id == inv
                      and (part is None or a.partition == part)]
        if not ending:
            raise UsageError(strip_control(f"no active {'silence --match ' + glob if glob else 'ack of ' + str(inv)}"
                                           f"{'|' + part if part else ''} to end; see `props-contracts acks`"))
        acks.record(wh, acks.UNACK, now, author, why, invariant_id=inv, partition=part, match=glob)
        for a in ending:
            click.echo(strip_control(f"ended: {a.describe()}"))
        return 0
    _run(body)


@click.command("acks")
@click.option("--all", "show_all", is_flag=True, help="Also the expired and ended ones.")
@_options
def list_acks(show_all, database, target):
    """List acknowledgements and silences in force: who, why, until when, and the
    open incidents whose reminders each holds."""
    def body() -> int:
        from props_contracts.alerts import acks
        from props_contracts.alerts.state import open_alerts
        wh = _warehouse(database, target)
        now = _now()
        rows = acks.load_acks(wh)
        shown = rows if show_all else [a for a in rows if a.active(now)]
        if not shown:
            click.echo("no acknowledgement or silence in force" + ("" if show_all else " (--all: past ones)"))
            return 0
        keys = sorted(open_alerts(wh))
        for a in shown:
            state = (f"in force, {_left(a.expires_at, now)} left" if a.active(now) else
                     f"ended {a.ended_at:%Y-%m-%d %H:%M} UTC" if a.ended_at and a.ended_at <= now else "expired")
            click.echo(strip_control(f"{a.describe()} [{state}]"))
            held = [f"{i}|{p}" for i, p in keys if a.active(now) and a.covers(i, p)]
            if held:
                click.echo(strip_control(f"  holds: {', '.join(held)}"))
        return 0
    _run(body)


def _run(body) -> None:
    from props_contracts.cli import _exit
    _exit(body)


COMMANDS = (ack, unack, silence, list_acks)
