"""Per-processor thresholds: seeds/processor_settings.csv, checked before any contract runs.

One row per processor: its timeout (PRC-04, PRC-11), its baseline window (PRC-05,
PRC-12), its lockout limit (PRC-06) and its breaker thresholds (PRC-13, PRC-14). An
empty cell, or a processor absent from the file, takes the global default var
(COLUMNS). Every value has the type and range of that var (macros/vars/var_spec.sql).

The contracts read the settings from a generated macro
(macros/catalog/processor_settings.sql, `props-contracts processors --macro`), which
records the CSV's checksum: a plain dbt invocation's on-run-start
(check_processor_settings) refuses to run when the CSV was edited after the macro was
generated, and checks the macro's rows again. The CLI checks the CSV itself first, so a
malformed row is named by its line (ProcessorSettingsError, exit 2), before dbt starts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from props_contracts.dbt_vars import _allowed, _shown, check_value, var_spec
from props_contracts.errors import PropsContractsError, UsageError

CSV_PATH = Path("seeds") / "processor_settings.csv"
MACRO_PATH = Path("macros") / "catalog" / "processor_settings.sql"
# column -> the global var whose value an empty cell (or an absent processor) takes;
# the column's type and range are that var's
COLUMNS: dict[str, str] = {
    "timeout_minutes": "prc04_timeout_minutes",
    "baseline_days": "prc05_baseline_days",
    "entity_lockout_hours": "prc06_max_lockout_hours",
    "entity_failure_threshold": "prc13_entity_failure_threshold",
    "processor_failure_threshold": "prc14_processor_failure_threshold",
}
HEADER = ("processor_name", *COLUMNS)
# a processor class name: rendered into SQL as a string literal, so nothing else passes
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
REGENERATE = f"props-contracts processors --macro > {MACRO_PATH}"


class ProcessorSettingsError(PropsContractsError):
    """seeds/processor_settings.csv has a malformed row, or the macro the contracts read is stale."""


@dataclass(frozen=True)
class ProcessorSetting:
    processor_name: str
    values: dict[str, int | float | None]  # column -> value; None: the global default


def dbt_checksum(text: str) -> str:
    """The checksum dbt records for a seed file (sha256 of its stripped text): the
    on-run-start check compares the graph's with the one in the generated macro."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _number(text: str, kind: str) -> int | float | str:
    """The cell as the number it spells, or the text unchanged (check_value then refuses it)."""
    try:
        return int(text)
    except ValueError:
        pass
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            pass
    return text


def parse_settings(text: str, root: Path, where: str = str(CSV_PATH)) -> list[ProcessorSetting]:
    """The rows of a processor settings CSV, or ProcessorSettingsError naming the line,
    the column, the value and what is allowed."""
    spec = var_spec(root)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # a byte order mark (Excel) is no header
    rows = list(reader)
    if not rows or tuple(c.strip() for c in rows[0]) != HEADER:
        got = ",".join(rows[0]) if rows else "(empty file)"
        raise ProcessorSettingsError(f"{where}: the header must be {','.join(HEADER)}; got {got[:200]}")
    out: list[ProcessorSetting] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue  # a blank line
        if len(row) != len(HEADER):
            raise ProcessorSettingsError(
                f"{where} line {line}: {len(row)} cells, expected {len(HEADER)} ({','.join(HEADER)})")
        name = row[0].strip()
        if not _NAME.fullmatch(name):
            raise ProcessorSettingsError(
                f"{where} line {line}: processor_name {name[:80]!r} is not a processor class name "
                "(a letter, then letters, digits or _)")
        if name in seen:
            raise ProcessorSettingsError(
                f"{where} line {line}: processor {name} is listed twice (first on line {seen[name]})")
        seen[name] = line
        values: dict[str, int | float | None] = {}
        for col, cell in zip(COLUMNS, row[1:], strict=True):
            cell = cell.strip()
            if cell == "":
                values[col] = None
                continue
            var = COLUMNS[col]
            strict = {**spec[var], "nullable": False}
            value = _number(cell, spec[var]["kind"])
            try:
                values[col] = check_value(var, value, strict)
            except UsageError as exc:
                raise ProcessorSettingsError(
                    f"{where} line {line}, {name}: {col} = {_shown(value)} is not allowed: it must be {_allowed(strict)}, "
                    f"like the global var {var} it overrides (or empty, for that default)") from exc
        out.append(ProcessorSetting(name, values))
    return out


def load_settings(root: Path) -> tuple[list[ProcessorSetting], str]:
    """The settings of the project's CSV and its dbt checksum."""
    path = root / CSV_PATH
    try:
        # bytes decoded as dbt reads a seed (no newline translation), so a CRLF file's
        # checksum is the one dbt's graph records
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProcessorSettingsError(f"cannot read {CSV_PATH}: {exc}") from exc
    return parse_settings(text, root), dbt_checksum(text)


def settings_macro(settings: list[ProcessorSetting], checksum: str) -> str:
    """macros/catalog/processor_settings.sql, generated from the CSV."""
    def lit(v: int | float | None) -> str:
        return "none" if v is None else repr(v)

    rows = "".join(
        "\n            {'processor_name': '" + s.processor_name + "', "
        + ", ".join(f"'{c}': {lit(s.values[c])}" for c in COLUMNS) + "},"
        for s in settings)
    return ("{#- GENERATED from seeds/processor_settings.csv by `props-contracts processors --macro` (do not\n"
            "    edit; regenerate after editing the CSV): the per-processor thresholds the contracts read,\n"
            "    and the checksum of the CSV they came from. check_processor_settings() (on-run-start)\n"
            "    refuses to run when the CSV's checksum in dbt's graph differs, and checks every value\n"
            "    against its global var's type and range. none: the global default. -#}\n"
            "{%- macro processor_settings() -%}\n"
            "    {{ return({\n"
            f"        'checksum': '{checksum}',\n"
            f"        'defaults': {{{', '.join(f'{chr(39)}{c}{chr(39)}: {chr(39)}{v}{chr(39)}' for c, v in COLUMNS.items())}}},\n"
            f"        'rows': [{rows}\n        ],\n"
            "    }) }}\n"
            "{%- endmacro -%}\n")


def recorded_checksum(root: Path) -> str | None:
    """The CSV checksum the generated macro recorded, or None when it has none."""
    try:
        text = (root / MACRO_PATH).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    m = re.search(r"'checksum': '([0-9a-f]{64})'", text)
    return m.group(1) if m else None


def check_processor_settings(root: Path) -> list[ProcessorSetting]:
    """Before any dbt call: the CSV is well-formed, and the macro the contracts read was
    generated from exactly this CSV. Raises ProcessorSettingsError (exit 2) otherwise."""
    settings, checksum = load_settings(root)
    if recorded_checksum(root) != checksum:
        raise ProcessorSettingsError(
            f"{CSV_PATH} was edited after {MACRO_PATH} was generated from it: the contracts would read "
            f"the old settings. Its rows are well-formed; record them with `{REGENERATE}`")
    return settings
