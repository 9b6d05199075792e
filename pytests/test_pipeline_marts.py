"""The end-to-end marts of issue 25 (docs/marts.md) on one simulated warehouse and one
first build: each figure against a count taken in Python from the simulated rows
themselves (not from the marts' SQL), the first build of N nights filling N dates,
and a daily run that MERGEs the window without duplicates and keeps the older dates.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

from conftest import AS_OF, END, ROOT, settings_for
from props_contracts.dbt import Dbt
from props_contracts.schema import load_source_tables
from props_contracts.simulator.world import build_world
from props_contracts.simulator.writer import write_duckdb

NIGHTS = 10  # more than the 7-day window: the first build must fill the older dates too
START = END - timedelta(days=NIGHTS - 1)
WINDOW_START = AS_OF.date() - timedelta(days=7)
MARTS = ("fct_game_phase_latency", "fct_phase_latency_by_date", "fct_pipeline_reconciliation_by_date",
         "fct_processor_durations_by_date")
KEYS = {"fct_game_phase_latency": ("game_date", "game_id"), "fct_phase_latency_by_date": ("game_date", "phase"),
        "fct_pipeline_reconciliation_by_date": ("game_date",),
        "fct_processor_durations_by_date": ("run_date", "processor_name")}
SECOND = 1 / 3600  # hours_between counts whole seconds (dbt.datediff), the simulator has fractions
ET, UTC = ZoneInfo("America/New_York"), ZoneInfo("UTC")
BOX, PGS = "nba_raw.bdl_player_boxscores", "nba_analytics.player_game_summary"
FEATURES, RUNS = "nba_precompute.ml_feature_store", "nba_reference.processor_run_history"


def _local(ts) -> date:
    return ts.replace(tzinfo=UTC).astimezone(ET).date()


def _quantile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (DuckDB's quantile_cont)."""
    xs = sorted(values)
    if not xs:
        return None
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


def _rows(db, sql: str, params=()) -> list[dict]:
    con = duckdb.connect(str(db))  # the same configuration as dbt-duckdb's, which holds it open
    try:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _marts(db) -> dict[str, list[dict]]:
    return {m: _rows(db, f'select * from "props_contracts_marts"."{m}" order by all') for m in MARTS}


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """NIGHTS simulated nights with losses planted at random steps, and the first build of the marts."""
    rng = random.Random(2025)
    work = tmp_path_factory.mktemp("pipeline_marts")
    db = work / "w.duckdb"
    world = build_world(rng.randint(1, 10_000), START, END, AS_OF)
    days = world.game_dates()
    old = [d for d in days if d < WINDOW_START]
    recent = [d for d in days if d >= WINDOW_START]
    planted = {}
    # phase 3: a few players of one game lose their summary rows, on a night older than the window
    day = rng.choice(old)
    game = rng.choice(world.games[day])
    lost = set(rng.sample(sorted(r["player_lookup"] for r in world.rows(PGS) if r["game_id"] == game.game_id),
                          rng.randint(1, 6)))
    world.remove(PGS, lambda r: r["game_id"] == game.game_id and r["player_lookup"] in lost)
    planted["summary"] = (day, len(lost))
    # phase 2: one team's box scores of a game are missing, inside the window
    day = rng.choice(recent)
    game = rng.choice(world.games[day])
    world.remove(BOX, lambda r: r["game_id"] == game.game_id and r["team_abbr"] == game.home)
    planted["boxscores"] = (day, game.game_id)
    # phase 4: some expected players have no feature row
    day = rng.choice(recent)
    gone = set(rng.sample(sorted(r["player_lookup"] for r in world.rows(FEATURES) if r["game_date"] == day),
                          rng.randint(2, 9)))
    world.remove(FEATURES, lambda r: r["game_date"] == day and r["player_lookup"] in gone)
    planted["features"] = (day, len(gone))
    # and a did-not-play row (0 minutes) with no summary: nothing to summarise, no loss
    day = rng.choice(recent)
    row = next(r for r in world.rows(BOX) if r["game_date"] == day)
    world.add(BOX, **{**row, "player_lookup": "dnp_" + row["player_lookup"], "minutes_played": 0.0, "points": 0,
                      "rebounds": 0, "assists": 0, "threes_made": 0})
    planted["dnp"] = day
    # processor history: a failed and a skipped run beside the successful ones
    for status, at in (("failed", rng.choice(days)), ("skipped", rng.choice(days))):
        run = next(r for r in world.rows(RUNS) if r["data_date"] == at and r["processor_name"] == "MLFeatureStoreProcessor")
        world.add(RUNS, **{**run, "run_id": f"run_extra_{status}", "status": status,
                           "duration_seconds": 999.0, "records_processed": 0})
    write_duckdb(world, load_source_tables(ROOT / "models"), db)
    dbt = Dbt(settings_for(db, work / "target"))
    dbt.invoke(["build", "--select", *(f"+{m}" for m in MARTS), "--exclude-resource-type", "test"])
    tested = dbt.invoke(["test", "--select", *MARTS], allow_node_failures=True)  # key tests and REC-01
    return world, db, dbt, planted, _marts(db), _statuses(tested)


def _statuses(run) -> dict[str, tuple[str, int]]:
    return {r.node.name: (str(r.status), r.failures) for r in run.results}


def test_the_reconciliation_counts_each_step_and_its_loss_like_the_simulated_rows(season):
    world, _, _, planted, marts, _ = season
    rows = {r["game_date"]: r for r in marts["fct_pipeline_reconciliation_by_date"]}
    for day in world.game_dates():
        # given the rows the simulator wrote for the night, counted here in Python
        games = world.games[day]
        teams = {(g.game_id, t) for g in games for t in g.teams}
        box = {(r["game_id"], r["player_lookup"]) for r in world.rows(BOX)
               if r["game_date"] == day and (r["game_id"], r["team_abbr"]) in teams and r["minutes_played"] > 0}
        box_teams = {(r["game_id"], r["team_abbr"]) for r in world.rows(BOX) if r["game_date"] == day}
        summary = {(r["game_id"], r["player_lookup"]) for r in world.rows(PGS) if r["game_date"] == day}
        ctx = world.rows("nba_analytics.upcoming_player_game_context")
        expected = {r["player_lookup"] for r in ctx if r["game_date"] == day and r["is_expected_to_play"]}
        featured = expected & {r["player_lookup"] for r in world.rows(FEATURES) if r["game_date"] == day}
        preds = [r for r in world.rows("nba_predictions.player_prop_predictions")
                 if r["game_date"] == day and r["is_active"]]
        graded = {r["prediction_id"] for r in world.rows("nba_predictions.prediction_grades") if r["game_date"] == day}
        [export] = [r for r in world.rows("nba_exports.export_runs") if r["game_date"] == day]
        # then the mart's row for the night says the same, step by step
        got = rows[day]
        assert (got["games_scheduled"], got["games_final"]) == (len(games), len(games)), day
        assert got["games_with_boxscores"] == sum(all((g.game_id, t) in box_teams for t in g.teams) for g in games)
        assert got["games_missing_boxscores"] == got["games_final"] - got["games_with_boxscores"]
        assert (got["boxscore_players"], got["summary_players"]) == (len(box), len(box & summary)), day
        assert got["players_missing_summary"] == len(box - summary), day
        assert (got["teams_scheduled"], got["teams_with_context"], got["teams_missing_context"]) == (2 * len(games),
                                                                                                 2 * len(games), 0)
        assert (got["expected_players"], got["feature_players"]) == (len(expected), len(featured)), day
        assert got["players_missing_features"] == len(expected - featured), day
        predicted = featured & {r["player_lookup"] for r in preds}
        assert (got["predicted_players"], got["players_missing_predictions"]) == (len(predicted),
                                                                                  len(featured - predicted))
        assert (got["active_predictions"], got["exports"], got["exported_rows"]) == (len(preds), 1, export["row_count"])
        assert got["export_row_difference"] == export["row_count"] - len(preds)
        due_graded = sum(p["prediction_id"] in graded for p in preds)
        assert (got["predictions_due_grading"], got["graded_predictions"]) == (len(preds), due_graded), day
        assert got["ungraded_predictions"] == len(preds) - due_graded
    # and each planted loss shows at its own step, on its own night, and nowhere else
    day, n = planted["summary"]
    assert rows[day]["players_missing_summary"] == n > 0
    day, _ = planted["boxscores"]
    assert rows[day]["games_missing_boxscores"] == 1
    day, n = planted["features"]
    assert rows[day]["players_missing_features"] == n > 0
    assert sum(r["players_missing_summary"] for r in rows.values()) == planted["summary"][1]
    assert sum(r["games_missing_boxscores"] for r in rows.values()) == 1


def test_each_phase_latency_per_game_and_its_distribution_match_the_simulated_times(season):
    world, _, _, planted, marts, _ = season
    per_game = {r["game_id"]: r for r in marts["fct_game_phase_latency"]}
    files = {r["file_path"]: r["scraped_at"] for r in world.rows("nba_orchestration.scraped_files")}
    grades = defaultdict(list)
    for r in world.rows("nba_predictions.prediction_grades"):
        grades[r["game_id"]].append(r["graded_at"])
    by_date: dict[tuple, list[float]] = defaultdict(list)
    for day in world.game_dates():
        for g in world.games[day]:
            # given the game's rows, phase by phase: each team's first row, the later team
            team_box = {t: [r for r in world.rows(BOX) if r["game_id"] == g.game_id and r["team_abbr"] == t]
                        for t in g.teams}
            team_pgs = {t: [r for r in world.rows(PGS) if r["game_id"] == g.game_id and r["team_abbr"] == t]
                        for t in g.teams}
            want = {"phase_1_scraped": None, "phase_2_loaded": None, "phase_3_summarized": None, "graded": None}
            if all(team_box.values()):
                want["phase_1_scraped"] = max(min(files[r["source_file_path"]] for r in rs) for rs in team_box.values())
                want["phase_2_loaded"] = max(min(r["processed_at"] for r in rs) for rs in team_box.values())
            if all(team_pgs.values()):
                want["phase_3_summarized"] = max(min(r["processed_at"] for r in rs) for rs in team_pgs.values())
            want["graded"] = max(grades[g.game_id])  # the simulator grades every prediction
            got = per_game[g.game_id]
            assert (got["game_date"], got["is_expected_final"], got["game_end_at"]) == (day, True, g.end)
            for phase, column in (("phase_1_scraped", "phase_1"), ("phase_2_loaded", "phase_2"),
                                  ("phase_3_summarized", "phase_3"), ("graded", "grading")):
                at = want[phase]
                assert got[f"{phase}_at" if phase != "graded" else "graded_at"] == at, (g.game_id, phase)
                hours = None if at is None else (at - g.end).total_seconds() / 3600
                latency = got[f"{column}_latency_hours"]
                assert (latency is None) == (hours is None) and (hours is None or abs(latency - hours) <= SECOND)
                if hours is not None:
                    by_date[(day, phase)].append(hours)
    # and the distribution per date and phase is the one of those latencies
    dist = {(r["game_date"], r["phase"]): r for r in marts["fct_phase_latency_by_date"]}
    assert set(dist) == {(d, p) for d in world.game_dates() for p in
                         ("phase_1_scraped", "phase_2_loaded", "phase_3_summarized", "graded")}
    for (day, phase), got in dist.items():
        hours = by_date[(day, phase)]
        assert got["final_games"] == len(world.games[day])
        assert (got["games_completed"], got["games_not_completed"]) == (len(hours), len(world.games[day]) - len(hours))
        for column, want in (("p50_latency_hours", _quantile(hours, 0.5)), ("p90_latency_hours", _quantile(hours, 0.9)),
                             ("max_latency_hours", max(hours, default=None))):
            assert abs(got[column] - want) <= SECOND, (day, phase, column)
    # and the game whose home team lost its box scores waits in phases 1-2, not in 3 or grading
    day, game_id = planted["boxscores"]
    assert dist[(day, "phase_2_loaded")]["games_not_completed"] == 1
    assert per_game[game_id]["phase_2_loaded_at"] is None and per_game[game_id]["phase_1_scraped_at"] is None
    assert per_game[game_id]["phase_3_summarized_at"] is not None and per_game[game_id]["graded_at"] is not None


def test_processor_durations_per_day_match_the_run_history(season):
    world, _, _, _, marts, _ = season
    runs = defaultdict(list)
    for r in world.rows(RUNS):
        if r["started_at"] <= AS_OF:
            runs[(_local(r["started_at"]), r["processor_name"])].append(r)
    got = {(r["run_date"], r["processor_name"]): r for r in marts["fct_processor_durations_by_date"]}
    assert set(got) == set(runs)
    for key, rs in runs.items():
        ok = [r["duration_seconds"] for r in rs if r["status"] == "success"]
        row = got[key]
        assert (row["runs"], row["successful_runs"], row["failed_runs"], row["skipped_runs"]) == (
            len(rs), len(ok), sum(r["status"] == "failed" for r in rs), sum(r["status"] == "skipped" for r in rs)), key
        assert row["max_duration_seconds"] == max(ok) and row["timed_runs"] == len(ok)
        assert abs(row["mean_duration_seconds"] - sum(ok) / len(ok)) < 1e-6
        assert abs(row["median_duration_seconds"] - _quantile(ok, 0.5)) < 1e-6
        assert row["records_processed"] == sum(r["records_processed"] for r in rs if r["status"] == "success")
    # the failed and the skipped run count as runs, and their 999 s stay out of the durations
    assert sum(r["failed_runs"] for r in got.values()) == 1 and sum(r["skipped_runs"] for r in got.values()) == 1
    assert max(r["max_duration_seconds"] for r in got.values()) < 999


def test_the_first_build_fills_every_night_not_only_the_window(season):
    world, _, _, _, marts, _ = season
    nights = set(world.game_dates())
    assert len(nights) >= NIGHTS - 2 and min(nights) < WINDOW_START  # (a night without games has no row)
    # and the nights simulated after the last full one, up to as_of (the schedule's tail): the
    # per-game mart and the reconciliation (from the schedule) have tonight's slate too, the
    # latency distribution only the nights played
    tail = {d for d, games in world.tail_games.items() if games}
    for mart in ("fct_game_phase_latency", "fct_pipeline_reconciliation_by_date"):
        assert {r["game_date"] for r in marts[mart]} == nights | tail, mart
    assert {r["game_date"] for r in marts["fct_phase_latency_by_date"]} == nights | {d for d in tail
                                                                                     if d < _local(AS_OF)}
    ran_on = {_local(r["started_at"]) for r in world.rows(RUNS) if r["started_at"] <= AS_OF}
    assert {r["run_date"] for r in marts["fct_processor_durations_by_date"]} == ran_on
    assert min(ran_on) < WINDOW_START


def test_a_daily_run_merges_the_window_without_duplicates_and_keeps_older_dates(season):
    # (last in the file: it changes the warehouse the other tests read through `season`)
    world, db, dbt, _, first, tested = season
    days = world.game_dates()
    recent, old = max(days), min(days)
    # given summary rows lost after the first build, on a night in the window and on one before it
    con = duckdb.connect(str(db))
    try:
        lost = {}
        for day in (recent, old):
            lost[day] = con.execute(
                f"delete from {PGS} where game_date = ? and player_lookup in (select player_lookup from {PGS} "
                f"where game_date = ? and player_lookup in (select player_lookup from {BOX} where game_date = ?) "
                "order by 1 limit 3)", [day, day, day]).fetchall()[0][0]
    finally:
        con.close()
    assert lost == {recent: 3, old: 3}
    # when the daily run comes (incremental: it recomputes and MERGEs the window's dates)
    dbt.invoke(["run", "--select", *MARTS])
    again = _marts(db)
    # then no key is there twice, and no date or row came or went
    for mart, key in KEYS.items():
        keys = [tuple(r[k] for k in key) for r in again[mart]]
        assert len(keys) == len(set(keys)) == len(first[mart]), mart
    # and the window's night shows its new loss, while the older night keeps what it had
    rec = {r["game_date"]: r for r in again["fct_pipeline_reconciliation_by_date"]}
    was = {r["game_date"]: r for r in first["fct_pipeline_reconciliation_by_date"]}
    assert rec[recent]["players_missing_summary"] == was[recent]["players_missing_summary"] + 3
    assert rec[old] == was[old]
    assert [r for r in again["fct_game_phase_latency"] if r["game_date"] < WINDOW_START] == [
        r for r in first["fct_game_phase_latency"] if r["game_date"] < WINDOW_START]
    assert [r for r in again["fct_processor_durations_by_date"] if r["run_date"] < WINDOW_START] == [
        r for r in first["fct_processor_durations_by_date"] if r["run_date"] < WINDOW_START]
    # and REC-01, which passed the first build (its planted loss is older than the window,
    # the did-not-play row is no loss), now warns on the window's night, naming the game
    assert tested["rec_01_post_game_summary_complete"] == ("pass", 0)
    assert all(status == "pass" for name, (status, _) in tested.items() if "on-run" not in name), tested
    rerun = _statuses(dbt.invoke(["test", "--select", "rec_01_post_game_summary_complete"], allow_node_failures=True))
    assert rerun["rec_01_post_game_summary_complete"] == ("warn", 1)
    assert rec[recent]["players_missing_summary_due"] == rec[recent]["players_missing_summary"] >= 3
    assert rec[recent]["missing_summary_games"]
