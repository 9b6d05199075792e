"""The warehouse a run used, behind one small interface: DuckDB (the official
`duckdb` client) or BigQuery (the official `google-cloud-bigquery` client).

This is the adapter layer: the only module that knows which warehouse it talks
to. Everything else (run records, failing rows, alert log, gate, report) writes
and reads through `Warehouse.query` / `Warehouse.append`, in SQL both dialects
accept, with `@name` parameters (never values pasted into SQL).

Writes are batches: one INSERT (DuckDB) or one load job (BigQuery) per call,
never streaming inserts (seed 003: a streaming buffer blocked DML for 90 min).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from props_contracts.errors import PropsContractsError, UsageError

# Column types, named the BigQuery way; each adapter maps them to its DDL.
STRING, INT64, FLOAT64, TIMESTAMP, DATE = "STRING", "INT64", "FLOAT64", "TIMESTAMP", "DATE"
_DUCKDB_DDL = {STRING: "varchar", INT64: "bigint", FLOAT64: "double", TIMESTAMP: "timestamp", DATE: "date"}


class WarehouseError(PropsContractsError):
    """The warehouse could not be reached, or refused a query."""


@dataclass(frozen=True)
class Table:
    """A table of the project's own audit dataset (`<schema>_audit`)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partition_by: str | None = None  # a TIMESTAMP column: BigQuery partitions by its date
    cluster_by: tuple[str, ...] = ()
    # Columns added after the table's first release, last in `columns`: creating the
    # table also adds them (ADD COLUMN IF NOT EXISTS) to one an older version made.
    added: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def added_columns(self) -> list[tuple[str, str]]:
        return [(c, t) for c, t in self.columns if c in self.added]


def jsonable(value: object) -> object:
    """A value as JSON can hold it: NaN and infinities as text, dates as ISO."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def to_json(row: Mapping[str, object]) -> str:
    return json.dumps({k: jsonable(v) for k, v in row.items()}, allow_nan=False, sort_keys=False)


def _naive_utc(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class Warehouse(ABC):
    """Query and append to the warehouse a dbt target points at."""

    target: str
    schema: str  # the target's schema / dataset; the audit tables live in <schema>_audit

    @abstractmethod
    def relation(self, schema_suffix: str, name: str) -> str:
        """The quoted relation <schema>_<suffix>.<name>."""

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict]:
        """Rows of one statement, as dicts; timestamps as naive UTC."""

    @abstractmethod
    def _create(self, table: Table) -> None: ...

    @abstractmethod
    def _append(self, table: Table, rows: list[dict]) -> None: ...

    @abstractmethod
    def ping(self) -> None:
        """Raise a named error if the warehouse does not answer."""

    def audit(self, table: Table | str) -> str:
        return self.relation("audit", table.name if isinstance(table, Table) else table)

    def ensure(self, *tables: Table) -> None:
        for t in tables:
            self._create(t)

    def append(self, table: Table, rows: list[dict]) -> None:
        """Append rows in one batch write (nothing when there are none)."""
        if not rows:
            return
        unknown = {k for r in rows for k in r} - set(table.column_names)
        if unknown:
            raise WarehouseError(f"rows for {table.name} carry undeclared columns {sorted(unknown)}")
        self._create(table)
        self._append(table, [{c: r.get(c) for c in table.column_names} for r in rows])


class DuckDBWarehouse(Warehouse):
    """The embedded default. One writer at a time may hold the file: a locked
    file is retried (another props-contracts process is writing) until
    `lock_timeout` seconds, then it is a named error."""

    def __init__(self, path: Path, schema: str = "props_contracts", target: str = "duckdb",
                 lock_timeout: float = 60.0) -> None:
        self.path, self.schema, self.target, self.lock_timeout = Path(path), schema, target, lock_timeout
        self._created: set[str] = set()
        self.statements = 0  # statements this object sent (the benchmark counts them)
        self.sql_seconds = 0.0

    def relation(self, schema_suffix: str, name: str) -> str:
        return f'"{self.schema}_{schema_suffix}"."{name}"'

    def _connect(self):
        import duckdb

        if not self.path.exists():
            raise UsageError(f"no warehouse at {self.path}; run `props-contracts simulate` first "
                             "(or pass --database / set PROPS_DUCKDB_PATH)")
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                # Same configuration as dbt-duckdb's own connection (no config), so in
                # the process that ran dbt it shares that database instance.
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise WarehouseError(f"cannot open the DuckDB warehouse {self.path}: {exc}") from exc
                if time.monotonic() > deadline:
                    raise WarehouseError(
                        f"the DuckDB warehouse {self.path} stayed locked by another process for "
                        f"{self.lock_timeout:.0f} s (DuckDB allows one writer at a time)") from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _run(self, sql: str, params: Mapping[str, object] | None = None,
             many: list[list] | None = None) -> list[dict]:
        import duckdb

        con = self._connect()
        self.statements += 1
        started = time.monotonic()
        try:
            if many is not None:
                con.executemany(sql, many)
                return []
            # BigQuery-style @name parameters -> DuckDB's $name
            cur = con.execute(re.sub(r"@(\w+)", r"$\1", sql), dict(params or {}))
            if cur.description is None:
                return []
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB query failed on {self.path}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0]}") from exc
        finally:
            self.sql_seconds += time.monotonic() - started
            con.close()

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict]:
        return self._run(sql, params)

    def ping(self) -> None:
        self._run("select 1 as ok")

    def _create(self, table: Table) -> None:
        if table.name in self._created:
            return
        cols = ", ".join(f'"{c}" {_DUCKDB_DDL[t]}' for c, t in table.columns)
        self._run(f'create schema if not exists "{self.schema}_audit"')
        self._run(f"create table if not exists {self.audit(table)} ({cols})")
        for c, t in table.added_columns():
            self._run(f'alter table {self.audit(table)} add column if not exists "{c}" {_DUCKDB_DDL[t]}')
        self._created.add(table.name)

    def _append(self, table: Table, rows: list[dict]) -> None:
        marks = ", ".join("?" for _ in table.columns)
        names = ", ".join(f'"{c}"' for c in table.column_names)
        self._run(f"insert into {self.audit(table)} ({names}) values ({marks})",
                  many=[[r[c] for c in table.column_names] for r in rows])


@dataclass(frozen=True)
class BigQueryTarget:
    """Where a BigQuery dbt target points, resolved from the same environment as profiles.yml."""

    target: str
    project: str
    dataset: str
    location: str
    endpoint: str | None  # None: Google's API
    method: str  # oauth, service-account, or anonymous (the local emulator)
    keyfile: str | None


def bigquery_target(target: str, env: Mapping[str, str]) -> BigQueryTarget:
    """Validate the environment a BigQuery target reads (profiles.yml), naming what is missing."""
    if target == "bq_emulator":
        return BigQueryTarget(target, env.get("PROPS_BQ_EMULATOR_PROJECT", "props-local"), "props_contracts",
                              "US", env.get("PROPS_BQ_EMULATOR_ENDPOINT", "http://127.0.0.1:9050"),
                              "anonymous", None)
    project = env.get("PROPS_BQ_PROJECT", "").strip()
    if not project:
        raise UsageError("target bigquery: PROPS_BQ_PROJECT is not set (the GCP project that runs the "
                         "jobs and holds the contract datasets; docs/bigquery.md)")
    if not re.fullmatch(r"[a-z][a-z0-9.:-]{3,62}", project):
        raise UsageError(f"target bigquery: PROPS_BQ_PROJECT={project!r} is not a GCP project id")
    dataset = env.get("PROPS_BQ_DATASET", "props_contracts")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,1000}", dataset):
        raise UsageError(f"target bigquery: PROPS_BQ_DATASET={dataset!r} is not a dataset name "
                         "(letters, digits, underscores)")
    method = env.get("PROPS_BQ_METHOD", "oauth")
    keyfile = env.get("PROPS_BQ_KEYFILE") or None
    if method not in ("oauth", "service-account"):
        raise UsageError(f"target bigquery: PROPS_BQ_METHOD must be oauth or service-account, got {method!r}")
    if method == "service-account":
        if not keyfile:
            raise UsageError("target bigquery: PROPS_BQ_METHOD=service-account but PROPS_BQ_KEYFILE is not set")
        if not Path(keyfile).is_file():
            raise UsageError(f"target bigquery: PROPS_BQ_KEYFILE={keyfile} does not exist")
    return BigQueryTarget(target, project, dataset, env.get("PROPS_BQ_LOCATION", "US"),
                          env.get("PROPS_BQ_API_ENDPOINT") or None, method, keyfile)


def _credentials(t: BigQueryTarget):
    import google.auth
    from google.auth.credentials import AnonymousCredentials
    from google.auth.exceptions import DefaultCredentialsError

    if t.method == "anonymous":
        return AnonymousCredentials()
    if t.method == "service-account":
        from google.oauth2 import service_account
        try:
            return service_account.Credentials.from_service_account_file(
                t.keyfile, scopes=["https://www.googleapis.com/auth/bigquery"])
        except (ValueError, KeyError, OSError) as exc:
            raise UsageError(f"target bigquery: PROPS_BQ_KEYFILE={t.keyfile} is not a service-account "
                             f"key file ({type(exc).__name__})") from exc
    try:
        creds, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/bigquery"])
    except DefaultCredentialsError as exc:
        raise UsageError("target bigquery: PROPS_BQ_METHOD=oauth but no application-default credentials "
                         "were found; run `gcloud auth application-default login`, or set "
                         "PROPS_BQ_METHOD=service-account and PROPS_BQ_KEYFILE") from exc
    return creds


def bigquery_ddl(relation: str, table: Table) -> str:
    """CREATE TABLE IF NOT EXISTS for an audit table on BigQuery (the on-run-end hooks
    render the same text: macros/results/audit_table_ddl.sql)."""
    cols = ", ".join(f"`{c}` {t}" for c, t in table.columns)
    ddl = f"create table if not exists {relation} ({cols})"
    if table.partition_by:
        ddl += f" partition by date(`{table.partition_by}`)"
    if table.cluster_by:
        ddl += " cluster by " + ", ".join(f"`{c}`" for c in table.cluster_by)
    return ddl


_BQ_PARAM_TYPES = ((bool, "BOOL"), (int, "INT64"), (float, "FLOAT64"), (datetime, "TIMESTAMP"),
                   (date, "DATE"), (str, "STRING"))


class BigQueryWarehouse(Warehouse):
    def __init__(self, t: BigQueryTarget, timeout: float = 120.0) -> None:
        self.t, self.target, self.schema, self.timeout = t, t.target, t.dataset, timeout
        self._client_obj = None
        self._created: set[str] = set()

    @property
    def where(self) -> str:
        return f"{self.t.target} ({self.t.endpoint or 'bigquery.googleapis.com'}, project {self.t.project})"

    def _client(self):
        if self._client_obj is None:
            from google.api_core.client_options import ClientOptions
            from google.cloud import bigquery

            options = ClientOptions(api_endpoint=self.t.endpoint) if self.t.endpoint else None
            self._client_obj = bigquery.Client(project=self.t.project, credentials=_credentials(self.t),
                                               location=self.t.location, client_options=options)
        return self._client_obj

    def relation(self, schema_suffix: str, name: str) -> str:
        return f"`{self.t.project}`.`{self.schema}_{schema_suffix}`.`{name}`"

    def _job(self, fn, what: str):
        """Run one client call with a bounded wait: the API's own retries may not give up
        for many minutes when the endpoint accepts connections and never answers."""
        box: dict = {}

        def work() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:  # noqa: BLE001 - handed to the caller's thread and raised there
                box["error"] = exc

        worker = threading.Thread(target=work, daemon=True, name=f"bigquery {what}")
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():  # the daemon thread is abandoned; the process exits soon
            raise WarehouseError(f"BigQuery did not answer within {self.timeout:.0f} s ({what}) at "
                                 f"{self.where}")
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, PropsContractsError):
                raise exc
            first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise WarehouseError(f"BigQuery {what} failed at {self.where}: {type(exc).__name__}: {first}") \
                from exc
        return box.get("value")

    def _params(self, params: Mapping[str, object] | None):
        from google.cloud import bigquery

        out = []
        for name, value in (params or {}).items():
            kind = next((k for cls, k in _BQ_PARAM_TYPES if isinstance(value, cls)), None)
            if kind is None:
                raise WarehouseError(f"query parameter {name}: unsupported type {type(value).__name__}")
            out.append(bigquery.ScalarQueryParameter(name, kind, value))
        return bigquery.QueryJobConfig(query_parameters=out)

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict]:
        def work():
            job = self._client().query(sql, job_config=self._params(params), timeout=self.timeout)
            return [{k: _naive_utc(v) for k, v in row.items()} for row in job.result(timeout=self.timeout)]
        return self._job(work, "query")

    def ping(self) -> None:
        if self.t.endpoint:  # a refused connection fails at once, not after the client's retries
            import socket
            from urllib.parse import urlsplit

            parts = urlsplit(self.t.endpoint)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                socket.create_connection((parts.hostname, port), timeout=min(self.timeout, 5)).close()
            except OSError as exc:
                raise WarehouseError(f"nothing accepts connections at {self.where}: "
                                     f"{exc.strerror or type(exc).__name__}") from exc
        self.query("select 1 as ok")

    def _create(self, table: Table) -> None:
        if table.name in self._created:
            return
        ddl = bigquery_ddl(self.audit(table), table)

        def work():
            self._client().create_dataset(f"{self.t.project}.{self.schema}_audit", exists_ok=True,
                                          timeout=self.timeout)
            self._client().query(ddl, timeout=self.timeout).result(timeout=self.timeout)
            for c, t in table.added_columns():
                self._client().query(f"alter table {self.audit(table)} add column if not exists `{c}` {t}",
                                     timeout=self.timeout).result(timeout=self.timeout)
        self._job(work, f"create {table.name}")
        self._created.add(table.name)

    def _append(self, table: Table, rows: list[dict]) -> None:
        """One batch load job (Parquet): never a streaming insert."""
        import pyarrow as pa
        import pyarrow.parquet as pq
        from google.cloud import bigquery

        arrow = {STRING: pa.string(), INT64: pa.int64(), FLOAT64: pa.float64(),
                 TIMESTAMP: pa.timestamp("us"), DATE: pa.date32()}
        data = pa.table({c: pa.array([r[c] for r in rows], type=arrow[t]) for c, t in table.columns})
        buf = io.BytesIO()
        pq.write_table(data, buf)
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET,
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
            schema=[bigquery.SchemaField(c, t) for c, t in table.columns])

        def work():
            buf.seek(0)
            job = self._client().load_table_from_file(
                buf, f"{self.t.project}.{self.schema}_audit.{table.name}", job_config=config,
                timeout=self.timeout)
            job.result(timeout=self.timeout)
        self._job(work, f"load into {table.name}")


def env_seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """A number of seconds from the environment, checked: a named error otherwise."""
    raw = env.get(name, str(default))
    try:
        value = float(raw)
    except ValueError as exc:
        raise UsageError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if not (math.isfinite(value) and low <= value <= high):
        raise UsageError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def open_warehouse(target: str, duckdb_path: Path | None,
                   env: Mapping[str, str] | None = None) -> Warehouse:
    """The warehouse a dbt target of profiles.yml points at."""
    env = os.environ if env is None else env
    if target == "duckdb":
        if duckdb_path is None:
            raise UsageError("target duckdb needs a database file (--database / PROPS_DUCKDB_PATH)")
        return DuckDBWarehouse(Path(duckdb_path))
    if target in ("bigquery", "bq_emulator"):
        return BigQueryWarehouse(bigquery_target(target, env), timeout=env_seconds(env, "PROPS_BQ_TIMEOUT_SECONDS", 120, 1, 3600))
    raise UsageError(f"unknown target {target!r}: use duckdb, bigquery or bq_emulator (profiles.yml)")
