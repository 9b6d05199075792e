"""Declared source schema, read from the dbt sources YAML.

The `_<source>__sources.yml` files are the single statement of what the
pipeline's tables look like: the simulator creates tables from them, and
SCH-01 compares the warehouse against them. Nothing else lists columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from props_contracts.errors import SchemaError

# BigQuery type -> DuckDB type used when the simulator creates a table.
DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "INT64": "BIGINT",
    "FLOAT64": "DOUBLE",
    "BOOL": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # BigQuery spelling, upper case


@dataclass(frozen=True)
class SourceTable:
    source: str  # dataset name as in the seeds, e.g. nba_raw
    name: str
    columns: tuple[Column, ...]
    partition_column: str | None

    @property
    def fqn(self) -> str:
        return f"{self.source}.{self.name}"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def load_source_tables(models_dir: Path) -> dict[str, SourceTable]:
    """Every declared source table, keyed by `dataset.table`."""
    tables: dict[str, SourceTable] = {}
    files = sorted(models_dir.glob("staging/*/_*__sources.yml"))
    if not files:
        raise SchemaError(f"no _<source>__sources.yml files under {models_dir}/staging")
    for path in files:
        doc = yaml.safe_load(path.read_text())
        for source in doc.get("sources", []):
            for table in source.get("tables", []):
                cols = []
                for col in table.get("columns", []):
                    dtype = str(col.get("data_type", "")).upper()
                    if dtype not in DUCKDB_TYPES:
                        raise SchemaError(
                            f"{path}: {source['name']}.{table['name']}.{col['name']} has "
                            f"data_type {dtype!r}; use one of {sorted(DUCKDB_TYPES)}"
                        )
                    cols.append(Column(col["name"], dtype))
                meta = (table.get("config") or {}).get("meta") or table.get("meta") or {}
                st = SourceTable(
                    source=source["name"],
                    name=table["name"],
                    columns=tuple(cols),
                    partition_column=meta.get("partition_column"),
                )
                tables[st.fqn] = st
    return tables
