"""Read a few stored failing rows of each failed contract, to say which date,
team, player, batch, processor or file broke it."""

from __future__ import annotations

from props_contracts.dbt import DbtSettings
from props_contracts.results import ContractResult

# Columns worth showing first, when a failing row has them.
KEY_COLUMNS = (
    "game_date", "data_date", "run_date", "team_abbr", "player_lookup", "game_id", "batch_id",
    "processor_name", "subscription_name", "file_path", "staging_table_name", "column_name",
    "violation", "problem", "missing", "missing_teams", "missing_player_list", "coverage",
    "duplicate_ratio", "duration_ratio", "gap_hours", "gap_started_at", "gap_ended_at",
    "input_coverage", "staging_failure_rate", "missing_staging_tables", "row_difference",
    "completeness", "undelivered_messages", "entity_id", "n_rows",
)


def format_row(row: dict) -> str:
    shown = [(k, row[k]) for k in KEY_COLUMNS if k in row and row[k] is not None][:6]
    if not shown:
        shown = list(row.items())[:5]
    parts = []
    for k, v in shown:
        if isinstance(v, float):
            v = f"{v:.3f}"
        text = str(v)
        # long values (file paths) keep their distinctive end
        parts.append(f"{k}={text if len(text) <= 70 else text[:25] + '...' + text[-42:]}")
    return " ".join(parts)


def duckdb_query(settings: DbtSettings, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one SELECT on the DuckDB warehouse: (column names, rows).

    Same configuration as dbt-duckdb's own connection (read_only=False, no
    config), so inside the process that ran dbt it shares that database
    instance instead of failing on "different configuration". Only SELECTs.
    """
    import duckdb

    con = duckdb.connect(str(settings.duckdb_path))
    try:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()


def failing_rows(settings: DbtSettings, relation: str | None) -> list[dict] | None:
    """Every stored failing row of one test (capped by the tests' `limit`), or
    None when they cannot be read on this target."""
    if settings.target != "duckdb" or settings.duckdb_path is None or not relation:
        return None
    cols, rows = duckdb_query(settings, f"select * from {relation}")
    return [dict(zip(cols, row, strict=True)) for row in rows]


def sample_failures(results: list[ContractResult], settings: DbtSettings,
                    n: int) -> dict[str, list[str]]:
    """Up to n formatted failing rows per result, from its store_failures table
    (DuckDB target; on others the summary shows counts only)."""
    return {r.unique_id: [format_row(row) for row in (failing_rows(settings, r.relation) or [])[:n]]
            for r in results}
