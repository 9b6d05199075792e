"""How a failing row reads: the columns that say which date, team, player,
batch, processor or file broke a contract, first. Rows come from the run
record in the warehouse (records.py); this module only formats them."""

from __future__ import annotations

from props_contracts.textsafe import strip_control

# Columns worth showing first, when a failing row has them.
KEY_COLUMNS = (
    "game_date", "data_date", "run_for_date", "run_date", "job_name", "path_prefix", "team_abbr", "player_lookup", "game_id", "batch_id",
    # PRD-10: the batch's state and its clock (docs/seed-monitors.md)
    "stall_state", "stall_limit_minutes", "minutes_since_progress",
    "processor_name", "subscription_name", "file_path", "staging_table_name", "table_name", "column_name",
    "feed", "newest_at", "age_hours", "warn_hours", "error_hours",
    "violation", "problem", "missing", "missing_teams", "missing_player_list", "coverage",
    "duplicate_ratio", "duration_ratio", "gap_hours", "gap_started_at", "gap_ended_at",
    "input_coverage", "staging_failure_rate", "missing_staging_tables", "row_difference",
    "completeness", "undelivered_messages", "entity_id", "n_rows",
    # the seed monitors (docs/seed-monitors.md): each measure beside its threshold
    "timeout_share", "minutes_used", "timeout_minutes",
    "trend_increase", "max_trend_increase", "recent_median_seconds", "baseline_median_seconds",
    "breaker_violation", "attempt_count", "failure_threshold", "lockout_hours", "max_lockout_hours",
    "failed_runs", "first_failed_at", "last_failed_at",
    "hours_since_latest_sample", "samples", "max_sample_age_hours", "max_undelivered_messages", "max_backlog_messages",
    "max_backlog_observed_at",
    "source_table", "unmatched_share", "max_unmatched_share", "example_unmatched_game_id", "example_schedule_game_id",
    # the declared expectations (docs/expectations.md): what is owed, and since when
    "missing_since", "gap_start_at", "gap_minutes", "allowed_minutes",
)


# A value longer than this is cut at its end (never in its middle).
MAX_VALUE = 160


def format_row(row: dict) -> str:
    """One line naming the row's entities. Control characters are stripped: a
    value (a player name from the pipeline) must not drive the terminal."""
    shown = [(k, row[k]) for k in KEY_COLUMNS if k in row and row[k] is not None][:6]
    if not shown:
        shown = list(row.items())[:5]
    parts = []
    for k, v in shown:
        if isinstance(v, float):
            v = f"{v:.3f}"
        text = strip_control(str(v))
        # a long value is shortened at its end only: the start of a file path is the
        # prefix a runbook asks for (ING-01: register a processor for it)
        parts.append(f"{strip_control(str(k))}={text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 3] + '...'}")
    return " ".join(parts)
