"""Release-history signals shared by the registry providers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any


def release_signals(
    times: Mapping[str, tuple[datetime, bool]], used: Iterable[str], fetched_at: str
) -> dict[str, Any]:
    """first/last release dates, counts, and which versions in use were yanked.

    ``times`` maps each version to (publication time, yanked or deprecated).
    """
    live = {version: when for version, (when, gone) in times.items() if not gone}
    signals: dict[str, Any] = {}
    if live:
        now = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
        signals["first_release"] = min(live.values()).date().isoformat()
        signals["last_release"] = max(live.values()).date().isoformat()
        signals["release_count"] = len(live)
        year_ago = now - timedelta(days=365)
        signals["releases_last_year"] = sum(1 for when in live.values() if when >= year_ago)
    yanked = sorted(v for v in set(used) if v in times and times[v][1])
    if yanked:
        signals["yanked_in_use"] = yanked
    return signals
