"""The same contracts on the BigQuery dialect and adapter, on the local emulator.

The emulator (emulator_support.py) is loaded with batch load jobs. The demo
scenario through the CLI on the emulator, compared with DuckDB, is in
test_run_integrity.py.
"""

from __future__ import annotations

import sqlglot

from conftest import AS_OF, DAILY_MARTS, ROOT, RUN_DATE_MARTS, settings_for, simulate
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

# One fault per pipeline phase (tags in seeds/pipeline_phases.csv), injected together,
# and one of each absence (docs/expectations.md: ABS-04's missing feed day is also ABS-01).
PER_PHASE = ("ING-01", "PRC-03", "PRC-05", "PRD-06", "PRD-07", "EXP-02", "ORC-01", "SCH-01",
             "ABS-01", "ABS-02", "ABS-03", "ABS-04")


def _on_emulator(endpoint, tmp_path, inject=(), merge_again=False):
    db = tmp_path / "w.duckdb"
    simulate(db, inject=inject)
    counts = load_into_bigquery(_client(endpoint), PROJECT, db, load_source_tables(ROOT / "models"))
    settings = settings_for(db, tmp_path / "target")
    settings.target = "bq_emulator"
    settings.extra_env = {"PROPS_BQ_EMULATOR_ENDPOINT": endpoint, "PROPS_BQ_EMULATOR_PROJECT": PROJECT}
    results = run_contracts(settings, full_refresh=True).results
    if merge_again:  # an incremental MERGE (with its incremental_predicates) on the emulator
        Dbt(settings).invoke(["run", "--select", "fct_player_prop_predictions", *DAILY_MARTS, *RUN_DATE_MARTS])
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
    for mart in (*DAILY_MARTS, *RUN_DATE_MARTS):
        mart_merge = next(settings.target_path.glob(f"run/**/{mart}.sql")).read_text()
        date_column = "run_date" if mart in RUN_DATE_MARTS else "game_date"
        assert "merge into" in mart_merge and f"DBT_INTERNAL_DEST.{date_column} >=" in mart_merge, mart
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


def test_a_plain_dbt_build_on_the_emulator_writes_the_record_alert_reads(emulator, tmp_path):
    # given a week where a loader recreated a box-score table with points as STRING (SCH-01)
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from scenario import cli

    db = tmp_path / "w.duckdb"
    simulate(db, inject=("SCH-01",))
    load_into_bigquery(_client(emulator), PROJECT, db, load_source_tables(ROOT / "models"))
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_BQ_EMULATOR_ENDPOINT": emulator,
           "PROPS_BQ_EMULATOR_PROJECT": PROJECT, "DBT_TARGET_PATH": str(tmp_path / "target"),
           "DBT_LOG_PATH": str(tmp_path / "logs")}
    env.pop("PROPS_CONTRACTS_CLI", None)
    # when a plain `dbt build` of that source runs (its contracts only: the emulator is slow,
    # and the whole project's build on it is the CLI scenario's job)
    build = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--target", "bq_emulator",
                            "--select", "source:props_contracts.nba_raw.bdl_player_boxscores",
                            "--indirect-selection", "cautious",
                            "--vars", json.dumps({"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}"})],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert build.returncode == 1, build.stdout[-3000:]
    assert "props-contracts: wrote the run record" in build.stdout
    # then `alert` reads the record the hook wrote into BigQuery: SCH-01 fails, naming the column
    alert = cli(["alert", "--dry-run", "--target", "bq_emulator"], env)
    assert alert.returncode == 0, alert.stderr
    assert "(dbt build," in alert.stdout and "SCH-01 FAILING" in alert.stdout
    client = _client(emulator)
    [run] = list(client.query("select run_id, command, exit_code, selection, invariants_expected "
                              f"from `{PROJECT}.props_contracts_audit.contract_runs` "
                              "order by started_at desc limit 1").result())
    assert (run["command"], run["exit_code"], run["invariants_expected"]) == ("dbt build", 1, 1)
    [row] = [json.loads(r["row_json"]) for r in client.query(
        f"select row_json from `{PROJECT}.props_contracts_audit.contract_failing_rows` "
        f"where run_id = '{run['run_id']}'").result()]
    assert "points" in json.dumps(row)
    # and the hook created each table with the DDL BigQueryWarehouse sends (the emulator
    # drops partitioning and clustering, so the statements dbt ran are compared)
    from props_contracts.records import ALL_TABLES, HISTORY
    from props_contracts.warehouse import bigquery_ddl
    log = (tmp_path / "logs" / "dbt.log").read_text()
    for t in (*ALL_TABLES, HISTORY):
        assert bigquery_ddl(f"`{PROJECT}`.`props_contracts_audit`.`{t.name}`", t) in log, t.name
    table = client.get_table(f"{PROJECT}.props_contracts_audit.contract_runs")
    assert [f.name for f in table.schema] == [c for c, _ in ALL_TABLES[0].columns]
    # and on call (docs/on-call.md), a stateless job honours an ack kept in BigQuery: SCH-01
    # acknowledged, its opening and one "acknowledged" notice are sent, then its reminder is held
    from scenario import Webhook
    hook = Webhook()
    try:
        ack = cli(["ack", "SCH-01", "--for", "2h", "--reason", "loader fix deploying", "--target", "bq_emulator"],
                  {**env, "PROPS_ALERT_AUTHOR": "alice"})
        assert ack.returncode == 0, ack.stderr
        on = {**env, "PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_RENOTIFY_HOURS": "0.0001"}
        first = cli(["alert", "--target", "bq_emulator"], on)
        second = cli(["alert", "--target", "bq_emulator"], on)
    finally:
        hook.close()
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    sent = [(a["kind"], a["invariant_id"], a["partition"]) for a in hook.alerts()]
    opened = sorted(p for k, i, p in sent if (k, i) == ("open", "SCH-01"))
    assert opened and sorted(p for k, _, p in sent if k == "acknowledged") == opened
    assert {k for k, _, _ in sent} == {"open", "acknowledged"}  # no reminder: it is held
    assert "reminder held" in second.stdout and "by alice" in second.stdout
