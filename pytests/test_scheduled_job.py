"""The image's entrypoint, deploy/scheduled-job.sh, on the embedded DuckDB: the
scheduled job runs the contracts, then alerts, and its exit code is the run's,
or 2 when the alert step could not tell anyone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, ROOT, simulate
from scenario import Webhook

JOB = ROOT / "deploy" / "scheduled-job.sh"


def job(env: dict[str, str]) -> subprocess.CompletedProcess:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the venv's props-contracts
    return subprocess.run([str(JOB), "--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"], capture_output=True, text=True,
                          env={**os.environ, "PATH": path, **env}, cwd=ROOT, timeout=900)


def test_the_scheduled_job_alerts_and_exits_with_the_runs_code_or_2_when_it_could_not_alert(tmp_path):
    # given a simulated week where one team has no predictions (PRD-06)
    db = tmp_path / "w.duckdb"
    simulate(db, inject=("PRD-06",))
    env = {"PROPS_DUCKDB_PATH": str(db), "DBT_TARGET_PATH": str(tmp_path / "target"),
           "PROPS_ALERT_ATTEMPTS": "1", "PROPS_ALERT_BACKOFF_SECONDS": "0"}
    hook = Webhook()
    try:
        # when the scheduled job runs with a webhook channel
        sent = job({**env, "PROPS_ALERT_WEBHOOK_URL": hook.url})
        # then it exits 1 (a contract failed), after the alert went out
        assert sent.returncode == 1, sent.stdout[-2000:] + sent.stderr[-2000:]
        opened = [a for a in hook.alerts() if a["kind"] == "open"]
        assert [a["invariant_id"] for a in opened] == ["PRD-06"], hook.alerts()
    finally:
        hook.close()
    # when it runs on another warehouse with the same fault and the channel is gone (the
    # listener closed): there is an alert to send and nobody to take it
    other = tmp_path / "other.duckdb"
    simulate(other, inject=("PRD-06",))
    unreachable = job({**env, "PROPS_DUCKDB_PATH": str(other), "PROPS_ALERT_WEBHOOK_URL": hook.url})
    # then the job exits 2 and says the alert step failed: nobody was told
    assert unreachable.returncode == 2, unreachable.stdout[-2000:] + unreachable.stderr[-2000:]
    assert "props-contracts alert exited 2 (run exited 1)" in unreachable.stderr
