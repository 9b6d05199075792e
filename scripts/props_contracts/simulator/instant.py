"""The warehouse as it stood at an instant of a game day (issue 23).

world.py writes every game date's whole life, from the morning scrape to grading the
next morning. A gate asked at 11:00 ET for tonight must see only what existed then:
`cut_at` drops every row written after the instant, and marks runs and batches that
were still going then as they stood (a run started and not finished is `running`).
"""

from __future__ import annotations

from datetime import datetime

from props_contracts.simulator.world import World

# table -> the column saying when its row was written (naive UTC)
WRITTEN_AT = {
    "nba_orchestration.scraped_files": "scraped_at",
    "nba_orchestration.raw_batch_locks": "completed_at",
    "nba_raw.nbac_schedule": "processed_at",
    "nba_raw.odds_api_player_props": "processed_at",
    "nba_raw.bdl_player_boxscores": "processed_at",
    "nba_analytics.upcoming_player_game_context": "processed_at",
    "nba_analytics.player_game_summary": "processed_at",
    "nba_precompute.ml_feature_store": "updated_at",
    "nba_predictions.player_prop_predictions": "updated_at",
    "nba_predictions.prediction_completion_events": "published_at",
    "nba_orchestration.prediction_batch_staging_state": "recorded_at",
    "nba_predictions.staging_tables": "created_at",
    "nba_predictions.prediction_grades": "graded_at",
    "nba_exports.export_runs": "exported_at",
    "nba_orchestration.reprocess_attempts": "updated_at",
    "nba_orchestration.workflow_decisions": "decision_at",
    "nba_orchestration.pubsub_dlq_metrics": "observed_at",
    "nba_orchestration.pubsub_publish_failures": "failed_at",
    "nba_reference.processor_registry": "registered_at",
}
RUNS = "nba_reference.processor_run_history"
BATCHES = "nba_predictions.prediction_batches"


def cut_at(world: World, at: datetime) -> None:
    """Keep only what had been written by `at` (naive UTC); the world's as_of becomes `at`."""
    for table, column in WRITTEN_AT.items():
        world.remove(table, lambda r, c=column: r[c] is not None and r[c] > at)
    world.remove(RUNS, lambda r: r["started_at"] > at)
    for run in world.rows(RUNS):
        if run["completed_at"] is not None and run["completed_at"] > at:
            run.update(status="running", completed_at=None, duration_seconds=None, records_processed=None)
    world.remove(BATCHES, lambda r: r["started_at"] > at)
    for batch in world.rows(BATCHES):
        if batch["consolidated_at"] is not None and batch["consolidated_at"] > at:
            batch.update(status="in_progress", completed_at=None, consolidated_at=None, updated_at=at)
    world.as_of = at
