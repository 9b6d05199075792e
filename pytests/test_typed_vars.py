"""Every var the SQL reads is typed and range-checked before any SQL runs.

A threshold reaches SQL only through props_contracts.typed_var() (a number
renders from an int or float, never from the string given), and the on-run-start
hook checks every declared var, so a bad --vars value is a compile error that
names the var, the value and what is allowed. One simulated week (with PRD-05's
coverage gap, so that contract fails at the default threshold) is built once;
each case is one dbt invocation on it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import AS_OF, ROOT, simulate
from props_contracts.catalog import load_catalog
from props_contracts.dbt import Dbt, DbtSettings
from props_contracts.errors import DbtInvocationError
from props_contracts.results import load_results

PRD05 = "prd_05_prediction_coverage_error"
INJECTION = ("0.9, false)); create table nba_raw.pwned_by_var as (select 1 as pwned "
             "where coalesce(true")


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> Path:
    """A built week whose busiest night lacks 15 % of its predictions (PRD-05)."""
    work = tmp_path_factory.mktemp("typed_vars")
    db = work / "warehouse.duckdb"
    simulate(db, inject=("PRD-05",))
    _dbt(db, work / "build").invoke(["build", "--exclude-resource-type", "test"])
    return db


def _dbt(db: Path, artifacts: Path, **vars_) -> Dbt:
    return Dbt(DbtSettings(project_dir=ROOT, duckdb_path=db, artifacts_dir=artifacts, quiet=True,
                           vars={"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}", **vars_}))


def _fails(db: Path, artifacts: Path, command: list[str], **vars_) -> str:
    with pytest.raises(DbtInvocationError) as caught:
        _dbt(db, artifacts, **vars_).invoke(command, allow_node_failures=True)
    return str(caught.value)


def _tables_named(db: Path, pattern: str) -> list[tuple]:
    con = duckdb.connect(str(db))
    try:
        return con.execute("select table_schema, table_name from information_schema.tables "
                           "where table_name like ?", [pattern]).fetchall()
    finally:
        con.close()


def test_sql_in_a_threshold_is_refused_and_runs_nothing(week, tmp_path):
    # given a threshold carrying SQL (it created nba_raw.pwned_by_var when vars were pasted unchecked)
    # when the contract that reads it runs
    message = _fails(week, tmp_path, ["test", "--select", PRD05], prd05_error_min_coverage=INJECTION)
    # then dbt fails before any SQL, naming the var, its value and what is allowed
    assert "Invalid var prd05_error_min_coverage" in message
    assert "create table nba_raw.pwned_by_var" in message
    assert "a number >= 0 and <= 1" in message
    # and the table was never created
    assert _tables_named(week, "pwned%") == []


def test_a_threshold_that_is_an_expression_is_refused(week, tmp_path):
    # given the default threshold fails PRD-05 on this week
    _dbt(week, tmp_path / "default").invoke(["test", "--select", PRD05], allow_node_failures=True)
    [default] = load_results(tmp_path / "default")
    assert default.status == "fail"
    # when '0.9 or true' (which turned that failure into a pass) is given instead
    message = _fails(week, tmp_path / "bad", ["test", "--select", PRD05],
                     prd05_error_min_coverage="0.9 or true")
    # then it is an error, not a pass
    assert "Invalid var prd05_error_min_coverage = '0.9 or true' (a string)" in message


@pytest.mark.parametrize(("command", "var", "value", "allowed"), [
    # a word for a number (it silently became 0)
    (["run", "--select", "int_games"], "lookback_days", "seven", "a whole number >= 1"),
    # a ratio above 1, and a negative number of hours
    (["test", "--select", PRD05], "prd05_error_min_coverage", 1.5, "a number >= 0 and <= 1"),
    (["run", "--select", "fct_game_grading_latency"], "exp03_sla_hours", -6, "a number > 0"),
    # a fractional count, an absurd number of hours, and a boolean where a number belongs
    (["run", "--select", "int_games"], "prd08_max_rows", 0.5, "a whole number >= 0"),
    (["run", "--select", "int_games"], "orc01_error_gap_hours", 1e308, "a number > 0 and <= 8784"),
    (["run", "--select", "int_games"], "prd05_warn_min_coverage", True, "a number >= 0"),
    # an as_of that is not a 'YYYY-MM-DD HH:MM:SS' instant, or not a real date
    (["run", "--select", "int_games"], "as_of", "2026-01-16T17:00:00' or 1=1 --", "YYYY-MM-DD HH:MM:SS"),
    (["run", "--select", "int_games"], "as_of", "2026-02-30 10:00:00", "YYYY-MM-DD HH:MM:SS"),
    # a schema name with a quote and a semicolon, a database name with a space
    (["run", "--select", "stg_nba_raw__bdl_player_boxscores"], "nba_raw_schema",
     'nba_raw"; drop table nba_raw.bdl_player_boxscores; --', "^[A-Za-z_][A-Za-z0-9_-]*$"),
    (["run", "--select", "int_games"], "source_database", "my project", "^[A-Za-z_][A-Za-z0-9_-]*$"),
    # a string for a boolean, a zone that does not exist, a deadline that is not HH:MM:SS
    (["run", "--select", "int_games"], "full_history", "true", "true or false"),
    (["run", "--select", "int_games"], "business_timezone", "America/New_York'; --", "IANA time zone"),
    (["run", "--select", "int_games"], "exp02_deadline_local_time", "25:00:00", "'HH:MM:SS'"),
])
def test_a_var_of_the_wrong_type_or_range_fails_naming_it(week, tmp_path, command, var, value, allowed):
    # given a var outside its type or range, when a single node runs with it
    message = _fails(week, tmp_path, command, **{var: value})
    # then dbt fails before running anything, naming the var and what is allowed
    assert f"Invalid var {var} = " in message
    assert allowed in message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_and_infinity_are_not_numbers_in_range(week, tmp_path, value):
    # given a YAML float NaN or infinity (JSON cannot carry one: pass --vars as YAML)
    dbt = Dbt(DbtSettings(project_dir=ROOT, duckdb_path=week, artifacts_dir=tmp_path, quiet=True))
    with pytest.raises(DbtInvocationError) as caught:
        dbt.invoke(["run", "--select", "int_games", "--vars",
                    f"{{as_of: '{AS_OF:%Y-%m-%d %H:%M:%S}', orc01_error_gap_hours: {value}}}"])
    # then the range check refuses it
    assert "Invalid var orc01_error_gap_hours = " in str(caught.value)
    assert "a number > 0 and <= 8784 (hours)" in str(caught.value)


def test_the_per_use_check_works_without_the_hook(week, tmp_path):
    # given a bad var, when dbt only parses the project (`dbt parse` runs no on-run-start hook)
    message = _fails(week, tmp_path / "parse", ["parse"], lookback_days="seven")
    # then the typed_var() call in the SQL that reads it refuses it
    assert "Invalid var lookback_days = 'seven'" in message
    # and a var that is not declared cannot be read at all (dbt reports a failed
    # operation only in its log, so read that: a quiet run prints nothing)
    logs = tmp_path / "undeclared" / "logs"
    dbt = Dbt(DbtSettings(project_dir=ROOT, duckdb_path=week, artifacts_dir=tmp_path / "undeclared", quiet=True,
                          log_path=logs, vars={"as_of": f"{AS_OF:%Y-%m-%d %H:%M:%S}"}))
    with pytest.raises(DbtInvocationError):
        dbt.invoke(["run-operation", "typed_var", "--args", "{name: prd05_typo_min_coverage}"],
                   allow_node_failures=True)
    assert "typed_var('prd05_typo_min_coverage'): not a declared var" in (logs / "dbt.log").read_text()


def test_a_misspelt_var_is_refused_not_ignored(week, tmp_path):
    # given an override under a name the project does not read
    message = _fails(week, tmp_path, ["test", "--select", PRD05], prd05_eror_min_coverage=0.5)
    # then it is an error (the threshold would otherwise silently stay at its default)
    assert "Unknown var(s) in --vars: prd05_eror_min_coverage" in message


def test_a_valid_override_still_works(week, tmp_path):
    # given valid overrides of the PRD-05 error threshold
    for value, expected in ((0.85, None), (0.5, "pass")):
        artifacts = tmp_path / str(value)
        # when the contract runs with it
        _dbt(week, artifacts, prd05_error_min_coverage=value).invoke(
            ["test", "--select", PRD05], allow_node_failures=True)
        # then the number reaches the SQL as a number literal, and decides the outcome
        compiled = next(artifacts.glob(f"compiled/**/{PRD05}.sql")).read_text()
        assert f"coverage >= {value}, false" in compiled
        [result] = load_results(artifacts)
        assert result.status in ("pass", "fail")
        if expected:
            assert result.status == expected


# ---- the spec is the one place ---------------------------------------------------------

VAR_CALL = re.compile(r"""(?<![\w.])var\(\s*['"](\w+)['"]""")
TYPED_VAR_CALL = re.compile(r"""typed_var\(\s*['"](\w+)['"]""")
# dbt renders these without the project's macros (dbt_project.yml, the sources YAML):
# they may call var(); validate_vars (on-run-start) checks those vars before any node runs.
# (and a generic test's `enabled` config anywhere: the generic test cases' switch)
NO_MACRO_FILES = re.compile(r"(^dbt_project\.yml$|/_[a-z_]+__sources\.yml$|^seeds/generic_test_cases/_generic_test_cases\.yml$)")


def _spec() -> set[str]:
    text = (ROOT / "macros" / "vars" / "var_spec.sql").read_text()
    body = text[text.index("return({"):]
    return set(re.findall(r"^\s+'(\w+)': ", body, flags=re.M))


def _project_files() -> list[Path]:
    files = [ROOT / "dbt_project.yml"]
    for folder in ("models", "macros", "tests", "snapshots", "seeds", "analyses"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".sql", ".yml", ".yaml")]
    return files


def test_no_var_is_read_outside_the_spec():
    spec = _spec()
    bare, undeclared = [], []
    for path in _project_files():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text()
        for name in VAR_CALL.findall(text):
            if rel != "macros/vars/typed_var.sql" and not NO_MACRO_FILES.search(rel):
                bare.append(f"{rel}: var('{name}')")
            if name not in spec:
                undeclared.append(f"{rel}: var('{name}')")
        undeclared += [f"{rel}: typed_var('{n}')" for n in TYPED_VAR_CALL.findall(text) if n not in spec]
    # every SQL use goes through typed_var; the only bare var() calls are where dbt offers no macros
    assert bare == [], "use props_contracts.typed_var(): " + ", ".join(bare)
    # and every var read anywhere is declared with a type and range
    assert undeclared == [], "declare in macros/vars/var_spec.sql: " + ", ".join(undeclared)


def test_the_spec_and_the_project_defaults_agree():
    spec = _spec()
    defaults = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    # every default has a spec and every spec'd var a default (source_database: null = the target's)
    assert set(defaults) == spec - {"source_database"}
    # and every catalog threshold is a declared var
    thresholds = {v for inv in load_catalog(ROOT).values() for v in inv.threshold_vars}
    assert thresholds <= spec
