"""Owners and routes: which channels hear about which invariant.

The route table is the seed `seeds/alert_routes.csv` (or the file named by
PROPS_ALERT_ROUTES_FILE): one row per route, read top-down, the first row
whose `owner` and `invariant_glob` both match an alert takes it (as
Alertmanager's routes); the last row must match everything (`*`, `*`), the
default route.

    owner,invariant_glob,channels,description
    predictions,*,predictions_slack pager,Phase 5 failures to the predictions team
    *,ING-*,raw_slack,Ingestion failures to the raw-processor team
    *,*,default,Everything else

`owner` is an invariant's owner in the catalog (seeds/invariants.csv, default:
its phase's owner in seeds/pipeline_phases.csv) or `*`. `channels` names one or
more channels, separated by spaces: `default` is the channels of the plain
PROPS_ALERT_* variables (docs/alerts.md); any other name NAME is defined by
the environment, with at least one of

    PROPS_ALERT_ROUTE_<NAME>_SLACK_URL
    PROPS_ALERT_ROUTE_<NAME>_WEBHOOK_URL
    PROPS_ALERT_ROUTE_<NAME>_PAGERDUTY_ROUTING_KEY
    PROPS_ALERT_ROUTE_<NAME>_EMAIL_TO   (the SMTP server of PROPS_ALERT_SMTP_HOST)

A route naming an undefined channel, a channel with a bad URL, an owner the
catalog does not know or a glob that matches no invariant is a UsageError
(exit 2) before anything is sent.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from props_contracts.alerts.config import AlertConfig, _address, _url, routing_key
from props_contracts.alerts.deliver import DeliveryError
from props_contracts.alerts.state import AlertEvent
from props_contracts.catalog import Invariant
from props_contracts.errors import UsageError

DEFAULT = "default"
COLUMNS = ("owner", "invariant_glob", "channels")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_OWNER = re.compile(r"\*|[a-z][a-z0-9-]{0,63}")
_GLOB = re.compile(r"[A-Za-z0-9_.:*?-]{1,64}")
KINDS = ("SLACK_URL", "WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY", "EMAIL_TO")


@dataclass(frozen=True)
class Route:
    line: int
    owner: str
    invariant_glob: str
    channels: tuple[str, ...]

    def matches(self, invariant_id: str, owner: str) -> bool:
        return (self.owner == "*" or self.owner == owner) and fnmatchcase(invariant_id, self.invariant_glob)


@dataclass(frozen=True)
class Routes:
    routes: tuple[Route, ...]
    channels: dict[str, AlertConfig]  # channel name -> its endpoints
    source: str

    def route_of(self, invariant_id: str, owner: str) -> Route:
        return next(r for r in self.routes if r.matches(invariant_id, owner))  # the last matches all

    def check_deliverable(self) -> None:
        """Every channel a route names has somewhere to send (not checked for --dry-run)."""
        for r in self.routes:
            for name in r.channels:
                if not self.channels[name].channels:
                    raise UsageError(
                        f"{self.source} line {r.line} routes to channel {name!r}, which has no endpoint: "
                        + ("set PROPS_ALERT_SLACK_WEBHOOK_URL, PROPS_ALERT_WEBHOOK_URL, PROPS_ALERT_SMTP_HOST "
                           "or PROPS_ALERT_PAGERDUTY_ROUTING_KEY" if name == DEFAULT else
                           f"set one of {', '.join(env_name(name, k) for k in KINDS)}"))

    @property
    def configured(self) -> bool:
        return any(c.channels for c in self.channels.values())


def env_name(channel: str, kind: str) -> str:
    return f"PROPS_ALERT_ROUTE_{channel.upper()}_{kind}"


def _channel(name: str, env: Mapping[str, str], base: AlertConfig) -> AlertConfig | None:
    """A named channel's endpoints from the environment (None: not defined)."""
    names = {k: env_name(name, k) for k in KINDS}
    if not any(env.get(v) for v in names.values()):
        return None
    to = tuple(_address(names["EMAIL_TO"], a.strip())
               for a in env.get(names["EMAIL_TO"], "").split(",") if a.strip())
    if to and base.smtp is None:
        raise UsageError(f"{names['EMAIL_TO']} is set but PROPS_ALERT_SMTP_HOST is not (the SMTP server every "
                         "channel's e-mail goes through)")
    return replace(base, slack_webhook_url=_url(env, names["SLACK_URL"]), webhook_url=_url(env, names["WEBHOOK_URL"]),
                   smtp=base.smtp if to else None, email_to=to,
                   pagerduty_routing_key=routing_key(env, names["PAGERDUTY_ROUTING_KEY"]))


def load_routes(path: Path, env: Mapping[str, str], base: AlertConfig, catalog: dict[str, Invariant],
                known_owners: set[str] = frozenset()) -> Routes:
    """The route table, every row checked (UsageError naming the file and line). An owner
    is known when an invariant or a phase (known_owners) has it."""
    where = str(path)
    try:
        with path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            header = tuple(reader.fieldnames or ())
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read the route table {where}: {type(exc).__name__}") from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UsageError(f"the route table {where} lacks the column(s) {', '.join(missing)}; "
                         f"its header must name {', '.join(COLUMNS)} (and may add description)")
    owners = {inv.owner for inv in catalog.values()} | set(known_owners)
    channels: dict[str, AlertConfig] = {DEFAULT: base}
    routes = []
    for line, r in enumerate(rows, 2):
        owner = (r.get("owner") or "").strip()
        glob = (r.get("invariant_glob") or "").strip()
        names = tuple((r.get("channels") or "").split())
        at = f"the route table {where} line {line}"
        if not _OWNER.fullmatch(owner) or (owner != "*" and owner not in owners):
            raise UsageError(f"{at}: owner {owner[:40]!r} is not an owner of the catalog; known: "
                             f"{', '.join(sorted(owners))} or *")
        if not _GLOB.fullmatch(glob) or not any(fnmatchcase(i, glob) for i in catalog):
            raise UsageError(f"{at}: invariant_glob {glob[:40]!r} matches no invariant of the catalog "
                             "(letters, digits, _ . : - and the wildcards * ?)")
        if not names:
            raise UsageError(f"{at}: names no channel")
        for name in names:
            if not _NAME.fullmatch(name):
                raise UsageError(f"{at}: channel {name[:40]!r} is not a channel name (lowercase letters, digits "
                                 "and _, starting with a letter)")
            if name not in channels:
                defined = _channel(name, env, base)
                if defined is None:
                    raise UsageError(f"{at}: channel {name!r} is not defined: set one of "
                                     f"{', '.join(env_name(name, k) for k in KINDS)}, or route to default")
                channels[name] = defined
        routes.append(Route(line, owner, glob, names))
    if not routes or (routes[-1].owner, routes[-1].invariant_glob) != ("*", "*"):
        raise UsageError(f"the route table {where} must end with the default route, a row with owner * and "
                         "invariant_glob * (so that no alert goes nowhere)")
    return Routes(tuple(routes), channels, where)


def default_routes(config: AlertConfig) -> Routes:
    """Every alert to the plain PROPS_ALERT_* channels (no route table)."""
    return Routes((Route(0, "*", "*", (DEFAULT,)),), {DEFAULT: config}, "(no route table)")


def split(events: list[AlertEvent], routes: Routes, catalog: dict[str, Invariant]) -> dict[str, list[AlertEvent]]:
    """channel name -> its events, in the events' order. An ID outside the catalog
    (a key test, SELF-01) has no owner: only owner-* routes match it."""
    out: dict[str, list[AlertEvent]] = {}
    for e in events:
        inv = catalog.get(e.invariant_id)
        for name in routes.route_of(e.invariant_id, inv.owner if inv else "").channels:
            out.setdefault(name, []).append(e)
    return out


def deliver_routed(events: list[AlertEvent], routes: Routes, catalog: dict[str, Invariant], context: str,
                   send, per_event: dict[int, list[str]] | None = None) -> list[str]:
    """Send each channel its events with `send(events, config, context)` (engine.deliver);
    every channel is tried, then a DeliveryError names each that failed. per_event
    (filled in): id(event) -> the channels it reached."""
    sent, errors = [], []
    for name, evs in split(events, routes, catalog).items():
        try:
            # the default channels keep their plain names (slack, webhook, ...), as without routes
            got = [c if name == DEFAULT else f"{name}:{c}" for c in send(evs, routes.channels[name], context)]
            sent += got
            if per_event is not None:
                for e in evs:
                    per_event.setdefault(id(e), []).extend(got)
        except DeliveryError as exc:  # collected, raised below: never swallowed
            errors.append(f"channel {name}: {exc}")
    if errors:
        raise DeliveryError("; ".join(errors) + (f" (delivered to: {', '.join(sent)})" if sent else ""))
    return sent


def routes_from_env(env: Mapping[str, str], root: Path, base: AlertConfig, catalog: dict[str, Invariant]) -> Routes:
    raw = env.get("PROPS_ALERT_ROUTES_FILE", "")
    path = Path(raw) if raw else root / "seeds" / "alert_routes.csv"
    if raw and not path.is_file():
        raise UsageError(f"PROPS_ALERT_ROUTES_FILE={raw[:80]!r} is not a file")
    from props_contracts.catalog import phase_owners
    return load_routes(path, env, base, catalog, set(phase_owners(root).values()))


__all__ = ["DEFAULT", "Route", "Routes", "default_routes", "deliver_routed", "load_routes", "routes_from_env",
           "split"]
