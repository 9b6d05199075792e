"""Write a simulated world into DuckDB, in one schema per pipeline dataset.

Tables are created from the declared source schema (models/staging/*/_*__sources.yml)
and filled with one bulk load per table (Arrow), never row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from props_contracts.errors import SchemaError
from props_contracts.schema import DUCKDB_TYPES, SourceTable
from props_contracts.simulator.world import World

ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def _arrow_table(table: SourceTable, rows: list[dict], overrides: dict[str, str]) -> pa.Table:
    names = table.column_names()
    for i, row in enumerate(rows):
        extra = set(row) - set(names)
        missing = set(names) - set(row)
        if extra or missing:
            raise SchemaError(
                f"simulated row {i} of {table.fqn} does not match its declared columns: "
                f"undeclared {sorted(extra)}, missing {sorted(missing)}"
            )
    arrays = []
    fields = []
    for col in table.columns:
        dtype = overrides.get(col.name, col.data_type)
        values = [row[col.name] for row in rows]
        if dtype == "STRING" and col.data_type != "STRING":
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=ARROW_TYPES[dtype]))
        fields.append(pa.field(col.name, ARROW_TYPES[dtype]))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_duckdb(world: World, tables: dict[str, SourceTable], path: Path,
                 progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """(Re)create every declared source table in the DuckDB file; returns row counts."""
    unknown = set(world.tables) - set(tables)
    if unknown:
        raise SchemaError(f"simulator produced undeclared tables: {sorted(unknown)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(path))
    try:
        con.execute("begin transaction")
        for fqn, table in sorted(tables.items()):
            overrides = world.type_overrides.get(fqn, {})
            rows = world.tables.get(fqn, [])
            cols = ", ".join(
                f'"{c.name}" {DUCKDB_TYPES[overrides.get(c.name, c.data_type)]}' for c in table.columns
            )
            con.execute(f'create schema if not exists "{table.source}"')
            con.execute(f'drop table if exists "{table.source}"."{table.name}"')
            con.execute(f'create table "{table.source}"."{table.name}" ({cols})')
            if rows:
                arrow = _arrow_table(table, rows, overrides)  # noqa: F841 (read by duckdb)
                con.execute(f'insert into "{table.source}"."{table.name}" select * from arrow')
            counts[fqn] = len(rows)
            if progress:
                progress(fqn, len(rows))
        con.execute("commit")
    finally:
        con.close()
    return counts
