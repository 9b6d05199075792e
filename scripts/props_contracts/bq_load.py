"""Load the simulated warehouse into BigQuery (or the local emulator) with batch
load jobs, one Parquet file per declared source table. Never streaming inserts:
seed 003's streaming buffer blocked DML for 90 minutes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from props_contracts.schema import DUCKDB_TYPES, SourceTable

# DuckDB type -> BigQuery type: a table is loaded with the types it really has,
# so a drifted column (SCH-01) reaches BigQuery drifted, as it would in production.
BIGQUERY_TYPES = {duck: bq for bq, duck in DUCKDB_TYPES.items()}


def load_into_bigquery(client, project: str, duckdb_path: Path, tables: dict[str, SourceTable],
                       progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    from google.cloud import bigquery

    counts: dict[str, int] = {}
    con = duckdb.connect(str(duckdb_path))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for fqn, table in sorted(tables.items()):
                client.create_dataset(f"{project}.{table.source}", exists_ok=True)
                path = Path(tmp) / f"{fqn}.parquet"
                con.execute(f'copy (select * from "{table.source}"."{table.name}") to \'{path}\' (format parquet)')
                config = bigquery.LoadJobConfig(
                    source_format=bigquery.SourceFormat.PARQUET,
                    schema=[bigquery.SchemaField(name, BIGQUERY_TYPES[dtype]) for name, dtype, *_ in
                            con.execute(f'describe "{table.source}"."{table.name}"').fetchall()],
                    write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
                )
                # Recreate, as the DuckDB writer does: the emulator's WRITE_TRUNCATE keeps
                # an existing table's schema, which would hide a type change (SCH-01).
                client.delete_table(f"{project}.{fqn}", not_found_ok=True)
                with path.open("rb") as fh:
                    job = client.load_table_from_file(fh, f"{project}.{fqn}", job_config=config)
                job.result()  # raises on a failed load
                counts[fqn] = int(job.output_rows or 0)
                if progress:
                    progress(fqn, counts[fqn])
    finally:
        con.close()
    return counts
