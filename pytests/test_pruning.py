"""The partition-pruning check's rules, on small BigQuery queries.

The whole project is judged on the emulator's compiled manifest in
test_bigquery_emulator.py; here each rule gets a query that passes and one
that must be reported.
"""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from props_contracts.cli import main
from props_contracts.pruning import (
    CheckedQuery,
    PruningCheckError,
    Relation,
    check_manifest,
    check_queries,
)

DEDUP = """select *, count(*) over (partition by game_date, event_id) as copies from raw.events
           where true qualify row_number() over (partition by game_date, event_id order by ts desc) = 1"""
RELATIONS = {
    ("raw", "events"): Relation("source raw.events", "game_date", columns=("event_id", "game_date", "team", "ts")),
    ("mart", "fct"): Relation("model fct", "game_date", columns=("x", "game_date", "n")),
    ("ref", "teams"): Relation("source ref.teams", None, columns=("team", "name")),
    ("stg", "dedup"): Relation("model dedup", view_sql=DEDUP),
    ("stg", "dedup_by_key"): Relation("model dedup_by_key", view_sql=DEDUP.replace(
        "partition by game_date, event_id order", "partition by event_id order")),
    ("stg", "by_date"): Relation("model by_date", view_sql=(
        "select game_date, count(*) as n from raw.events group by 1")),
    ("stg", "renamed"): Relation("model renamed", view_sql=(
        "with src as (select * from raw.events) select cast(game_date as date) as day, team from src")),
}


def _findings(sql: str) -> list[str]:
    return [f"{f.relation} via {'/'.join(f.path)}" for f in check_queries([CheckedQuery("q", sql)], RELATIONS)]


@pytest.mark.parametrize("sql", [
    "select * from raw.events where game_date >= date '2026-01-01'",
    "select count(*) from raw.events where team = 'ATL' and (game_date between current_date() - 7 and current_date())",
    "select * from raw.events where game_date in (date '2026-01-01', date '2026-01-02')",
    "select * from raw.events where game_date = current_date() or game_date > date '2026-02-01'",
    # rows the window cannot place (NULL, or an impossible date) are kept, and it still prunes
    "select * from raw.events where game_date is null or game_date >= current_date()",
    "select * from raw.events where (game_date is null or game_date < date '2000-01-01' or (game_date >= current_date() - 7 and game_date <= current_date()))",
    # through a view that deduplicates by a window partitioned by the column
    "select * from stg.dedup where game_date >= date_sub(current_date(), interval 7 day)",
    # through GROUP BY on the column, and a CAST to DATE inside a CTE'd view
    "select * from (select * from stg.by_date) as t where t.game_date = current_date()",
    "select * from stg.renamed where day >= current_date()",
    # through both branches of a UNION ALL, matched by position
    """select * from (select game_date as d, event_id from raw.events
                      union all select game_date, event_id from raw.events) as u where d >= current_date()""",
    # a joined table filtered in its ON clause (left join), an unpartitioned one not at all
    """select * from mart.fct as f left join raw.events as e on e.event_id = f.x and e.game_date >= current_date()
       left join ref.teams as t on t.team = e.team where f.game_date >= current_date()""",
    # a correlated subquery's bound on the outer query's column is not its own
    """select * from raw.events as e where e.game_date >= current_date() and exists (
       select 1 from ref.teams as t where t.team = e.team and e.game_date >= current_date())""",
    # the MERGE's target, bounded in its ON clause
    """merge into mart.fct as DBT_INTERNAL_DEST using (select * from raw.events where game_date >= current_date())
       as DBT_INTERNAL_SOURCE on DBT_INTERNAL_DEST.game_date >= current_date() and DBT_INTERNAL_DEST.x = DBT_INTERNAL_SOURCE.event_id
       when matched then update set n = 1""",
])
def test_filtered_scans_pass(sql):
    assert _findings(sql) == []


@pytest.mark.parametrize(("sql", "expected"), [
    ("select count(*) from raw.events", ["source raw.events via "]),
    # the window is partitioned by the key only: a date filter above it cannot go below it
    ("select * from stg.dedup_by_key where game_date >= current_date()",
     ["source raw.events via model dedup_by_key"]),
    # a computed column (max) is not the partition column
    ("select * from (select max(game_date) as game_date, team from raw.events group by team) "
     "where game_date >= current_date()", ["source raw.events via subquery"]),
    # a comparison with a subquery's result does not prune; the subquery is judged too
    ("select * from raw.events where game_date > (select max(game_date) from mart.fct)",
     ["source raw.events via ", "model fct via subquery"]),
    # an OR with a branch that does not bound the column
    ("select * from raw.events where game_date >= current_date() or team = 'ATL'", ["source raw.events via "]),
    # IS NULL bounds only its own column, and IS NOT NULL bounds nothing
    ("select * from raw.events where team is null or game_date >= current_date()", ["source raw.events via "]),
    ("select * from raw.events where game_date is not null", ["source raw.events via "]),
    # a WHERE on the outer-joined side, and a filter that reaches another table only transitively
    ("select * from mart.fct as f left join raw.events as e on e.event_id = f.x "
     "where f.game_date >= current_date() and e.game_date >= current_date()", ["source raw.events via "]),
    ("select * from mart.fct as f join raw.events as e on e.game_date = f.game_date "
     "where f.game_date >= current_date()", ["source raw.events via "]),
    # never through LIMIT
    ("select * from (select * from raw.events limit 10) where game_date >= current_date()",
     ["source raw.events via subquery"]),
    ("""merge into mart.fct as DBT_INTERNAL_DEST using (select * from raw.events where game_date >= current_date())
        as DBT_INTERNAL_SOURCE on DBT_INTERNAL_SOURCE.game_date >= current_date() and DBT_INTERNAL_DEST.x = 1
        when matched then update set n = 1""", ["model fct via "]),
])
def test_unfiltered_scans_are_reported_with_their_path(sql, expected):
    assert sorted(_findings(sql)) == sorted(expected)


def test_sql_it_cannot_parse_is_an_error_not_a_pass():
    with pytest.raises(PruningCheckError, match="does not parse as BigQuery"):
        # '' is not an escape in BigQuery: this is the bug the check found in a model
        _findings("select 'the prop''s range' from raw.events where game_date >= current_date()")


def _manifest(tmp_path, test_sql: str, adapter: str = "bigquery", extra_nodes: dict | None = None):
    source = {"resource_type": "source", "source_name": "raw", "name": "events",
              "relation_name": "`p`.`raw`.`events`", "config": {"meta": {"partition_column": "game_date"}},
              "columns": {"game_date": {"data_type": "DATE"}, "ts": {"data_type": "TIMESTAMP"}},
              "loaded_at_field": "ts",
              "freshness": {"warn_after": {"count": 1, "period": "day"}, "error_after": {},
                            "filter": "game_date >= current_date()"}}
    view = {"resource_type": "model", "name": "stg_events", "relation_name": "`p`.`stg`.`stg_events`",
            "config": {"materialized": "view", "enabled": True},
            "compiled_code": "select * from `p`.`raw`.`events`"}
    test = {"resource_type": "test", "name": "t", "config": {"enabled": True, "meta": {"invariant_id": "ING-09"}},
            "compiled_code": test_sql}
    doc = {"metadata": {"adapter_type": adapter}, "sources": {"source.p.raw.events": source},
           "nodes": {"model.p.stg_events": view, "test.p.t": test, **(extra_nodes or {})}}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(doc))
    return path


def test_manifest_findings_name_the_contract_and_its_invariant(tmp_path):
    report = check_manifest(_manifest(tmp_path, "select * from `p`.`stg`.`stg_events` where ts is null"))
    assert len(report.checked) == 2  # the test and the source freshness query
    assert [(f.query, f.invariant_id, f.relation, f.path) for f in report.findings] == [
        ("test.p.t", "ING-09", "source raw.events", ("model stg_events",))]


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check-pruning", "--manifest", str(_manifest(
        tmp_path, "select * from `p`.`stg`.`stg_events` where game_date >= current_date()"))])
    assert ok.exit_code == 0, ok.output
    assert "2 queries checked" in ok.output
    bad = runner.invoke(main, ["check-pruning", "--manifest", str(_manifest(
        tmp_path, "select * from `p`.`stg`.`stg_events`"))])
    assert bad.exit_code == 1
    assert "test.p.t [ING-09]: reads source raw.events without a filter on game_date" in bad.output
    duck = runner.invoke(main, ["check-pruning", "--manifest", str(_manifest(tmp_path, "select 1", "duckdb"))])
    assert duck.exit_code == 2
    assert "compiled for 'duckdb', not BigQuery" in duck.output
    assert "Traceback" not in duck.output


def test_a_file_that_is_not_a_manifest_is_a_named_error(tmp_path):
    for name, text in (("notjson.json", "nope"), ("other.json", '{"a": 1}')):
        path = tmp_path / name
        path.write_text(text)
        result = CliRunner().invoke(main, ["check-pruning", "--manifest", str(path)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert ("not valid JSON" if text == "nope" else "is not a dbt manifest") in result.output


def test_no_emulator_listening_is_a_named_error_not_a_ten_minute_retry(monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PROPS_BQ_EMULATOR_ENDPOINT", f"http://127.0.0.1:{port}")
    # (dbt itself would retry for ten minutes, then fail with another message)
    result = CliRunner().invoke(main, ["check-pruning", "--target", "bq_emulator"])
    assert result.exit_code == 2
    assert f"no BigQuery emulator answers at http://127.0.0.1:{port}" in result.output


def test_an_incremental_model_judged_before_its_first_run_gets_a_hint(tmp_path):
    # before its table exists, is_incremental() is false: the full-refresh branch reads everything
    fct = {"resource_type": "model", "name": "fct", "relation_name": "`p`.`mart`.`fct`",
           "config": {"materialized": "incremental", "enabled": True,
                      "partition_by": {"field": "game_date", "data_type": "date"},
                      "incremental_predicates": ["DBT_INTERNAL_DEST.game_date >= current_date()"]},
           "compiled_code": "select * from `p`.`stg`.`stg_events`"}
    result = CliRunner().invoke(main, ["check-pruning", "--manifest", str(_manifest(
        tmp_path, "select 1", extra_nodes={"model.p.fct": fct}))])
    assert result.exit_code == 1
    assert "model.p.fct: reads source raw.events without a filter on game_date (via model stg_events)" in result.output
    assert "judge it after the first `run --full-refresh`" in result.output
    assert "model.p.fct (MERGE target)" not in result.output  # its incremental_predicates bound the target
