"""Named faults: each reproduces one seed incident and breaks one invariant.

A fault is surgical: it changes the clean world so that its invariant fails at
the catalog's severity and every other error-severity invariant still holds
(pytests/test_fault_matrix.py proves both). Where a real incident would
cascade (a missing box score also leaves grades missing), the fault applies the
whole consistent change, so the warehouse stays a believable one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from props_contracts.errors import UsageError
from props_contracts.simulator.world import BUCKET, ET, SYSTEMS, TEAMS, UTC, World, et

PRED = "nba_predictions.player_prop_predictions"
GRADES = "nba_predictions.prediction_grades"
EVENTS = "nba_predictions.prediction_completion_events"
STATE = "nba_orchestration.prediction_batch_staging_state"
RUNS = "nba_reference.processor_run_history"
BOX = "nba_raw.bdl_player_boxscores"
PGS = "nba_analytics.player_game_summary"


@dataclass(frozen=True)
class Fault:
    invariant_id: str
    severity: str  # what the catalog says the contract fails at
    summary: str
    incident: str
    apply: Callable[[World, random.Random], None]
    # error-severity IDs the incident itself also breaks (a true consequence, not noise):
    # a job that never ran is also a scheduled run missing (ABS-01); a lost staging write
    # leaves a completed player with no prediction (PRD-04 too)
    consequences: tuple[str, ...] = ()


FAULTS: dict[str, Fault] = {}


def fault(invariant_id: str, severity: str, summary: str, incident: str, consequences: tuple[str, ...] = ()):
    def register(fn: Callable[[World, random.Random], None]):
        FAULTS[invariant_id] = Fault(invariant_id, severity, summary, incident, fn, consequences)
        return fn
    return register


# `make test` judges the canonical faults in 6 weeks of 5-6 faults each (`make matrix`:
# a week per fault, so collateral is exact per fault). A group is 6 different
# invariants whose faults neither break nor hide each other, found by running them:
# EXP-03 drops the grades PRD-07's duplicate copies, and ING-05's missing box
# scores hide PRC-02's unready input, so those pairs are apart.
# pytests/test_fault_matrix.py checks that the groups partition FAULTS.
# The seed monitors (PRC-11..14, ORC-04, ING-09; docs/seed-monitors.md) join the groups:
# PRC-11 and PRC-12 both reshape PredictionCoordinator's runs, as PRC-05 does, so the
# three are in three weeks; ING-09's odds ids are apart from FRS-01's stopped odds feed.
# The ABS faults join weeks where no other fault has their ID as a consequence (a
# missing run's ABS-01 would otherwise hide whether ABS-01's own fault was caught).
FAULT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("EXP-01", "ING-04", "PRC-01", "PRC-07", "PRD-05", "PRD-11", "PRC-12", "ING-09", "ABS-03"),
    ("EXP-02", "ING-05", "PRC-08", "PRD-06", "SCH-01", "FRS-01", "PRC-13", "ABS-02"),
    ("ING-06", "PRC-03", "PRD-01", "PRD-07", "PRD-08", "SCH-02", "PRC-14", "ABS-01"),
    ("EXP-03", "ING-01", "ORC-01", "PRC-02", "PRC-04", "PRD-02", "ORC-04", "ABS-04"),
    ("ING-02", "ORC-02", "PRC-05", "PRD-03", "PRD-09", "FRS-02", "REC-01"),
    ("ING-03", "ORC-03", "PRC-06", "PRD-04", "PRD-10", "FRS-03", "PRC-11", "PRD-12"),
)


def apply_faults(world: World, ids: list[str]) -> None:
    unknown = [i for i in ids if i not in FAULTS]
    if unknown:
        raise UsageError(
            f"unknown invariant ID(s) for --inject: {', '.join(unknown)}. "
            f"Valid: {', '.join(sorted(FAULTS))}"
        )
    for fid in ids:
        # Each fault has its own random stream, so adding one never shifts another.
        FAULTS[fid].apply(world, random.Random(f"{world.seed}:{fid}"))
        world.injected.append(fid)


# -- helpers ------------------------------------------------------------------------------

def _file_of(world: World, prefix: str, day: date, final: bool | None = None) -> str:
    files = sorted(r["file_path"] for r in world.rows("nba_orchestration.scraped_files")
                   if f"/{prefix}/{day:%Y-%m-%d}/" in r["file_path"])
    if not files:
        raise UsageError(f"no {prefix} file on {day} to inject into")
    if final is None:
        return files[-1]
    return files[-1] if final else files[0]


def _drop_players(world: World, day: date, players: set[str]) -> None:
    """The coordinator never requested these players on `day`: no trace of them in phase 5."""
    batch = world.batches[day]
    in_batch = lambda r: r["batch_id"] == batch and r["player_lookup"] in players  # noqa: E731
    n_pred = world.remove(PRED, in_batch)
    world.remove(EVENTS, in_batch)
    world.remove(STATE, in_batch)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in players)
    for b in world.rows("nba_predictions.prediction_batches"):
        if b["batch_id"] == batch:
            b["expected_players"] -= len(players)
            b["completed_players"] -= len(players)
    _adjust_export(world, day, -n_pred)


def _adjust_export(world: World, day: date, delta: int) -> None:
    for e in world.rows("nba_exports.export_runs"):
        if e["game_date"] == day:
            e["row_count"] += delta


def _grade_like(world: World, graded: dict, new: dict) -> None:
    """Grading grades whatever predictions exist: give `new` a grade like `graded`'s."""
    grade = next(g for g in world.rows(GRADES) if g["prediction_id"] == graded["prediction_id"])
    world.add(GRADES, **{**grade, "prediction_id": new["prediction_id"], "prop_type": new["prop_type"]})


def _batch_players(world: World, day: date) -> list[str]:
    batch = world.batches[day]
    return sorted({r["player_lookup"] for r in world.rows(EVENTS) if r["batch_id"] == batch})


def _run(world: World, processor: str, day: date) -> dict:
    return next(r for r in world.rows(RUNS)
                if r["processor_name"] == processor and r["data_date"] == day)


def _remove_team_boxscores(world: World, day: date, teams: set[str]) -> None:
    """Box scores of `teams` never arrived for `day`; so nothing downstream of them exists."""
    hit = lambda r: r["game_date"] == day and r["team_abbr"] in teams  # noqa: E731
    players = {r["player_lookup"] for r in world.rows(BOX) if hit(r)}
    world.remove(BOX, hit)
    world.remove(PGS, hit)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in players)


# -- ingestion ----------------------------------------------------------------------------

@fault("ING-01", "error", "A new scraper path (nba-com/play-by-play) writes files that no processor is registered for.",
       "004: ball-dont-lie/player-box-scores had no processor; data sat in GCS and never loaded.")
def _ing01(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    for g in world.games[day]:
        at = g.end + timedelta(minutes=rng.randint(20, 40))
        world.add("nba_orchestration.scraped_files",
                  file_path=f"{BUCKET}/nba-com/play-by-play/{day:%Y-%m-%d}/{g.game_id}.json",
                  scraper_name="nbac_play_by_play", data_date=day, scrape_status="success",
                  file_size_bytes=rng.randint(80_000, 200_000), scraped_at=at)


@fault("ING-02", "error", "The morning schedule file was scraped but never processed (its Pub/Sub message was lost).",
       "004 / 000 R-005: files written to GCS with no load behind them.")
def _ing02(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    path = _file_of(world, "nba-com/schedule", day, final=False)
    world.remove("nba_orchestration.raw_batch_locks", lambda r: r["file_path"] == path)
    world.remove("nba_raw.nbac_schedule", lambda r: r["source_file_path"] == path)


@fault("ING-03", "error", "A schedule file's batch lock says complete, but its rows never reached the table.",
       "000 R-005: batch lock marked complete without verifying the BigQuery write.")
def _ing03(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    path = _file_of(world, "nba-com/schedule", day, final=False)
    world.remove("nba_raw.nbac_schedule", lambda r: r["source_file_path"] == path)


@fault("ING-04", "error", "Box scores for a fifth of the teams on one night never arrived; the phase 3 gate held.",
       "003 phase-transition gating; 004: teams with no box scores.",
       consequences=("ABS-01",))
def _ing04(world: World, rng: random.Random) -> None:
    # Pick the night and teams so that one missing game keeps every chosen team's
    # weekly coverage (ING-05, same trailing window) at or above 3 of 4 games.
    week = _ing05_window(world)
    games_in_week = {t: sum(t in g.teams for d in week for g in world.games[d]) for t in TEAMS}
    best = None
    for day in week:
        teams_today = [t for g in world.games[day] for t in g.teams]
        need = math.floor(len(teams_today) * 0.2) + 1
        sturdy = sorted((t for t in teams_today if games_in_week[t] >= 4),
                        key=lambda t: (-games_in_week[t], t))
        score = (len(sturdy) >= need, len(teams_today), day)
        if teams_today and (best is None or score > best[0]):
            best = (score, day, (sturdy + sorted(set(teams_today) - set(sturdy)))[:need])
    _, day, missing = best
    _remove_team_boxscores(world, day, set(missing))
    for processor in ("PlayerGameSummaryProcessor", "PredictionGradingProcessor"):
        _run(world, processor, day).update(status="skipped", skip_reason="input_not_ready",
                                           records_processed=0)
    world.remove(PGS, lambda r: r["game_date"] == day)
    world.remove(GRADES, lambda r: r["game_date"] == day)


def _ing05_window(world: World) -> list[date]:
    """Game dates inside ING-05's trailing window (ing05_window_days = 7) at as_of."""
    as_of_date = world.as_of.replace(tzinfo=UTC).astimezone(ET).date()
    return [d for d in world.game_dates() if as_of_date - timedelta(days=7) < d <= as_of_date]


@fault("ING-05", "error", "One team's box scores are missing for most of its games this week.",
       "004: completeness check found teams under 70 %.",
       consequences=("ING-04",))  # each of those nights has a team with no box scores
def _ing05(world: World, rng: random.Random) -> None:
    end = world.latest_game_date()
    week = [d for d in world.game_dates() if d > end - timedelta(days=7)]
    teams = sorted({t for d in week for g in world.games[d] for t in g.teams})
    # The team with the most games, so its nights are big slates too.
    team = max(teams, key=lambda t: (sum(t in g.teams for d in week for g in world.games[d]), t))
    for d in week:
        if any(team in g.teams for g in world.games[d]):
            _remove_team_boxscores(world, d, {team})


@fault("ING-06", "warn", "The last box-score file was loaded twice, doubling its raw rows.",
       "004: reloads and retries append duplicate rows.")
def _ing06(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    path = _file_of(world, "ball-dont-lie/player-box-scores", day)
    for r in [r for r in world.rows(BOX) if r["source_file_path"] == path]:
        world.add(BOX, **{**r, "processed_at": r["processed_at"] + timedelta(minutes=45)})


# -- processors ---------------------------------------------------------------------------

@fault("PRC-01", "error", "PlayerGameSummaryProcessor logged success for the last night but wrote no rows.",
       "000 R-004 / R-002 / R-003: completion published as success without write verification.")
def _prc01(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    world.remove(PGS, lambda r: r["game_date"] == day)


@fault("PRC-02", "error", "Phase 3 post-game analytics ran before the night's box scores were loaded.",
       "003: phases proceeded on partial data, causing NULL cascades.")
def _prc02(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    loaded = min(r["processed_at"] for r in world.rows(BOX) if r["game_date"] == day)
    run = _run(world, "PlayerGameSummaryProcessor", day)
    run["started_at"] = loaded - timedelta(minutes=50)
    run["completed_at"] = run["started_at"] + timedelta(seconds=run["duration_seconds"])


@fault("PRC-03", "error", "A third of the night's feature rows lost two required features.",
       "003: NULL cascades into the feature store.")
def _prc03(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    rows = [r for r in world.rows("nba_precompute.ml_feature_store") if r["game_date"] == day]
    for r in rng.sample(rows, k=math.ceil(len(rows) * 0.35)):
        r["usage_rate_last_10"] = None
        r["opponent_def_rating"] = None


@fault("PRC-04", "error", "An MLFeatureStoreProcessor run has been 'running' for three hours.",
       "001: stuck processors.")
def _prc04(world: World, rng: random.Random) -> None:
    started = world.as_of - timedelta(hours=3)
    world.add(RUNS, run_id="run_stuck_feature_store", processor_name="MLFeatureStoreProcessor",
              phase=4, data_date=world.latest_game_date(), status="running", skip_reason=None,
              target_table="nba_precompute.ml_feature_store", records_processed=None,
              started_at=started, completed_at=None, duration_seconds=None)


@fault("PRC-05", "error", "The last PredictionCoordinator run took 608 s, about 8x its weekly median.",
       "001: PredictionCoordinator at 8.2x baseline (608 s vs 74 s) after worker boot failures.")
def _prc05(world: World, rng: random.Random) -> None:
    runs = [r for r in world.rows(RUNS) if r["processor_name"] == "PredictionCoordinator"]
    last = max(runs, key=lambda r: r["started_at"])
    last["duration_seconds"] = 608.0
    last["completed_at"] = last["started_at"] + timedelta(seconds=608)


@fault("PRC-06", "error", "Five players were locked out by circuit breakers for 7 days.",
       "004: circuit breakers tripped after 5 failures locked players out for 7 days.")
def _prc06(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    teams = [t for g in world.games[day] for t in g.teams]
    tripped = world.as_of - timedelta(hours=1)
    for team in teams[:5]:
        p = world.team_players(team, active_only=False)[-2]  # inactive: no data since
        world.add("nba_orchestration.reprocess_attempts", processor_name="PlayerDailyCacheProcessor",
                  entity_id=p.lookup, analysis_date=day, attempt_count=5, completeness_pct=41.0,
                  circuit_breaker_tripped=True, tripped_at=tripped,
                  circuit_breaker_until=tripped + timedelta(days=7), updated_at=tripped)


@fault("PRC-07", "warn", "A player's box score was backfilled, yet the player is still locked out.",
       "004: even after backfilling data, players remained locked out (no auto-reset).")
def _prc07(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    tripped = world.as_of - timedelta(hours=3)
    backfill_at = world.as_of - timedelta(hours=1)
    target = sorted((r for r in world.rows(BOX) if r["game_date"] == day),
                    key=lambda r: r["player_lookup"])[0]
    path = f"{BUCKET}/ball-dont-lie/player-box-scores/{day:%Y-%m-%d}/backfill_{backfill_at:%Y%m%d_%H%M%S}.json"
    world.add("nba_orchestration.scraped_files", file_path=path, scraper_name="bdl_player_box_scores",
              data_date=day, scrape_status="success", file_size_bytes=900,
              scraped_at=backfill_at - timedelta(minutes=10))
    world.add("nba_orchestration.raw_batch_locks", lock_id="lock_backfill", file_path=path,
              processor_name="BdlPlayerBoxScoresProcessor", target_table=BOX, data_date=day,
              status="complete", rows_reported=1, locked_at=backfill_at - timedelta(minutes=5),
              completed_at=backfill_at)
    target.update(source_file_path=path, processed_at=backfill_at)
    world.add("nba_orchestration.reprocess_attempts", processor_name="MLFeatureStoreProcessor",
              entity_id=target["player_lookup"], analysis_date=day, attempt_count=5,
              completeness_pct=55.0, circuit_breaker_tripped=True, tripped_at=tripped,
              circuit_breaker_until=tripped + timedelta(hours=24), updated_at=tripped)


@fault("PRC-08", "error", "Most of today's backfill runs were skipped on streaming-buffer conflicts.",
       "003: 62.9 % of backfill jobs skipped because streaming inserts blocked DML for 90 minutes.")
def _prc08(world: World, rng: random.Random) -> None:
    days = world.game_dates()
    start = world.as_of - timedelta(hours=2)
    for i in range(27):
        day = days[i % len(days)]
        skipped = i < 17  # 17 / 27 = 63 %
        at = start + timedelta(minutes=2 * i)
        world.add(RUNS, run_id=f"run_backfill_{i:02d}", processor_name="PlayerGameSummaryProcessor",
                  phase=3, data_date=day, status="skipped" if skipped else "success",
                  skip_reason="streaming_buffer_conflict" if skipped else None,
                  target_table=PGS, records_processed=0 if skipped else 300,
                  started_at=at, completed_at=at + timedelta(seconds=4 if skipped else 118),
                  duration_seconds=4.0 if skipped else 118.0)


# -- predictions --------------------------------------------------------------------------

@fault("PRD-01", "error", "Four workers' staging writes failed, but their completion events claimed success.",
       "002 layers 1-2 / 000 R-001: worker swallowed the staging write error and published success.",
       consequences=("PRD-04",))  # the batch counts them completed, with no prediction
def _prd01(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    lost = set(rng.sample(_batch_players(world, day), k=4))
    batch = world.batches[day]
    n = world.remove(PRED, lambda r: r["batch_id"] == batch and r["player_lookup"] in lost)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in lost)
    _adjust_export(world, day, -n)


@fault("PRD-02", "error", "A fifth of the workers' first staging writes failed (then succeeded on retry).",
       "002 metrics: staging write failure rate; alert above 10 %.")
def _prd02(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    events = [r for r in world.rows(EVENTS) if r["batch_id"] == batch]
    for e in rng.sample(events, k=math.ceil(len(events) * 0.2)):
        world.add(EVENTS, **{**e, "event_id": e["event_id"] + "_try1", "staging_write_success": False,
                             "predictions_generated": 0,
                             "published_at": e["published_at"] - timedelta(seconds=45)})


@fault("PRD-03", "error", "A re-run batch awaiting consolidation is missing one of its staging tables.",
       "002 layers 3-4: consolidation found a staging table missing (NotFound).")
def _prd03(world: World, rng: random.Random) -> None:
    # 20 minutes ago: awaiting consolidation for less than prd10_consolidation_minutes (PRD-10)
    _side_batch(world, rng, "rerun", players=3, completed=3, status="complete", missing_tables=1, minutes_ago=20)


@fault("PRD-04", "error", "One prediction system produced nothing for five players.",
       "002 layer 5: post-consolidation reconciliation of players x systems.")
def _prd04(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    players = set(rng.sample(_batch_players(world, day), k=5))
    system = SYSTEMS[2]
    hit = lambda r: r["player_lookup"] in players and r["system_id"] == system  # noqa: E731
    gone = {r["prediction_id"] for r in world.rows(PRED) if r["batch_id"] == batch and hit(r)}
    world.remove(PRED, lambda r: r["prediction_id"] in gone)
    world.remove(GRADES, lambda r: r["prediction_id"] in gone)
    _adjust_export(world, day, -len(gone))


@fault("PRD-12", "error", "The coordinator counted as completed a few players whose staging writes failed.",
       "002: the coordinator should skip completions with staging_write_success=False; it counted them.")
def _prd12(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    players = _batch_players(world, day)
    # few enough that coverage (PRD-05) and the failure rate (PRD-02, error above 10 %) hold
    failed = set(rng.sample(players, k=max(1, len(players) // 25)))
    for e in world.rows(EVENTS):
        if e["batch_id"] == batch and e["player_lookup"] in failed:
            e.update(staging_write_success=False, predictions_generated=0)
    n = world.remove(PRED, lambda r: r["batch_id"] == batch and r["player_lookup"] in failed)
    world.remove(GRADES, lambda r: r["game_date"] == day and r["player_lookup"] in failed)
    _adjust_export(world, day, -n)
    # prediction_batches.completed_players still counts them: that is the fault


@fault("PRD-05", "error", "The coordinator skipped 15 % of the expected players on the busiest night.",
       "002 layer 6 / 000 R-007: players expected to play had no predictions.")
def _prd05(world: World, rng: random.Random) -> None:
    day = world.busiest_date()
    by_team: dict[str, list[str]] = {}
    for r in world.rows(EVENTS):
        if r["batch_id"] == world.batches[day]:
            team = next(p.team for t, ps in world.players.items() for p in ps if p.lookup == r["player_lookup"])
            by_team.setdefault(team, []).append(r["player_lookup"])
    total = sum(len(v) for v in by_team.values())
    want = math.ceil(total * 0.15)
    drop: set[str] = set()
    teams = sorted(by_team)
    i = 0
    while len(drop) < want:  # round-robin over teams, so every team keeps players
        team = teams[i % len(teams)]
        left = [p for p in sorted(by_team[team]) if p not in drop]
        if len(left) > 1:
            drop.add(left[0])
        i += 1
    _drop_players(world, day, drop)


@fault("PRD-06", "error", "One team playing on the busiest night has no player with predictions.",
       "004: 5 teams with 0 players predicted.")
def _prd06(world: World, rng: random.Random) -> None:
    day = world.busiest_date()
    team = sorted(t for g in world.games[day] for t in g.teams)[0]
    _drop_players(world, day, {p.lookup for p in world.team_players(team)})


@fault("PRD-07", "error", "Pub/Sub retries appended 5 copies of a tenth of the predictions, and one superseded prediction stayed active.",
       "004: WRITE_APPEND retries left 5 copies of every prediction.")
def _prd07(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    players = set(rng.sample(_batch_players(world, day), k=max(1, len(_batch_players(world, day)) // 10)))
    rows = [r for r in world.rows(PRED) if r["batch_id"] == batch and r["player_lookup"] in players]
    for copy in range(1, 5):
        for r in rows:
            world.add(PRED, **{**r, "updated_at": r["updated_at"] + timedelta(seconds=40 * copy)})
    first = rows[0]
    v2 = world.add(PRED, **{**first, "prediction_id": first["prediction_id"] + "_v2",
                            "predicted_value": round(first["predicted_value"] + 1.5, 1),
                            "created_at": first["created_at"] + timedelta(minutes=20),
                            "updated_at": first["updated_at"] + timedelta(minutes=20)})
    _grade_like(world, first, v2)


@fault("PRD-08", "error", "Predictions with impossible values: negative, absurd, confidence 1.7, unknown recommendation, OVER without a line, unknown prop.",
       "Bad input from a worker bug or a model regression.")
def _prd08(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    rows = sorted((r for r in world.rows(PRED) if r["batch_id"] == batch), key=lambda r: r["prediction_id"])
    picks = rng.sample(rows, k=5)
    picks[0]["predicted_value"] = -3.0
    picks[1]["predicted_value"] = 412.0
    picks[2]["confidence_score"] = 1.7
    picks[3]["recommendation"] = "SMASH"
    picks[4].update(recommendation="OVER", line_value=None)
    extra = world.add(PRED, **{**rows[0], "prediction_id": rows[0]["prediction_id"] + "_dunks",
                               "prop_type": "dunks"})
    _grade_like(world, rows[0], extra)


@fault("PRD-09", "error", "Five players were predicted before their feature rows were written.",
       "000 R-006: phase 5 triggered on completion events, not data presence.")
def _prd09(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    players = set(rng.sample(_batch_players(world, day), k=5))
    made = {r["player_lookup"]: r["created_at"] for r in world.rows(PRED)
            if r["game_date"] == day and r["player_lookup"] in players}
    for r in world.rows("nba_precompute.ml_feature_store"):
        if r["game_date"] == day and r["player_lookup"] in players:
            r["created_at"] = r["updated_at"] = made[r["player_lookup"]] + timedelta(minutes=25)


@fault("PRD-10", "error", "A batch has been in progress for 45 minutes at 60 % completion.",
       "000: the stall check (10 min, 95 %).")
def _prd10(world: World, rng: random.Random) -> None:
    _side_batch(world, rng, "stalled", players=40, completed=24, status="in_progress", missing_tables=0)


@fault("PRD-11", "warn", "Staging tables of a batch consolidated two days ago were never cleaned up.",
       "002: consolidation cleanup failed, staging tables left behind.")
def _prd11(world: World, rng: random.Random) -> None:
    old = [d for d in world.game_dates() if et(d, 12, 0) < world.as_of - timedelta(hours=30)]
    day = old[-1] if old else world.game_dates()[0]
    batch = world.batches[day]
    for r in world.rows(STATE):
        if r["batch_id"] == batch:
            world.add("nba_predictions.staging_tables", staging_table_name=r["staging_table_name"],
                      batch_id=batch, player_lookup=r["player_lookup"], row_count=20,
                      created_at=r["recorded_at"])


def _side_batch(world: World, rng: random.Random, kind: str, players: int, completed: int,
                status: str, missing_tables: int, minutes_ago: int = 45) -> None:
    """An extra batch for the latest date that has not been consolidated yet."""
    day = world.latest_game_date()
    started = world.as_of - timedelta(minutes=minutes_ago)
    batch = f"batch_{day:%Y%m%d}_{kind}"
    who = _batch_players(world, day)[:players]
    for i, p in enumerate(who[:completed]):
        staging = f"_staging_{batch}_{p}"
        at = started + timedelta(minutes=1 + i // 4)
        world.add(STATE, batch_id=batch, player_lookup=p, staging_table_name=staging, recorded_at=at)
        world.add(EVENTS, event_id=f"evt_{kind}_{i}", batch_id=batch, player_lookup=p, game_date=day,
                  predictions_generated=20, staging_table_name=staging, staging_write_success=True,
                  published_at=at)
        if i >= missing_tables:
            world.add("nba_predictions.staging_tables", staging_table_name=staging, batch_id=batch,
                      player_lookup=p, row_count=20, created_at=at)
    last = started + timedelta(minutes=1 + completed // 4)
    world.add("nba_predictions.prediction_batches", batch_id=batch, game_date=day,
              expected_players=players, completed_players=completed, status=status,
              started_at=started, completed_at=last if status == "complete" else None,
              consolidated_at=None, updated_at=last)


# -- exports ------------------------------------------------------------------------------

@fault("EXP-01", "error", "The export's row count disagrees with the active predictions (exported stale rows).",
       "001: phase 6 exported without checking predictions.")
def _exp01(world: World, rng: random.Random) -> None:
    _adjust_export(world, world.latest_game_date(), +37)


@fault("EXP-02", "error", "Tonight's predictions landed at 14:30 ET, after the 13:00 export deadline.",
       "001: self-heal ran 75 minutes after the phase 6 export.")
def _exp02(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    batch = world.batches[day]
    shift = et(day, 14, 30) - et(day, 11, 30)
    for table, cols in ((PRED, ("created_at", "updated_at")), (EVENTS, ("published_at",)),
                        (STATE, ("recorded_at",)),
                        ("nba_predictions.prediction_batches",
                         ("started_at", "completed_at", "consolidated_at", "updated_at"))):
        for r in world.rows(table):
            if r["batch_id"] == batch:
                for c in cols:
                    r[c] = r[c] + shift
    coordinator = _run(world, "PredictionCoordinator", day)
    coordinator["started_at"] += shift
    coordinator["completed_at"] += shift
    for e in world.rows("nba_exports.export_runs"):
        if e["game_date"] == day:
            e["exported_at"] += shift


@fault("EXP-03", "warn", "One night's grading failed at its 11:00 ET slot; the rerun graded it hours after the SLA.",
       "001 P1-4: no SLA on game end -> graded latency (the SLA follows the declared grading job).")
def _exp03(world: World, rng: random.Random) -> None:
    # a night whose grading was due (11:00 ET the next day + grace) hours before as_of
    due_by = world.as_of - timedelta(hours=8)
    day = max(d for d in world.game_dates() if et(d + timedelta(days=1), 12, 0) <= due_by)
    rerun = et(day + timedelta(days=1), 12, 0) + timedelta(minutes=rng.randint(90, 300))
    run = _run(world, "PredictionGradingProcessor", day)
    world.add(RUNS, **{**run, "run_id": f"{run['run_id']}_failed", "status": "failed", "records_processed": 0,
                       "completed_at": run["started_at"] + timedelta(seconds=30), "duration_seconds": 30.0})
    run.update(started_at=rerun, completed_at=rerun + timedelta(seconds=run["duration_seconds"]))
    for g in world.rows(GRADES):
        if g["game_date"] == day:
            g["graded_at"] = rerun + timedelta(seconds=20)


# -- orchestration ------------------------------------------------------------------------

@fault("ORC-01", "error", "Orchestration stopped deciding for up to 45 hours, then recovered.",
       "003: a 45-hour orchestration outage went unnoticed.")
def _orc01(world: World, rng: random.Random) -> None:
    end = world.as_of - timedelta(hours=3)
    first = min(r["decision_at"] for r in world.rows("nba_orchestration.workflow_decisions"))
    start = max(first + timedelta(hours=1), end - timedelta(hours=45))
    world.remove("nba_orchestration.workflow_decisions",
                 lambda r: start < r["decision_at"] < end)


@fault("ORC-02", "error", "The prediction-request dead-letter queue holds 12 messages.",
       "000 R-008 / 001 P1-5: DLQ messages expire without alerting.")
def _orc02(world: World, rng: random.Random) -> None:
    rows = [r for r in world.rows("nba_orchestration.pubsub_dlq_metrics")
            if r["subscription_name"] == "prediction-request-dlq-sub"]
    for r in sorted(rows, key=lambda r: r["observed_at"])[-3:]:
        r["undelivered_messages"] = 12


@fault("ORC-03", "warn", "Three Pub/Sub publishes failed this morning.",
       "000 R-008: publish failures logged but not monitored.")
def _orc03(world: World, rng: random.Random) -> None:
    for i in range(3):
        world.add("nba_orchestration.pubsub_publish_failures", failure_id=f"pf_{i}",
                  topic="nba-phase3-analytics-complete", publisher="nba-phase3-analytics-processors",
                  error_message="DeadlineExceeded: 504 Deadline Exceeded",
                  failed_at=world.as_of - timedelta(hours=5, minutes=7 * i))


# -- seed monitors (docs/seed-monitors.md) -------------------------------------------------

def processor_timeout_minutes(processor: str) -> int:
    """The processor's timeout: its row of seeds/processor_settings.csv, else prc04_timeout_minutes."""
    return int(processor_setting(processor, "timeout_minutes"))


def processor_setting(processor: str, column: str) -> int | float:
    """A per-processor threshold as the contracts read it (the CSV, else the global var's default)."""
    from props_contracts import project_root
    from props_contracts.catalog import project_vars
    from props_contracts.processor_settings import COLUMNS, load_settings

    settings, _ = load_settings(project_root())
    row = next((s for s in settings if s.processor_name == processor), None)
    value = row.values[column] if row is not None else None
    return value if value is not None else project_vars(project_root())[COLUMNS[column]]


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _set_duration(run: dict, seconds: float) -> None:
    run["duration_seconds"] = round(seconds, 1)
    run["completed_at"] = run["started_at"] + timedelta(seconds=run["duration_seconds"])


@fault("PRC-11", "warn", "PredictionCoordinator has run at 105-120 % of its 9-minute timeout all week: its normal now, so no slowdown signal sees it.",
       "001: WARNING PredictionCoordinator at 112.6 % of timeout.")
def _prc11(world: World, rng: random.Random) -> None:
    limit = processor_timeout_minutes("PredictionCoordinator") * 60
    for r in world.rows(RUNS):
        if r["processor_name"] == "PredictionCoordinator" and r["status"] == "success":
            _set_duration(r, limit * rng.uniform(1.05, 1.2))


PRC12_RECENT_DAYS = 3  # prc12_recent_days


def recent_and_baseline(world: World, processor: str) -> tuple[list[dict], list[dict]]:
    """The processor's successful runs in PRC-12's recent window, and in its baseline days before it."""
    recent_from = world.as_of - timedelta(days=PRC12_RECENT_DAYS)
    baseline_from = recent_from - timedelta(days=int(processor_setting(processor, "baseline_days")))
    runs = [r for r in world.rows(RUNS) if r["processor_name"] == processor and r["status"] == "success"
            and r["duration_seconds"] is not None and r["started_at"] <= world.as_of]
    return ([r for r in runs if r["started_at"] > recent_from],
            [r for r in runs if baseline_from < r["started_at"] <= recent_from])


def creep(world: World, rng: random.Random, processor: str, factor: float) -> None:
    """The processor's recent runs take `factor` x the median of its baseline runs."""
    recent, baseline = recent_and_baseline(world, processor)
    median = _median([r["duration_seconds"] for r in baseline])
    for r in recent:
        _set_duration(r, median * factor * rng.uniform(0.99, 1.01))


@fault("PRC-12", "warn", "PredictionCoordinator's runs of the last 3 days took 66.8 % longer than its median before them (below PRC-05's 2x).",
       "001: WARNING PredictionCoordinator +66.8 % trend (3d vs 7d).")
def _prc12(world: World, rng: random.Random) -> None:
    creep(world, rng, "PredictionCoordinator", 1.668)


@fault("PRC-13", "error", "A circuit breaker tripped after 3 failed attempts (its threshold is 5).",
       "004: circuit breakers trip after 5 failures (entity_failure_threshold).")
def _prc13(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    team = sorted(t for g in world.games[day] for t in g.teams)[-1]
    p = world.team_players(team, active_only=False)[-2]  # inactive: no data arrives under the lockout
    tripped = world.as_of - timedelta(hours=2)
    world.add("nba_orchestration.reprocess_attempts", processor_name="MLFeatureStoreProcessor",
              entity_id=p.lookup, analysis_date=day, attempt_count=3, completeness_pct=38.0,
              circuit_breaker_tripped=True, tripped_at=tripped,
              circuit_breaker_until=tripped + timedelta(hours=24), updated_at=tripped)


@fault("PRC-14", "error", "MLFeatureStoreProcessor failed 5 runs in a row this morning (backfill dates).",
       "004: processor_failure_threshold 5, the processor-level breaker.")
def _prc14(world: World, rng: random.Random) -> None:
    start = world.as_of - timedelta(hours=5)
    days = world.game_dates()
    for i in range(5):
        at = start + timedelta(minutes=40 * i)
        world.add(RUNS, run_id=f"run_feature_failed_{i}", processor_name="MLFeatureStoreProcessor", phase=4,
                  data_date=days[i % len(days)] - timedelta(days=30), status="failed", skip_reason=None,
                  target_table="nba_precompute.ml_feature_store", records_processed=0,
                  started_at=at, completed_at=at + timedelta(seconds=95), duration_seconds=95.0)


SUBSCRIPTIONS = "nba_orchestration.pubsub_subscription_metrics"


@fault("ORC-04", "error", "The prediction request subscription held about 2,400 undelivered messages for three hours this morning.",
       "001 item 9: workers capped at 20 instances; no metrics on the subscription backlog.")
def _orc04(world: World, rng: random.Random) -> None:
    rows = sorted((r for r in world.rows(SUBSCRIPTIONS)), key=lambda r: r["observed_at"])
    for i, r in enumerate(rows[-6:-3]):
        r["undelivered_messages"] = 2400 - 150 * i
        r["oldest_unacked_age_seconds"] = 1800 + 3600 * i


@fault("ING-09", "error", "The odds API's lines of the last night carry its own event ids instead of the schedule's game ids.",
       "003: the sources' game ids differ (a mapping view, v_game_id_mappings, was to be deployed).")
def _ing09(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    event = {g.game_id: f"{rng.getrandbits(128):032x}" for g in world.games[day]}
    for r in world.rows("nba_raw.odds_api_player_props"):
        if r["game_date"] == day:
            r["game_id"] = event[r["game_id"]]


# -- freshness ----------------------------------------------------------------------------

ODDS = "nba_raw.odds_api_player_props"
ODDS_PREFIX = "odds-api/player-props"
FRS_STOPPED_DAYS = 3  # the odds scraper / grading stopped this many days before as_of's date


def stopped_since(world: World) -> date:
    """The first game date a stopped feed (FRS faults) no longer delivered."""
    return world.as_of.replace(tzinfo=UTC).astimezone(ET).date() - timedelta(days=FRS_STOPPED_DAYS)


@fault("FRS-01", "error", "The odds scraper stopped three days ago: no player-props files, lines or loads since.",
       "003: a 45-hour outage went unseen, checks asked whether data exists, not whether it still arrives.",
       consequences=("ABS-01", "ABS-04"))
def _frs01(world: World, rng: random.Random) -> None:
    since = stopped_since(world)
    files = {r["file_path"] for r in world.rows("nba_orchestration.scraped_files")
             if f"/{ODDS_PREFIX}/" in r["file_path"] and r["data_date"] >= since}
    world.remove("nba_orchestration.scraped_files", lambda r: r["file_path"] in files)
    world.remove("nba_orchestration.raw_batch_locks", lambda r: r["file_path"] in files)
    world.remove(ODDS, lambda r: r["game_date"] >= since)
    world.remove(RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] >= since)
    # with no lines, the systems predict without one, and grading cannot call them right or wrong
    unlined = set()
    for pred in world.rows(PRED):
        if pred["game_date"] >= since:
            pred.update(line_value=None, recommendation="NO_LINE")
            unlined.add(pred["prediction_id"])
    for grade in world.rows(GRADES):
        if grade["prediction_id"] in unlined:
            grade["is_correct"] = None


@fault("FRS-02", "error", "Grading stopped three days ago: no prediction grades (and no grading runs) since.",
       "004: a scheduler lost its invoker permission and the job it ran stopped without a word.",
       consequences=("ABS-01",))
def _frs02(world: World, rng: random.Random) -> None:
    since = stopped_since(world) - timedelta(days=1)  # grades of date D are written on D + 1
    world.remove(GRADES, lambda r: r["game_date"] >= since)
    world.remove(RUNS, lambda r: r["processor_name"] == "PredictionGradingProcessor" and r["data_date"] >= since)


@fault("FRS-03", "error", "The dead-letter-queue sampler stopped 13 hours ago.",
       "001 P1-5: DLQ messages expire unseen; a sampler that stopped hides them the same way.",
       consequences=("ABS-03",))
def _frs03(world: World, rng: random.Random) -> None:
    world.remove("nba_orchestration.pubsub_dlq_metrics", lambda r: r["observed_at"] > world.as_of - timedelta(hours=13))


# -- reconciliation -----------------------------------------------------------------------

@fault("REC-01", "warn", "Phase 3 summarised the last night without some players of one game (a partial failure).",
       "000 R-007 / R-002: PARTIAL FAILURE returned 200; nothing reconciled box scores with the analytics output.")
def _rec01(world: World, rng: random.Random) -> None:
    # the newest night that still has summary rows (another fault of a week may have taken them all)
    day = max(d for d in world.game_dates() if any(r["game_date"] == d for r in world.rows(PGS)))
    game = rng.choice([g for g in world.games[day] if any(r["game_id"] == g.game_id for r in world.rows(PGS))])
    players = sorted({r["player_lookup"] for r in world.rows(PGS) if r["game_id"] == game.game_id})
    lost = set(rng.sample(players, k=rng.randint(1, max(1, len(players) // 2))))
    world.remove(PGS, lambda r: r["game_id"] == game.game_id and r["player_lookup"] in lost)
# -- declared expectations (docs/expectations.md) --------------------------------------------

# Scheduled jobs whose every run can vanish for a date without another contract's
# data going missing (the processors wrote their rows; only the runs are gone).
ABS01_PROCESSORS = ("SelfHealPredictions", "PredictionCoordinator", "UpcomingPlayerGameContextProcessor",
                    "MLFeatureStoreProcessor", "Phase6TonightPicksExporter")


def _due_game_dates(world: World, hours_after_midnight: float = 24 + 13) -> list[date]:
    """Game dates of the window whose every job is due by as_of (13:00 ET the next day)."""
    first = world.as_of.replace(tzinfo=UTC).astimezone(ET).date() - timedelta(days=7)
    return [d for d in world.game_dates()
            if d >= first and et(d, 0) + timedelta(hours=hours_after_midnight) <= world.as_of]


@fault("ABS-01", "error", "Every trace of one scheduled job's run for one night is gone (it never ran).",
       "001 scheduler timeline: a job that never runs is seen by nothing that reads only the rows that exist.")
def _abs01(world: World, rng: random.Random) -> None:
    day = rng.choice(_due_game_dates(world))
    processor = rng.choice(ABS01_PROCESSORS)
    world.remove(RUNS, lambda r: r["processor_name"] == processor and r["data_date"] == day)


@fault("ABS-02", "error", "A processor registered a week ago for a new path has never run.",
       "004: a processor in the registry that nothing triggers (the path's scraper never publishes to it).")
def _abs02(world: World, rng: random.Random) -> None:
    name = rng.choice(["BdlInjuriesProcessor", "NbacPlayByPlayProcessor", "OddsApiGameLinesProcessor"])
    world.add("nba_reference.processor_registry", path_prefix=f"registered-only/{name.lower()}",
              processor_name=name, target_table="nba_raw.bdl_player_boxscores", phase=2, is_active=True,
              registered_at=world.as_of - timedelta(days=rng.randint(4, 9)))


@fault("ABS-03", "error", "One dead-letter subscription's samples stopped hours ago (the others still report).",
       "001 P1-5: a DLQ nobody samples hides its dead letters; ORC-02 judges only the samples that exist.")
def _abs03(world: World, rng: random.Random) -> None:
    sub = rng.choice(sorted({r["subscription_name"] for r in world.rows("nba_orchestration.pubsub_dlq_metrics")}))
    since = world.as_of - timedelta(hours=rng.uniform(3, 11))
    world.remove("nba_orchestration.pubsub_dlq_metrics",
                 lambda r: r["subscription_name"] == sub and r["observed_at"] > since)


@fault("ABS-04", "error", "The odds scraper delivered no file for one mid-window game day (nothing loaded that day).",
       "004: a feed that never arrived for a game day; 003: checks asked whether data exists.",
       consequences=("ABS-01",))
def _abs04(world: World, rng: random.Random) -> None:
    day = rng.choice(_due_game_dates(world)[:-1])
    files = {r["file_path"] for r in world.rows("nba_orchestration.scraped_files")
             if f"/{ODDS_PREFIX}/{day:%Y-%m-%d}/" in r["file_path"]}
    world.remove("nba_orchestration.scraped_files", lambda r: r["file_path"] in files)
    world.remove("nba_orchestration.raw_batch_locks", lambda r: r["file_path"] in files)
    world.remove(ODDS, lambda r: r["game_date"] == day)
    world.remove(RUNS, lambda r: r["processor_name"] == "OddsApiPropsProcessor" and r["data_date"] == day)


# -- schema -------------------------------------------------------------------------------

@fault("SCH-01", "error", "A loader recreated bdl_player_boxscores with points as STRING.",
       "001: MERGE failed because a table was partitioned by FLOAT64; types drift silently.")
def _sch01(world: World, rng: random.Random) -> None:
    world.type_overrides.setdefault(BOX, {})["points"] = "STRING"



@fault("SCH-02", "error", "A loader wrote NaN minutes, an INT64-max points total and -3 rebounds into last night's box scores.",
       "Bad input: values no contract compared (NaN passes every comparison on BigQuery).")
def _sch02(world: World, rng: random.Random) -> None:
    day = world.latest_game_date()
    rows = rng.sample(sorted((r for r in world.rows(BOX) if r["game_date"] == day),
                             key=lambda r: (r["game_id"], r["player_lookup"])), k=3)
    rows[0]["minutes_played"] = math.nan
    rows[1]["points"] = 2**63 - 1
    rows[2]["rebounds"] = -3


# -- bad rows -----------------------------------------------------------------------------
# Rows no loader should ever write - NULL keys, NULL or impossible dates, NaN, infinity,
# absurd magnitudes - each class in one table, marked so that its offending row can be
# found among the failing rows of the contract that must catch it (at error severity).
# pytests/test_bad_rows.py injects every class into one week; the fault matrix covers
# SCH-02 with its own fault above. Unlike PRD-08's fault (plausible-looking numbers out
# of range), these are values the window filters or NaN comparisons used to let through.

INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class BadRows:
    name: str
    table: str
    invariant_id: str  # the contract that must fail at error severity
    marker: str  # appears in the offending row of that contract's failing rows
    summary: str
    apply: Callable[[World, random.Random], None]


BAD_ROWS: dict[str, BadRows] = {}


def bad_rows(name: str, table: str, invariant_id: str, summary: str):
    marker = f"zz_{name}"

    def register(fn: Callable[[World, random.Random, str], None]):
        BAD_ROWS[name] = BadRows(name, table, invariant_id, marker, summary,
                                 lambda world, rng: fn(world, rng, marker))
        return fn
    return register


def apply_bad_rows(world: World, names: list[str]) -> None:
    unknown = [n for n in names if n not in BAD_ROWS]
    if unknown:
        raise UsageError(f"unknown bad-row class(es): {', '.join(unknown)}. Valid: {', '.join(sorted(BAD_ROWS))}")
    for name in names:
        BAD_ROWS[name].apply(world, random.Random(f"{world.seed}:bad:{name}"))


def _copy_of(world: World, table: str, rng: random.Random, **changes) -> dict:
    """A new row like a random row of the latest date (or any row), with changes."""
    rows = world.rows(table)
    day = world.latest_game_date()
    pool = [r for r in rows if r.get("game_date") == day] or rows
    return world.add(table, **{**rng.choice(sorted(pool, key=repr)), **changes})


def _marked_prediction(world: World, rng: random.Random, marker: str) -> dict:
    """One of the latest night's predictions, its id (and its grade's) marked."""
    batch = world.batches[world.latest_game_date()]
    pred = rng.choice(sorted((r for r in world.rows(PRED) if r["batch_id"] == batch),
                             key=lambda r: r["prediction_id"]))
    old = pred["prediction_id"]
    pred["prediction_id"] = f"{marker}_{old}"
    for g in world.rows(GRADES):
        if g["prediction_id"] == old:
            g["prediction_id"] = pred["prediction_id"]
    return pred


@bad_rows("pred_null_keys", PRED, "PRD-08", "20 predictions with every key NULL (player, date, prop, system).")
def _bad_pred_null_keys(world: World, rng: random.Random, marker: str) -> None:
    for i in range(20):
        _copy_of(world, PRED, rng, prediction_id=f"{marker}_{i:02d}", player_lookup=None,
                 game_date=None, prop_type=None, system_id=None)


@bad_rows("pred_null_game_date", PRED, "PRD-07", "Active predictions with a NULL game_date (the partition column).")
def _bad_pred_null_game_date(world: World, rng: random.Random, marker: str) -> None:
    for i in range(2):
        _copy_of(world, PRED, rng, prediction_id=f"{marker}_{i}", player_lookup=marker, game_date=None)


@bad_rows("pred_nan_line", PRED, "PRD-08", "A prediction whose line_value is NaN.")
def _bad_pred_nan_line(world: World, rng: random.Random, marker: str) -> None:
    _marked_prediction(world, rng, marker)["line_value"] = math.nan


@bad_rows("pred_huge_line", PRED, "PRD-08", "A prediction whose line_value is 1e308.")
def _bad_pred_huge_line(world: World, rng: random.Random, marker: str) -> None:
    _marked_prediction(world, rng, marker)["line_value"] = 1e308


@bad_rows("pred_inf_value", PRED, "PRD-08", "A prediction whose predicted_value is +infinity.")
def _bad_pred_inf_value(world: World, rng: random.Random, marker: str) -> None:
    _marked_prediction(world, rng, marker)["predicted_value"] = math.inf


@bad_rows("pred_nan_confidence", PRED, "PRD-08", "A prediction whose confidence_score is NaN.")
def _bad_pred_nan_confidence(world: World, rng: random.Random, marker: str) -> None:
    _marked_prediction(world, rng, marker)["confidence_score"] = math.nan


@bad_rows("pred_far_past", PRED, "PRD-08", "A prediction dated 1970-01-01, written today.")
def _bad_pred_far_past(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, PRED, rng, prediction_id=marker, game_date=date(1970, 1, 1))


@bad_rows("box_nan_minutes", BOX, "SCH-02", "A box score with minutes_played NaN.")
def _bad_box_nan_minutes(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, BOX, rng, player_lookup=marker, minutes_played=math.nan)


@bad_rows("box_huge_minutes", BOX, "SCH-02", "A box score with minutes_played 1e308.")
def _bad_box_huge_minutes(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, BOX, rng, player_lookup=marker, minutes_played=1e308)


@bad_rows("box_int64_points", BOX, "SCH-02", "A box score with points at the largest INT64.")
def _bad_box_int64_points(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, BOX, rng, player_lookup=marker, points=INT64_MAX)


@bad_rows("box_null_game_date", BOX, "SCH-02", "A box score with a NULL game_date (the partition column).")
def _bad_box_null_game_date(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, BOX, rng, player_lookup=marker, game_date=None)


@bad_rows("features_neg_inf", "nba_precompute.ml_feature_store", "SCH-02",
          "A feature row with usage_rate_last_10 = -infinity.")
def _bad_features_neg_inf(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, "nba_precompute.ml_feature_store", rng, player_lookup=marker,
             usage_rate_last_10=-math.inf)


@bad_rows("schedule_far_future", "nba_raw.nbac_schedule", "SCH-02", "A schedule row dated 2100-01-01.")
def _bad_schedule_far_future(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, "nba_raw.nbac_schedule", rng, game_id=marker, game_date=date(2100, 1, 1))


@bad_rows("odds_nan_line", "nba_raw.odds_api_player_props", "SCH-02", "A sportsbook line of NaN.")
def _bad_odds_nan_line(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, "nba_raw.odds_api_player_props", rng, player_lookup=marker, line_value=math.nan)


@bad_rows("grades_nan_actual", GRADES, "SCH-02", "A grade whose actual_value is NaN.")
def _bad_grades_nan_actual(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, GRADES, rng, prediction_id=marker, actual_value=math.nan)


@bad_rows("runs_null_data_date", RUNS, "SCH-02", "A processor run with a NULL data_date (the partition column).")
def _bad_runs_null_data_date(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, RUNS, rng, run_id=marker, data_date=None)


@bad_rows("decisions_null_time", "nba_orchestration.workflow_decisions", "SCH-02",
          "A workflow decision with a NULL decision_at.")
def _bad_decisions_null_time(world: World, rng: random.Random, marker: str) -> None:
    _copy_of(world, "nba_orchestration.workflow_decisions", rng, decision_id=marker, decision_at=None)


@bad_rows("dlq_negative", "nba_orchestration.pubsub_dlq_metrics", "SCH-02",
          "A dead-letter queue sample of -5 undelivered messages (ORC-02's <= 0 passes it).")
def _bad_dlq_negative(world: World, rng: random.Random, marker: str) -> None:
    world.add("nba_orchestration.pubsub_dlq_metrics", subscription_name=marker, undelivered_messages=-5,
              observed_at=world.as_of - timedelta(hours=1))
