"""`--vars`: the same YAML dbt takes, checked in Python before dbt starts.

The one list of vars with their types and ranges is macros/vars/var_spec.sql
(dbt's validate_vars checks it again at on-run-start). It is rendered here with
plain Jinja, so both sides read the same spec. A bad value is a UsageError
(exit 2) naming the var, the value and what is allowed: never a traceback, and
never a value dbt would ignore (an unknown name) or SQL would misread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path

import yaml

from props_contracts.errors import UsageError

OPTION = "--vars"
ENV = "PROPS_VARS"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,1023}")
_TIMEZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,63}(/[A-Za-z0-9_+-]{1,64}){0,3}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")


class _Returned(Exception):  # noqa: N818 (carries the macro's return value out of Jinja)
    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


def _return(value: object) -> None:
    raise _Returned(value)


@cache
def var_spec(root: Path) -> dict[str, dict]:
    """macros/vars/var_spec.sql's var_spec(), rendered with plain Jinja."""
    import jinja2

    src = (root / "macros" / "vars" / "var_spec.sql").read_text()
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
    try:
        env.from_string(src + "{{ var_spec() }}").render({"return": _return})
    except _Returned as ret:
        if isinstance(ret.value, dict):
            return ret.value
    raise UsageError("macros/vars/var_spec.sql: var_spec() returned no mapping")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def _allowed(spec: dict) -> str:
    kind = spec["kind"]
    if kind in ("integer", "number"):
        low = f"> {spec['above']}" if spec.get("above") is not None else f">= {spec['min']}"
        text = f"{'a whole number' if kind == 'integer' else 'a number'} {low} and <= {spec['max']} ({spec['unit']})"
    else:
        text = {"boolean": "true or false (a YAML boolean, not a string)",
                "identifier": "a name matching ^[A-Za-z_][A-Za-z0-9_-]*$",
                "timestamp": "a UTC timestamp 'YYYY-MM-DD HH:MM:SS'", "date": "a date 'YYYY-MM-DD'",
                "time": "a time of day 'HH:MM:SS' (quoted)",
                "timezone": "an IANA time zone name, e.g. America/New_York"}[kind]
    return text + (", or null" if spec.get("nullable") else "")


def _valid_date(text: str, with_time: bool) -> bool:
    try:
        parsed = datetime.strptime(text, "%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")
    except ValueError:
        return False
    return 1900 <= parsed.year <= 2999 and len(text) == (19 if with_time else 10)


def check_value(name: str, value: object, spec: dict, option: str = OPTION) -> object:
    """The value as dbt should get it (dates and timestamps as text), or a UsageError."""
    kind = spec["kind"]
    ok: object = None
    valid = False
    if value is None:
        valid = bool(spec.get("nullable"))
    elif kind in ("integer", "number"):
        numeric = isinstance(value, int) if kind == "integer" else isinstance(value, int | float)
        if numeric and not isinstance(value, bool) and math.isfinite(value):
            low_ok = value > spec["above"] if spec.get("above") is not None else value >= spec["min"]
            valid = low_ok and value <= spec["max"]
            ok = value
    elif kind == "boolean":
        valid, ok = isinstance(value, bool), value
    elif kind == "identifier":
        valid, ok = isinstance(value, str) and bool(_IDENTIFIER.fullmatch(value)), value
    elif kind in ("timestamp", "date"):
        if isinstance(value, datetime) and kind == "timestamp" and value.tzinfo is None:
            value = f"{value:%Y-%m-%d %H:%M:%S}"
        elif isinstance(value, date) and not isinstance(value, datetime) and kind == "date":
            value = f"{value:%Y-%m-%d}"
        valid, ok = isinstance(value, str) and _valid_date(value, kind == "timestamp"), value
    elif kind == "time":
        valid, ok = isinstance(value, str) and bool(_TIME.fullmatch(value)), value
    elif kind == "timezone":
        import pytz
        valid = isinstance(value, str) and bool(_TIMEZONE.fullmatch(value)) and value in pytz.all_timezones_set
        ok = value
    if not valid:
        raise UsageError(f"{option}: invalid var {name} = {_shown(value)}: allowed is {_allowed(spec)}")
    return ok


def parse_vars(text: str | None, root: Path) -> dict:
    """--vars (or PROPS_VARS) as dbt would read it, every name and value checked."""
    if text is None:
        return {}
    if not text.strip():
        raise UsageError(f"{OPTION} is empty: leave it out, or give a YAML mapping like '{{lookback_days: 14}}'")
    try:
        given = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where is not None else ""
        raise UsageError(f"{OPTION} is not valid YAML{at}: {getattr(exc, 'problem', None) or 'cannot parse'}") from exc
    if not isinstance(given, Mapping):
        raise UsageError(f"{OPTION} must be a YAML mapping of var names to values, like '{{lookback_days: 14}}'; "
                         f"got {type(given).__name__} {_shown(given)}")
    spec = var_spec(root)
    unknown = sorted(str(k) for k in given if k not in spec)
    if unknown:
        raise UsageError(f"{OPTION}: unknown var(s) {', '.join(map(_shown, unknown))}; the project reads only: "
                         + ", ".join(sorted(spec)))
    return {name: check_value(name, given[name], spec[name]) for name in sorted(given)}


def merge(explicit: dict, given: dict) -> dict:
    """The vars of a command: its explicit options (--as-of, --lookback-days) and
    --vars. Both naming one var is fine when they agree; a disagreement is a
    UsageError naming both, never a silent winner. Sorted by name: the same vars
    in any order are the same parse (dbt's saved parse compares them)."""
    clashes = [f"{name} ({option}: {_shown(value)}, {OPTION}: {_shown(given[name])})"
               for name, (option, value) in explicit.items() if name in given and given[name] != value]
    if clashes:
        raise UsageError("the options and --vars disagree on " + "; ".join(clashes)
                         + ": give the value once")
    merged = {**given, **{name: value for name, (_, value) in explicit.items()}}
    return dict(sorted(merged.items()))
