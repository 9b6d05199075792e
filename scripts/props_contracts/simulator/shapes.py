"""Randomised fault shapes and benign operations (issue 11).

faults.py has one canonical fault per invariant, each the shape its contract was
first written against. The shapes here show the same incident where else it can
surface: another table, another date in the window (latest or mid-window), a
backfill instead of a live run, state that started before the window, a NULL
claim instead of a false one. Each shape draws its position, magnitude and target
entity from the random stream it is given, and comes in two strengths:

- above: past the invariant's default threshold; its own ID must fail at its
  catalog severity (and nothing at error, but for the consequences it names);
- below: just inside the threshold; nothing may fail at error.

Benign operations are things a healthy pipeline does (postpone a game, a night
with no games, reprocess a file, re-scrape box scores next morning, onboard a new
processor and table, supersede a prediction properly): no error-severity contract
may fail on them.

Runbook actions model what each runbook says to do (re-run the processor,
reload the file, reset the breaker, ...): applied after its fault, the contract
must return to green with no collateral failure.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from props_contracts.errors import UsageError
from props_contracts.simulator.faults import (
    BOX,
    EVENTS,
    GRADES,
    PGS,
    PRED,
    RUNS,
    STATE,
    _adjust_export,
    _file_of,
    _grade_like,
)
from props_contracts.simulator.world import BUCKET, ET, UTC, World, et

CONTEXT = "nba_analytics.upcoming_player_game_context"
FEATURES = "nba_precompute.ml_feature_store"
SCHEDULE = "nba_raw.nbac_schedule"
ODDS = "nba_raw.odds_api_player_props"
FILES = "nba_orchestration.scraped_files"
LOCKS = "nba_orchestration.raw_batch_locks"
DLQ = "nba_orchestration.pubsub_dlq_metrics"
BREAKERS = "nba_orchestration.reprocess_attempts"
REGISTRY = "nba_reference.processor_registry"
BATCHES = "nba_predictions.prediction_batches"
EXPORTS = "nba_exports.export_runs"

# Default thresholds the shapes are drawn around (dbt_project.yml vars).
PRC04_TIMEOUT_MIN = 30
PRC05_ERROR_RATIO, PRC05_WARN_RATIO = 3.0, 2.0
PRC06_MAX_HOURS = 24
PRC08_ERROR_RATIO = 0.10
PRD10_STALL_MIN, PRD10_MIN_COMPLETION = 10, 0.95
PRD10_RECOVERY_MIN, PRD10_CONSOLIDATION_MIN = 25, 30
PRC11_MAX_SHARE = 1.0
PRC12_MAX_TREND = 0.30
PRC13_THRESHOLD = 5
PRC14_THRESHOLD = 5
ORC04_MAX_BACKLOG, ORC04_MAX_SAMPLE_AGE_H = 500, 3
ING09_MAX_UNMATCHED = 0.5
ING02_WINDOW_H = 2
LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Shape:
    invariant_id: str
    name: str
    severity: str  # the severity its own ID fails at when above
    summary: str
    apply: Callable[[World, random.Random, bool], None]
    # error-severity IDs the incident itself also breaks (a true consequence, not noise)
    consequences: tuple[str, ...] = ()
    has_below: bool = True


@dataclass(frozen=True)
class Benign:
    name: str
    summary: str
    apply: Callable[[World, random.Random], None]


SHAPES: dict[str, Shape] = {}
BENIGN: dict[str, Benign] = {}


def shape(invariant_id: str, name: str, severity: str, summary: str,
          consequences: tuple[str, ...] = (), has_below: bool = True):
    def register(fn: Callable[[World, random.Random, bool], None]):
        key = f"{invariant_id}:{name}"
        SHAPES[key] = Shape(invariant_id, name, severity, summary, fn, consequences, has_below)
        return fn
    return register


def benign(name: str, summary: str):
    def register(fn: Callable[[World, random.Random], None]):
        BENIGN[name] = Benign(name, summary, fn)
        return fn
    return register


@dataclass
class Recipe:
    """What to do to a clean world: shapes (key, above) and benign operations."""

    shapes: list[tuple[str, bool]] = field(default_factory=list)
    benign: list[str] = field(default_factory=list)
    seed: int = 0


def apply_recipe(world: World, recipe: Recipe) -> None:
    unknown = [k for k, _ in recipe.shapes if k not in SHAPES] + [b for b in recipe.benign if b not in BENIGN]
    if unknown:
        raise UsageError(f"unknown shape(s) or benign operation(s): {', '.join(unknown)}")
    # a night with no games first: it needs a mid-window date nobody else took
    for name in sorted(recipe.benign, key=lambda n: n != "zero_game_night"):
        BENIGN[name].apply(world, random.Random(f"{recipe.seed}:benign:{name}"))
    for key, above in recipe.shapes:
        SHAPES[key].apply(world, random.Random(f"{recipe.seed}:{key}:{above}"), above)


def shape_groups(max_size: int, below: bool = False) -> list[list[str]]:
    """Shapes packed into weeks of at most max_size, so that `make test` judges every
    shape in a few dbt runs. Within a week no shape's invariant is another's own or
    consequence (each failure stays attributable), and each shape takes its own
    dates (pick_date). max_size 1: one week per shape (`make matrix`). below: only
    the shapes that have a below-threshold strength."""
    groups: list[list[str]] = []
    for key in sorted(k for k in SHAPES if SHAPES[k].has_below or not below):
        s = SHAPES[key]
        mine = {s.invariant_id, *s.consequences}
        for g in groups:
            theirs = {i for k in g for i in (SHAPES[k].invariant_id, *SHAPES[k].consequences)}
            if len(g) < max_size and not mine & theirs:
                g.append(key)
                break
        else:
            groups.append([key])
    return groups


# -- positions ------------------------------------------------------------------------------

def as_of_date(world: World) -> date:
    return world.as_of.replace(tzinfo=UTC).astimezone(ET).date()


def window_dates(world: World) -> list[date]:
    """Game dates (with games) inside the evaluation window at as_of."""
    first = as_of_date(world) - timedelta(days=LOOKBACK_DAYS)
    return [d for d in world.game_dates() if first <= d <= as_of_date(world)]


def pick_date(world: World, rng: random.Random, min_games: int = 1) -> date:
    """The latest game date or one mid-window, drawn; never one another shape of the
    same week already took (shapes grouped into one week must not mask each other)."""
    taken = world.__dict__.setdefault("_shape_dates", set())
    eligible = [d for d in window_dates(world) if len(world.games[d]) >= min_games]
    if not eligible:
        raise UsageError(f"no game date in the window with {min_games}+ games to place a shape on")
    # a week short of free nights (few game dates drawn) shares one rather than failing
    dates = [d for d in eligible if d not in taken] or eligible
    day = dates[-1] if rng.random() < 0.5 else rng.choice(dates[:-1] or dates)
    taken.add(day)
    return day


def pick_processor(world: World, rng: random.Random, candidates: list[str] | None = None) -> str:
    """A processor with successful runs, drawn; never one another shape of the same week
    already reshaped (a week's duration shapes must not overwrite each other's runs)."""
    taken = world.__dict__.setdefault("_shape_processors", set())
    procs = candidates if candidates is not None else sorted(
        {r["processor_name"] for r in world.rows(RUNS) if r["status"] == "success"})
    free = [p for p in procs if p not in taken]
    if not free:
        raise UsageError("no processor left for another duration shape in this week")
    proc = rng.choice(free)
    taken.add(proc)
    return proc


def backfill_date(world: World, rng: random.Random) -> date:
    """A data date well before the window: a backfill's."""
    return as_of_date(world) - timedelta(days=rng.randint(LOOKBACK_DAYS + 8, 60))


def _run_row(run_id: str, processor: str, phase: int, day: date, status: str, started: datetime,
             duration: float | None, records: int | None, target: str, skip: str | None = None) -> dict:
    return dict(run_id=run_id, processor_name=processor, phase=phase, data_date=day, status=status,
                skip_reason=skip, target_table=target, records_processed=records, started_at=started,
                completed_at=None if duration is None else started + timedelta(seconds=duration),
                duration_seconds=duration)


# -- shapes: processors ---------------------------------------------------------------------

@shape("PRC-04", "backfill_run_stuck", "error",
       "A backfill run for a date weeks before the window has been 'running' past the timeout.")
def _prc04_backfill(world: World, rng: random.Random, above: bool) -> None:
    minutes = PRC04_TIMEOUT_MIN + rng.randint(5, 600) if above else rng.randint(1, PRC04_TIMEOUT_MIN - 5)
    world.add(RUNS, **_run_row(f"run_stuck_backfill_{rng.randint(0, 9999)}", "PlayerGameSummaryProcessor", 3,
                               backfill_date(world, rng), "running", world.as_of - timedelta(minutes=minutes),
                               None, None, PGS))


@shape("PRC-08", "backfill_morning_skipped", "error",
       "A morning of backfill runs (data dates weeks back) mostly skipped on streaming-buffer conflicts.")
def _prc08_backfill(world: World, rng: random.Random, above: bool) -> None:
    start = world.as_of - timedelta(hours=rng.randint(2, 6))
    day_local = start.replace(tzinfo=UTC).astimezone(ET).date()
    same_day = sum(1 for r in world.rows(RUNS)
                   if r["started_at"].replace(tzinfo=UTC).astimezone(ET).date() == day_local)
    n = rng.randint(10, 40)
    if above:
        skipped = max(1, int((same_day + n) * PRC08_ERROR_RATIO) + rng.randint(1, n // 2))
        skipped = min(skipped, n)
    else:  # skips that stay at or under the error ratio (a warning at most)
        skipped = int((same_day + n) * PRC08_ERROR_RATIO) // 2
    for i in range(n):
        at = start + timedelta(minutes=3 * i)
        skip = i < skipped
        world.add(RUNS, **_run_row(f"run_bf_{i:03d}", "PlayerGameSummaryProcessor", 3, backfill_date(world, rng),
                                   "skipped" if skip else "success", at, 4.0 if skip else 118.0,
                                   0 if skip else 0, PGS, "streaming_buffer_conflict" if skip else None))


@shape("PRC-06", "lockout_tripped_before_window", "error",
       "A circuit breaker tripped weeks ago, before the window, and is still locking a player out.",
       has_below=True)
def _prc06_old(world: World, rng: random.Random, above: bool) -> None:
    tripped = world.as_of - timedelta(days=rng.randint(LOOKBACK_DAYS + 2, 30))
    if above:  # still in force at as_of: longer than the limit by construction
        until = world.as_of + timedelta(hours=rng.randint(1, 24 * 10))
    else:  # tripped before the window for exactly the limit: long over, and never too long
        until = tripped + timedelta(hours=PRC06_MAX_HOURS)
    team = rng.choice(sorted({t for d in window_dates(world) for g in world.games[d] for t in g.teams}))
    p = world.team_players(team, active_only=False)[-1]
    world.add(BREAKERS, processor_name="PlayerDailyCacheProcessor", entity_id=p.lookup,
              analysis_date=tripped.date(), attempt_count=5, completeness_pct=33.0,
              circuit_breaker_tripped=True, tripped_at=tripped, circuit_breaker_until=until, updated_at=tripped)


@shape("PRC-01", "success_with_null_count", "error",
       "A processor logged success with records_processed NULL and wrote nothing for its date.")
def _prc01_null(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    run = next(r for r in world.rows(RUNS) if r["processor_name"] == "PlayerGameSummaryProcessor"
               and r["data_date"] == day)
    run["records_processed"] = None
    if above:
        world.remove(PGS, lambda r: r["game_date"] == day)


@shape("PRC-01", "backfill_success_without_rows", "error",
       "A backfill run started an hour ago for a date weeks back logged success with rows it never wrote.")
def _prc01_backfill(world: World, rng: random.Random, above: bool) -> None:
    started = world.as_of - timedelta(minutes=rng.randint(20, 180))
    world.add(RUNS, **_run_row(f"run_bf_pgs_{rng.randint(0, 9999)}", "PlayerGameSummaryProcessor", 3,
                               backfill_date(world, rng), "success", started, 120.0,
                               rng.randint(50, 400) if above else 0, PGS))


@shape("PRC-05", "slow_run_mid_window", "error",
       "A processor run two to five days ago took several times its trailing median; the latest is normal.")
def _prc05_mid(world: World, rng: random.Random, above: bool) -> None:
    lo = world.as_of - timedelta(days=5)
    hi = world.as_of - timedelta(days=2)
    proc = pick_processor(world, rng)
    runs = sorted((r for r in world.rows(RUNS) if r["processor_name"] == proc and r["status"] == "success"
                   and lo <= r["started_at"] <= hi), key=lambda r: r["started_at"])
    run = rng.choice(runs)
    durations = sorted(r["duration_seconds"] for r in world.rows(RUNS)
                       if r["processor_name"] == proc and r["status"] == "success")
    median = durations[len(durations) // 2]
    ratio = rng.uniform(PRC05_ERROR_RATIO * 1.2, 10) if above else rng.uniform(1.0, PRC05_WARN_RATIO * 0.9)
    run["duration_seconds"] = round(median * ratio, 1)
    run["completed_at"] = run["started_at"] + timedelta(seconds=run["duration_seconds"])


# -- shapes: seed monitors (docs/seed-monitors.md) ---------------------------------------------

def _successful_runs(world: World, processor: str) -> list[dict]:
    return sorted((r for r in world.rows(RUNS) if r["processor_name"] == processor and r["status"] == "success"
                   and r["duration_seconds"] is not None), key=lambda r: r["started_at"])


@shape("PRC-11", "processor_near_its_timeout_all_week", "warn",
       "A processor drawn at random has run at a drawn share of its own timeout all week (its runs alike, so no "
       "slowdown or trend signal sees it): above its timeout, or below (60-95 %).")
def _prc11_all_week(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import _set_duration, processor_timeout_minutes

    proc = pick_processor(world, rng)
    share = rng.uniform(PRC11_MAX_SHARE * 1.05, PRC11_MAX_SHARE * 1.6) if above else rng.uniform(0.6, 0.95)
    limit = processor_timeout_minutes(proc) * 60
    for r in _successful_runs(world, proc):
        _set_duration(r, limit * share * rng.uniform(0.99, 1.01))


@shape("PRC-12", "creep_of_another_processor", "warn",
       "A processor drawn at random crept up over the last 3 days, by a drawn share past the trend limit "
       "(45-90 %, below PRC-05's 2x), or below it (0-15 %).")
def _prc12_creep(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import creep, recent_and_baseline

    procs = sorted({r["processor_name"] for r in world.rows(RUNS) if r["status"] == "success"})
    eligible = [p for p in procs if len(recent_and_baseline(world, p)[0]) >= 2
                and len(recent_and_baseline(world, p)[1]) >= 3]
    if not eligible:
        raise UsageError("no processor with 2 recent and 3 baseline runs to creep")
    factor = rng.uniform(1 + PRC12_MAX_TREND * 1.5, 1.9) if above else rng.uniform(1.0, 1 + PRC12_MAX_TREND / 2)
    creep(world, rng, pick_processor(world, rng, eligible), factor)


@shape("PRC-13", "breaker_not_tripped_at_threshold", "error",
       "An entity's breaker reached its failure threshold mid-window and never tripped (keeps retrying); "
       "below: one failure short of the threshold, not tripped.")
def _prc13_not_tripped(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    team = rng.choice(_teams_on(world, day))
    p = world.team_players(team, active_only=False)[-3]
    at = et(day, 10, 40) + timedelta(minutes=rng.randint(0, 120))
    attempts = rng.randint(PRC13_THRESHOLD, PRC13_THRESHOLD + 6) if above else PRC13_THRESHOLD - 1
    world.add(BREAKERS, processor_name=rng.choice(["PlayerDailyCacheProcessor", "MLFeatureStoreProcessor"]),
              entity_id=p.lookup, analysis_date=day, attempt_count=attempts, completeness_pct=round(rng.uniform(10, 60), 1),
              circuit_breaker_tripped=False, tripped_at=None, circuit_breaker_until=None, updated_at=at)


@shape("PRC-14", "failures_between_two_successes", "error",
       "Mid-window, a processor drawn at random failed several runs in a row between two successful runs: "
       "its failure threshold or more (above), one short of it (below).")
def _prc14_between(world: World, rng: random.Random, above: bool) -> None:
    # before as_of's own day: PRC-08 judges the runs of a day together, and a backfill shape may use today
    lo, hi = world.as_of - timedelta(days=LOOKBACK_DAYS - 1), et(as_of_date(world), 0, 0) - timedelta(hours=1)
    proc = pick_processor(world, rng)
    runs = [r for r in _successful_runs(world, proc) if lo <= r["started_at"] <= hi]
    if len(runs) < 2:
        runs = _successful_runs(world, proc)[-2:]
    i = rng.randrange(len(runs) - 1)
    first, nxt = runs[i], runs[i + 1]
    k = rng.randint(PRC14_THRESHOLD, PRC14_THRESHOLD + 5) if above else PRC14_THRESHOLD - 1
    gap = (nxt["started_at"] - first["completed_at"]) / (k + 1)
    for j in range(k):
        at = first["completed_at"] + gap * (j + 1)
        world.add(RUNS, **_run_row(f"run_fail_{proc}_{j}", proc, first["phase"], first["data_date"], "failed", at,
                                   min(30.0, gap.total_seconds() / 2), 0, first["target_table"]))


@shape("ORC-04", "request_sampler_stopped", "error",
       "The request subscription's backlog sampler stopped hours ago (its newest sample older than the limit); "
       "below: it missed a sample or two.", has_below=True)
def _orc04_stopped(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import SUBSCRIPTIONS

    hours = rng.uniform(ORC04_MAX_SAMPLE_AGE_H + 0.1, 40) if above else rng.uniform(0.2, ORC04_MAX_SAMPLE_AGE_H - 1.1)
    world.remove(SUBSCRIPTIONS, lambda r: r["observed_at"] > world.as_of - timedelta(hours=hours))


@shape("ORC-04", "backlog_spike_mid_window", "error",
       "On a mid-window morning one sample of the request subscription had a drawn backlog above the bound "
       "(below: under it).")
def _orc04_spike(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import SUBSCRIPTIONS

    lo, hi = world.as_of - timedelta(days=6), world.as_of - timedelta(hours=20)
    row = rng.choice(sorted((r for r in world.rows(SUBSCRIPTIONS) if lo <= r["observed_at"] <= hi),
                            key=lambda r: r["observed_at"]))
    row["undelivered_messages"] = rng.randint(ORC04_MAX_BACKLOG + 1, 20 * ORC04_MAX_BACKLOG) if above \
        else rng.randint(1, ORC04_MAX_BACKLOG)
    row["oldest_unacked_age_seconds"] = rng.randint(60, 7200)


@shape("ING-09", "grades_in_another_id_format", "error",
       "Grading wrote a mid-window night's grades with NBA.com's numeric game ids instead of the schedule's "
       "(every game of the night; below: one game of a night of three or more).")
def _ing09_grades(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng, min_games=3)
    games = [g.game_id for g in world.games[day]]
    hit = set(games) if above else {rng.choice(games)}
    numeric = {gid: f"00225{rng.randint(0, 99999):05d}" for gid in games}
    for r in world.rows(GRADES):
        if r["game_date"] == day and r["game_id"] in hit:
            r["game_id"] = numeric[r["game_id"]]


# -- shapes: ingestion and post-game ---------------------------------------------------------

def _drop_post_game(world: World, day: date) -> None:
    """The post-game scrape of `day` never ran: no box-score file, no final snapshot,
    nothing downstream of them (analytics skipped, nothing graded)."""
    morning = _file_of(world, "nba-com/schedule", day, final=False)

    def post_game(path: str) -> bool:
        return f"/{day:%Y-%m-%d}/" in path and (
            "/ball-dont-lie/player-box-scores/" in path or ("/nba-com/schedule/" in path and path != morning))

    gone = {r["file_path"] for r in world.rows(FILES) if post_game(r["file_path"])}
    world.remove(FILES, lambda r: r["file_path"] in gone)
    world.remove(LOCKS, lambda r: r["file_path"] in gone)
    world.remove(BOX, lambda r: r["game_date"] == day)
    world.remove(SCHEDULE, lambda r: r["source_file_path"] in gone)
    world.remove(PGS, lambda r: r["game_date"] == day)
    world.remove(GRADES, lambda r: r["game_date"] == day)
    world.remove(RUNS, lambda r: r["data_date"] == day and r["processor_name"] in (
        "BdlPlayerBoxScoresProcessor", "PlayerGameSummaryProcessor", "PredictionGradingProcessor")
        or r["data_date"] == day and r["processor_name"] == "NbacScheduleProcessor"
        and r["started_at"] > et(day, 12, 0))


@shape("ING-04", "post_game_scrape_never_ran", "error",
       "The post-game scrape of a night never ran: no box scores and no final schedule snapshot for it.",
       consequences=("ING-05", "ABS-01", "ABS-04"), has_below=False)
def _ing04_no_scrape(world: World, rng: random.Random, above: bool) -> None:
    _drop_post_game(world, pick_date(world, rng))


@shape("ING-02", "loaded_late", "error",
       "A box-score file in the window was loaded hours after its load window.")
def _ing02_late(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    path = _file_of(world, "ball-dont-lie/player-box-scores", day)
    scraped = next(r["scraped_at"] for r in world.rows(FILES) if r["file_path"] == path)
    delay = timedelta(hours=ING02_WINDOW_H, minutes=rng.randint(5, 300)) if above \
        else timedelta(minutes=rng.randint(30, ING02_WINDOW_H * 60 - 10))
    for lock in world.rows(LOCKS):
        if lock["file_path"] == path:
            lock["locked_at"] = scraped + delay - timedelta(minutes=1)
            lock["completed_at"] = scraped + delay


@shape("ING-03", "odds_lock_without_rows", "error",
       "A sportsbook-lines lock in the window says complete, but its rows never reached the table.",
       consequences=("PRC-01",))
def _ing03_odds(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    path = _file_of(world, "odds-api/player-props", day)
    if above:
        world.remove(ODDS, lambda r: r["source_file_path"] == path)


# -- shapes: predictions and orchestration ----------------------------------------------------

@shape("PRD-06", "team_missing_from_context", "error",
       "A team playing on a night is missing from the pre-game context, so nobody on it was predicted.",
       consequences=("PRD-05", "PRC-02"), has_below=False)
def _prd06_context(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    team = rng.choice(sorted(t for g in world.games[day] for t in g.teams))
    players = {r["player_lookup"] for r in world.rows(CONTEXT) if r["game_date"] == day and r["team_abbr"] == team}
    world.remove(CONTEXT, lambda r: r["game_date"] == day and r["team_abbr"] == team)
    world.remove(FEATURES, lambda r: r["game_date"] == day and r["player_lookup"] in players)
    batch = world.batches[day]
    n = world.remove(PRED, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(EVENTS, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(STATE, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in players)
    active = sum(1 for p in players if any(p == q.lookup and q.active for q in world.players[team]))
    for b in world.rows(BATCHES):
        if b["batch_id"] == batch:
            b["expected_players"] -= active
            b["completed_players"] -= active
    _adjust_export(world, day, -n)


@shape("ORC-02", "messages_expired_mid_window", "error",
       "A dead-letter queue held messages for a few hours mid-window; they expired, and it reads 0 now.",
       has_below=False)
def _orc02_expired(world: World, rng: random.Random, above: bool) -> None:
    sub = rng.choice(sorted({r["subscription_name"] for r in world.rows(DLQ)}))
    at = world.as_of - timedelta(hours=rng.randint(30, 24 * 5))
    hours = rng.randint(1, 8)
    for r in world.rows(DLQ):
        if r["subscription_name"] == sub and at <= r["observed_at"] <= at + timedelta(hours=hours):
            r["undelivered_messages"] = rng.randint(1, 500)


# -- benign operations ------------------------------------------------------------------------

@benign("postponed_game", "A mid-window game is postponed: the schedule says PPD, and nothing is produced for it.")
def _postponed(world: World, rng: random.Random) -> None:
    day = pick_date(world, rng, min_games=2)
    game = rng.choice(world.games[day])
    teams = set(game.teams)
    for r in world.rows(SCHEDULE):
        if r["game_id"] == game.game_id:
            r.update(game_status=1, game_status_text="PPD", game_end_at=None)
    players = {r["player_lookup"] for r in world.rows(CONTEXT) if r["game_id"] == game.game_id}
    in_game = lambda r: r["game_date"] == day and r["player_lookup"] in players  # noqa: E731
    world.remove(CONTEXT, lambda r: r["game_id"] == game.game_id)
    world.remove(FEATURES, in_game)
    world.remove(ODDS, lambda r: r["game_id"] == game.game_id)
    world.remove(BOX, lambda r: r["game_id"] == game.game_id)
    world.remove(PGS, lambda r: r["game_id"] == game.game_id)
    batch = world.batches[day]
    n = world.remove(PRED, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(EVENTS, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(STATE, lambda r: r["batch_id"] == batch and r["player_lookup"] in players)
    world.remove(GRADES, lambda r: r["game_id"] == game.game_id)
    active = sum(1 for t in teams for p in world.team_players(t))
    for b in world.rows(BATCHES):
        if b["batch_id"] == batch:
            b["expected_players"] -= active
            b["completed_players"] -= active
    _adjust_export(world, day, -n)
    world.games[day] = [g for g in world.games[day] if g.game_id != game.game_id]


@benign("zero_game_night", "A mid-window night has no games: only the morning schedule scrape, with no rows.")
def _zero_game(world: World, rng: random.Random) -> None:
    taken = world.__dict__.setdefault("_shape_dates", set())
    day = rng.choice([d for d in window_dates(world)[1:-1] if d not in taken])
    taken.add(day)
    morning = _file_of(world, "nba-com/schedule", day, final=False)
    keep = {morning}
    dated = {t: c for t, c in (
        (PRED, "game_date"), (GRADES, "game_date"), (EVENTS, "game_date"), (BOX, "game_date"), (PGS, "game_date"),
        (CONTEXT, "game_date"), (FEATURES, "game_date"), (SCHEDULE, "game_date"), (ODDS, "game_date"),
        (EXPORTS, "game_date"), (BATCHES, "game_date"), (BREAKERS, "analysis_date"))}
    for table, col in dated.items():
        world.remove(table, lambda r, col=col: r[col] == day)
    batch = world.batches.pop(day)
    world.remove(STATE, lambda r: r["batch_id"] == batch)
    world.remove(FILES, lambda r: r["data_date"] == day and r["file_path"] not in keep)
    world.remove(LOCKS, lambda r: r["data_date"] == day and r["file_path"] not in keep)
    for lock in world.rows(LOCKS):
        if lock["file_path"] == morning:
            lock["rows_reported"] = 0
    morning_run = min((r for r in world.rows(RUNS) if r["data_date"] == day
                       and r["processor_name"] == "NbacScheduleProcessor"), key=lambda r: r["started_at"])
    world.remove(RUNS, lambda r: r["data_date"] == day and r is not morning_run)
    morning_run["records_processed"] = 0
    world.games[day] = []


@benign("reprocess_after_on_time_load", "A file loaded on time is reprocessed hours later (a new lock and run).")
def _reprocess(world: World, rng: random.Random) -> None:
    day = pick_date(world, rng)
    path = _file_of(world, "nba-com/schedule", day, final=False)
    lock = next(r for r in world.rows(LOCKS) if r["file_path"] == path)
    again = lock["completed_at"] + timedelta(hours=rng.randint(3, 30))
    world.add(LOCKS, **{**lock, "lock_id": lock["lock_id"] + "_reprocess", "locked_at": again - timedelta(seconds=15),
                        "completed_at": again})
    for r in [r for r in world.rows(SCHEDULE) if r["source_file_path"] == path]:
        world.add(SCHEDULE, **{**r, "processed_at": again})
    world.add(RUNS, **_run_row(f"run_reprocess_{day:%Y%m%d}", "NbacScheduleProcessor", 2, day, "success",
                               again - timedelta(seconds=15), 12.0, lock["rows_reported"], SCHEDULE))


@benign("next_morning_rescrape", "Box scores are re-scraped the next morning; the new file replaces the night's rows.")
def _rescrape(world: World, rng: random.Random) -> None:
    day = pick_date(world, rng)
    old = _file_of(world, "ball-dont-lie/player-box-scores", day)
    at = et(day + timedelta(days=1), 9, rng.randint(0, 50))
    if at > world.as_of - timedelta(hours=1):
        at = world.as_of - timedelta(hours=1)
    new = f"{BUCKET}/ball-dont-lie/player-box-scores/{day:%Y-%m-%d}/{at:%Y%m%d_%H%M%S}_rescrape.json"
    rows = [r for r in world.rows(BOX) if r["source_file_path"] == old]
    world.add(FILES, file_path=new, scraper_name="bdl_player_box_scores", data_date=day, scrape_status="success",
              file_size_bytes=400 + 180 * len(rows), scraped_at=at)
    done = at + timedelta(seconds=90)
    world.add(LOCKS, lock_id=f"lock_rescrape_{day:%Y%m%d}", file_path=new, processor_name="BdlPlayerBoxScoresProcessor",
              target_table=BOX, data_date=day, status="complete", rows_reported=len(rows),
              locked_at=at + timedelta(seconds=30), completed_at=done)
    world.add(RUNS, **_run_row(f"run_rescrape_{day:%Y%m%d}", "BdlPlayerBoxScoresProcessor", 2, day, "success",
                               at + timedelta(seconds=30), 60.0, len(rows), BOX))
    # the loader replaces the partition's rows (delete + insert), as a WRITE_TRUNCATE would
    world.remove(BOX, lambda r: r["source_file_path"] == old)
    for r in rows:
        world.add(BOX, **{**r, "source_file_path": new, "processed_at": done})


@benign("new_processor_onboarded", "A new scraper path, processor and target table are registered and start loading.")
def _onboard(world: World, rng: random.Random) -> None:
    prefix, proc, table = "nba-com/injury-report", "NbacInjuryReportProcessor", "nba_raw.nbac_injury_report"
    world.add(REGISTRY, path_prefix=prefix, processor_name=proc, target_table=table, phase=2, is_active=True,
              registered_at=world.as_of - timedelta(days=3))
    for day in window_dates(world)[-3:]:
        at = et(day, 8, 15)
        path = f"{BUCKET}/{prefix}/{day:%Y-%m-%d}/{at:%Y%m%d_%H%M%S}.json"
        world.add(FILES, file_path=path, scraper_name="nbac_injury_report", data_date=day, scrape_status="success",
                  file_size_bytes=9000, scraped_at=at)
        world.add(LOCKS, lock_id=f"lock_injury_{day:%Y%m%d}", file_path=path, processor_name=proc, target_table=table,
                  data_date=day, status="complete", rows_reported=60, locked_at=at + timedelta(seconds=40),
                  completed_at=at + timedelta(seconds=70))
        world.add(RUNS, **_run_row(f"run_injury_{day:%Y%m%d}", proc, 2, day, "success", at + timedelta(seconds=40),
                                   30.0, 60, table))


@benign("superseded_prediction_deactivated", "A prediction is superseded by a new version, and the old row is deactivated.")
def _supersede(world: World, rng: random.Random) -> None:
    day = pick_date(world, rng)
    batch = world.batches[day]
    old = rng.choice(sorted((r for r in world.rows(PRED) if r["batch_id"] == batch), key=lambda r: r["prediction_id"]))
    later = old["updated_at"] + timedelta(minutes=rng.randint(5, 60))
    new = world.add(PRED, **{**old, "prediction_id": old["prediction_id"] + "_v2",
                             "predicted_value": round(old["predicted_value"] + 0.5, 1),
                             "created_at": later, "updated_at": later})
    old.update(is_active=False, updated_at=later)
    _grade_like(world, old, new)


# -- second shapes for the rest of the catalog -------------------------------------------------
# Each differs in structure from its canonical fault in faults.py: another table or
# column, a mid-window date, a different mechanism that leaves the same incident.

def _teams_on(world: World, day: date) -> list[str]:
    return sorted(t for g in world.games[day] for t in g.teams)


def _game_of(world: World, day: date, team: str):
    return next(g for g in world.games[day] if team in g.teams)


def _batch_rows(world: World, day: date) -> list[dict]:
    batch = world.batches[day]
    return sorted((r for r in world.rows(PRED) if r["batch_id"] == batch), key=lambda r: r["prediction_id"])


def _batch_player_list(world: World, day: date) -> list[str]:
    return sorted({r["player_lookup"] for r in _batch_rows(world, day)})


@shape("ING-01", "registry_entry_deactivated", "error",
       "A registry entry for a live scraper path was deactivated: that path's files route to no processor.")
def _ing01_deactivated(world: World, rng: random.Random, above: bool) -> None:
    prefix = rng.choice(["odds-api/player-props", "nba-com/schedule"]) if above else "ball-dont-lie/boxscores"
    for r in world.rows(REGISTRY):
        if r["path_prefix"] == prefix:
            r["is_active"] = False


@shape("ING-05", "team_code_mislabelled", "error",
       "Most of one team's box scores this week were loaded under a wrong team code (PHX as PHO).",
       consequences=("ING-04", "PRC-02"))
def _ing05_mislabel(world: World, rng: random.Random, above: bool) -> None:
    week = [d for d in window_dates(world) if d > as_of_date(world) - timedelta(days=7)]
    games = {t: [d for d in week if t in _teams_on(world, d)] for t in {t for d in week for t in _teams_on(world, d)}}
    if above:
        team = rng.choice(sorted(t for t, ds in games.items() if len(ds) >= 2))
        bad = rng.sample(games[team], k=len(games[team]) // 2 + 1)  # over 30 % of its games missing
    else:  # a minority of one game's rows: the team still has box scores every night (a
        # night with a team that has none fails ING-04 whatever the ratio, issue 23)
        team = rng.choice(sorted(games))
        bad = [rng.choice(games[team])]
    rows = sorted((r for r in world.rows(BOX) if r["team_abbr"] == team and r["game_date"] in bad),
                  key=lambda r: (r["game_date"], r["player_lookup"]))
    if not above:
        rows = rng.sample(rows, k=rng.randint(1, max(1, len(rows) // 3)))
    for r in rows:
        r["team_abbr"] = team[:2] + "X" if team[2] != "X" else team[:2] + "Z"


@shape("ING-06", "retry_wrote_second_file", "warn",
       "A retried load wrote a mid-window night's box scores again from a second file: raw rows doubled.",
       has_below=False)
def _ing06_second_file(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    path = _file_of(world, "ball-dont-lie/player-box-scores", day)
    retry = path.replace(".json", "_retry.json")
    for r in [r for r in world.rows(BOX) if r["source_file_path"] == path]:
        world.add(BOX, **{**r, "source_file_path": retry, "processed_at": r["processed_at"] + timedelta(minutes=3)})


@shape("PRC-02", "features_before_context", "error",
       "The feature store ran for a night before the pre-game context of most teams was written.")
def _prc02_phase4(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    run = next(r for r in world.rows(RUNS) if r["processor_name"] == "MLFeatureStoreProcessor" and r["data_date"] == day)
    teams = _teams_on(world, day)
    share = rng.uniform(0.3, 1.0) if above else 0.1
    late = set(rng.sample(teams, k=max(1, int(len(teams) * share)) if above else int(len(teams) * share)))
    for r in world.rows(CONTEXT):
        if r["game_date"] == day and r["team_abbr"] in late:
            r["processed_at"] = run["started_at"] + timedelta(minutes=rng.randint(1, 40))


@shape("PRC-03", "mid_window_feature_gap", "error",
       "On a mid-window night a different required feature (rest_days or points_avg_last_5) went NULL for many rows.")
def _prc03_mid(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    col = rng.choice(["rest_days", "points_avg_last_5", "minutes_avg_last_10"])
    rows = [r for r in world.rows(FEATURES) if r["game_date"] == day and all(
        r[c] is not None for c in ("points_avg_last_10",))]
    share = rng.uniform(0.25, 0.8) if above else 0.02
    for r in rng.sample(sorted(rows, key=lambda r: r["player_lookup"]), k=int(len(rows) * share)):
        r[col] = None


@shape("PRC-07", "next_night_box_score_while_locked", "warn",
       "A player's next box score arrived normally while a breaker tripped before it still locks him out.",
       has_below=True)
def _prc07_normal(world: World, rng: random.Random, above: bool) -> None:
    # a lockout within the limit (PRC-06) still in force at as_of: the data that can
    # arrive under it is the newest night's, loaded less than a day before as_of
    recent = [r for r in world.rows(BOX) if world.as_of - timedelta(hours=PRC06_MAX_HOURS - 2) < r["processed_at"]
              <= world.as_of]
    row = rng.choice(sorted(recent, key=lambda r: (r["player_lookup"], r["game_id"])))
    mine = max(r["processed_at"] for r in world.rows(BOX) if r["player_lookup"] == row["player_lookup"])
    day = row["game_date"]
    if above:  # tripped before his box score arrived, for at most the limit, still in force
        tripped = max(row["processed_at"] - timedelta(minutes=rng.randint(10, 300)),
                      world.as_of - timedelta(hours=PRC06_MAX_HOURS - 1))
        tripped = min(tripped, row["processed_at"] - timedelta(minutes=1))
    else:  # tripped after every arrival of his data: nothing to reset yet
        tripped = min(mine + timedelta(minutes=5), world.as_of - timedelta(minutes=1))
    world.add(BREAKERS, processor_name="MLFeatureStoreProcessor", entity_id=row["player_lookup"],
              analysis_date=day, attempt_count=5, completeness_pct=40.0, circuit_breaker_tripped=True,
              tripped_at=tripped, circuit_breaker_until=tripped + timedelta(hours=PRC06_MAX_HOURS), updated_at=tripped)


@shape("REC-01", "summary_under_another_game_id", "warn",
       "A mid-window rerun wrote one team's player game summary under another game id: every row is there, "
       "row counts match, and the game's players have no summary.",
       has_below=False)
def _rec01_other_id(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    game = rng.choice(world.games[day])
    team = rng.choice(game.teams)
    for r in world.rows(PGS):
        if r["game_id"] == game.game_id and r["team_abbr"] == team:
            r["game_id"] = f"00225{game.game_id[-7:]}"  # another source's id format (seed 003)


@shape("PRD-01", "null_success_flag_predictions_missing", "error",
       "Workers published completion events with no success flag at all (NULL), and their predictions are missing.",
       consequences=("SCH-02", "PRD-02", "PRD-04"), has_below=False)
def _prd01_null(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    batch = world.batches[day]
    lost = set(rng.sample(_batch_player_list(world, day), k=rng.randint(1, 6)))
    for e in world.rows(EVENTS):
        if e["batch_id"] == batch and e["player_lookup"] in lost:
            e["staging_write_success"] = None
    n = world.remove(PRED, lambda r: r["batch_id"] == batch and r["player_lookup"] in lost)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in lost)
    _adjust_export(world, day, -n)


@shape("PRD-02", "mid_window_failed_writes", "error",
       "A mid-window batch's workers recorded failed staging writes (then retried) above the error rate.")
def _prd02_mid(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    batch = world.batches[day]
    events = sorted((r for r in world.rows(EVENTS) if r["batch_id"] == batch), key=lambda r: r["event_id"])
    rate = rng.uniform(0.15, 0.6) if above else rng.uniform(0.01, 0.08)
    k = max(1, round(len(events) * rate / (1 - rate))) if above else int(len(events) * rate)
    for e in rng.sample(events, k=min(k, len(events))):
        world.add(EVENTS, **{**e, "event_id": e["event_id"] + "_fail", "staging_write_success": False,
                             "predictions_generated": 0, "published_at": e["published_at"] - timedelta(seconds=30)})


@shape("PRD-03", "pending_batch_tables_missing", "error",
       "A second batch for a mid-window date awaits consolidation with several of its staging tables missing.")
def _prd03_mid(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    started = world.as_of - timedelta(minutes=rng.randint(3, 9))
    batch = f"batch_{day:%Y%m%d}_retry"
    who = rng.sample(_batch_player_list(world, day), k=rng.randint(4, 12))
    missing = set(rng.sample(who, k=rng.randint(1, len(who) - 1))) if above else set()
    _pending_batch(world, day, started, batch, "retry", who, lambda p: None if p in missing else 20)


def _pending_batch(world: World, day: date, started: datetime, batch: str, tag: str, who: list[str],
                   rows_of: Callable[[str], int | None]) -> None:
    """A batch awaiting consolidation: each player's state row and successful completion event
    (20 predictions claimed), and a staging table of rows_of(player) rows (None: no table)."""
    for i, p in enumerate(who):
        at = started + timedelta(seconds=10 * i)
        staging = f"_staging_{batch}_{p}"
        world.add(STATE, batch_id=batch, player_lookup=p, staging_table_name=staging, recorded_at=at)
        world.add(EVENTS, event_id=f"evt_{tag}_{day:%Y%m%d}_{i}", batch_id=batch, player_lookup=p, game_date=day,
                  predictions_generated=20, staging_table_name=staging, staging_write_success=True, published_at=at)
        rows = rows_of(p)
        if rows is not None:
            world.add("nba_predictions.staging_tables", staging_table_name=staging, batch_id=batch,
                      player_lookup=p, row_count=rows, created_at=at)
    world.add(BATCHES, batch_id=batch, game_date=day, expected_players=len(who), completed_players=len(who),
              status="complete", started_at=started, completed_at=started + timedelta(minutes=2),
              consolidated_at=None, updated_at=started + timedelta(minutes=2))


@shape("PRD-04", "prop_type_missing_all_systems", "error",
       "One prop type is missing from every system for some players of a mid-window night.", has_below=False)
def _prd04_prop(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    prop = rng.choice(["points", "rebounds", "assists", "threes"])
    players = set(rng.sample(_batch_player_list(world, day), k=rng.randint(1, 8)))
    gone = {r["prediction_id"] for r in _batch_rows(world, day) if r["player_lookup"] in players and r["prop_type"] == prop}
    world.remove(PRED, lambda r: r["prediction_id"] in gone)
    world.remove(GRADES, lambda r: r["prediction_id"] in gone)
    _adjust_export(world, day, -len(gone))


@shape("PRD-05", "predictions_deactivated", "error",
       "Before the export, a share of a night's players had every prediction deactivated with no replacement.")
def _prd05_deactivated(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    by_team: dict[str, list[str]] = {}
    for r in world.rows(CONTEXT):
        if r["game_date"] == day and r["is_expected_to_play"]:
            by_team.setdefault(r["team_abbr"], []).append(r["player_lookup"])
    total = sum(len(v) for v in by_team.values())
    share = rng.uniform(0.12, 0.4) if above else rng.uniform(0.0, 0.04)
    want, drop, i, teams = int(total * share) + (1 if above else 0), set(), 0, sorted(by_team)
    while len(drop) < want:  # round-robin: every team keeps players (PRD-06 is another invariant)
        left = [p for p in sorted(by_team[teams[i % len(teams)]]) if p not in drop]
        if len(left) > 1:
            drop.add(left[0])
        i += 1
    n = 0
    for r in _batch_rows(world, day):
        if r["player_lookup"] in drop:
            r["is_active"] = False
            n += 1
    _adjust_export(world, day, -n)


@shape("PRD-07", "retry_regenerated_prediction_ids", "error",
       "A retried worker wrote a mid-window night's predictions again under new prediction ids: two active rows per key.")
def _prd07_new_ids(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    players = set(rng.sample(_batch_player_list(world, day), k=rng.randint(1, 5)))
    for r in [r for r in _batch_rows(world, day) if r["player_lookup"] in players]:
        copy = {**r, "updated_at": r["updated_at"] + timedelta(seconds=30)}
        if above:  # a new id per copy: the dedup cannot fold it, two active predictions for one key
            copy["prediction_id"] = r["prediction_id"] + "_retry"
            _grade_like(world, r, copy)
        world.add(PRED, **copy)  # below: the same id again, which staging folds (a warning at most)
    # the export read the clean view (one active row per key), so its count still matches


@shape("PRD-08", "per_prop_range_and_confidence_edges", "error",
       "Mid-window predictions just outside their prop's range and confidence just outside [0, 1].")
def _prd08_edges(world: World, rng: random.Random, above: bool) -> None:
    import csv

    from props_contracts import project_root
    limits = {r["prop_type"]: float(r["max_value"]) for r in csv.DictReader(
        (project_root() / "seeds" / "prop_types.csv").open())}
    day = pick_date(world, rng)
    picks = rng.sample(_batch_rows(world, day), k=3)
    eps = rng.uniform(0.01, 5) if above else 0.0
    picks[0]["predicted_value"] = limits[picks[0]["prop_type"]] + eps
    picks[1]["confidence_score"] = 1.0 + eps / 100 if above else 1.0
    picks[2]["confidence_score"] = -eps / 100 if above else 0.0


@shape("PRD-09", "stale_features", "error",
       "Players of a mid-window night were predicted from feature rows more than a day old.")
def _prd09_stale(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    players = set(rng.sample(_batch_player_list(world, day), k=rng.randint(1, 6)))
    made = {r["player_lookup"]: r["created_at"] for r in _batch_rows(world, day) if r["player_lookup"] in players}
    first = {p: min(r["created_at"] for r in _batch_rows(world, day) if r["player_lookup"] == p) for p in players}
    for r in world.rows(FEATURES):
        if r["game_date"] == day and r["player_lookup"] in made:
            hours = rng.uniform(25, 72) if above else rng.uniform(2, 22)
            r["created_at"] = r["updated_at"] = first[r["player_lookup"]] - timedelta(hours=hours)


@shape("PRD-10", "stalled_with_unknown_progress", "error",
       "A batch in progress below the completion ratio made no progress past the stall limit "
       "(below: a slow batch started hours ago that progressed minutes ago: the clock runs from its last progress).")
def _prd10_mid(world: World, rng: random.Random, above: bool) -> None:
    day = window_dates(world)[-1]
    expected = rng.randint(20, 60)
    done = rng.randint(0, int(expected * 0.9))
    if above:
        last = world.as_of - timedelta(minutes=rng.randint(PRD10_STALL_MIN + 2, 240))
        started = last - timedelta(seconds=5 * done)
    else:
        last = world.as_of - timedelta(minutes=rng.randint(1, PRD10_STALL_MIN - 2))
        started = world.as_of - timedelta(minutes=rng.randint(30, 240))
    _open_batch(world, day, f"batch_{day:%Y%m%d}_late", expected, done, "in_progress", started, last)


def _open_batch(world: World, day: date, batch: str, expected: int, done: int, status: str,
                started: datetime, last: datetime, completed_at: datetime | None = None) -> None:
    """A batch of `day` with `done` players' staging writes, events and tables spread from
    `started` to `last` (its last progress, updated_at), not consolidated."""
    who = _batch_player_list(world, day)[:done]
    if status in ("complete", "consolidated") and len(who) < done:
        raise ValueError(f"a {status} batch of {done} players on {day}, which has {len(who)}")
    step = (last - started) / max(1, len(who))
    for i, p in enumerate(who):
        at = started + step * (i + 1)
        staging = f"_staging_{batch}_{p}"
        world.add(STATE, batch_id=batch, player_lookup=p, staging_table_name=staging, recorded_at=at)
        world.add("nba_predictions.staging_tables", staging_table_name=staging, batch_id=batch, player_lookup=p,
                  row_count=20, created_at=at)
        world.add(EVENTS, event_id=f"evt_{batch}_{i}", batch_id=batch, player_lookup=p, game_date=day,
                  predictions_generated=20, staging_table_name=staging, staging_write_success=True, published_at=at)
    world.add(BATCHES, batch_id=batch, game_date=day, expected_players=expected, completed_players=done,
              status=status, started_at=started, completed_at=completed_at, consolidated_at=None, updated_at=last)


@shape("PRD-10", "stuck_at_or_above_min_completion", "error",
       "A batch sits in progress at 95-99 % completion with no progress for longer than the stall check's "
       "recovery (seed 000: /check-stalled exists to finish exactly these).")
def _prd10_high(world: World, rng: random.Random, above: bool) -> None:
    day = window_dates(world)[-1]
    expected = rng.randint(40, 200)
    done = min(expected - 1, max(int(expected * PRD10_MIN_COMPLETION + 0.999), int(expected * rng.uniform(0.95, 0.99))))
    minutes = rng.randint(PRD10_RECOVERY_MIN + 2, 300) if above else rng.randint(1, PRD10_RECOVERY_MIN - 3)
    last = world.as_of - timedelta(minutes=minutes)
    _open_batch(world, day, f"batch_{day:%Y%m%d}_almost", expected, done, "in_progress",
                last - timedelta(minutes=rng.randint(5, 20)), last)


@shape("PRD-10", "batch_left_unconsolidated", "error",
       "A batch ended without being consolidated, drawn: every player completed but its consolidation MERGE failed "
       "(seed 001: partitioning by FLOAT64), so it stays complete; or it failed and no batch of its date "
       "consolidated after it. Below: complete for a few minutes, or a failed first attempt before the date's "
       "batch that consolidated.")
def _prd10_unconsolidated(world: World, rng: random.Random, above: bool) -> None:
    day = window_dates(world)[-1]
    if rng.random() < 0.5:  # consolidation failed: complete, never consolidated
        # every player completed and wrote (no more than the night has: a complete batch whose
        # count exceeds its successful events is PRD-12's fault, not this one)
        n = min(rng.randint(5, 40), len(_batch_player_list(world, day)))
        minutes = rng.randint(PRD10_CONSOLIDATION_MIN + 2, 600) if above else rng.randint(1, PRD10_CONSOLIDATION_MIN - 5)
        last = world.as_of - timedelta(minutes=minutes)
        _open_batch(world, day, f"batch_{day:%Y%m%d}_merge", n, n, "complete",
                    last - timedelta(minutes=rng.randint(3, 15)), last, completed_at=last)
        return
    main = next(b for b in world.rows(BATCHES) if b["batch_id"] == world.batches[day])
    if above:  # failed after the date's batch consolidated: nothing re-ran it
        failed_at = world.as_of - timedelta(minutes=rng.randint(PRD10_STALL_MIN + 2, 600))
        failed_at = max(failed_at, main["consolidated_at"] + timedelta(minutes=10))
    else:  # a first attempt failed; the date's batch then consolidated
        failed_at = main["started_at"] - timedelta(minutes=rng.randint(5, 60))
    world.add(BATCHES, batch_id=f"batch_{day:%Y%m%d}_failed", game_date=day, expected_players=rng.randint(10, 400),
              completed_players=0, status="failed", started_at=failed_at - timedelta(minutes=rng.randint(1, 10)),
              completed_at=None, consolidated_at=None, updated_at=failed_at)


@shape("PRD-11", "abandoned_batch_tables", "warn",
       "A batch that failed days ago left its staging tables behind.")
def _prd11_failed(world: World, rng: random.Random, above: bool) -> None:
    day = window_dates(world)[-1]
    age = timedelta(hours=rng.uniform(25, 24 * 6)) if above else timedelta(hours=rng.uniform(1, 20))
    created = world.as_of - age
    batch = f"batch_{day:%Y%m%d}_abandoned"
    for i, p in enumerate(rng.sample(_batch_player_list(world, day), k=rng.randint(1, 10))):
        world.add("nba_predictions.staging_tables", staging_table_name=f"_staging_{batch}_{p}", batch_id=batch,
                  player_lookup=p, row_count=20, created_at=created + timedelta(seconds=i))
    world.add(BATCHES, batch_id=batch, game_date=day, expected_players=10, completed_players=3, status="failed",
              started_at=created - timedelta(minutes=5), completed_at=None, consolidated_at=None, updated_at=created)
    # the failed batch was re-run and consolidated (what the pipeline does next): only its
    # staging tables were left behind (PRD-10 passes a failed batch whose date consolidated after it)
    # (its 10 players' successful writes recorded as any batch's are: PRD-01 and PRD-12 hold)
    rerun = f"{batch}_rerun"
    _open_batch(world, day, rerun, 10, 10, "consolidated", created + timedelta(minutes=5),
                created + timedelta(minutes=12), completed_at=created + timedelta(minutes=12))
    row = next(b for b in world.rows(BATCHES) if b["batch_id"] == rerun)
    row.update(consolidated_at=created + timedelta(minutes=14), updated_at=created + timedelta(minutes=14))


@shape("EXP-01", "export_without_predictions", "error",
       "An export ran for a date that has no active predictions at all (today, before the batch).", has_below=False)
def _exp01_empty(world: World, rng: random.Random, above: bool) -> None:
    today = as_of_date(world)
    world.add(EXPORTS, export_id=f"exp_early_{rng.randint(0, 9999)}", export_type="tonight_picks", game_date=today,
              row_count=rng.randint(1, 3000), status="success",
              exported_at=min(world.as_of, et(today, 9, 0)))


@shape("EXP-02", "one_late_game", "error",
       "On a mid-window night one game's predictions landed after the export deadline (the rest on time).",
       consequences=("PRD-09",))
def _exp02_one_game(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    game = rng.choice(world.games[day])
    deadline = et(day, 13, 0)
    at = deadline + timedelta(minutes=rng.randint(1, 300)) if above else deadline - timedelta(minutes=rng.randint(2, 30))
    late = [r for r in _batch_rows(world, day) if r["game_id"] == game.game_id]
    for r in late:
        r["created_at"] = at
        r["updated_at"] = max(r["updated_at"], at)
    if above:  # the 13:00 export could only write what existed then (EXP-01 judges it at its time)
        _adjust_export(world, day, -len(late))


@shape("EXP-03", "graded_late", "warn",
       "A mid-window night was graded, but hours after the declared grading job's due time (below: just before it).")
def _exp03_late(world: World, rng: random.Random, above: bool) -> None:
    # the SLA: grading-daily's 11:00 ET the next day + 60 minutes (seeds/pipeline_schedule.csv);
    # a night whose due time is at least 2 hours before as_of, so a late grade fits before it
    taken = world.__dict__.setdefault("_shape_dates", set())
    due = {d: et(d + timedelta(days=1), 12, 0) for d in window_dates(world)}
    dates = [d for d in due if due[d] <= world.as_of - timedelta(hours=2)]
    day = rng.choice([d for d in dates if d not in taken] or dates)
    taken.add(day)
    if above:
        at = min(due[day] + timedelta(hours=rng.uniform(0.5, 30)), world.as_of - timedelta(minutes=1))
    else:
        at = due[day] - timedelta(minutes=rng.randint(1, 50))
    for g in world.rows(GRADES):
        if g["game_date"] == day:
            g["graded_at"] = at


@shape("ORC-01", "orchestration_stopped_not_recovered", "error",
       "Orchestration stopped hours ago and has not decided anything since (an open gap at as_of).")
def _orc01_open(world: World, rng: random.Random, above: bool) -> None:
    hours = rng.uniform(6.5, 40) if above else rng.uniform(0.2, 1.4)
    world.remove("nba_orchestration.workflow_decisions", lambda r: r["decision_at"] > world.as_of - timedelta(hours=hours))


@shape("ORC-03", "publish_failures_other_topic", "warn",
       "The prediction coordinator failed to publish to its request topic mid-window.", has_below=False)
def _orc03_other(world: World, rng: random.Random, above: bool) -> None:
    at = world.as_of - timedelta(hours=rng.randint(20, 24 * 6))
    for i in range(rng.randint(1, 6)):
        world.add("nba_orchestration.pubsub_publish_failures", failure_id=f"pf_coord_{i}",
                  topic="prediction-request", publisher="prediction-coordinator",
                  error_message="ServiceUnavailable: 503", failed_at=at + timedelta(minutes=i))


@shape("SCH-01", "partition_column_retyped", "error",
       "A loader recreated processor_run_history with data_date as STRING (a partition column).", has_below=False)
def _sch01_partition(world: World, rng: random.Random, above: bool) -> None:
    table, col = rng.choice([(RUNS, "data_date"), (ODDS, "game_date"), (FEATURES, "game_date")])
    world.type_overrides.setdefault(table, {})[col] = "STRING"


@shape("SCH-02", "negative_line_mid_window", "error",
       "Mid-window sportsbook lines of -1.5, and a processor run of negative duration.")
def _sch02_mid(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    row = rng.choice(sorted((r for r in world.rows(ODDS) if r["game_date"] == day),
                            key=lambda r: (r["player_lookup"], r["prop_type"], r["bookmaker"])))
    row["line_value"] = -rng.uniform(0.5, 50) if above else 0.0


# -- shapes: declared expectations (docs/expectations.md) ------------------------------------

def _due_dates(world: World) -> list[date]:
    """Window game dates whose every declared job is due at as_of (13:00 ET the next day)."""
    from props_contracts.simulator.faults import _due_game_dates
    return _due_game_dates(world)


def _pick_due_date(world: World, rng: random.Random) -> date:
    taken = world.__dict__.setdefault("_shape_dates", set())
    dates = [d for d in _due_dates(world) if d not in taken] or _due_dates(world)
    day = rng.choice(dates)
    taken.add(day)
    return day


@shape("ABS-01", "only_failed_runs", "error",
       "A scheduled job's runs for one night all failed, none succeeded (below: failed, then succeeded 20 minutes later).")
def _abs01_failed(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import ABS01_PROCESSORS

    day = _pick_due_date(world, rng)
    processor = rng.choice(ABS01_PROCESSORS)
    run = next(r for r in world.rows(RUNS) if r["processor_name"] == processor and r["data_date"] == day)
    failed = {**run, "run_id": f"{run['run_id']}_try1", "status": "failed", "records_processed": 0,
              "completed_at": run["started_at"] + timedelta(seconds=15), "duration_seconds": 15.0}
    world.add(RUNS, **failed)
    if above:
        retry = run["started_at"] + timedelta(minutes=20)
        run.update(status="failed", records_processed=0, started_at=retry,
                   completed_at=retry + timedelta(seconds=15), duration_seconds=15.0)
    else:  # the retry 20 minutes later succeeded, inside the job's grace
        shift = timedelta(minutes=20)
        run.update(started_at=run["started_at"] + shift, completed_at=run["completed_at"] + shift)


@shape("ABS-02", "registry_processor_stopped", "error",
       "A processor registered weeks ago last ran successfully before its window (below: inside it).")
def _abs02_stopped(world: World, rng: random.Random, above: bool) -> None:
    name = rng.choice(["BdlInjuriesProcessor", "NbacGameBookProcessor", "BdlStandingsProcessor"])
    world.add(REGISTRY, path_prefix=f"stopped/{name.lower()}", processor_name=name,
              target_table="nba_raw.bdl_player_boxscores", phase=2, is_active=True,
              registered_at=world.as_of - timedelta(days=rng.randint(20, 60)))
    hours = rng.uniform(50, 24 * 6) if above else rng.uniform(6, 44)
    at = world.as_of - timedelta(hours=hours)
    day = at.replace(tzinfo=UTC).astimezone(ET).date()
    world.add(RUNS, **_run_row(f"run_{name}_{day:%Y%m%d}", name, 2, day, "success", at, 20.0, 0,
                               "nba_raw.bdl_player_boxscores"))


@shape("ABS-03", "dlq_gap_mid_window", "error",
       "A dead-letter subscription went unsampled for hours mid-window (below: one sample 10 minutes late).")
def _abs03_gap(world: World, rng: random.Random, above: bool) -> None:
    sub = rng.choice(sorted({r["subscription_name"] for r in world.rows(DLQ)}))
    start = world.as_of - timedelta(hours=rng.uniform(30, 24 * 5))
    if above:
        end = start + timedelta(hours=rng.uniform(2.5, 9))
        world.remove(DLQ, lambda r: r["subscription_name"] == sub and start < r["observed_at"] < end)
    else:
        sample = min((r for r in world.rows(DLQ) if r["subscription_name"] == sub and r["observed_at"] > start),
                     key=lambda r: r["observed_at"])
        sample["observed_at"] += timedelta(minutes=10)


@shape("ABS-04", "odds_feed_day_missing", "error",
       "The odds feed delivered nothing for one game day (below: its file came 1-15 minutes before its due time).",
       consequences=("ABS-01",))
def _abs04_odds(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import ODDS_PREFIX

    day = _pick_due_date(world, rng)
    files = {r["file_path"] for r in world.rows(FILES) if f"/{ODDS_PREFIX}/{day:%Y-%m-%d}/" in r["file_path"]}
    if above:
        world.remove(FILES, lambda r: r["file_path"] in files)
        world.remove(LOCKS, lambda r: r["file_path"] in files)
        world.remove(ODDS, lambda r: r["game_date"] == day)
        world.remove(RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] == day)
        return
    # late but inside grace (due 09:30 ET + 60 min): the file, its lock, rows and run move with it
    for f in world.rows(FILES):
        if f["file_path"] in files:
            shift = et(day, 10, 30) - timedelta(minutes=rng.randint(1, 15)) - f["scraped_at"]
            f["scraped_at"] += shift
            for table, cols in ((LOCKS, ("locked_at", "completed_at")),):
                for r in world.rows(table):
                    if r["file_path"] == f["file_path"]:
                        for c in cols:
                            r[c] += shift
            for r in world.rows(ODDS):
                if r["source_file_path"] == f["file_path"]:
                    r["processed_at"] += shift
            for r in world.rows(RUNS):
                if r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] == day:
                    r["started_at"] += shift
                    r["completed_at"] += shift


@benign("dlq_sampled_every_5_minutes", "A dead-letter subscription is sampled every 5 minutes, all zeros, for its last day.")
def _dlq_every_5(world: World, rng: random.Random) -> None:
    sub = rng.choice(sorted({r["subscription_name"] for r in world.rows(DLQ)}))
    since = world.as_of - timedelta(hours=24)
    at = since
    while at <= world.as_of:
        if not any(r["subscription_name"] == sub and r["observed_at"] == at for r in world.rows(DLQ)):
            world.add(DLQ, subscription_name=sub, undelivered_messages=0, observed_at=at)
        at += timedelta(minutes=5)


@benign("jobs_retried_after_failure", "Two scheduled jobs of one night failed once and succeeded on a retry 20 minutes later.")
def _jobs_retried(world: World, rng: random.Random) -> None:
    from props_contracts.simulator.faults import ABS01_PROCESSORS

    day = _pick_due_date(world, rng)
    for processor in rng.sample(ABS01_PROCESSORS, 2):
        run = next(r for r in world.rows(RUNS) if r["processor_name"] == processor and r["data_date"] == day)
        world.add(RUNS, **{**run, "run_id": f"{run['run_id']}_try1", "status": "failed", "records_processed": 0,
                           "completed_at": run["started_at"] + timedelta(seconds=15), "duration_seconds": 15.0})
        shift = timedelta(minutes=20)
        run.update(started_at=run["started_at"] + shift, completed_at=run["completed_at"] + shift)
# -- inputs judged as present, writes against their input, events at their own time (issue 23) --

@shape("PRC-01", "zero_row_success_with_input", "error",
       "A processor logged success with 0 records for a night whose input had rows, and wrote nothing.")
def _prc01_zero_claim(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    processor, table = rng.choice([("PlayerGameSummaryProcessor", PGS), ("PredictionGradingProcessor", GRADES)])
    run = next(r for r in world.rows(RUNS) if r["processor_name"] == processor and r["data_date"] == day)
    run["records_processed"] = 0
    if above:  # below: the count is wrong, the rows are there (a logging bug, not a lost write)
        world.remove(table, lambda r: r["game_date"] == day)


@benign("zero_row_success_no_games", "A processor logs success with 0 records for a night with no games: nothing to write.")
def _zero_claim_no_games(world: World, rng: random.Random) -> None:
    first = as_of_date(world) - timedelta(days=LOOKBACK_DAYS)
    free = [first + timedelta(days=i) for i in range(LOOKBACK_DAYS)]
    free = [d for d in free if not world.games.get(d)]
    day = rng.choice(free) if free else backfill_date(world, rng)  # no night off: a date with no data at all
    processor, table = rng.choice([("PlayerGameSummaryProcessor", PGS), ("UpcomingPlayerGameContextProcessor", CONTEXT)])
    started = et(day + timedelta(days=1), 6, 30) if free else world.as_of - timedelta(hours=2)
    started = min(started, world.as_of - timedelta(minutes=30))
    world.add(RUNS, **_run_row(f"run_zero_{day:%Y%m%d}", processor, 3, day, "success", started, 9.0, 0, table))


@shape("PRD-03", "staging_table_short_of_event", "error",
       "A batch awaiting consolidation has its staging tables, but one holds fewer rows than its completion event claims.")
def _prd03_short(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    started = world.as_of - timedelta(minutes=rng.randint(3, 9))
    batch = f"batch_{day:%Y%m%d}_short"
    who = rng.sample(_batch_player_list(world, day), k=rng.randint(2, 10))
    short = set(rng.sample(who, k=rng.randint(1, len(who) - 1))) if above else set()
    _pending_batch(world, day, started, batch, "short", who, lambda p: rng.randint(0, 19) if p in short else 20)


@shape("PRD-12", "coordinator_counted_redeliveries", "error",
       "Pub/Sub redelivered some completion events of a night's batch and the coordinator counted them twice.")
def _prd12_redelivered(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    batch = world.batches[day]
    events = sorted((r for r in world.rows(EVENTS) if r["batch_id"] == batch), key=lambda r: r["event_id"])
    again = rng.sample(events, k=rng.randint(1, min(8, len(events))))
    for e in again:
        world.add(EVENTS, **{**e, "event_id": e["event_id"] + "_redelivered",
                             "published_at": e["published_at"] + timedelta(seconds=rng.randint(30, 600))})
    if above:  # below: the coordinator deduplicated them by player, as it should
        for b in world.rows(BATCHES):
            if b["batch_id"] == batch:
                b["completed_players"] += len(again)


@shape("ING-04", "teams_without_boxscores_ratio_passes", "error",
       "One to a fifth of a night's teams have no box scores at all, while the night's coverage stays at the 80 % ratio.",
       consequences=("ING-05",))
def _ing04_zero_teams(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng, min_games=3)
    teams = _teams_on(world, day)
    missing = set(rng.sample(teams, k=rng.randint(1, max(1, int(len(teams) * 0.2)))))
    if above:  # the whole team: seed 004's self-heal would backfill it
        hit = lambda r: r["game_date"] == day and r["team_abbr"] in missing  # noqa: E731
    else:  # below: a few players of one team (partial loss, the team has box scores)
        team = sorted(missing)[0]
        rows = sorted((r for r in world.rows(BOX) if r["game_date"] == day and r["team_abbr"] == team),
                      key=lambda r: r["player_lookup"])
        few = {r["player_lookup"] for r in rng.sample(rows, k=rng.randint(1, max(1, len(rows) // 3)))}
        hit = lambda r: r["game_date"] == day and r["player_lookup"] in few  # noqa: E731
    players = {r["player_lookup"] for r in world.rows(BOX) if hit(r)}
    world.remove(BOX, hit)
    world.remove(PGS, lambda r: r["game_date"] == day and r["player_lookup"] in players)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in players)


@shape("PRD-06", "team_not_requested", "error",
       "The coordinator never requested one team's players on a night, though the pre-game context has them.",
       consequences=("PRD-05",), has_below=False)
def _prd06_not_requested(world: World, rng: random.Random, above: bool) -> None:
    from props_contracts.simulator.faults import _drop_players

    day = pick_date(world, rng)
    team = rng.choice(_teams_on(world, day))
    _drop_players(world, day, {p.lookup for p in world.team_players(team)})


def _rule_out(world: World, rng: random.Random, day: date, at: datetime) -> int:
    """A player of `day` is ruled out at `at`: his predictions are deactivated (updated then)."""
    rows = _batch_rows(world, day)
    player = rng.choice(sorted({r["player_lookup"] for r in rows if r["is_active"]}))
    n = 0
    for r in rows:
        if r["player_lookup"] == player and r["is_active"]:
            r.update(is_active=False, updated_at=at)
            n += 1
    return n


def _export(world: World, day: date, at: datetime, rows: int, tag: str) -> None:
    world.add(EXPORTS, export_id=f"exp_{tag}_{day:%Y%m%d}", export_type="tonight_picks", game_date=day,
              row_count=rows, status="success", exported_at=at)


@benign("re_export_after_ruling_out", "An 18:00 export; a player is ruled out and his predictions deactivated; the picks are re-exported at 19:45.")
def _re_export(world: World, rng: random.Random) -> None:
    day = pick_date(world, rng)
    active = sum(1 for r in _batch_rows(world, day) if r["is_active"])
    _export(world, day, et(day, 18, 0), active, "evening")
    gone = _rule_out(world, rng, day, et(day, 18, rng.randint(10, 59)))
    _export(world, day, et(day, 19, 45), active - gone, "reexport")


@shape("EXP-01", "stale_reexport_after_ruling_out", "error",
       "A player was ruled out and deactivated, then the picks were re-exported from a stale copy that still had his rows.",
       has_below=True)
def _exp01_stale(world: World, rng: random.Random, above: bool) -> None:
    day = pick_date(world, rng)
    active = sum(1 for r in _batch_rows(world, day) if r["is_active"])
    gone = _rule_out(world, rng, day, et(day, 17, rng.randint(0, 50)))
    # above: wrong at its own time, and nothing exported after it; below: right at its time
    _export(world, day, et(day, 18, 0), active if above else active - gone, "stale")


# -- runbook replays ---------------------------------------------------------------------------
# What each invariant's runbook (seeds/invariants.csv) tells on-call to do, modelled on
# the simulated warehouse: the pipeline step it names runs again, correctly, so its rows
# are what the clean pipeline would have written (taken from `clean`, the same week
# simulated without the fault), plus the traces the action itself leaves (a new lock, a
# rerun, a registry entry). Applied after the canonical fault (faults.py), the contract
# must return to green with no collateral failure (pytests/test_shapes.py).
#
# Invariants judged over the window's history are not here: ING-02 (a late load),
# PRC-05 (a slow run), PRC-08 (skipped runs), PRD-02 (failed writes), EXP-02 (late
# predictions), EXP-03 (late grading), ORC-01 (a gap), ORC-02 (messages seen), ORC-03
# (publish failures). The runbook repairs the data, but the breach happened and stays
# reported until it leaves the window: never a false all-clear about the past.

RUNBOOK: dict[str, Callable[[World, World], None]] = {}
# Replays judged together in one week each (`make test`): within a week no replay's
# traces touch another's invariant (ING-01's new table is unverifiable by ING-03 and
# PRC-01, a warning by design), and the restored tables converge on the clean week.
RUNBOOK_GROUPS = (
    ("ING-01", "PRC-04", "PRC-06", "PRC-07", "PRD-03", "PRD-10", "PRD-11", "SCH-01"),
    ("ING-03", "ING-04", "PRC-01", "PRC-03", "PRD-09", "SCH-02", "PRC-13", "ING-09", "REC-01"),
    ("ING-05", "ING-06", "PRC-02", "FRS-01", "FRS-02", "FRS-03"),
    ("PRD-01", "PRD-04", "PRD-05", "PRD-06", "PRD-07", "PRD-08", "EXP-01", "PRD-12"),
    ("ABS-01", "ABS-02", "ABS-04"),
)
# PRC-11 (a run over its timeout), PRC-12 (a creep), PRC-14 (failed runs) and ORC-04 (a
# backlog seen) are history too: the run or the sample stays in the window.
HISTORY_INVARIANTS = ("ING-02", "PRC-05", "PRC-08", "PRD-02", "EXP-02", "EXP-03", "ORC-01", "ORC-02", "ORC-03",
                      "PRC-11", "PRC-12", "PRC-14", "ORC-04", "ABS-03")


def runbook(invariant_id: str):
    def register(fn: Callable[[World, World], None]):
        RUNBOOK[invariant_id] = fn
        return fn
    return register


@runbook("ABS-01")
def _abs01_rerun(world: World, clean: World) -> None:
    """The job was run for the date named: its processors' runs are the clean ones."""
    have = {x["run_id"] for x in world.rows(RUNS)}
    _restore(world, clean, RUNS, lambda r: r["run_id"] not in have and r["processor_name"] in _abs01_processors())


def _abs01_processors() -> tuple[str, ...]:
    from props_contracts.simulator.faults import ABS01_PROCESSORS
    return ABS01_PROCESSORS


@runbook("ABS-02")
def _abs02_run(world: World, clean: World) -> None:
    """The processor was triggered (or marked on_demand): it ran successfully just now."""
    known = {r["processor_name"] for r in clean.rows(REGISTRY)}
    for reg in world.rows(REGISTRY):
        if reg["processor_name"] not in known:
            at = world.as_of - timedelta(minutes=30)
            world.add(RUNS, **_run_row(f"run_{reg['processor_name']}_rerun", reg["processor_name"], 2,
                                       at.replace(tzinfo=UTC).astimezone(ET).date(), "success", at, 20.0, 0,
                                       reg["target_table"]))


@runbook("ABS-04")
def _abs04_rescrape(world: World, clean: World) -> None:
    """The odds scraper was run for the missed date: its file, load, lines and run are back."""
    from props_contracts.simulator.faults import ODDS_PREFIX

    have = {r["data_date"] for r in world.rows(FILES) if f"/{ODDS_PREFIX}/" in r["file_path"]}
    missed = {r["data_date"] for r in clean.rows(FILES) if f"/{ODDS_PREFIX}/" in r["file_path"]} - have
    _restore(world, clean, FILES, lambda r: f"/{ODDS_PREFIX}/" in r["file_path"] and r["data_date"] in missed)
    _restore(world, clean, LOCKS, lambda r: f"/{ODDS_PREFIX}/" in r["file_path"] and r["data_date"] in missed)
    _restore(world, clean, ODDS, lambda r: r["game_date"] in missed)
    _restore(world, clean, RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] in missed)


@runbook("FRS-01")
def _frs01_rerun(world: World, clean: World) -> None:
    """The odds scraper restarted and was rerun for the missed dates: its files, loads and
    lines are what the clean pipeline wrote, and so are the predictions made with them."""
    from props_contracts.simulator.faults import ODDS_PREFIX, stopped_since

    since = stopped_since(world)
    _restore(world, clean, FILES, lambda r: f"/{ODDS_PREFIX}/" in r["file_path"] and r["data_date"] >= since)
    _restore(world, clean, LOCKS, lambda r: f"/{ODDS_PREFIX}/" in r["file_path"] and r["data_date"] >= since)
    _restore(world, clean, ODDS, lambda r: r["game_date"] >= since)
    _restore(world, clean, RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] >= since)
    _restore(world, clean, PRED, lambda r: r["game_date"] >= since)
    _restore(world, clean, GRADES, lambda r: r["game_date"] >= since)


@runbook("FRS-02")
def _frs02_rerun(world: World, clean: World) -> None:
    """Grading was rerun for the missed dates."""
    from props_contracts.simulator.faults import stopped_since

    since = stopped_since(world) - timedelta(days=1)
    _restore(world, clean, GRADES, lambda r: r["game_date"] >= since)
    _restore(world, clean, RUNS, lambda r: r["processor_name"] == "PredictionGradingProcessor"
             and r["data_date"] >= since)


@runbook("FRS-03")
def _frs03_restart(world: World, clean: World) -> None:
    """The sampler restarted; the hours it missed cannot be sampled again, but it samples
    from the next hour on (the week ends at as_of: the last sample is the clean one's)."""
    last = max(r["observed_at"] for r in clean.rows(DLQ))
    _restore(world, clean, DLQ, lambda r: r["observed_at"] == last)


def apply_runbooks(world: World, clean: World, ids: list[str]) -> None:
    unknown = [i for i in ids if i not in RUNBOOK]
    if unknown:
        raise UsageError(f"no runbook replay for: {', '.join(unknown)}")
    for i in ids:
        RUNBOOK[i](world, clean)


def _restore(world: World, clean: World, table: str, pred: Callable[[dict], bool]) -> None:
    """The rows of `table` matching `pred` become what the clean pipeline wrote."""
    world.remove(table, pred)
    for r in clean.rows(table):
        if pred(r):
            world.add(table, **dict(r))


def _restore_night(world: World, clean: World, day: date, tables: tuple[str, ...]) -> None:
    for table in tables:
        col = "data_date" if table == RUNS else "game_date"
        _restore(world, clean, table, lambda r, col=col: r.get(col) == day)


def _restore_batch(world: World, clean: World, day: date) -> None:
    batch = clean.batches[day]
    for table in (PRED, EVENTS, STATE, BATCHES):
        _restore(world, clean, table, lambda r: r["batch_id"] == batch)
    _restore(world, clean, GRADES, lambda r: r["game_date"] == day)
    _restore(world, clean, EXPORTS, lambda r: r["game_date"] == day)


def _injected_days(world: World, clean: World, table: str, col: str = "game_date") -> set[date]:
    """Dates whose rows of `table` differ from the clean week's (what the fault touched)."""
    def key(rows):
        return {(r.get(col), repr(sorted(r.items(), key=lambda kv: kv[0]))) for r in rows}
    diff = key(world.rows(table)) ^ key(clean.rows(table))
    return {d for d, _ in diff if d is not None}


def _restore_touched(world: World, clean: World, table: str) -> None:
    """Every night whose rows of `table` the fault touched is reloaded as the clean pipeline wrote it."""
    for day in _injected_days(world, clean, table):
        _restore(world, clean, table, lambda r, day=day: r["game_date"] == day)


@runbook("ING-01")
def _fix_ing01(world: World, clean: World) -> None:
    prefix, proc, table = "nba-com/play-by-play", "NbacPlayByPlayProcessor", "nba_raw.nbac_play_by_play"
    world.add(REGISTRY, path_prefix=prefix, processor_name=proc, target_table=table, phase=2, is_active=True,
              registered_at=world.as_of - timedelta(hours=2))
    for f in [f for f in world.rows(FILES) if f"/{prefix}/" in f["file_path"]]:
        at = f["scraped_at"] + timedelta(minutes=20)  # replayed from GCS as soon as it was routed
        world.add(LOCKS, lock_id=f"lock_replay_{f['file_path'][-24:]}", file_path=f["file_path"], processor_name=proc,
                  target_table=table, data_date=f["data_date"], status="complete", rows_reported=400,
                  locked_at=at, completed_at=at + timedelta(seconds=30))


@runbook("ING-03")
def _fix_ing03(world: World, clean: World) -> None:
    _restore_touched(world, clean, SCHEDULE)


@runbook("ING-04")
def _fix_ing04(world: World, clean: World) -> None:
    for day in _injected_days(world, clean, BOX):
        _restore_night(world, clean, day, (BOX, PGS, GRADES, RUNS))


@runbook("ING-05")
def _fix_ing05(world: World, clean: World) -> None:
    _fix_ing04(world, clean)


@runbook("ING-06")
def _fix_ing06(world: World, clean: World) -> None:
    _restore_touched(world, clean, BOX)


@runbook("PRC-01")
def _fix_prc01(world: World, clean: World) -> None:
    _restore_touched(world, clean, PGS)


@runbook("REC-01")
def _fix_rec01(world: World, clean: World) -> None:
    """PlayerGameSummaryProcessor rerun for the nights it lost players on."""
    _restore_touched(world, clean, PGS)


@runbook("PRC-02")
def _fix_prc02(world: World, clean: World) -> None:
    """Rerun the phase for the date once its input is complete (a new run; the early one stays logged)."""
    early = [r for r in world.rows(RUNS) if r["processor_name"] == "PlayerGameSummaryProcessor"
             and r not in clean.rows(RUNS)]
    for r in early:
        loaded = max(b["processed_at"] for b in world.rows(BOX) if b["game_date"] == r["data_date"])
        world.add(RUNS, **{**r, "run_id": r["run_id"] + "_rerun", "started_at": loaded + timedelta(minutes=10),
                           "completed_at": loaded + timedelta(minutes=10, seconds=r["duration_seconds"])})


@runbook("PRC-03")
def _fix_prc03(world: World, clean: World) -> None:
    _restore_touched(world, clean, FEATURES)


@runbook("PRC-04")
def _fix_prc04(world: World, clean: World) -> None:
    for r in world.rows(RUNS):
        if r["status"] == "running":
            r.update(status="failed", completed_at=world.as_of - timedelta(minutes=5),
                     duration_seconds=(world.as_of - timedelta(minutes=5) - r["started_at"]).total_seconds())


@runbook("PRC-06")
def _fix_prc06(world: World, clean: World) -> None:
    for r in world.rows(BREAKERS):
        if r["circuit_breaker_tripped"] and r["circuit_breaker_until"] - r["tripped_at"] > timedelta(hours=PRC06_MAX_HOURS):
            r["circuit_breaker_until"] = r["tripped_at"] + timedelta(hours=PRC06_MAX_HOURS)


@runbook("PRC-07")
def _fix_prc07(world: World, clean: World) -> None:
    for r in world.rows(BREAKERS):
        if r["circuit_breaker_tripped"] and r["circuit_breaker_until"] > world.as_of and r["tripped_at"] > world.as_of - timedelta(hours=6):
            r.update(circuit_breaker_until=world.as_of - timedelta(minutes=1), updated_at=world.as_of - timedelta(minutes=1))


@runbook("PRD-01")
def _fix_prd01(world: World, clean: World) -> None:
    for day in _injected_days(world, clean, PRED):
        _restore_batch(world, clean, day)


for _same in ("PRD-04", "PRD-05", "PRD-06", "PRD-07", "PRD-08", "EXP-01", "PRD-12"):
    runbook(_same)(_fix_prd01)


@runbook("PRD-03")
def _fix_prd03(world: World, clean: World) -> None:
    tables = {r["staging_table_name"] for r in world.rows("nba_predictions.staging_tables")}
    for s in world.rows(STATE):
        if s["batch_id"].endswith("_rerun") and s["staging_table_name"] not in tables:
            world.add("nba_predictions.staging_tables", staging_table_name=s["staging_table_name"],
                      batch_id=s["batch_id"], player_lookup=s["player_lookup"], row_count=20,
                      created_at=world.as_of - timedelta(minutes=2))


@runbook("PRD-09")
def _fix_prd09(world: World, clean: World) -> None:
    """Re-run predictions for the players after phase 4 completed for the date."""
    for day in _injected_days(world, clean, FEATURES):
        late = {r["player_lookup"]: r["updated_at"] for r in world.rows(FEATURES) if r["game_date"] == day}
        for p in world.rows(PRED):
            if p["game_date"] == day and p["created_at"] < late.get(p["player_lookup"], p["created_at"]):
                p["created_at"] = late[p["player_lookup"]] + timedelta(minutes=2)
                p["updated_at"] = max(p["updated_at"], p["created_at"])


@runbook("PRD-10")
def _fix_prd10(world: World, clean: World) -> None:
    """/check-stalled re-requested the missing players: the batch completed."""
    for b in world.rows(BATCHES):
        if b["status"] == "in_progress":
            done = {s["player_lookup"] for s in world.rows(STATE) if s["batch_id"] == b["batch_id"]}
            day = b["game_date"]
            for i, p in enumerate(sorted({r["player_lookup"] for r in world.rows(PRED) if r["game_date"] == day} - done)
                                  [:b["expected_players"] - b["completed_players"]]):
                at = world.as_of - timedelta(minutes=3)
                staging = f"_staging_{b['batch_id']}_{p}"
                world.add(STATE, batch_id=b["batch_id"], player_lookup=p, staging_table_name=staging, recorded_at=at)
                world.add(EVENTS, event_id=f"evt_heal_{i}", batch_id=b["batch_id"], player_lookup=p, game_date=day,
                          predictions_generated=20, staging_table_name=staging, staging_write_success=True,
                          published_at=at)
                world.add("nba_predictions.staging_tables", staging_table_name=staging, batch_id=b["batch_id"],
                          player_lookup=p, row_count=20, created_at=at)
            b.update(completed_players=b["expected_players"], status="complete",
                     completed_at=world.as_of - timedelta(minutes=2), updated_at=world.as_of - timedelta(minutes=2))


@runbook("PRC-13")
def _fix_prc13(world: World, clean: World) -> None:
    """The breaker tripped early is cleared (and the processor's threshold fixed)."""
    for r in world.rows(BREAKERS):
        if r["circuit_breaker_tripped"] and r["attempt_count"] < PRC13_THRESHOLD:
            r.update(circuit_breaker_tripped=False, tripped_at=None, circuit_breaker_until=None,
                     updated_at=world.as_of - timedelta(minutes=3))


@runbook("ING-09")
def _fix_ing09(world: World, clean: World) -> None:
    """The loader writes the schedule's game ids again: the night's lines are reloaded."""
    _restore_touched(world, clean, ODDS)


@runbook("PRD-11")
def _fix_prd11(world: World, clean: World) -> None:
    world.remove("nba_predictions.staging_tables", lambda r: r["created_at"] < world.as_of - timedelta(hours=24))


@runbook("SCH-01")
def _fix_sch01(world: World, clean: World) -> None:
    world.type_overrides.clear()


@runbook("SCH-02")
def _fix_sch02(world: World, clean: World) -> None:
    _fix_ing06(world, clean)
