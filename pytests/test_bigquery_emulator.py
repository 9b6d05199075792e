"""The same contracts on the BigQuery dialect and adapter, on the local emulator.

The emulator (emulator_support.py) is loaded with batch load jobs. The demo
scenario through the CLI on the emulator, compared with DuckDB, is in
test_run_integrity.py.
"""

from __future__ import annotations

import sqlglot

from conftest import AS_OF, DAILY_MARTS, ROOT, settings_for, simulate
from emulator_support import PROJECT
from emulator_support import client as _client
from props_contracts.bq_load import load_into_bigquery
from props_contracts.dbt import Dbt
from props_contracts.pruning import (
    CheckedQuery,
    check_manifest,
    check_queries,
    load_manifest,
    relations_from_manifest,
)
from props_contracts.runner import run_contracts
from props_contracts.schema import load_source_tables

# One fault per pipeline phase (tags in seeds/pipeline_phases.csv), injected together.
PER_PHASE = ("ING-01", "PRC-03", "PRC-05", "PRD-06", "PRD-07", "EXP-02", "ORC-01", "SCH-01")


def _on_emulator(endpoint, tmp_path, inject=(), merge_again=False):
    db = tmp_path / "w.duckdb"
    simulate(db, inject=inject)
    counts = load_into_bigquery(_client(endpoint), PROJECT, db, load_source_tables(ROOT / "models"))
    settings = settings_for(db, tmp_path / "target")
    settings.target = "bq_emulator"
    settings.extra_env = {"PROPS_BQ_EMULATOR_ENDPOINT": endpoint, "PROPS_BQ_EMULATOR_PROJECT": PROJECT}
    results = run_contracts(settings, full_refresh=True).results
    if merge_again:  # an incremental MERGE (with its incremental_predicates) on the emulator
        Dbt(settings).invoke(["run", "--select", "fct_player_prop_predictions", *DAILY_MARTS])
    return counts, results, settings


def _failing_error_ids(results):
    return sorted({r.invariant_id or r.name for r in results if r.failed and r.severity == "error"})


def test_one_fault_per_phase_is_caught_by_the_same_ids_as_on_duckdb(emulator, tmp_path):
    # given a week with one fault per pipeline phase, loaded into the emulator and into DuckDB
    # (a clean week on the emulator is the demo scenario's restored run, below)
    counts, on_emulator, settings = _on_emulator(emulator, tmp_path / "bq", inject=PER_PHASE, merge_again=True)
    db = tmp_path / "duck.duckdb"
    simulate(db, inject=PER_PHASE)
    on_duckdb = run_contracts(settings_for(db, tmp_path / "duck_target")).results
    assert counts["nba_predictions.player_prop_predictions"] > 10_000
    assert len(on_emulator) > 100
    assert not [r.name for r in on_emulator if r.status == "unknown"]
    # then both targets fail exactly the injected IDs at error
    assert _failing_error_ids(on_emulator) == sorted(PER_PHASE)
    assert _failing_error_ids(on_emulator) == _failing_error_ids(on_duckdb)
    assert AS_OF.year == 2026  # the window both targets judged

    # and every query the nightly job runs on BigQuery prunes its partitioned reads:
    # the project compiled by dbt-bigquery (incremental branch, as a daily run)
    merge_sql = next(settings.target_path.glob("run/**/fct_player_prop_predictions.sql")).read_text()
    Dbt(settings).invoke(["compile"])
    report = check_manifest(settings.target_path / "manifest.json")
    assert len(report.checked) > 130 and len(report.partitioned) >= 16
    assert [f.describe() for f in report.findings] == []
    # and the MERGE dbt really ran bounds its target's scan in the ON clause
    assert "merge into" in merge_sql
    relations = relations_from_manifest(load_manifest(settings.target_path / "manifest.json"))
    assert check_queries([CheckedQuery("the MERGE", merge_sql)], relations) == []
    # and so do the MERGEs of the per-date analyst marts, which keep the season
    for mart in DAILY_MARTS:
        mart_merge = next(settings.target_path.glob(f"run/**/{mart}.sql")).read_text()
        assert "merge into" in mart_merge and "DBT_INTERNAL_DEST.game_date >=" in mart_merge, mart
        assert check_queries([CheckedQuery(f"the MERGE of {mart}", mart_merge)], relations) == [], mart
    # and the analysts' season queries (analyses/) compiled by dbt-bigquery are BigQuery SQL that
    # parses, bounds its partitioned reads by the season's dates, and answers on the emulator
    season = {p.stem: p.read_text() for p in settings.target_path.glob("compiled/props_contracts/analyses/*.sql")}
    assert len(season) >= 3
    bigquery = _client(emulator)
    for name, sql in sorted(season.items()):
        assert sqlglot.parse_one(sql, read="bigquery") is not None, name
        assert check_queries([CheckedQuery(f"analysis {name}", sql)], relations) == [], name
        assert list(bigquery.query(sql).result()), name
