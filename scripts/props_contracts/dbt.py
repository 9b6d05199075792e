"""One class that runs dbt in-process and raises when dbt itself fails.

A contract that fails is not an exception here: it is a result, read from
run_results.json by results.py. An exception means dbt could not do its job
(compilation error, warehouse unreachable, database locked, a crash).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from props_contracts.errors import DbtInvocationError, PropsContractsError

# dbt statuses that mean a node could not run, as opposed to a contract failing.
NODE_ERRORS = {"error", "runtime error"}


@dataclass
class DbtSettings:
    project_dir: Path
    target: str = "duckdb"
    duckdb_path: Path | None = None
    vars: dict = field(default_factory=dict)
    quiet: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    # dbt's artifacts directory; separate ones let two runs share the project.
    artifacts_dir: Path | None = None
    # dbt's log directory (default: <project>/logs); the benchmark reads its SQL timings
    log_path: Path | None = None
    # how long a run waits for another props-contracts job to release the artifacts
    # directory (artifacts_lock) before it refuses; PROPS_ARTIFACTS_LOCK_WAIT_SECONDS
    lock_wait_seconds: float = 600.0

    @property
    def target_path(self) -> Path:
        from props_contracts import artifacts_root

        return self.artifacts_dir or artifacts_root(self.project_dir)


LOCK_FILE = ".props-contracts.lock"


class ArtifactsBusyError(PropsContractsError):
    """Another props-contracts job holds the dbt artifacts directory."""


@contextmanager
def artifacts_lock(target_path: Path, wait_seconds: float) -> Iterator[None]:
    """Hold dbt's artifacts directory for one job: an exclusive lock (flock) on a
    file in it. dbt writes manifest.json, run_results.json and sources.json there
    and the run reads them back; two jobs sharing it read each other's half-written
    files. A second job waits up to `wait_seconds`, then refuses by name (exit 2,
    nothing run or recorded). The kernel releases the lock when the holder exits,
    however it exits: a crashed job never leaves it held."""
    import fcntl

    try:
        target_path.mkdir(parents=True, exist_ok=True)
        fh = (target_path / LOCK_FILE).open("a+", encoding="utf-8")
    except OSError as exc:
        raise ArtifactsBusyError(f"cannot create the lock file in {target_path}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip()[:200] or "its pid not yet written"
                    raise ArtifactsBusyError(
                        f"another props-contracts run is using {target_path} ({holder}); waited "
                        f"{wait_seconds:.0f} s (PROPS_ARTIFACTS_LOCK_WAIT_SECONDS). This run did nothing and "
                        "recorded nothing; give jobs that must run at once their own DBT_TARGET_PATH") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        fh.flush()
        yield
    finally:
        fh.close()  # releases the lock


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def git_sha(project_dir: Path) -> str:
    """The checkout's commit for the results history; '' outside a git checkout."""
    if os.environ.get("PROPS_GIT_SHA"):
        return os.environ["PROPS_GIT_SHA"]
    head = project_dir / ".git" / "HEAD"
    if not head.is_file():
        return ""
    ref = head.read_text().strip()
    if not ref.startswith("ref: "):
        return ref
    ref_file = project_dir / ".git" / ref[5:]
    return ref_file.read_text().strip() if ref_file.is_file() else ""


# Directories and files of a project whose content decides what `dbt parse` produces.
_PROJECT_INPUTS = ("models", "macros", "tests", "seeds", "snapshots", "analyses", "dbt_packages",
                   "dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def project_fingerprint(project_dir: Path) -> str:
    """Every project file's path, size and modification time: any edit changes it."""
    h = hashlib.sha256()
    for name in _PROJECT_INPUTS:
        top = project_dir / name
        if top.is_file():
            st = top.stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        elif top.is_dir():
            for root, dirs, files in os.walk(top):
                dirs.sort()
                for f in sorted(files):
                    st = os.stat(os.path.join(root, f))
                    h.update(f"{os.path.relpath(os.path.join(root, f), project_dir)}\0{st.st_size}\0"
                             f"{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@dataclass
class _Parsed:
    manifest: object  # dbt's Manifest, for dbtRunner(manifest=...)
    manifest_dict: dict  # manifest.json, as the runner reads it
    manifest_json: bytes  # written into each artifacts directory that reuses the parse


# One process's parses, by everything that decides their result (parse_key): a
# process that runs the project many times (the fault matrix, the test suite, the
# demo) parses it once per distinct key. The scheduled run parses once anyway.
_PARSES: dict[str, _Parsed] = {}


class Dbt:
    """dbt's programmatic runner with the project's settings applied to every call."""

    def __init__(self, settings: DbtSettings, *, reuse_parses: bool = True) -> None:
        self.settings = settings
        # False: parse even if this process parsed the same project before (the
        # benchmark times a scheduled run, which is a fresh process)
        self.reuse_parses = reuse_parses
        # The parsed project, once parse() ran: every later call reuses it instead of
        # parsing again (dbtRunner(manifest=...)); the vars are the same for all calls.
        self.manifest: object | None = None
        self.manifest_dict: dict | None = None
        self.invocations = 0
        # dbt's invocation_id of each call: the run record lists them
        # (contract_run_invocations), so readers know these calls are accounted for
        self.invocation_ids: list[str] = []
        # how the last parse went: "reused" (dbt's partial_parse.msgpack in the
        # artifacts directory matched: a baked parse, see `props-contracts parse`),
        # "full: <dbt's reason>", or "cached" (this process parsed it already)
        self.parse_mode: str | None = None

    def parse_key(self) -> str:
        """What decides the parse: the project's files, the target, the vars, the
        environment dbt sees (the DuckDB file by its name only: relations are named
        after it, the rest of its path is not in the manifest)."""
        s = self.settings
        env = {k: v for k, v in os.environ.items() if k.startswith(("PROPS_", "DBT_"))}
        env.update(self._env())
        if "PROPS_DUCKDB_PATH" in env:
            env["PROPS_DUCKDB_PATH"] = Path(env["PROPS_DUCKDB_PATH"]).name
        return json.dumps([str(s.project_dir.resolve()), project_fingerprint(s.project_dir), s.target,
                           s.vars, sorted(env.items())], sort_keys=True, default=str)

    def parse(self) -> object:
        """Parse the project once (writes manifest.json into the artifacts
        directory); later invokes reuse it. A project this process already parsed
        with the same parse_key is not parsed again: its manifest is reused."""
        # the per-processor thresholds first: a malformed row is named before dbt starts
        from props_contracts.processor_settings import check_processor_settings
        check_processor_settings(self.settings.project_dir)
        key = self.parse_key()
        target_manifest = self.settings.target_path / "manifest.json"
        cached = _PARSES.get(key) if self.reuse_parses else None
        if cached is not None:
            target_manifest.parent.mkdir(parents=True, exist_ok=True)
            target_manifest.write_bytes(cached.manifest_json)
            self.manifest, self.manifest_dict = cached.manifest, cached.manifest_dict
            self.parse_mode = "cached"
            return self.manifest
        events: list[tuple[str, str]] = []

        def listen(msg: object) -> None:
            name = msg.info.name  # type: ignore[attr-defined]
            if name in ("PartialParsingSkipParsing", "PartialParsingEnabled", "UnableToPartialParse"):
                events.append((name, str(getattr(msg.data, "reason", "") or "")))  # type: ignore[attr-defined]

        self.manifest = self.invoke(["parse"], callbacks=[listen])
        unable = [reason for name, reason in events if name == "UnableToPartialParse"]
        if unable:
            self.parse_mode = f"full: {unable[-1]}"
        elif events:
            self.parse_mode = "reused"
        else:
            self.parse_mode = f"full: no saved parse (partial_parse.msgpack) in {self.settings.target_path}"
        raw = target_manifest.read_bytes() if target_manifest.is_file() else None
        self.manifest_dict = json.loads(raw) if raw is not None else None
        if self.manifest is not None and raw is not None:
            _PARSES[key] = _Parsed(self.manifest, self.manifest_dict, raw)
        return self.manifest

    def _env(self) -> dict[str, str]:
        s = self.settings
        # PROPS_CONTRACTS_CLI: the on-run-end hook writes no run record of its own
        # (macros/results/record_run.sql): this process writes the record of the run
        env = {"DBT_PROFILES_DIR": str(s.project_dir), "PROPS_GIT_SHA": git_sha(s.project_dir),
               "PROPS_CONTRACTS_CLI": "1", **s.extra_env}
        if s.duckdb_path is not None:
            env["PROPS_DUCKDB_PATH"] = str(s.duckdb_path)
        return env

    def invoke(self, command: Sequence[str], *, allow_node_failures: bool = False,
               node_error_statuses: frozenset[str] = frozenset(NODE_ERRORS),
               callbacks: list | None = None) -> object:
        """Run one dbt command. Raises DbtInvocationError if dbt failed to do its job.

        With allow_node_failures, failing *tests* are expected results (contracts
        that caught something); a model or test that errored still raises.
        """
        from dbt.cli.main import dbtRunner  # deferred: importing dbt costs ~1 s
        from dbt_common.invocation import get_invocation_id

        s = self.settings
        args = [*command, "--project-dir", str(s.project_dir), "--profiles-dir", str(s.project_dir),
                "--target", s.target]
        args += ["--target-path", str(s.target_path)]  # the directory the runner reads back
        if s.log_path is not None:
            args += ["--log-path", str(s.log_path)]
        if s.vars:
            import json
            args += ["--vars", json.dumps(s.vars, default=str, sort_keys=True)]
        # Quiet: dbt prints nothing (not even its FAIL lines: the summary names every
        # failure, and dbt's own errors come back in the results and exceptions). `ls`
        # is data for the runner, never for the person. Colour codes only on a terminal.
        # dbt's file log (the benchmark reads it) keeps its own level, which would follow
        # the console's "none" if it were not given.
        if s.quiet or list(command[:1]) == ["ls"]:
            args = ["--log-level", "none", "--log-level-file", os.environ.get("DBT_LOG_LEVEL_FILE", "debug"), *args]
        elif not sys.stderr.isatty():
            args = ["--no-use-colors", *args]
        env = self._env()
        # dbt's console output goes to stderr: stdout carries only our own output
        # (the summary, gate's JSON), so an orchestrator can parse it.
        with _env(env), contextlib.redirect_stdout(sys.stderr):
            self.invocations += 1
            before = get_invocation_id()
            try:
                result = dbtRunner(manifest=self.manifest, callbacks=callbacks).invoke(args)
            finally:
                if get_invocation_id() != before:  # dbt started (and named) this invocation
                    self.invocation_ids.append(get_invocation_id())
        if result.exception is not None:
            raise DbtInvocationError(
                f"dbt {' '.join(command)} failed: {type(result.exception).__name__}: {result.exception}"
            )
        if not result.success:
            errored = self._errored_nodes(result.result, node_error_statuses)
            if errored or not allow_node_failures:
                detail = "; ".join(errored) if errored else "see the dbt log above"
                raise DbtInvocationError(f"dbt {' '.join(command)} did not succeed: {detail}")
        return result.result

    @staticmethod
    def _errored_nodes(run_result: object, statuses: frozenset[str]) -> list[str]:
        out = []
        for r in getattr(run_result, "results", None) or []:
            status = str(getattr(r, "status", "")).lower()
            if status in statuses:
                msg = (getattr(r, "message", "") or "").strip().splitlines()
                node = getattr(r, "node", None)
                out.append(f"{getattr(node, 'unique_id', '?')}: {msg[0] if msg else status}")
        return out
