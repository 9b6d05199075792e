"""A clean simulated night-by-night run of the NBA props pipeline.

Every date in [start, end] goes through the whole pipeline as the seeds
describe it (times in America/New_York, stored as UTC):

  D 06:00  schedule snapshot scraped and loaded (phase 1 -> 2)
  D 07:00  upcoming player game context (phase 3)
  D 09:30  sportsbook lines scraped and loaded
  D 10:30  ML feature store (phase 4)
  D 11:30  prediction batch: coordinator, workers, staging, consolidation (phase 5)
  D 12:45  self-heal check of tonight's predictions (seed 001)
  D 13:00  export of tonight's picks (phase 6; the export deadline)
  D 19:00+ games
  D+1 ~02:00  box scores and the final schedule snapshot scraped and loaded
  D+1 06:30  player game summary for yesterday (phase 3; seed 001 scheduler timeline)
  D+1 11:00  grading of yesterday's predictions (seed 001 scheduler timeline)

That is seeds/pipeline_schedule.csv, the declared schedule the ABS contracts
judge (docs/expectations.md). The dates after `end` up to as_of's date (the
tail: today's morning, last night's post-game) are simulated too, each step
only once it finished by as_of, so a world judged at as_of meets every
expectation due by then; their games are in `World.tail_games`, not `games`
(faults and shapes target the whole dates of [start, end]).

Orchestration runs beside it: a workflow decision about every 30 minutes and
an hourly sample of the dead-letter queues and of the prediction request
subscription's backlog, up to `as_of`. A clean world satisfies
every invariant in INVARIANTS.md; faults (faults.py) then break exactly one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ET = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
BUCKET = "gs://nba-scraped-data"

TEAMS = (
    "ATL BOS BKN CHA CHI CLE DAL DEN DET GSW HOU IND LAC LAL MEM "
    "MIA MIL MIN NOP NYK OKC ORL PHI PHX POR SAC SAS TOR UTA WAS"
).split()
ROSTER_SIZE = 15
ACTIVE_PER_TEAM = 13
PROP_TYPES = ("points", "rebounds", "assists", "threes")
SYSTEMS = (
    "moving_average_baseline_v1",
    "zone_matchup_v1",
    "similarity_balanced_v1",
    "xgboost_v1",
    "ensemble_v1",
)
DLQ_SUBSCRIPTIONS = (  # seeds/dlq_subscriptions.csv (the seeds' names)
    "prediction-request-dlq-sub",
    "phase2-raw-complete-dlq",
    "phase3-analytics-complete-dlq",
)
# The working subscription the prediction workers pull their requests from (seed 001
# item 9: its backlog is sampled beside the DLQs; ORC-04, var orc04_request_subscription).
REQUEST_SUBSCRIPTION = "prediction-request-sub"
# seeds/pipeline_schedule.csv, as (hour, minute) ET: when the simulator runs each job.
PGS_AT = (6, 32)      # daily-yesterday-analytics, 06:30
GRADING_AT = (11, 2)  # grading-daily, 11:00
SELF_HEAL_AT = (12, 45)
WORKFLOWS = ("morning_operations", "betting_lines", "real_time_business", "post_game_window")
# Typical run time of each processor, seconds (seed 001: coordinator ~74 s).
BASELINE_SECONDS = {
    "NbacScheduleProcessor": 12.0,
    "OddsApiPropsProcessor": 25.0,
    "BdlPlayerBoxScoresProcessor": 48.0,
    "UpcomingPlayerGameContextProcessor": 90.0,
    "PlayerGameSummaryProcessor": 120.0,
    "MLFeatureStoreProcessor": 300.0,
    "PredictionCoordinator": 74.0,
    "PredictionGradingProcessor": 45.0,
    "Phase6TonightPicksExporter": 20.0,
    "SelfHealPredictions": 8.0,
}
REGISTRY = (
    # path prefix, processor, target table, phase
    ("nba-com/schedule", "NbacScheduleProcessor", "nba_raw.nbac_schedule", 2),
    ("odds-api/player-props", "OddsApiPropsProcessor", "nba_raw.odds_api_player_props", 2),
    # Seed 004: player-box-scores must not fall through to boxscores.
    ("ball-dont-lie/player-box-scores", "BdlPlayerBoxScoresProcessor", "nba_raw.bdl_player_boxscores", 2),
    ("ball-dont-lie/boxscores", "BdlBoxscoresProcessor", "nba_raw.bdl_player_boxscores", 2),
)
FIRST = (
    "aaron alex andre anthony ben brandon cam chris cole damian darius dean derrick devin "
    "dillon donovan eric evan franz gary grant jalen jamal james jaren jayson jordan josh "
    "julius karl keegan kevin kyle lamelo luka malik marcus mikal miles myles nikola norman "
    "paolo pascal rj scottie shai stephen tobias trae tyler victor zach"
).split()
LAST = (
    "adams allen anderson bailey banks barnes bell brooks brown bryant butler carter clark "
    "cole collins cooper davis dixon edwards ellis evans fisher ford foster garcia gordon "
    "grant green griffin hall harris hayes hill holmes hughes hunt jackson james jenkins "
    "johnson jones king lee lewis long martin mason miller mitchell moore morgan morris "
    "murray nelson parker payne perry porter powell price reed richards robinson rogers ross "
    "russell sanders scott simmons smith stewart sullivan taylor thomas thompson turner "
    "walker ward warren watson white williams wilson wright young"
).split()


def et(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A wall-clock time in America/New_York on `day`, as a naive UTC datetime."""
    local = datetime.combine(day, time(hh, mm, ss), tzinfo=ET)
    return local.astimezone(UTC).replace(tzinfo=None)


def lifecycle_end(day: date) -> datetime:
    """When everything for game date `day` is done (graded at 11:00 ET the next day), UTC."""
    return et(day + timedelta(days=1), 11, 30)


def latest_complete_date(as_of: datetime) -> date:
    """The newest game date whose whole lifecycle finished by `as_of` (naive UTC)."""
    day = as_of.replace(tzinfo=UTC).astimezone(ET).date()
    while lifecycle_end(day) > as_of:
        day -= timedelta(days=1)
    return day


@dataclass
class Player:
    lookup: str
    team: str
    active: bool
    means: dict[str, float]


@dataclass
class Game:
    game_id: str
    game_date: date
    home: str
    away: str
    start: datetime
    end: datetime

    @property
    def teams(self) -> tuple[str, str]:
        return (self.away, self.home)


@dataclass
class World:
    """Rows of every source table, keyed by `dataset.table`, plus what made them."""

    seed: int
    start: date
    end: date
    as_of: datetime
    tables: dict[str, list[dict]] = field(default_factory=dict)
    players: dict[str, list[Player]] = field(default_factory=dict)  # by team
    games: dict[date, list[Game]] = field(default_factory=dict)
    batches: dict[date, str] = field(default_factory=dict)  # main batch id per date
    # games of the dates after `end` simulated up to as_of (the tail; see the module doc)
    tail_games: dict[date, list[Game]] = field(default_factory=dict)
    # Columns the writer must store with another type than declared (SCH-01 faults).
    type_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    injected: list[str] = field(default_factory=list)

    def rows(self, table: str) -> list[dict]:
        return self.tables.setdefault(table, [])

    def add(self, table: str, **row) -> dict:
        self.rows(table).append(row)
        return row

    def remove(self, table: str, pred: Callable[[dict], bool]) -> int:
        before = self.rows(table)
        kept = [r for r in before if not pred(r)]
        self.tables[table] = kept
        return len(before) - len(kept)

    def game_dates(self) -> list[date]:
        return sorted(d for d, gs in self.games.items() if gs)

    def busiest_date(self, within_days: int = 7) -> date:
        """The date with the most games among the last `within_days` dates."""
        recent = [d for d in self.game_dates() if d > self.end - timedelta(days=within_days)]
        if not recent:
            recent = self.game_dates()
        return max(recent, key=lambda d: (len(self.games[d]), d))

    def latest_game_date(self) -> date:
        return self.game_dates()[-1]

    def team_players(self, team: str, active_only: bool = True) -> list[Player]:
        return [p for p in self.players[team] if p.active or not active_only]


class _Ids:
    """Deterministic, readable ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def hex(self, n: int = 12) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(n))


def _make_players(rng: random.Random) -> dict[str, list[Player]]:
    used: set[str] = set()
    players: dict[str, list[Player]] = {}
    for team in TEAMS:
        roster = []
        for slot in range(ROSTER_SIZE):
            while True:
                lookup = rng.choice(FIRST) + rng.choice(LAST)
                if lookup not in used:
                    used.add(lookup)
                    break
            star = max(0.15, 1.0 - slot * 0.07)
            means = {
                "points": round(rng.uniform(18, 30) * star, 1),
                "rebounds": round(rng.uniform(3, 11) * star + 1, 1),
                "assists": round(rng.uniform(1, 8) * star + 0.5, 1),
                "threes": round(rng.uniform(0.3, 3.5) * star, 1),
            }
            roster.append(Player(lookup, team, slot < ACTIVE_PER_TEAM, means))
        players[team] = roster
    return players


def _make_schedule(rng: random.Random, start: date, end: date) -> dict[date, list[Game]]:
    games: dict[date, list[Game]] = {}
    weights = [3, 2, 3, 4, 6, 8, 10, 11, 11, 10, 8, 7, 5, 4, 2, 1]  # 0..15 games
    day = start
    while day <= end:
        n = rng.choices(range(16), weights=weights)[0]
        teams = rng.sample(TEAMS, 2 * n)
        slate = []
        for i in range(n):
            away, home = teams[2 * i], teams[2 * i + 1]
            hh, mm = rng.choice([(19, 0), (19, 0), (19, 30), (20, 0), (20, 30), (22, 0), (22, 30)])
            start_at = et(day, hh, mm)
            end_at = start_at + timedelta(minutes=rng.randint(130, 165))
            slate.append(Game(f"{day:%Y%m%d}_{away}_{home}", day, home, away, start_at, end_at))
        games[day] = sorted(slate, key=lambda g: (g.start, g.game_id))
        day += timedelta(days=1)
    return games


def _season(day: date) -> str:
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _file(prefix: str, day: date, at: datetime) -> str:
    return f"{BUCKET}/{prefix}/{day:%Y-%m-%d}/{at:%Y%m%d_%H%M%S}.json"


def _tipoff_text(start: datetime) -> str:
    """NBA.com's gameStatusText before tip-off, e.g. '7:30 pm ET'."""
    local = start.replace(tzinfo=UTC).astimezone(ET)
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'} ET"


def _noise(rng: random.Random, base: float) -> float:
    return round(base * rng.uniform(0.85, 1.2), 1)


class _Builder:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.w = world
        self.rng = rng
        self.ids = _Ids(rng)

    # -- phase 1/2: a scraped file, its lock, its processor run ----------------------------
    def raw_file(self, prefix: str, scraper: str, day: date, scraped_at: datetime,
                 rows: list[dict]) -> str:
        """Scrape, lock, load and log one raw file; returns its path."""
        w, rng = self.w, self.rng
        path = _file(prefix, day, scraped_at)
        _, processor, target, phase = next(r for r in REGISTRY if r[0] == prefix)
        w.add("nba_orchestration.scraped_files", file_path=path, scraper_name=scraper,
              data_date=day, scrape_status="success",
              file_size_bytes=400 + 180 * len(rows), scraped_at=scraped_at)
        locked_at = scraped_at + timedelta(seconds=rng.randint(20, 90))
        duration = _noise(rng, BASELINE_SECONDS[processor])
        done = locked_at + timedelta(seconds=duration)
        for row in rows:
            row["source_file_path"] = path
            row["processed_at"] = done
            w.add(target, **row)
        w.add("nba_orchestration.raw_batch_locks", lock_id=f"lock_{self.ids.hex()}",
              file_path=path, processor_name=processor, target_table=target, data_date=day,
              status="complete", rows_reported=len(rows), locked_at=locked_at, completed_at=done)
        self.run(processor, phase, day, locked_at, duration, len(rows), target)
        return path

    def run(self, processor: str, phase: int, day: date, started: datetime,
            duration: float, records: int, target: str) -> dict:
        return self.w.add(
            "nba_reference.processor_run_history", run_id=f"run_{self.ids.hex()}",
            processor_name=processor, phase=phase, data_date=day, status="success",
            skip_reason=None, target_table=target, records_processed=records,
            started_at=started, completed_at=started + timedelta(seconds=duration),
            duration_seconds=duration)

    # -- one game date ---------------------------------------------------------------------
    def day(self, day: date, cutoff: datetime | None = None) -> None:
        """Every step of game date `day`; with `cutoff`, only the steps finished by
        then (each step's start + `margin` minutes), in order: a tail date at as_of."""
        w, rng = self.w, self.rng
        slate = (w.tail_games if cutoff is not None else w.games)[day]

        def done_by_cutoff(start: datetime, margin: int) -> bool:
            return cutoff is None or start + timedelta(minutes=margin) <= cutoff

        snap_at = et(day, 6, rng.randint(0, 10))
        if not done_by_cutoff(snap_at, 10):
            return
        self.schedule_snapshot(day, snap_at, final=False, slate=slate)
        if not slate:
            return
        teams = [t for g in slate for t in g.teams]
        game_of = {t: g for g in slate for t in g.teams}

        # Phase 3, pre-game: who is expected to play.
        ctx_start = et(day, 7, rng.randint(0, 5))
        if not done_by_cutoff(ctx_start, 5):
            return
        ctx_rows = 0
        for team in teams:
            g = game_of[team]
            opp = g.home if team == g.away else g.away
            for p in w.team_players(team, active_only=False):
                w.add("nba_analytics.upcoming_player_game_context", player_lookup=p.lookup,
                      game_id=g.game_id, game_date=day, team_abbr=team,
                      opponent_team_abbr=opp, is_expected_to_play=p.active,
                      processed_at=ctx_start + timedelta(seconds=rng.randint(30, 80)))
                ctx_rows += 1
        self.run("UpcomingPlayerGameContextProcessor", 3, day, ctx_start,
                 _noise(rng, BASELINE_SECONDS["UpcomingPlayerGameContextProcessor"]),
                 ctx_rows, "nba_analytics.upcoming_player_game_context")

        expected = [p for t in teams for p in w.team_players(t)]

        # Lines, loaded before the features.
        odds_at = et(day, 9, 30 + rng.randint(0, 10))
        if not done_by_cutoff(odds_at, 10):
            return
        lines: dict[tuple[str, str], float] = {}
        odds_rows = []
        for p in expected:
            for prop in PROP_TYPES:
                if rng.random() < 0.92:
                    line = max(0.5, round(p.means[prop] * 2) / 2 + rng.choice([-0.5, 0.5]))
                    lines[(p.lookup, prop)] = line
                    odds_rows.append(dict(game_id=game_of[p.team].game_id, game_date=day,
                                          player_lookup=p.lookup, prop_type=prop,
                                          bookmaker=rng.choice(["draftkings", "fanduel"]),
                                          line_value=line, snapshot_at=odds_at))
        self.raw_file("odds-api/player-props", "oddsa_player_props", day, odds_at, odds_rows)

        # Phase 4: features for every expected player; a few early-season gaps.
        feat_start = et(day, 10, 30 + rng.randint(0, 5))
        if not done_by_cutoff(feat_start, 20):
            return
        for p in expected:
            at = feat_start + timedelta(seconds=rng.randint(60, 600))
            sparse = rng.random() < 0.01
            w.add("nba_precompute.ml_feature_store", player_lookup=p.lookup, game_date=day,
                  feature_version="v2_33features",
                  points_avg_last_5=round(p.means["points"] * rng.uniform(0.8, 1.2), 2),
                  points_avg_last_10=None if sparse else round(p.means["points"] * rng.uniform(0.85, 1.15), 2),
                  minutes_avg_last_10=round(rng.uniform(12, 38), 1),
                  usage_rate_last_10=round(rng.uniform(0.1, 0.35), 3),
                  rebounds_avg_last_10=round(p.means["rebounds"] * rng.uniform(0.85, 1.15), 2),
                  assists_avg_last_10=round(p.means["assists"] * rng.uniform(0.85, 1.15), 2),
                  opponent_def_rating=round(rng.uniform(105, 120), 1),
                  rest_days=rng.choice([1, 1, 2, 2, 3]),
                  created_at=at, updated_at=at)
        self.run("MLFeatureStoreProcessor", 4, day, feat_start,
                 _noise(rng, BASELINE_SECONDS["MLFeatureStoreProcessor"]), len(expected),
                 "nba_precompute.ml_feature_store")
        # Circuit breakers on inactive players (no data to complete them): 24 h lockouts.
        for team in teams[:2]:
            p = w.team_players(team, active_only=False)[-1]
            tripped = rng.random() < 0.5
            at = feat_start + timedelta(minutes=6)
            w.add("nba_orchestration.reprocess_attempts", processor_name="MLFeatureStoreProcessor",
                  entity_id=p.lookup, analysis_date=day, attempt_count=5 if tripped else 2,
                  completeness_pct=round(rng.uniform(20, 60), 1),
                  circuit_breaker_tripped=tripped, tripped_at=at if tripped else None,
                  circuit_breaker_until=at + timedelta(hours=24) if tripped else None,
                  updated_at=at)

        # Phase 5: the batch.
        if not done_by_cutoff(et(day, 11, 30), 25):
            return
        predictions = self.batch(day, expected, game_of, lines, et(day, 11, 30))

        # The self-heal check finds tonight's predictions there: nothing to fix, nothing written.
        heal_at = et(day, *SELF_HEAL_AT)
        if not done_by_cutoff(heal_at, 1):
            return
        self.run("SelfHealPredictions", 5, day, heal_at, BASELINE_SECONDS["SelfHealPredictions"], 0, None)

        # Phase 6: export of tonight's picks at the deadline.
        export_at = et(day, 13, 0, rng.randint(5, 50))
        if not done_by_cutoff(export_at, 1):
            return
        w.add("nba_exports.export_runs", export_id=f"exp_{self.ids.hex()}",
              export_type="tonight_picks", game_date=day, row_count=len(predictions),
              status="success", exported_at=export_at)
        self.run("Phase6TonightPicksExporter", 6, day, export_at - timedelta(seconds=20),
                 20.0, len(predictions), "nba_exports.export_runs")

        # Post-game: box scores, final schedule, analytics, grading.
        last_end = max(g.end for g in slate)
        box_at = max(last_end + timedelta(minutes=25), et(day + timedelta(days=1), 1, 30))
        box_at += timedelta(seconds=rng.randint(0, 300))
        if not done_by_cutoff(box_at, 10):
            return
        actuals: dict[str, dict] = {}
        box_rows = []
        for team in teams:
            g = game_of[team]
            opp = g.home if team == g.away else g.away
            for p in w.team_players(team):
                stat = {k: max(0, round(rng.gauss(v, max(1.0, v * 0.3)))) for k, v in p.means.items()}
                actuals[p.lookup] = stat
                box_rows.append(dict(game_id=g.game_id, game_date=day, player_lookup=p.lookup,
                                     team_abbr=team, opponent_team_abbr=opp,
                                     minutes_played=round(rng.uniform(8, 40), 1),
                                     points=stat["points"], rebounds=stat["rebounds"],
                                     assists=stat["assists"], threes_made=stat["threes"]))
        self.raw_file("ball-dont-lie/player-box-scores", "bdl_player_box_scores", day, box_at,
                      box_rows)
        self.schedule_snapshot(day, box_at + timedelta(minutes=2), final=True, slate=slate)

        pgs_start = et(day + timedelta(days=1), *PGS_AT)
        if not done_by_cutoff(pgs_start, 5):
            return
        for r in box_rows:
            w.add("nba_analytics.player_game_summary", player_lookup=r["player_lookup"],
                  game_id=r["game_id"], game_date=day, team_abbr=r["team_abbr"],
                  minutes_played=r["minutes_played"], points=r["points"],
                  rebounds=r["rebounds"], assists=r["assists"], threes_made=r["threes_made"],
                  processed_at=pgs_start + timedelta(seconds=100))
        self.run("PlayerGameSummaryProcessor", 3, day, pgs_start,
                 _noise(rng, BASELINE_SECONDS["PlayerGameSummaryProcessor"]), len(box_rows),
                 "nba_analytics.player_game_summary")

        grade_start = et(day + timedelta(days=1), *GRADING_AT)
        if not done_by_cutoff(grade_start, 2):
            return
        for pred in predictions:
            actual = actuals[pred["player_lookup"]][pred["prop_type"]]
            rec = pred["recommendation"]
            correct = None
            if rec in ("OVER", "UNDER"):
                correct = (actual > pred["line_value"]) == (rec == "OVER")
            w.add("nba_predictions.prediction_grades", prediction_id=pred["prediction_id"],
                  player_lookup=pred["player_lookup"], game_id=pred["game_id"],
                  game_date=day, prop_type=pred["prop_type"], system_id=pred["system_id"],
                  actual_value=float(actual), is_correct=correct,
                  graded_at=grade_start + timedelta(seconds=rng.randint(10, 40)))
        self.run("PredictionGradingProcessor", 6, day, grade_start,
                 _noise(rng, BASELINE_SECONDS["PredictionGradingProcessor"]), len(predictions),
                 "nba_predictions.prediction_grades")

    def schedule_snapshot(self, day: date, at: datetime, final: bool,
                          slate: list[Game] | None = None) -> None:
        rows = [dict(game_id=g.game_id, game_date=day, season=_season(day),
                     home_team_tricode=g.home, away_team_tricode=g.away,
                     game_status=3 if final else 1,
                     game_status_text="Final" if final else _tipoff_text(g.start),
                     scheduled_start_at=g.start,
                     game_end_at=g.end if final else None)
                for g in (self.w.games[day] if slate is None else slate)]
        self.raw_file("nba-com/schedule", "nbac_schedule_api", day, at, rows)

    def batch(self, day: date, expected: list[Player], game_of: dict[str, Game],
              lines: dict[tuple[str, str], float], start: datetime) -> list[dict]:
        """Coordinator, workers, staging writes, consolidation. Returns the predictions."""
        w, rng = self.w, self.rng
        batch_id = f"batch_{day:%Y%m%d}_{start:%H%M%S}"
        w.batches[day] = batch_id
        self.run("PredictionCoordinator", 5, day, start,
                 _noise(rng, BASELINE_SECONDS["PredictionCoordinator"]), len(expected),
                 "nba_predictions.player_prop_predictions")
        predictions = []
        last = start
        for p in expected:
            made = start + timedelta(seconds=rng.randint(60, 1100))
            last = max(last, made)
            staging = f"_staging_{batch_id}_{p.lookup}"
            w.add("nba_orchestration.prediction_batch_staging_state", batch_id=batch_id,
                  player_lookup=p.lookup, staging_table_name=staging,
                  recorded_at=made + timedelta(seconds=3))
            w.add("nba_predictions.prediction_completion_events", event_id=f"evt_{self.ids.hex()}",
                  batch_id=batch_id, player_lookup=p.lookup, game_date=day,
                  predictions_generated=len(SYSTEMS) * len(PROP_TYPES),
                  staging_table_name=staging, staging_write_success=True,
                  published_at=made + timedelta(seconds=2))
            for system in SYSTEMS:
                bias = rng.uniform(-0.08, 0.08)
                for prop in PROP_TYPES:
                    value = round(max(0.0, p.means[prop] * (1 + bias) + rng.gauss(0, 0.6)), 1)
                    line = lines.get((p.lookup, prop))
                    if line is None:
                        rec = "NO_LINE"
                    elif value > line + 0.5:
                        rec = "OVER"
                    elif value < line - 0.5:
                        rec = "UNDER"
                    else:
                        rec = "PASS"
                    predictions.append(dict(
                        prediction_id=f"pred_{self.ids.hex(16)}", batch_id=batch_id,
                        player_lookup=p.lookup, game_id=game_of[p.team].game_id,
                        game_date=day, team_abbr=p.team, prop_type=prop, system_id=system,
                        predicted_value=value, line_value=line, recommendation=rec,
                        confidence_score=round(rng.uniform(0.45, 0.9), 3), is_active=True,
                        created_at=made, updated_at=None))
        completed = last + timedelta(seconds=rng.randint(20, 60))
        consolidated = completed + timedelta(seconds=rng.randint(60, 180))
        for pred in predictions:
            pred["updated_at"] = consolidated
            w.add("nba_predictions.player_prop_predictions", **pred)
        w.add("nba_predictions.prediction_batches", batch_id=batch_id, game_date=day,
              expected_players=len(expected), completed_players=len(expected),
              status="consolidated", started_at=start, completed_at=completed,
              consolidated_at=consolidated, updated_at=consolidated)
        return predictions

    # -- orchestration heartbeat -------------------------------------------------------------
    def orchestration(self, spill: Callable[[], None] | None = None) -> None:
        """The heartbeat from the first date to as_of. `spill` (streaming) is called
        every few thousand rows; it draws nothing from the random stream."""
        w, rng = self.w, self.rng
        at = et(w.start, 0, 0)
        i = 0
        while at <= w.as_of:
            if spill and i % SPILL_EVERY_ROWS == SPILL_EVERY_ROWS - 1:
                spill()
            jitter = timedelta(seconds=rng.randint(-60, 60))
            when = min(w.as_of, max(et(w.start, 0, 0), at + jitter))
            w.add("nba_orchestration.workflow_decisions", decision_id=f"dec_{self.ids.hex()}",
                  decision_at=when, workflow_name=WORKFLOWS[i % len(WORKFLOWS)],
                  action=rng.choice(["RUN", "SKIP", "SKIP"]), reason="scheduled evaluation")
            at += timedelta(minutes=30)
            i += 1
        at = et(w.start, 0, 5)
        hours = 0
        while at <= w.as_of:
            if spill and hours % SPILL_EVERY_ROWS == SPILL_EVERY_ROWS - 1:
                spill()
            for sub in DLQ_SUBSCRIPTIONS:
                w.add("nba_orchestration.pubsub_dlq_metrics", subscription_name=sub,
                      undelivered_messages=0, observed_at=at)
            # sampled at :05, long after each batch drained its requests: an empty backlog
            w.add("nba_orchestration.pubsub_subscription_metrics", subscription_name=REQUEST_SUBSCRIPTION,
                  undelivered_messages=0, oldest_unacked_age_seconds=0, observed_at=at)
            at += timedelta(hours=1)
            hours += 1
        for prefix, processor, target, phase in REGISTRY:
            w.add("nba_reference.processor_registry", path_prefix=prefix,
                  processor_name=processor, target_table=target, phase=phase, is_active=True,
                  registered_at=datetime(2025, 10, 1, 12, 0))


def build_world(seed: int, start: date, end: date, as_of: datetime,
                progress: Callable[[int, int, date], None] | None = None) -> World:
    """Simulate every game date in [start, end]; `as_of` is naive UTC. The whole
    world stays in memory (faults mutate it; the fault matrix and tests use this)."""
    return stream_world(seed, start, end, as_of, sink=None, progress=progress)


# Rows of one table/heartbeat between two spills of the orchestration heartbeat.
SPILL_EVERY_ROWS = 2048
Sink = Callable[[dict[str, list[dict]]], None]


def stream_world(seed: int, start: date, end: date, as_of: datetime, sink: Sink | None, *,
                 tail_days: int = 0, chunk_days: int = 7,
                 progress: Callable[[int, int, date], None] | None = None) -> World:
    """Simulate [start, end] like build_world, but hand every finished chunk of
    `chunk_days` game dates older than the last `tail_days` dates to `sink` (rows
    by table) and forget it, so memory stays flat however long the history. The
    heartbeat rows before the tail's first midnight (ET) are handed over too.

    Returns the tail: a World whose tables hold only the rows of the last
    `tail_days` dates and the heartbeat since then (games, players and batches of
    every date stay, they are small), for faults to mutate before it is written.
    The random draws are build_world's, in the same order, so the sink's rows plus
    the tail's are exactly build_world's rows (pytests/test_simulator.py). With
    sink=None nothing is handed over: that is build_world.
    """
    if chunk_days < 1 or tail_days < 0:
        raise ValueError(f"chunk_days must be >= 1 and tail_days >= 0, got {chunk_days}, {tail_days}")
    rng = random.Random(seed)
    world = World(seed=seed, start=start, end=end, as_of=as_of)
    world.players = _make_players(rng)
    world.games = _make_schedule(rng, start, end)
    builder = _Builder(world, rng)
    days = (end - start).days + 1
    keep_from = end - timedelta(days=tail_days - 1) if tail_days else end + timedelta(days=1)
    keep_from_at = et(keep_from, 0, 0)

    def spill_days() -> None:
        chunk = {t: rows for t, rows in world.tables.items() if rows}
        for t in world.tables:
            world.tables[t] = []
        if chunk:
            sink(chunk)

    def spill_heartbeat() -> None:
        for table, column in (("nba_orchestration.workflow_decisions", "decision_at"),
                              ("nba_orchestration.pubsub_dlq_metrics", "observed_at"),
                              ("nba_orchestration.pubsub_subscription_metrics", "observed_at")):
            rows = world.tables.get(table, [])
            old = [r for r in rows if r[column] < keep_from_at]
            if old:
                world.tables[table] = [r for r in rows if r[column] >= keep_from_at]
                sink({table: old})

    for i in range(days):
        day = start + timedelta(days=i)
        builder.day(day)
        streamed = sink is not None and day < keep_from
        if streamed and ((i + 1) % chunk_days == 0 or day == keep_from - timedelta(days=1)):
            spill_days()
            if progress:
                progress(i + 1, days, day)
        elif progress and not streamed:
            progress(i + 1, days, day)
    _tail(world, seed)
    builder.orchestration(spill=spill_heartbeat if sink is not None else None)
    if sink is not None:
        spill_heartbeat()
    return world


def _tail(world: World, seed: int) -> None:
    """The dates after `end` up to as_of's date, each step only once it finished by as_of,
    from a random stream of their own (the dates of [start, end] draw exactly what
    they drew before). Their games go to `tail_games`."""
    first = world.end + timedelta(days=1)
    last = world.as_of.replace(tzinfo=UTC).astimezone(ET).date()
    if last < first:
        return
    last = min(last, first + timedelta(days=MAX_TAIL_DAYS - 1))
    rng = random.Random(f"{seed}:tail")
    world.tail_games = _make_schedule(rng, first, last)
    builder = _Builder(world, rng)
    day = first
    while day <= last:
        builder.day(day, cutoff=world.as_of)
        day += timedelta(days=1)


# An as_of far after `end` simulates at most this many days of tail (a week judged
# months later is judged on what its window holds: nothing; the tail stays small).
MAX_TAIL_DAYS = 3
