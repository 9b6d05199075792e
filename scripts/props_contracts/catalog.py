"""The invariant catalog (seeds/invariants.csv), read once into typed objects."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from props_contracts.errors import PropsContractsError


class CatalogError(PropsContractsError):
    """A data test carries no invariant ID, or one the catalog does not know; or the catalog itself is malformed."""


@dataclass(frozen=True)
class Invariant:
    invariant_id: str
    phase_tag: str
    severity: str
    threshold_vars: tuple[str, ...]
    title: str
    runbook: str
    owner: str = ""  # the team on call for it: its own, else its phase's (seeds/pipeline_phases.csv)


# an owner: a team's short name, as the route seed (seeds/alert_routes.csv) and dbt meta.owner name it
OWNER = re.compile(r"[a-z][a-z0-9-]{0,63}")


def phase_owners(root: Path) -> dict[str, str]:
    """phase_tag -> owner, from seeds/pipeline_phases.csv."""
    with (root / "seeds" / "pipeline_phases.csv").open(newline="") as fh:
        return {r["phase_tag"]: (r.get("owner") or "").strip() for r in csv.DictReader(fh)}


def load_catalog(root: Path) -> dict[str, Invariant]:
    with (root / "seeds" / "invariants.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    phases = phase_owners(root)
    out = {}
    for r in rows:
        tv = tuple(v.strip() for v in r["threshold_vars"].split(",") if v.strip() and not v.startswith("("))
        owner = (r.get("owner") or "").strip() or phases.get(r["phase_tag"], "")
        if not OWNER.fullmatch(owner):
            raise CatalogError(f"seeds/invariants.csv: {r['invariant_id']} has no valid owner ({owner!r}): set "
                               "its owner column, or the owner of its phase in seeds/pipeline_phases.csv "
                               "(lowercase letters, digits and -)")
        out[r["invariant_id"]] = Invariant(r["invariant_id"], r["phase_tag"], r["severity"], tv,
                                           r["title"], r["runbook"], owner)
    return out


def project_vars(root: Path) -> dict:
    return yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]


def catalog_markdown(catalog: dict[str, Invariant], root: Path) -> str:
    """The thresholds table of docs/contracts.md, generated so it cannot drift from the project."""
    defaults = project_vars(root)
    lines = [
        "| ID | Invariant | Severity | Threshold var = default | When it fails |",
        "|---|---|---|---|---|",
    ]
    for inv in catalog.values():
        thresholds = ", ".join(f"`{v}` = {defaults[v]}" for v in inv.threshold_vars) or "model contract"
        lines.append(f"| {inv.invariant_id} | {inv.title} | {inv.severity} | {thresholds} | {inv.runbook} |")
    return "\n".join(lines)


# Data tests that need no invariant ID: a model's (or seed's) key test. Every model
# has one (house rule 4); a failure is still reported, under the test's own name.
KEY_TESTS = ("pc_primary_key",)
# The generic tests' own pass/fail cases (pytests/test_generic_tests.py): tests of
# the test macros, not contracts about the pipeline; enabled only by that test's var.
HARNESS_TEST_PATHS = ("seeds/generic_test_cases/",)
PROJECT = "props_contracts"  # the dbt project's name: tests of other packages are theirs


@dataclass(frozen=True)
class OutsideCatalog:
    """A data test that is neither a contract of a catalog invariant nor a key test."""

    test: str
    path: str
    invariant_id: object  # the ID it carries (None when it has none)

    def describe(self) -> str:
        got = "no meta.invariant_id" if self.invariant_id in (None, "") else \
            f"invariant_id {self.invariant_id!r}, which is not in seeds/invariants.csv"
        return f"{self.test} ({self.path}): {got}"


def node_invariant_id(node: dict) -> object:
    """The invariant ID a test node carries (meta or config.meta), or None."""
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    return meta.get("invariant_id")


def contracts_outside_catalog(manifest: dict, catalog: dict[str, Invariant]) -> list[OutsideCatalog]:
    """Every enabled data test whose invariant ID is missing or unknown, unless it is
    a key test without an ID (KEY_TESTS) or a test of the test macros (HARNESS_TEST_PATHS).
    The same rule runs in a plain dbt invocation (macros/catalog/check_contract_ids.sql)."""
    out = []
    for uid, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "test" or (node.get("config") or {}).get("enabled", True) is False:
            continue
        path = node.get("original_file_path") or ""
        # a package's own tests (Elementary's models, on the switch) are not our contracts;
        # the hub tests this project attaches in its YAML are, and carry IDs
        if path.startswith(HARNESS_TEST_PATHS) or node.get("package_name", PROJECT) != PROJECT:
            continue
        inv = node_invariant_id(node)
        if inv in (None, "") and (node.get("test_metadata") or {}).get("name") in KEY_TESTS:
            continue
        if not isinstance(inv, str) or inv not in catalog:
            out.append(OutsideCatalog(node.get("name") or uid, path, inv))
    return out


def catalog_error(violations: list[OutsideCatalog], limit: int = 10) -> CatalogError:
    shown = "; ".join(v.describe() for v in violations[:limit])
    more = f"; and {len(violations) - limit} more" if len(violations) > limit else ""
    return CatalogError(
        f"{len(violations)} data test(s) outside the invariant catalog: {shown}{more}. Every data test carries "
        f"meta.invariant_id from seeds/invariants.csv (or is a key test: {', '.join(KEY_TESTS)}); add the "
        "invariant to the catalog (then `props-contracts invariants --macro`) or fix the test's ID")


def check_manifest_catalog(manifest: dict, catalog: dict[str, Invariant]) -> None:
    """Raise CatalogError (exit 2) naming every test outside the catalog."""
    violations = contracts_outside_catalog(manifest, catalog)
    if violations:
        raise catalog_error(violations)


def catalog_ids_macro(catalog: dict[str, Invariant]) -> str:
    """macros/catalog/contract_catalog.sql, generated from seeds/invariants.csv (Jinja
    cannot read a CSV, and the seed table may not be loaded yet when a plain dbt
    invocation's on-run-start checks the tests). A pytest checks the file equals this."""
    ids = "".join(f"\n            '{i}'," for i in sorted(catalog))
    keys = "".join(f"'{t}', " for t in KEY_TESTS)
    harness = "".join(f"'{p}', " for p in HARNESS_TEST_PATHS)
    return ("{#- GENERATED from seeds/invariants.csv by `props-contracts invariants --macro` (do not edit;\n"
            "    pytests/test_catalog_and_freshness.py fails when it differs from the CSV): the catalog's\n"
            "    invariant IDs, the key tests that need none, and the test-macro cases exempt, for\n"
            "    check_contract_ids() in on-run-start. -#}\n"
            "{%- macro contract_catalog() -%}\n"
            "    {{ return({\n"
            f"        'invariant_ids': [{ids}\n        ],\n"
            f"        'key_tests': [{keys.rstrip(', ')}],\n"
            f"        'harness_paths': [{harness.rstrip(', ')}],\n"
            "    }) }}\n"
            "{%- endmacro -%}\n")
