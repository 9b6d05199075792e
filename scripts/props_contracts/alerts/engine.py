"""From contract results to delivered alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from props_contracts.alerts import format as fmt
from props_contracts.alerts.config import AlertConfig
from props_contracts.alerts.deliver import DeliveryError, post_json, send_email
from props_contracts.alerts.state import AlertEvent, AlertState, Failure, transition
from props_contracts.catalog import Invariant
from props_contracts.dbt import DbtSettings
from props_contracts.failures import failing_rows, format_row
from props_contracts.gate import DATE_COLUMNS
from props_contracts.results import ContractResult


def failures_by_partition(results: list[ContractResult], settings: DbtSettings,
                          min_severity: str) -> list[Failure]:
    """Failing invariants split by the date their failing rows are about ('all' if none)."""
    wanted = {"fail", "error"} | ({"warn"} if min_severity == "warn" else set())
    grouped: dict[tuple[str, str], dict] = defaultdict(lambda: {"tests": set(), "rows": [], "sev": "warn"})
    for r in results:
        if r.status not in wanted or not r.invariant_id:
            continue
        rows = failing_rows(settings, r.relation) or []
        dated = [c for c in DATE_COLUMNS if rows and c in rows[0]]
        buckets: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            buckets[str(row[dated[0]])[:10] if dated and row[dated[0]] is not None else "all"].append(row)
        if not buckets:
            buckets["all"] = []
        for partition, part_rows in buckets.items():
            g = grouped[(r.invariant_id, partition)]
            g["tests"].add(r.name)
            g["rows"] += part_rows
            if r.status in ("fail", "error") and r.severity == "error":
                g["sev"] = "error"
            g["count"] = max(g.get("count", 0), len(part_rows) or r.failures)
    return [Failure(iid, part, g["sev"], tuple(sorted(g["tests"])), g["count"],
                    tuple(format_row(row) for row in g["rows"][:3]))
            for (iid, part), g in sorted(grouped.items())]


def plan(results: list[ContractResult], settings: DbtSettings, config: AlertConfig,
         catalog: dict[str, Invariant], now: datetime) -> tuple[list[AlertEvent], AlertState]:
    failures = failures_by_partition(results, settings, config.min_severity)
    events, new_state = transition(AlertState.load(config.state_path), failures, now, config.renotify)
    for e in events:
        inv = catalog.get(e.invariant_id)
        if inv:
            e.title, e.runbook = inv.title, inv.runbook
    return events, new_state


def deliver(events: list[AlertEvent], config: AlertConfig, context: str) -> list[str]:
    """Send to every configured channel; raises DeliveryError naming the first that failed
    (after trying the others, so one dead channel does not silence the rest)."""
    errors = []
    sent = []
    senders = {
        "slack": lambda: post_json("slack", config.slack_webhook_url, fmt.slack_payload(events, context), config.retry),
        "webhook": lambda: post_json("webhook", config.webhook_url, fmt.webhook_payload(events, context), config.retry),
        "email": lambda: send_email(config.smtp, fmt.email_message(events, context, config.email_from,
                                                                   list(config.email_to)), config.retry),
    }
    for name in config.channels:
        try:
            senders[name]()
            sent.append(name)
        except DeliveryError as exc:  # collected, then raised below: never swallowed
            errors.append(exc)
    if errors:
        raise DeliveryError("; ".join(str(e) for e in errors)
                            + (f" (delivered to: {', '.join(sent)})" if sent else ""))
    return sent


def alert_cycle(results: list[ContractResult], settings: DbtSettings, config: AlertConfig,
                catalog: dict[str, Invariant], now: datetime, dry_run: bool = False
                ) -> tuple[list[AlertEvent], list[str]]:
    """Plan, deliver, then (only if every channel took it) save the new state."""
    events, new_state = plan(results, settings, config, catalog, now)
    if not events or dry_run:
        return events, []
    sent = deliver(events, config, f"target {settings.target}, {now:%Y-%m-%d %H:%M} UTC")
    new_state.save(config.state_path)
    return events, sent


__all__ = ["alert_cycle", "deliver", "failures_by_partition", "plan"]
