"""The declared expectations (docs/expectations.md): what the pipeline must have done
by when, as seeds a team edits, read once into typed objects and validated before
any contract runs.

- seeds/pipeline_schedule.csv: each scheduled job, its phase, local time
  (America/New_York), grace, what it runs for, the processor(s) whose successful
  run proves it ran (ABS-01; EXP-03 follows the grading job);
- seeds/pipeline_processors.csv: every processor of the pipeline, whether it runs
  every day, on game days or on demand, and its window (ABS-02);
- seeds/dlq_subscriptions.csv: the dead-letter queues that must report, with their
  sample interval (ABS-03);
- seeds/scraper_feeds.csv: the feeds each scraper path delivers, on which days and by
  when (ABS-04; FRS-01 reads the same seed).

A malformed row is an ExpectationsError (exit 2) naming the seed, the line and the
field. A plain `dbt build` cannot read a CSV before its seeds load, so the checksums
of the validated files are generated into macros/expectations/declared_expectations.sql
(`props-contracts expectations --macro`) and on-run-start refuses a seed whose content
differs from the one validated (check_declared_expectations).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from props_contracts.errors import PropsContractsError

SCHEDULE = "pipeline_schedule"
PROCESSORS = "pipeline_processors"
DLQS = "dlq_subscriptions"
FEEDS = "scraper_feeds"
SEEDS = (SCHEDULE, PROCESSORS, DLQS, FEEDS)
RUNS_FOR = ("today", "tonight", "yesterday", "each_final_game")
RUNS_ON = ("every_day", "game_days", "on_demand")
FEED_RUNS_ON = ("every_day", "game_days")
MAX_GRACE_MINUTES = 1440  # a grace beyond a day would judge one date by the next date's run
MAX_WINDOW_HOURS = 8784
MAX_INTERVAL_MINUTES = 1440
MAX_PROCESSORS_PER_JOB = 4  # fct_scheduled_job_runs splits the list into at most this many
COLUMNS = {
    SCHEDULE: ("job_name", "phase_tag", "local_time", "runs_for", "grace_minutes", "processors", "description"),
    PROCESSORS: ("processor_name", "phase_tag", "runs_on", "window_hours", "description"),
    DLQS: ("subscription_name", "sample_interval_minutes", "description"),
    FEEDS: ("path_prefix", "scraper_name", "description", "runs_on", "due_local_time", "due_day_offset",
            "grace_minutes"),
}
_JOB = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_PROCESSOR = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
_SUBSCRIPTION = re.compile(r"^[a-z][a-z0-9._-]{0,99}$")
_PATH = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,199}$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class ExpectationsError(PropsContractsError):
    """A declared-expectations seed has a malformed row (exit 2, before any contract runs)."""


@dataclass(frozen=True)
class ScheduledJob:
    job_name: str
    phase_tag: str
    local_time: str | None  # 'HH:MM' in the business timezone; None for each_final_game
    runs_for: str
    grace_minutes: int
    processors: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Expectations:
    jobs: tuple[ScheduledJob, ...]
    processors: dict[str, str]  # name -> runs_on
    dlqs: dict[str, int]  # subscription -> sample interval, minutes
    feeds: dict[str, str]  # path prefix -> runs_on
    checksums: dict[str, str]  # seed name -> dbt's sha256 of the file


def seed_checksum(path: Path) -> str:
    """The checksum dbt records for a seed file (sha256 of its stripped UTF-8 text)."""
    return hashlib.sha256(path.read_text(encoding="utf-8").strip().encode("utf-8")).hexdigest()


class _Rows:
    """One seed's rows with their line numbers, and a named error for a bad field."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / "seeds" / f"{name}.csv"
        self.name = name
        if not self.path.is_file():
            raise ExpectationsError(f"seeds/{name}.csv is missing: the declared expectations need it "
                                    "(docs/expectations.md)")
        with self.path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != COLUMNS[name]:
                raise ExpectationsError(f"seeds/{name}.csv: the header must be {','.join(COLUMNS[name])}, "
                                        f"got {','.join(header or [])!r}")
            self.rows = []
            for line, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    self.fail(line, f"{len(values)} fields, the header has {len(header)}")
                self.rows.append((line, dict(zip(COLUMNS[name], (v.strip() for v in values), strict=True))))
        if not self.rows:
            raise ExpectationsError(f"seeds/{name}.csv has no row: declare at least one")

    def fail(self, line: int, why: str):
        raise ExpectationsError(f"seeds/{self.name}.csv line {line}: {why} (docs/expectations.md)")

    def integer(self, line: int, row: dict, column: str, low: int, high: int) -> int:
        text = row[column]
        if not re.fullmatch(r"[0-9]{1,7}", text) or not low <= int(text) <= high:
            self.fail(line, f"{column} must be a whole number in [{low}, {high}], got {text!r}")
        return int(text)

    def unique(self, key: str) -> None:
        seen: dict[str, int] = {}
        for line, row in self.rows:
            if row[key] in seen:
                self.fail(line, f"duplicate {key} {row[key]!r} (first on line {seen[row[key]]})")
            seen[row[key]] = line

    def one_of(self, line: int, row: dict, column: str, allowed) -> str:
        if row[column] not in allowed:
            self.fail(line, f"unknown {column} {row[column]!r}; one of: {', '.join(allowed)}")
        return row[column]

    def time(self, line: int, row: dict, column: str) -> str:
        if not _HHMM.fullmatch(row[column]):
            self.fail(line, f"{column} must be a local time HH:MM (00:00 .. 23:59), got {row[column]!r}")
        return row[column]


def _phase_tags(root: Path) -> tuple[str, ...]:
    with (root / "seeds" / "pipeline_phases.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(r["phase_tag"] for r in csv.DictReader(fh))


def load_expectations(root: Path) -> Expectations:
    """Read and validate the four seeds; raise ExpectationsError on the first bad row."""
    phases = _phase_tags(root)

    procs = _Rows(root, PROCESSORS)
    procs.unique("processor_name")
    processors: dict[str, str] = {}
    for line, row in procs.rows:
        if not _PROCESSOR.fullmatch(row["processor_name"]):
            procs.fail(line, f"processor_name {row['processor_name']!r} is not a processor name "
                             "(letters, digits, _; a letter first)")
        procs.one_of(line, row, "phase_tag", phases)
        processors[row["processor_name"]] = procs.one_of(line, row, "runs_on", RUNS_ON)
        if row["window_hours"]:
            procs.integer(line, row, "window_hours", 1, MAX_WINDOW_HOURS)

    sched = _Rows(root, SCHEDULE)
    sched.unique("job_name")
    jobs = []
    for line, row in sched.rows:
        if not _JOB.fullmatch(row["job_name"]):
            sched.fail(line, f"job_name {row['job_name']!r} is not a job name (lowercase letters, digits, -)")
        sched.one_of(line, row, "phase_tag", phases)
        runs_for = sched.one_of(line, row, "runs_for", RUNS_FOR)
        if runs_for == "each_final_game":
            if row["local_time"]:
                sched.fail(line, f"local_time must be empty for each_final_game (it is due at each game's end "
                                 f"plus grace), got {row['local_time']!r}")
            local_time = None
        else:
            local_time = sched.time(line, row, "local_time")
        grace = sched.integer(line, row, "grace_minutes", 0, MAX_GRACE_MINUTES)
        names = tuple(row["processors"].split())
        if not names:
            sched.fail(line, "processors is empty: name the processor whose successful run proves the job ran")
        for p in names:
            if p not in processors:
                sched.fail(line, f"unknown processor {p!r}: declare it in seeds/pipeline_processors.csv")
            if processors[p] == "on_demand":
                sched.fail(line, f"processor {p!r} is on_demand in seeds/pipeline_processors.csv, "
                                 "so no schedule can expect it")
        if len(names) > MAX_PROCESSORS_PER_JOB:
            sched.fail(line, f"processors lists {len(names)} processors; at most {MAX_PROCESSORS_PER_JOB} "
                             "(split the job in two)")
        if len(set(names)) != len(names):
            sched.fail(line, f"processors lists a processor twice: {row['processors']!r}")
        jobs.append(ScheduledJob(row["job_name"], row["phase_tag"], local_time, runs_for, grace, names,
                                 row["description"]))

    dlq = _Rows(root, DLQS)
    dlq.unique("subscription_name")
    dlqs = {}
    for line, row in dlq.rows:
        if not _SUBSCRIPTION.fullmatch(row["subscription_name"]):
            dlq.fail(line, f"subscription_name {row['subscription_name']!r} is not a Pub/Sub subscription name")
        dlqs[row["subscription_name"]] = dlq.integer(line, row, "sample_interval_minutes", 1,
                                                     MAX_INTERVAL_MINUTES)

    feed = _Rows(root, FEEDS)
    feed.unique("path_prefix")
    feeds = {}
    for line, row in feed.rows:
        if not _PATH.fullmatch(row["path_prefix"]):
            feed.fail(line, f"path_prefix {row['path_prefix']!r} is not a bucket path")
        feeds[row["path_prefix"]] = feed.one_of(line, row, "runs_on", FEED_RUNS_ON)
        feed.time(line, row, "due_local_time")
        feed.one_of(line, row, "due_day_offset", ("0", "1"))
        feed.integer(line, row, "grace_minutes", 0, MAX_GRACE_MINUTES)

    checksums = {name: seed_checksum(root / "seeds" / f"{name}.csv") for name in SEEDS}
    return Expectations(tuple(jobs), processors, dlqs, feeds, checksums)


def check_grading_job(exp: Expectations, job_name: object) -> None:
    """EXP-03 follows the job named by exp03_grading_job: it must be a declared daily job."""
    job = next((j for j in exp.jobs if j.job_name == job_name), None)
    if job is None:
        raise ExpectationsError(f"exp03_grading_job is {job_name!r}, which is not a job of "
                                f"seeds/pipeline_schedule.csv ({', '.join(j.job_name for j in exp.jobs)})")
    if job.runs_for == "each_final_game":
        raise ExpectationsError(f"exp03_grading_job {job_name!r} runs for each_final_game; EXP-03 needs a job "
                                "with a local time")


def validate_project(root: Path, given_vars: dict | None = None) -> Expectations:
    """The seeds, and the grading job EXP-03 follows (the given vars over the project's)."""
    exp = load_expectations(root)
    defaults = yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]
    check_grading_job(exp, {**defaults, **(given_vars or {})}.get("exp03_grading_job"))
    return exp


def expectations_macro(exp: Expectations) -> str:
    """macros/expectations/declared_expectations.sql: the checksums of the validated seeds
    and the declared job names, for check_declared_expectations() in on-run-start."""
    sums = "".join(f"\n            '{k}': '{v}'," for k, v in sorted(exp.checksums.items()))
    jobs = "".join(f"\n            '{j.job_name}'," for j in exp.jobs)
    daily = "".join(f"\n            '{j.job_name}'," for j in exp.jobs if j.runs_for != "each_final_game")
    return ("{#- GENERATED from seeds/pipeline_schedule.csv, pipeline_processors.csv, dlq_subscriptions.csv and\n"
            "    scraper_feeds.csv by `props-contracts expectations --macro`, which validates them first (do not\n"
            "    edit; pytests/test_expectations.py fails when it differs). on-run-start compares each seed\n"
            "    file's checksum with the validated one (check_declared_expectations). -#}\n"
            "{%- macro declared_expectations() -%}\n"
            "    {{ return({\n"
            f"        'checksums': {{{sums}\n        }},\n"
            f"        'jobs': [{jobs}\n        ],\n"
            f"        'daily_jobs': [{daily}\n        ],\n"
            "    }) }}\n"
            "{%- endmacro -%}\n")


def schedule_markdown(exp: Expectations) -> str:
    """The schedule as the table of docs/expectations.md."""
    lines = ["| Job | Phase | Local time (ET) | Runs for | Grace (min) | Proven by |",
             "|---|---|---|---|---|---|"]
    for j in exp.jobs:
        lines.append(f"| {j.job_name} | {j.phase_tag} | {j.local_time or 'game end'} | {j.runs_for} "
                     f"| {j.grace_minutes} | {', '.join(j.processors)} |")
    return "\n".join(lines)


MACRO_PATH = Path("macros") / "expectations" / "declared_expectations.sql"


def check_expectations_current(root: Path, given_vars: dict | None = None) -> Expectations:
    """validate_project, and the generated macro matches the seeds (else a plain dbt
    invocation's on-run-start would refuse them): both before any contract runs."""
    exp = validate_project(root, given_vars)
    macro = root / MACRO_PATH
    if not macro.is_file() or macro.read_text(encoding="utf-8") != expectations_macro(exp):
        raise ExpectationsError(f"the declared expectations are valid but {MACRO_PATH} does not match them: run "
                                f"`props-contracts expectations --macro > {MACRO_PATH}` (docs/expectations.md)")
    return exp
