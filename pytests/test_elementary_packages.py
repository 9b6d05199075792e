"""The Elementary / dbt_expectations integration with the real packages.

Runs only when PROPS_DBT_PACKAGES_DIR points at a directory holding the hub
packages (docs/elementary.md: elementary, dbt_utils,
dbt_expectations, dbt_date, and edr/dbt_utils 0.8.x for edr's own project) and
the edr CLI is installed (`make edr`, or PROPS_EDR_BIN). Otherwise every test is
skipped with the reason in the pytest summary.

Real parts only: the packages in a copy of the project, dbt on DuckDB, `edr
report` and `edr monitor` offline, a real HTTP listener on 127.0.0.1 for the
Slack webhook.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, ROOT, simulate
from elementary_support import build_shape, copy_project
from props_contracts.catalog import load_catalog
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.hub_packages import install_from_dir, pinned_packages
from props_contracts.results import load_results
from props_contracts.runner import resolve_window, run_contracts
from props_contracts.warehouse import DuckDBWarehouse
from scenario import Webhook

PKG_ENV = "PROPS_DBT_PACKAGES_DIR"
EDR_ENV = "PROPS_EDR_BIN"
PACKAGES = Path(os.environ[PKG_ENV]).expanduser() if os.environ.get(PKG_ENV) else None
EDR = Path(os.environ.get(EDR_ENV) or ROOT / ".venv-edr" / "bin" / "edr")
ELEMENTARY_SCHEMA = "props_contracts_elementary"


def _skip_reason() -> str | None:
    if PACKAGES is None:
        return (f"{PKG_ENV} is not set: point it at a directory with the hub packages "
                "(docs/elementary.md) to test the real-package integration")
    needed = [p.project_name for p in pinned_packages(ROOT)] + ["edr/dbt_utils"]
    missing = [n for n in needed if not (PACKAGES / n / "dbt_project.yml").is_file()]
    if missing:
        return f"{PKG_ENV}={PACKAGES} lacks {', '.join(missing)} (each a dbt package directory)"
    if not EDR.is_file():
        return f"no edr CLI at {EDR}: run `make edr` (or set {EDR_ENV})"
    return None


SKIP = _skip_reason()
pytestmark = [pytest.mark.skipif(SKIP is not None, reason=SKIP or ""), pytest.mark.slow]


# ---- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with the hub packages installed in its dbt_packages/."""
    proj = copy_project(tmp_path_factory.mktemp("elementary") / "project")
    install_from_dir(proj, PACKAGES)
    return proj


def _recent_week(db: Path, inject: tuple[str, ...] = ()):
    """A week ending last night: Elementary's monitors judge against the wall clock."""
    start, end, as_of = resolve_window(None, None, None, None)
    simulate(db, inject=inject, start=start, end=end, as_of=as_of)
    return as_of


def _settings(project: Path, work: Path, db: Path, as_of, **vars_) -> DbtSettings:
    return DbtSettings(project_dir=project, duckdb_path=db, artifacts_dir=work / "target", quiet=True,
                       vars={"as_of": f"{as_of:%Y-%m-%d %H:%M:%S}", **vars_})


@pytest.fixture(scope="module")
def failing_week(project, tmp_path_factory):
    """A week with a team left without predictions (PRD-06), run with the switch on."""
    work = tmp_path_factory.mktemp("failing_week")
    db = work / "w.duckdb"
    as_of = _recent_week(db, inject=("PRD-06",))
    # in a process of its own: dbt-duckdb keeps the file open (locked) in the process
    # that ran dbt, and edr must open it next
    code = ("import sys, pathlib; from props_contracts.dbt import DbtSettings; "
            "from props_contracts.runner import run_contracts; "
            "p = pathlib.Path; a = sys.argv; "
            "o = run_contracts(DbtSettings(project_dir=p(a[1]), duckdb_path=p(a[2]), artifacts_dir=p(a[3]), "
            "quiet=True, vars={'as_of': a[4], 'elementary_enabled': True})); sys.exit(o.exit_code)")
    proc = subprocess.run([sys.executable, "-c", code, str(project), str(db), str(work / "target"),
                           f"{as_of:%Y-%m-%d %H:%M:%S}"], capture_output=True, text=True, timeout=1200, check=False)
    return work, db, proc


def _edr(work: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    """edr, offline: its config turns off usage tracking, the version check and
    `dbt deps`; its packages and artifacts live under `work`, never in site-packages."""
    edr = work / "edr"
    if not edr.exists():
        (edr / "config").mkdir(parents=True)
        (edr / "config" / "config.yml").write_text(
            "anonymous_usage_tracking: false\n"
            "disable_elementary_version_check: true\n"
            "run_dbt_deps_if_needed: false\n")
        (edr / "profiles").mkdir()
        (edr / "profiles" / "profiles.yml").write_text(json.dumps({"elementary": {
            "target": "local", "outputs": {"local": {
                "type": "duckdb", "path": str(db), "schema": ELEMENTARY_SCHEMA, "threads": 1}}}}))
        shutil.copytree(PACKAGES / "elementary", edr / "packages" / "elementary")
        shutil.copytree(PACKAGES / "edr" / "dbt_utils", edr / "packages" / "dbt_utils")
        (edr / "home").mkdir()
    env = {**os.environ, "HOME": str(edr / "home"), "DBT_PACKAGES_FOLDER": str(edr / "packages"),
           "EDR_INTERNAL_TARGET_PATH": str(edr / "target"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(EDR), *args, "--config-dir", str(edr / "config"), "--profiles-dir", str(edr / "profiles"),
           "--target-path", str(edr / "target")]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)


def _report_data(html: str) -> dict:
    m = re.search(r"window\.elementaryData = JSON\.parse\(atob\('([^']+)'\)\)", html)
    assert m, "the edr report embeds no elementaryData"
    return json.loads(base64.b64decode(m.group(1)))


# ---- tests ------------------------------------------------------------------------------

def test_packages_present_but_switch_off_change_nothing(project, tmp_path):
    # given the project with the packages installed, and the shipped project without them
    bare = copy_project(tmp_path / "bare")

    def parse(proj: Path) -> Path:
        Dbt(DbtSettings(project_dir=proj, duckdb_path=tmp_path / "p.duckdb", artifacts_dir=proj / "t",
                        quiet=True)).invoke(["parse", "--no-partial-parse"])
        return proj / "t" / "manifest.json"

    # when both are parsed with the switch at its default
    with_packages, without = build_shape(parse(project)), build_shape(parse(bare))
    # then the packages add no enabled node: no Elementary model, test or hook
    assert sorted(with_packages) == sorted(without)
    assert sorted(u for u in with_packages if with_packages[u] != without[u]) == []
    # and a build with them present writes nothing of Elementary's (its hooks render no SQL)
    db = tmp_path / "w.duckdb"
    as_of = _recent_week(db)
    Dbt(_settings(project, tmp_path, db, as_of)).invoke(["build", "--select", "stg_nba_reference__processor_registry"])
    schemas = {r["schema_name"] for r in DuckDBWarehouse(db).query(
        "select schema_name from information_schema.schemata")}
    assert not any("elementary" in s for s in schemas), schemas


def test_a_clean_week_with_the_switch_on_exits_0_and_runs_the_monitors(project, tmp_path):
    # given a clean simulated week ending last night
    db = tmp_path / "w.duckdb"
    as_of = _recent_week(db)
    # when every contract runs with the switch on
    outcome = run_contracts(_settings(project, tmp_path, db, as_of, elementary_enabled=True))
    # then nothing fails, warns or is unknown: Elementary's monitors and schema checks
    # carry invariant IDs and stay quiet on clean history
    assert outcome.exit_code == 0, [(r.name, r.status, r.reason) for r in outcome.results if r.status != "pass"]
    not_passing = [(r.name, r.status) for r in outcome.results if r.status != "pass"]
    assert not_passing == []
    monitors = {r.name: r.invariant_id for r in outcome.results if r.name.endswith("_elementary")}
    assert monitors["prd_05_predictions_volume_anomalies_elementary"] == "PRD-05"
    assert monitors["orc_01_workflow_decisions_freshness_anomalies_elementary"] == "ORC-01"
    assert sum(1 for inv in monitors.values() if inv == "SCH-01") >= 20
    # and Elementary recorded them in its own schema
    by_type = {r["test_type"]: r["n"] for r in DuckDBWarehouse(db).query(
        f"select test_type, count(*) as n from {ELEMENTARY_SCHEMA}.elementary_test_results group by 1")}
    assert by_type.get("anomaly_detection") == 2 and by_type.get("schema_change", 0) >= 20, by_type


# Where a package test and ours disagree on the same case, and why (docs/elementary.md, the mapping table).
EXPECTED_DIFFERENCES = {
    "pass_recency_within": "dbt_utils.recency judges against the wall clock, ours against as_of",
    "nulls_value_between": "expect_column_values_to_be_between passes a NULL value; ours fails it",
    "nulls_expression_is_true": "dbt_utils.expression_is_true passes a row where the expression is NULL",
    "nulls_primary_key": "dbt_utils.unique_combination_of_columns passes a NULL key column",
}


def test_package_tests_agree_with_ours_except_where_documented(project, tmp_path):
    # given the generic tests' case seeds, each case judged by ours and by the package's (de_*)
    dbt = Dbt(DbtSettings(project_dir=project, duckdb_path=tmp_path / "cases.duckdb",
                          artifacts_dir=tmp_path / "target", quiet=True,
                          vars={"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}", "generic_test_cases": True,
                                "elementary_enabled": True}))
    # when they are built and tested
    dbt.invoke(["build", "--select", "path:seeds/generic_test_cases"], allow_node_failures=True)
    results = {r.name: r.status for r in load_results(tmp_path / "target")}
    # then every package case ran, and pairs with one of ours
    pairs = {n.removeprefix("de_"): (results[n.removeprefix("de_")], s)
             for n, s in results.items() if n.startswith("de_")}
    assert len(pairs) == 20, sorted(pairs)
    assert all(ours in ("pass", "fail") and theirs in ("pass", "fail") for ours, theirs in pairs.values()), pairs
    # and they agree on every case except the documented semantic differences
    differ = {case: f"ours {a}, package {b}" for case, (a, b) in pairs.items() if a != b}
    print("package vs ours:", json.dumps({c: f"{a}/{b}" for c, (a, b) in sorted(pairs.items())}))
    assert set(differ) == set(EXPECTED_DIFFERENCES), differ


def test_edr_report_shows_every_invariant_and_the_failing_rows(failing_week):
    work, db, run = failing_week
    # given a week where PRD-06 fails (exit 1: a contract failed, nothing unknown)
    assert run.returncode == 1, run.stderr[-3000:]
    # when edr writes its report, offline
    report = work / "report.html"
    proc = _edr(work, db, "report", "--file-path", str(report), "--open-browser", "false")
    # then it succeeded (edr writes an empty report even when it fails: the exit code decides)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = _report_data(report.read_text())
    # and every invariant ID of the catalog is on at least one test, as a tag
    counts = {inv: sum(1 for t in data["tests"].values() if inv in (t.get("tags") or []))
              for inv in load_catalog(ROOT)}
    (work / "report_counts.json").write_text(json.dumps(counts, indent=1))
    print("tests per invariant ID in the edr report:", json.dumps(counts))
    assert {inv for inv, n in counts.items() if n == 0} == set()
    # and the failing contract shows its failing rows: the team with no predictions
    results = [r for rs in data["test_results"].values() for r in rs
               if r["metadata"]["test_name"] == "prd_06_every_team_has_predictions"
               or r["test_results"]["display_name"] == "prd_06_every_team_has_predictions"]
    assert results and results[0]["metadata"]["latest_run_status"] == "fail"
    sample = results[0]["test_results"]["results_sample"]
    assert sample and all(row["predicted_players"] == 0 for row in sample)
    assert len(sample) == results[0]["test_results"]["failed_rows_count"]


def test_edr_monitor_alert_reaches_a_local_webhook(failing_week):
    work, db, _ = failing_week
    # given a Slack webhook that is a real HTTP listener on 127.0.0.1
    hook = Webhook()
    try:
        # when edr monitor sends the alerts of the failing week
        proc = _edr(work, db, "monitor", "--slack-webhook", hook.url)
    finally:
        hook.close()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # then the PRD-06 alert arrived, with its invariant tag, owner and failing row
    texts = [json.dumps(p) for p in hook.received]
    (work / "alerts.json").write_text(json.dumps(hook.received, indent=1))
    prd06 = [t for t in texts if "prd_06_every_team_has_predictions" in t]
    assert len(prd06) == 1, [t[:200] for t in texts]
    assert "PRD-06" in prd06[0] and "@nba-props-data" in prd06[0]
    assert '\\"predicted_players\\": 0' in prd06[0]

