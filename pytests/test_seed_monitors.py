"""Issue 25 (docs/seed-monitors.md): the per-processor settings seed is checked before any
contract runs.

- seeds/processor_settings.csv: hostile rows are named errors (the line, the column, the
  value, what is allowed), never a traceback and never SQL;
- the generated macro the contracts read is exactly the CSV (with its checksum);
- a processor absent from the CSV gets the global default;
- a malformed CSV stops `props-contracts parse` and `run` (exit 2, every invariant
  unknown), and a CSV edited after the macro was generated stops a plain `dbt build`
  before any node runs (on-run-start check_processor_settings).

The signals themselves (PRC-11..14, ORC-04, ING-09, PRD-10's new states) are judged by real
dbt in the fault matrix and the shape weeks (test_fault_matrix.py, test_shapes.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import AS_OF, ROOT, simulate
from elementary_support import cli_in_copy as _cli_in
from props_contracts.catalog import load_catalog
from props_contracts.cli import main
from props_contracts.processor_settings import (
    CSV_PATH,
    HEADER,
    MACRO_PATH,
    ProcessorSettingsError,
    dbt_checksum,
    load_settings,
    parse_settings,
    settings_macro,
)
from props_contracts.simulator.faults import processor_setting, processor_timeout_minutes

PINNED = ["--as-of", f"{AS_OF:%Y-%m-%d %H:%M:%S}"]
GOOD = ",".join(HEADER) + "\nMLFeatureStoreProcessor,30,7,24,5,5\n"


def test_the_settings_macro_is_the_csv():
    # given the settings the contracts read (a generated macro)
    # then it is exactly what `props-contracts processors --macro` makes of the CSV
    settings, checksum = load_settings(ROOT)
    assert (ROOT / MACRO_PATH).read_text() == settings_macro(settings, checksum), (
        f"{MACRO_PATH} is stale: run `props-contracts processors --macro > {MACRO_PATH}`")


def test_an_absent_processor_or_an_empty_cell_gets_the_global_default():
    # given the project's settings: PredictionCoordinator has its own timeout and no baseline
    # then its timeout is its own, its baseline the global one, and an unlisted processor's are global
    assert processor_timeout_minutes("PredictionCoordinator") == 9
    assert processor_setting("PredictionCoordinator", "baseline_days") == 7
    assert processor_timeout_minutes("BdlPlayerBoxScoresProcessor") == 30
    assert processor_setting("BdlPlayerBoxScoresProcessor", "processor_failure_threshold") == 5


@pytest.mark.parametrize("row, named", [
    ("PredictionCoordinator,abc,,,,", "timeout_minutes = 'abc'"),
    ("PredictionCoordinator,0,,,,", "timeout_minutes = 0"),
    ("PredictionCoordinator,-5,,,,", "timeout_minutes = -5"),
    ("PredictionCoordinator,9.5,,,,", "timeout_minutes = '9.5'"),
    ("PredictionCoordinator,true,,,,", "timeout_minutes = 'true'"),
    ("PredictionCoordinator,,,nan,,", "entity_lockout_hours = nan"),
    ("PredictionCoordinator,,,1e309,,", "entity_lockout_hours = inf"),
    ("PredictionCoordinator,,,,0,", "entity_failure_threshold = 0"),
    ("PredictionCoordinator,,99999,,,", "baseline_days = 99999"),
    ("Prediction'Coordinator; drop table x,9,,,,", "is not a processor class name"),
    (",9,,,,", "is not a processor class name"),
    ("PredictionCoordinator,9,,,", "5 cells, expected 6"),
    ("PredictionCoordinator,9,,,,,", "7 cells, expected 6"),
])
def test_a_malformed_row_is_named_by_its_line(row, named):
    # given a settings CSV whose third line is malformed
    text = GOOD + row + "\n"
    # when it is read, then the error names the file, the line and what is wrong
    with pytest.raises(ProcessorSettingsError) as err:
        parse_settings(text, ROOT)
    message = str(err.value)
    assert f"{CSV_PATH} line 3" in message and named in message, message


def test_a_duplicate_processor_or_a_wrong_header_is_named():
    with pytest.raises(ProcessorSettingsError, match="listed twice"):
        parse_settings(GOOD + "MLFeatureStoreProcessor,12,,,,\n", ROOT)
    with pytest.raises(ProcessorSettingsError, match="the header must be"):
        parse_settings("processor,timeout\nPredictionCoordinator,9\n", ROOT)
    # and blank lines and empty cells are fine: an empty cell is the global default
    settings = parse_settings(GOOD + "\n,,,,,\nPredictionCoordinator,9,,,,\n", ROOT)
    assert [s.processor_name for s in settings] == ["MLFeatureStoreProcessor", "PredictionCoordinator"]
    assert settings[1].values == {"timeout_minutes": 9, "baseline_days": None, "entity_lockout_hours": None,
                                  "entity_failure_threshold": None, "processor_failure_threshold": None}


def test_processors_lists_every_processors_thresholds():
    # when the operator lists the settings, then each processor's thresholds show, defaults marked
    out = CliRunner().invoke(main, ["processors"])
    assert out.exit_code == 0, out.output
    assert "PredictionCoordinator,9,7 (default)," in out.output
    assert "(any other processor),30 (default)" in out.output


@pytest.mark.parametrize("text", [GOOD, GOOD.replace("\n", "\r\n"), "\ufeff" + GOOD + "\n\n"])
def test_the_recorded_checksum_is_the_one_dbt_computes(text, tmp_path):
    # given a settings file with LF, CRLF or trailing blank lines, as an editor may save it
    from dbt.artifacts.resources.base import FileHash

    (tmp_path / "seeds").mkdir()
    (tmp_path / CSV_PATH).write_bytes(text.encode("utf-8"))
    # then the checksum the macro records is the one dbt's graph will hold for the seed
    assert dbt_checksum((tmp_path / CSV_PATH).read_bytes().decode("utf-8")) == \
        FileHash.from_contents(text.strip()).checksum


def test_a_file_that_is_not_utf8_is_named_and_a_byte_order_mark_is_no_header(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / CSV_PATH).write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ProcessorSettingsError, match="cannot read seeds/processor_settings.csv"):
        load_settings(tmp_path)
    assert [s.processor_name for s in parse_settings("\ufeff" + GOOD, ROOT)] == ["MLFeatureStoreProcessor"]


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """The project copied aside (the checkout is never touched), its CSV edited later."""
    copy = tmp_path_factory.mktemp("project") / "repo"
    skip = shutil.ignore_patterns("target", "logs", ".warehouse", ".venv*", ".git", "dbt_packages", "__pycache__",
                                  "*.egg-info")
    for name in ("models", "macros", "tests", "seeds", "snapshots", "scripts"):
        shutil.copytree(ROOT / name, copy / name, ignore=skip)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(ROOT / name, copy / name)
    return copy




def test_a_bad_csv_stops_the_cli_and_a_plain_dbt_build_before_any_node(project_copy, tmp_path):
    db = tmp_path / "w.duckdb"
    simulate(db)
    csv_file = project_copy / CSV_PATH
    clean = csv_file.read_text()
    try:
        # given an operator wrote a timeout of "nine" for the coordinator
        csv_file.write_text(clean.replace("PredictionCoordinator,9,", "PredictionCoordinator,nine,"))
        for command in (["parse"], ["run", *PINNED, "--quiet"]):
            # when a command that runs dbt starts, then it exits 2 naming the line, before dbt
            p = _cli_in(project_copy, command, db)
            out = p.stdout + p.stderr
            assert p.returncode == 2, (command, out[-3000:])
            assert "seeds/processor_settings.csv line 2, PredictionCoordinator: timeout_minutes = 'nine'" in out, out[-3000:]
            assert "'nine'" in out and "Traceback" not in out
            if command[0] == "run":  # nothing judged: every invariant unknown, none passing
                n = len(load_catalog(ROOT))
                assert f"{n} invariants: {n} unknown" in p.stdout, p.stdout[-2000:]

        # given a well-formed edit that was never recorded in the generated macro
        csv_file.write_text(clean.replace("PredictionCoordinator,9,", "PredictionCoordinator,12,"))
        p = _cli_in(project_copy, ["parse"], db)
        assert p.returncode == 2 and "was edited after" in p.stderr and "--macro" in p.stderr, p.stderr[-2000:]
        # when a plain `dbt build` runs the copy (no props-contracts involved)
        env = {**os.environ, "DBT_PROFILES_DIR": str(project_copy), "PROPS_DUCKDB_PATH": str(db),
               "DBT_TARGET_PATH": str(project_copy / "target"), "DBT_LOG_PATH": str(project_copy / "logs")}
        dbt = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--vars",
                              f"{{as_of: '{AS_OF:%Y-%m-%d %H:%M:%S}'}}"], capture_output=True, text=True, env=env,
                             cwd=project_copy, timeout=600)
        out = dbt.stdout + dbt.stderr
        # then it fails at on-run-start, naming the CSV and the fix, and builds nothing
        assert dbt.returncode != 0, out[-3000:]
        assert "seeds/processor_settings.csv was edited after macros/catalog/processor_settings.sql" in out, out[-3000:]
        assert "OK created" not in out and "OK loaded" not in out
    finally:
        csv_file.write_text(clean)
