"""The HTML report renders in real headless Chromium: not empty, no console errors,
no network at view time."""

from __future__ import annotations

import re
import shutil
import subprocess

from conftest import ROOT, settings_for, simulate
from props_contracts.catalog import load_catalog, project_vars
from props_contracts.report import read_report_data, render, write_report
from props_contracts.runner import run_contracts, utcnow
from props_contracts.warehouse import DuckDBWarehouse

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def test_report_renders_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required for this test: run `make browser`"
    # given two contract runs on a week where one team had no predictions
    db = tmp_path / "w.duckdb"
    simulate(db, inject=("PRD-06",))
    settings = settings_for(db, tmp_path / "target")
    run_contracts(settings)
    run_contracts(settings)
    # when the report is written from what the warehouse recorded
    data = read_report_data(DuckDBWarehouse(db), 20, utcnow())
    assert len(data.labels) == 2 and data.problems == []
    page = write_report(tmp_path / "report.html", render(data, load_catalog(ROOT), project_vars(ROOT)))
    text = page.read_text()
    # then it references nothing on the network
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    # and Chromium renders it with every invariant, the failure and its rows, and no console error
    base = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600"]
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for invariant_id in load_catalog(ROOT):
        assert f'id="{invariant_id}"' in dom.stdout
    assert "prd_06_every_team_has_predictions" in dom.stdout and "team_abbr=" in dom.stdout
    assert "<svg" in dom.stdout and 'class="strip"' in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Failed to load" in line]
    assert console == []
    shot = tmp_path / "report.png"
    subprocess.run([*base, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 30_000  # a rendered page, not a blank one
