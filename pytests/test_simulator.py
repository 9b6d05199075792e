"""The simulator: deterministic, and clear about bad input."""

from __future__ import annotations

import hashlib

import duckdb
from click.testing import CliRunner

from conftest import simulate
from props_contracts.cli import main
from props_contracts.simulator.faults import FAULTS


def _table_hashes(db) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for (schema, table) in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'nba_%' order by 1, 2").fetchall():
        rows = con.execute(f'select * from "{schema}"."{table}" order by all').fetchall()
        types = con.execute(f'describe "{schema}"."{table}"').fetchall()
        out[f"{schema}.{table}"] = hashlib.sha256(f"{types!r}:{rows!r}".encode()).hexdigest()
    con.close()
    return out


def _fingerprint(db) -> str:
    return hashlib.sha256(repr(sorted(_table_hashes(db).items())).encode()).hexdigest()


def test_same_seed_same_data_different_seed_different_data(tmp_path):
    # given two simulations with seed 11 and one with seed 12
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    # when they are written
    counts = simulate(a, seed=11)
    simulate(b, seed=11)
    simulate(c, seed=12)
    # then the same seed gives identical tables and another seed does not
    assert _fingerprint(a) == _fingerprint(b)
    assert _fingerprint(a) != _fingerprint(c)
    # and the week has realistic volume: 5 systems x 4 props per expected player
    assert counts["nba_predictions.player_prop_predictions"] == 20 * counts["nba_precompute.ml_feature_store"]
    assert counts["nba_orchestration.workflow_decisions"] > 300  # every ~30 minutes for a week


def test_streamed_world_is_the_in_memory_world_table_by_table(tmp_path):
    # given a 17-day world, built in memory and written at once (what the fault matrix uses)
    from datetime import timedelta

    from conftest import AS_OF, END, ROOT
    from props_contracts.schema import load_source_tables
    from props_contracts.simulator.faults import apply_faults
    from props_contracts.simulator.writer import stream_to_duckdb
    start = END - timedelta(days=16)
    whole = tmp_path / "whole.duckdb"
    simulate(whole, seed=5, start=start, inject=("SCH-01", "ORC-01"))
    # when the same world is streamed in 3-day chunks, with all of it streamed, or a
    # 5-day tail kept in memory for the faults (which must then see the same tail)
    tables = load_source_tables(ROOT / "models")
    streamed = tmp_path / "streamed.duckdb"
    chunks: list[int] = []
    counts = stream_to_duckdb(5, start, END, AS_OF, tables, streamed,
                              mutate_tail=lambda w: apply_faults(w, ["SCH-01", "ORC-01"]),
                              tail_days=5, chunk_days=3, progress=lambda i, n, d: chunks.append(i))
    # then every table holds the same rows with the same types, and progress came per chunk
    assert _table_hashes(streamed) == _table_hashes(whole)
    assert chunks[:4] == [3, 6, 9, 12] and chunks[-1] == 17
    assert counts["nba_predictions.player_prop_predictions"] > 0
    # and with nothing kept in memory (no faults) the clean world is the same too
    clean, clean_streamed = tmp_path / "clean.duckdb", tmp_path / "clean_streamed.duckdb"
    simulate(clean, seed=5, start=start)
    stream_to_duckdb(5, start, END, AS_OF, tables, clean_streamed, chunk_days=4)
    assert _table_hashes(clean_streamed) == _table_hashes(clean)


def test_every_catalog_id_has_a_fault():
    from props_contracts import project_root
    from props_contracts.catalog import load_catalog
    assert set(FAULTS) == set(load_catalog(project_root()))


def _cli(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_unknown_invariant_id_is_a_named_error_listing_valid_ids(tmp_path):
    result = _cli(["simulate", "--database", str(tmp_path / "w.duckdb"), "--inject", "PRD-99",
                   "--end", "2026-01-15", "--quiet"])
    assert result.exit_code == 2
    assert "--inject: no fault for PRD-99" in result.output
    assert "PRD-07" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "w.duckdb").exists()  # nothing half-written


def test_end_before_start_is_a_named_error(tmp_path):
    result = _cli(["simulate", "--database", str(tmp_path / "w.duckdb"),
                   "--start", "2026-01-10", "--end", "2026-01-05"])
    assert result.exit_code == 2
    assert "--end (2026-01-05) is before --start (2026-01-10)" in result.output


def test_non_positive_days_is_a_named_error(tmp_path):
    result = _cli(["simulate", "--database", str(tmp_path / "w.duckdb"), "--days", "0"])
    assert result.exit_code == 2
    assert "--days must be between 1 and 1500, got 0" in result.output


def test_bad_date_is_a_named_error(tmp_path):
    result = _cli(["simulate", "--database", str(tmp_path / "w.duckdb"), "--end", "15/01/2026"])
    assert result.exit_code == 2
    assert "--end must be a date like 2026-01-15" in result.output


def test_run_without_a_warehouse_says_what_to_do(tmp_path):
    result = _cli(["run", "--database", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2
    assert "run `props-contracts simulate` first" in result.output


def test_writing_leaves_the_memory_limit_of_a_connection_held_open_as_it_was(tmp_path):
    # given a warehouse that another connection of this process holds open (as
    # dbt-duckdb does between runs), with DuckDB's default memory limit
    db = tmp_path / "w.duckdb"
    simulate(db)
    held = duckdb.connect(str(db))
    before = held.execute("select current_setting('memory_limit')").fetchone()[0]
    # when the simulator rewrites it (its writer bounds its own cache to 64 MB)
    simulate(db, inject=("PRD-06",))
    # then the held connection's limit is the one it had: models still build in it
    assert held.execute("select current_setting('memory_limit')").fetchone()[0] == before
    held.close()
