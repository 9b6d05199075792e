"""Contract behaviour beyond the fault matrix, and the project's BigQuery face."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from conftest import AS_OF, END, ROOT, START
from props_contracts.catalog import catalog_markdown, load_catalog
from props_contracts.results import load_results
from props_contracts.schema import load_source_tables
from props_contracts.simulator.world import build_world
from props_contracts.simulator.writer import write_duckdb


def test_partition_column_of_the_wrong_type_fails_sch01(tmp_path, dbt_factory):
    # given predictions whose partition column game_date was loaded as STRING (seed 001's
    # MERGE failed on a table partitioned by a non-date type)
    db = tmp_path / "w.duckdb"
    world = build_world(7, START, END, AS_OF)
    world.type_overrides["nba_predictions.player_prop_predictions"] = {"game_date": "STRING"}
    write_duckdb(world, load_source_tables(ROOT / "models"), db)
    # when the schema contract of that table runs
    dbt = dbt_factory(db)
    dbt.invoke(["test", "--select", "sch_01_player_prop_predictions_schema"], allow_node_failures=True)
    # then it fails, naming the column and the rule
    [result] = load_results(tmp_path / "target")
    assert (result.invariant_id, result.status) == ("SCH-01", "fail")
    con = duckdb.connect(str(db))
    problems = con.execute(f"select column_name, problem from ({result.failing_rows_query(10_000)}) order by all").fetchall()
    con.close()
    assert ("game_date", "partition column must be DATE, TIMESTAMP or INT64") in problems
    assert ("game_date", "type differs from declaration") in problems


def test_project_parses_for_bigquery_offline(tmp_path):
    # given the bigquery target configured only through environment variables
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_BQ_PROJECT": "my-project",
           "PROPS_BQ_DATASET": "props_contracts", "PROPS_BQ_LOCATION": "US"}
    # when dbt parses the project for it
    proc = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "parse", "--target", "bigquery", "--no-partial-parse",
         "--target-path", str(tmp_path / "target"), "--project-dir", str(ROOT)],
        env=env, capture_output=True, text=True, timeout=300)
    # then it succeeds with no deprecation warnings
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Deprecat" not in proc.stdout
    assert (tmp_path / "target" / "manifest.json").exists()


def test_the_image_build_parse_is_reused_and_never_stands_in_for_another_project(tmp_path):
    # given `props-contracts parse`, the image's build step, for BigQuery (no warehouse needed)
    import json

    from click.testing import CliRunner

    from props_contracts.cli import main
    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "PROPS_BQ_PROJECT": "image-project",
           "PROPS_BQ_DATASET": "props_contracts", "PROPS_BQ_LOCATION": "US"}

    def parse(**more):
        result = CliRunner().invoke(main, ["parse", "--target", "bigquery"], env={**env, **more})
        manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
        mart = manifest["nodes"]["model.props_contracts.fct_prediction_coverage_by_date"]
        return result, mart["relation_name"]

    baked, _ = parse()
    # when the scheduled job parses again with the same environment, and then with another project
    same, _ = parse()
    other, relation = parse(PROPS_BQ_PROJECT="another-project")
    # then the first saves dbt's parse state, the second reuses it, and the third parses
    # in full, saying why, with relations in its own project
    assert baked.exit_code == 0 and "saved parse:" in baked.output, baked.output
    assert (tmp_path / "target" / "partial_parse.msgpack").is_file()
    assert same.exit_code == 0 and "(reused)" in same.output, same.output
    assert other.exit_code == 0 and "(full: profile has changed)" in other.output, other.output
    assert relation.startswith("`another-project`.")


def test_docs_thresholds_table_is_current():
    table = catalog_markdown(load_catalog(ROOT), ROOT)
    page = (ROOT / "docs" / "contracts.md").read_text()
    assert table in page, "docs/contracts.md thresholds table is stale: paste `props-contracts invariants --markdown`"


def test_every_invariant_id_has_a_contract_in_the_project(tmp_path):
    import json
    proc = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "ls", "--resource-type", "test", "--output", "json",
         "--output-keys", "name config", "--project-dir", str(ROOT),
         "--target-path", str(tmp_path / "target")],
        env={**os.environ, "DBT_PROFILES_DIR": str(ROOT), "PROPS_DUCKDB_PATH": str(tmp_path / "w.duckdb")},
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    ids = set()
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            node = json.loads(line)
            ids.add((node.get("config") or {}).get("meta", {}).get("invariant_id"))
    assert set(load_catalog(ROOT)) <= ids


def test_snapshots_record_a_lockout_change_and_docs_generate(tmp_path, dbt_factory):
    # given a built week, its snapshots taken
    from conftest import simulate
    db = tmp_path / "w.duckdb"
    simulate(db)
    dbt = dbt_factory(db)
    dbt.invoke(["build", "--exclude-resource-type", "test"])
    # when a circuit breaker is cleared and the snapshot runs again
    con = duckdb.connect(str(db))
    entity = con.execute("select entity_id from nba_orchestration.reprocess_attempts "
                         "where circuit_breaker_tripped limit 1").fetchone()[0]
    con.execute("update nba_orchestration.reprocess_attempts set circuit_breaker_tripped = false, "
                "circuit_breaker_until = null where entity_id = ?", [entity])
    con.close()
    dbt.invoke(["snapshot", "--select", "snap_circuit_breaker_state"])
    # then the snapshot holds both states of that breaker, the old one closed
    con = duckdb.connect(str(db))
    history = con.execute(
        "select circuit_breaker_tripped, dbt_valid_to is null from "
        "props_contracts_snapshots.snap_circuit_breaker_state where entity_id = ? order by dbt_valid_from",
        [entity]).fetchall()
    con.close()
    assert history == [(True, False), (False, True)]
    # and the docs site generates with every model documented in the catalog
    dbt.invoke(["docs", "generate"])
    import json
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    assert "model.props_contracts.fct_player_prop_predictions" in catalog["nodes"]
    # and every column of every mart and intermediate model, as the warehouse has it, is described
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    documented = {uid: node for uid, node in manifest["nodes"].items()
                  if node["resource_type"] == "model" and node["fqn"][1] in ("marts", "intermediate")}
    assert len(documented) >= 29 and set(documented) <= set(catalog["nodes"])
    undescribed = [
        f"{node['name']}.{column}"
        for uid, node in sorted(documented.items())
        for column in catalog["nodes"][uid]["columns"]
        if not ({k.lower(): v for k, v in node["columns"].items()}.get(column.lower()) or {}).get("description", "").strip()
    ]
    assert undescribed == [], "describe these columns in the model's YAML: " + ", ".join(undescribed)
    assert manifest["docs"]["doc.props_contracts.__overview__"]["block_contents"].strip()
    # and every season analysis compiled (docs generate compiles them) to DuckDB SQL that answers
    analyses = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "analysis"}
    compiled = {p.stem: p.read_text() for p in (tmp_path / "target").glob("compiled/props_contracts/analyses/*.sql")}
    assert len(analyses) >= 3 and set(compiled) == analyses
    con = duckdb.connect(str(db))
    answers = {name: con.execute(sql).fetchall() for name, sql in compiled.items()}
    nights = con.execute("select count(*) from props_contracts_marts.fct_prediction_coverage_by_date").fetchone()[0]
    teams = con.execute("select count(distinct team_abbr) from props_contracts_intermediate.int_team_games "
                        "where is_expected_final").fetchone()[0]
    con.close()
    assert all(answers.values()), [name for name, rows in answers.items() if not rows]
    # (the month rows add up to the mart's nights; one row per team that played)
    assert sum(row[1] for row in answers["season_prediction_coverage_by_month"]) == nights > 0
    assert len(answers["season_boxscore_coverage_by_team"]) == teams > 0


def test_bad_input_lands_on_named_contracts_and_loses_nothing(tmp_path):
    # given a clean week into which a loader wrote NULL keys and a far-future game date
    from conftest import settings_for, simulate
    from props_contracts.runner import run_contracts
    db = tmp_path / "w.duckdb"
    simulate(db)
    con = duckdb.connect(str(db))
    raw_before = con.execute("select count(*) from nba_predictions.player_prop_predictions").fetchone()[0]
    con.execute("""update nba_predictions.player_prop_predictions set player_lookup = null
                   where prediction_id = (select min(prediction_id) from nba_predictions.player_prop_predictions)""")
    con.execute("""insert into nba_predictions.player_prop_predictions
                   select * replace ('future_' || prediction_id as prediction_id,
                                     game_date + interval 300 day as game_date)
                   from nba_predictions.player_prop_predictions
                   where prediction_id = (select max(prediction_id) from nba_predictions.player_prop_predictions)""")
    con.execute("""update nba_raw.bdl_player_boxscores set player_lookup = null
                   where player_lookup = (select min(player_lookup) from nba_raw.bdl_player_boxscores)""")
    con.close()
    # when the contracts run
    record = run_contracts(settings_for(db, tmp_path / "target")).record
    results = record.results
    failed = {r.name for r in results if r.failed}
    # then each problem is a named failure, not a crash and not a pass
    assert {"prd_08_prediction_values_sane", "prd_07_active_predictions_unique",
            "ing_06_boxscores_unique_after_dedup"} <= failed
    [sanity] = [r for r in results if r.name == "prd_08_prediction_values_sane"]
    con = duckdb.connect(str(db))
    reasons = {row[0] for row in con.execute(f"select violation from ({sanity.failing_rows_query(10_000)})").fetchall()}
    # and nothing was dropped from the source: the staging view still holds every row
    raw_after = con.execute("select count(*) from nba_predictions.player_prop_predictions").fetchone()[0]
    staged = con.execute("select sum(_source_copies) from "
                         "props_contracts_staging.stg_nba_predictions__player_prop_predictions").fetchone()[0]
    con.close()
    assert {"null key column", "game_date in the future"} <= reasons
    assert raw_after == raw_before + 1 == staged
    # and the run's record carries those failing rows, read back without a
    # stored-failures table (none is written)
    recorded = {fr.row["violation"] for fr in record.rows_of(sanity.unique_id)}
    assert {"null key column", "game_date in the future"} <= recorded
    assert sanity.relation is None
    con = duckdb.connect(str(db))
    audit = con.execute("select count(*) from information_schema.tables "
                        "where table_schema like '%dbt_test__audit'").fetchone()[0]
    con.close()
    assert audit == 0


def test_the_failing_rows_query_of_a_contract():
    # given a compiled test query that ends in a line comment, and one with a stored table
    from props_contracts.records import ContractResult
    base = dict(unique_id="t", name="t", invariant_id="PRD-08", phase=None, severity="error", status="fail",
                failures=1, description="")
    compiled = ContractResult(**base, relation=None, failing_sql="select 1 as x  -- trailing comment\n;")
    stored = ContractResult(**base, relation='"w"."audit"."t"', failing_sql="select 1 as x")
    neither = ContractResult(**base, relation=None, failing_sql="  ")
    # when their failing rows are read back
    con = duckdb.connect()
    rows = con.execute(compiled.failing_rows_query(5)).fetchall()
    con.close()
    # then the comment does not swallow the wrapper, the stored table wins, and no query is no query
    assert rows == [(1,)]
    assert stored.failing_rows_query(5) == 'select * from "w"."audit"."t" limit 5'
    assert neither.failing_rows_query(5) is None


def test_every_invocation_appends_its_results_to_the_history(tmp_path):
    # given a week in which one team had no predictions
    from conftest import settings_for, simulate
    from props_contracts.runner import run_contracts
    db = tmp_path / "w.duckdb"
    simulate(db, inject=("PRD-06",))
    # when the contracts run (a seed, a build and a test invocation)
    results = run_contracts(settings_for(db, tmp_path / "target")).results
    # then the history holds one row per executed node per invocation
    con = duckdb.connect(str(db))
    per_invocation = con.execute(
        "select invocation_id, count(*) from props_contracts_audit.contract_results_history "
        "group by 1 order by min(recorded_at)").fetchall()
    prd06 = con.execute(
        "select status, failures, severity, phase from props_contracts_audit.contract_results_history "
        "where node_name = 'prd_06_every_team_has_predictions'").fetchall()
    con.close()
    # (a fresh warehouse: the seeds are loaded first, in their own invocation)
    assert len(per_invocation) == 3 and per_invocation[0][1] == len(list((ROOT / "seeds").glob("*.csv")))
    assert per_invocation[2][1] == len(results)
    assert prd06 == [("fail", 1, "error", "phase_5_predictions")]


def test_a_seed_the_warehouse_lost_is_loaded_again_and_unchanged_seeds_are_not(tmp_path):
    # given a built week whose invariant catalog then lost rows in the warehouse
    from conftest import settings_for, simulate
    from props_contracts.runner import run_contracts
    db = tmp_path / "w.duckdb"
    simulate(db)
    settings = settings_for(db, tmp_path / "target")
    assert run_contracts(settings).exit_code == 0
    con = duckdb.connect(str(db))
    catalog_rows = con.execute("select count(*) from props_contracts_reference.invariants").fetchone()[0]
    con.execute("delete from props_contracts_reference.invariants where invariant_id like 'PRD-%'")
    con.close()
    # when the scheduled run comes again
    said: list[str] = []
    outcome = run_contracts(settings, say=said.append)
    # then it reloaded that seed alone (no stateless guess: it asked the warehouse), and all passed
    assert any(m.startswith("loading seeds invariants: row counts differ") for m in said), said
    con = duckdb.connect(str(db))
    assert con.execute("select count(*) from props_contracts_reference.invariants").fetchone()[0] == catalog_rows
    con.close()
    assert outcome.exit_code == 0
    # and a run with every seed in place loads none
    said.clear()
    assert run_contracts(settings, say=said.append).exit_code == 0
    assert not any(m.startswith("loading seeds") for m in said)
    # and a seed whose CSV changed since its last load, same row count (its recorded checksum
    # no longer the CSV's), is loaded again, alone
    con = duckdb.connect(str(db))
    con.execute("update props_contracts_audit.contract_results_history set checksum = 'an older csv' "
                "where node_name = 'prop_types' and resource_type = 'seed'")
    con.close()
    said.clear()
    assert run_contracts(settings, say=said.append).exit_code == 0
    assert [m for m in said if m.startswith("loading seeds")] == [
        "loading seeds prop_types: their CSV files changed since they were loaded (or no load of them is "
        "recorded in the last 35 days) ..."], said


def test_prc01_counts_rows_for_every_date_a_run_of_the_window_claims_however_old(tmp_path):
    # given 40 nights of history, and two backfill runs started an hour before as_of,
    # both claiming rows for player_game_summary: one for a date 20 days back whose
    # rows are there, one for a date 30 days back whose rows are gone
    from datetime import timedelta

    from conftest import settings_for, simulate
    from props_contracts.runner import run_contracts
    db = tmp_path / "w.duckdb"
    simulate(db, start=END - timedelta(days=39))
    con = duckdb.connect(str(db))
    played = [d for (d,) in con.execute("select distinct game_date from nba_analytics.player_game_summary "
                                        "order by 1").fetchall()]
    kept = max(d for d in played if d <= END - timedelta(days=20))
    lost = max(d for d in played if d <= END - timedelta(days=30))
    started = AS_OF - timedelta(hours=1)
    con.execute("delete from nba_analytics.player_game_summary where game_date = ?", [lost])
    for run_id, day in (("bf_kept", kept), ("bf_lost", lost)):
        con.execute("insert into nba_reference.processor_run_history by name select ? as run_id, "
                    "'PlayerGameSummaryProcessor' as processor_name, 3 as phase, ? as data_date, "
                    "'success' as status, 'nba_analytics.player_game_summary' as target_table, "
                    "250 as records_processed, ? as started_at, ? as completed_at, 60.0 as duration_seconds",
                    [run_id, day, started, started + timedelta(minutes=1)])
    con.close()
    # when the daily run judges the window
    outcome = run_contracts(settings_for(db, tmp_path / "target"))
    # then PRC-01 fails on the run whose date has no rows, and on that run alone
    prc01 = next(r for r in outcome.results if r.name == "prc_01_successful_runs_wrote_rows")
    assert prc01.status == "fail" and prc01.failures == 1, prc01
    con = duckdb.connect(str(db))
    found = dict(con.execute("select run_id, rows_found from props_contracts_intermediate."
                             "int_processor_write_verification where run_id like 'bf_%'").fetchall())
    # the old date with rows was counted (not left out of a window that does not reach it)
    assert found["bf_lost"] == 0 and found["bf_kept"] > 0, found
    # and the rows counted are the claimed dates', never the whole backfill horizon
    counted = con.execute("select target_table, game_date from props_contracts_intermediate."
                          "int_rows_by_target_date").fetchall()
    con.close()
    pgs = {d for t, d in counted if t == "nba_analytics.player_game_summary"}
    assert kept in pgs and lost not in pgs, sorted(pgs)
    assert len({d for _, d in counted}) < 20, sorted(counted)
