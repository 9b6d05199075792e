"""The local BigQuery emulator for tests: bqemulator, in its own virtualenv
.venv-bqemu made by `make bq-emulator`, started on free loopback ports, waited
for, and stopped by its own PID (conftest.py's `emulator` fixture: one per test module that uses it)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT

PROJECT = "props-local"
EMULATOR_PYTHON = Path(os.environ.get("PROPS_BQEMU_PYTHON", ROOT / ".venv-bqemu" / "bin" / "python"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_emulator(workdir: Path) -> Iterator[str]:
    """Start the emulator, wait until it answers; yields its REST endpoint."""
    assert EMULATOR_PYTHON.exists(), f"{EMULATOR_PYTHON} missing: run `make bq-emulator`"
    rest, grpc = _free_port(), _free_port()
    log = (workdir / "emulator.log").open("w")
    proc = subprocess.Popen(
        [str(EMULATOR_PYTHON), str(ROOT / "scripts" / "bq_emulator" / "launch.py"), "start",
         "--rest-host", "127.0.0.1", "--rest-port", str(rest), "--grpc-host", "127.0.0.1",
         "--grpc-port", str(grpc), "--project", PROJECT, "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{rest}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/healthz", timeout=2):
                break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"emulator did not become healthy: {exc}; see {log.name}") from exc
            time.sleep(0.5)
    try:
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def client(endpoint):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery
    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=endpoint))


