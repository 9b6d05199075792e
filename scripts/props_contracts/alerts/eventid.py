"""A stable event ID on every alert, so a receiver can drop repeats.

Alerts are sent at least once: a run killed after a channel took the message
but before the alert log was written sends the same events again next time.
The ID is derived, never random: from the incident key (invariant and
partition), the open episode (how many times that key has opened, counted in
the alert log), the event kind and its number within the episode (the 2nd
reminder of an episode is another event than the 1st). The log is only written
after delivery, so the rerun counts the same and sends the same IDs; once an
event is logged, the next event of that key gets a new number.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from props_contracts.alerts.state import ALERT_LOG, OPENS, AlertEvent
from props_contracts.warehouse import Warehouse

PREFIX = "pc1-"


def event_id(invariant_id: str, partition: str, episode: int, kind: str, seq: int) -> str:
    text = "\x1f".join((invariant_id, partition, str(episode), kind, str(seq)))
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32]


def _history(wh: Warehouse) -> dict[tuple[str, str], list[str]]:
    """The kinds logged per incident key, in the order they were sent."""
    wh.ensure(ALERT_LOG)
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in wh.query(f"select invariant_id, partition_key, kind from {wh.audit(ALERT_LOG)} "
                      "order by sent_at, event_id"):
        out[(r["invariant_id"], r["partition_key"])].append(r["kind"])
    return out


def assign(wh: Warehouse, events: list[AlertEvent], open_keys: set[tuple[str, str]]) -> None:
    """Set `event_id` on each event (in place) from the alert log as it stands."""
    history = _history(wh)
    for e in events:
        k = (e.invariant_id, e.partition)
        kinds = history.get(k, [])
        episode = sum(kind in OPENS for kind in kinds)
        if e.kind in OPENS and k not in open_keys:
            episode += 1  # this event opens a new episode
            seq = 1
        else:
            last_open = max((i for i, kind in enumerate(kinds) if kind in OPENS), default=-1)
            seq = sum(kind == e.kind for kind in kinds[last_open + 1:]) + 1 + (kinds[last_open:last_open + 1]
                                                                              == [e.kind])
        e.event_id = event_id(e.invariant_id, e.partition, episode, e.kind, seq)


__all__ = ["assign", "event_id"]
