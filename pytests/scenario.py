"""The run-integrity scenario, through the real CLI (subprocesses) and a real
local webhook listener, on any target: a fault opens an alert; a run that dies
(a dropped source table) resolves nothing, says what it could not evaluate, and
exits 2 in run, gate and alert; the table restored and the fault fixed resolve.

Used by test_run_integrity.py (DuckDB) and test_bigquery_emulator.py (the
emulator), whose transcripts are then compared structurally.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import AS_OF, ROOT

CLI = str(Path(sys.executable).parent / "props-contracts")
PINNED = ["--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"]


class Webhook:
    """A real HTTP server on 127.0.0.1 that records every JSON POST (and, in
    `requests`, the path it was posted to: a heartbeat's /start, /fail)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(json.loads(body))
                outer.requests.append((self.path, outer.received[-1]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret"

    def alerts(self) -> list[dict]:
        return [a for payload in self.received for a in payload["alerts"]]

    def incidents(self) -> list[dict]:
        """The alerts grouped by root cause, as sent (alerts/grouping.py)."""
        return [i for payload in self.received for i in payload.get("incidents", [])]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Step:
    name: str
    exit_code: int
    stdout: str
    stderr: str
    alerts: list[dict] = field(default_factory=list)  # what the webhook received during the step
    incidents: list[dict] = field(default_factory=list)  # the same, grouped by root cause


def cli(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, **env},
                          cwd=cwd or ROOT, timeout=600)


def run_scenario(target_args: list[str], env: dict[str, str], hook: Webhook, workdir: Path,
                 break_source: Callable[[], None], restore: Callable[[], None]) -> list[Step]:
    """target_args: ['--target', ...] or ['--database', ...]. The warehouse holds a week with PRD-06 injected."""
    env = {**env, "PROPS_ALERT_WEBHOOK_URL": hook.url, "PROPS_ALERT_ATTEMPTS": "2",
           "PROPS_ALERT_BACKOFF_SECONDS": "0.05"}
    steps: list[Step] = []

    def step(name: str, args: list[str], cwd: Path | None = None) -> Step:
        before, grouped = len(hook.alerts()), len(hook.incidents())
        p = cli(args, env, cwd)
        steps.append(Step(name, p.returncode, p.stdout, p.stderr, hook.alerts()[before:],
                          hook.incidents()[grouped:]))
        return steps[-1]

    def concurrent_alerts(name: str) -> Step:
        """Two `alert` runs at once, one from an empty directory (a fresh container)."""
        fresh = workdir / f"fresh-{len(steps)}"
        fresh.mkdir()
        before, grouped = len(hook.alerts()), len(hook.incidents())
        procs = [subprocess.Popen([CLI, "alert", *target_args], env={**os.environ, **env}, cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for cwd in (ROOT, fresh)]
        outs = [p.communicate(timeout=600) for p in procs]
        codes = sorted(p.returncode for p in procs)
        steps.append(Step(name, max(codes), "".join(o for o, _ in outs), "".join(e for _, e in outs),
                          hook.alerts()[before:], hook.incidents()[grouped:]))
        return steps[-1]

    step("run with PRD-06", ["run", *target_args, *PINNED, "--quiet"])
    concurrent_alerts("alert after the fault")
    break_source()
    step("run with nbac_schedule dropped", ["run", *target_args, *PINNED, "--quiet"])
    step("gate phase 3", ["gate", "--phase", "3", "--date", "2026-01-12", "--json", *target_args, *PINNED])
    concurrent_alerts("alert after the broken run")
    restore()
    step("run restored and fixed", ["run", *target_args, *PINNED, "--quiet"])
    step("alert after the fix", ["alert", *target_args])
    step("alert again", ["alert", *target_args])
    step("report", ["report", *target_args, "--output", str(workdir / "report.html")])
    return steps


def _entities(text: str) -> str:
    """A failing row's entities, without its measures: a baseline median is
    APPROX_QUANTILES' middle element on BigQuery and an interpolated median on
    DuckDB, so a ratio may differ while the verdict and the entities agree."""
    return re.sub(r"=-?\d+\.\d+", "=<measure>", text)


def shape(steps: list[Step], workdir: Path) -> list[tuple]:
    """What must match across targets: exit codes; each alert's kind, invariant,
    date, row count and entities; the summary's statuses and failing rows; the
    gate's decision; the report's failing rows. Not timestamps, run ids, the
    target's name, or dbt's wording of a warehouse error."""
    out = []
    for s in steps:
        alerts = sorted((a["kind"], a["invariant_id"], a["partition"], a["failing_rows"],
                         tuple(_entities(x) for x in a["sample"] if "not evaluated" not in x)) for a in s.alerts)
        detail: object = None
        if s.name.startswith("run"):
            detail = [_entities(ln.strip()) for ln in s.stdout.splitlines()
                      if re.match(r"^\s+(FAIL|WARN|UNKNOWN|pass)\s+[A-Z]{3}-\d\d ", ln)
                      or ln.startswith("          - ")]
        elif s.name.startswith("gate"):
            d = json.loads(s.stdout)
            detail = (d["decision"], sorted(d["unknown"]), [(b["invariant_id"], b["rows_for_date"]) for b in d["blocking"]])
        elif s.name == "report":
            page = (workdir / "report.html").read_text()
            detail = sorted(_entities(x) for x in re.findall(r'<ul class="rows">(.*?)</ul>', page))
        out.append((s.name, s.exit_code, alerts, detail))
    return out
