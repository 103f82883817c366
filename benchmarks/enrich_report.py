"""The enrichment benchmark's figures: one run's record, and the tables printed about it.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TARGET_RATIO, TARGET_WARM = 1.5, 5.0


@dataclass
class RunResult:
    """One enrichment run: its time, what reached the servers, what the client counted."""

    name: str
    wall: float
    server: dict[str, Any]
    statuses: dict[str, dict[str, Any]]
    signals: dict[str, list[tuple[str, str, str]]] = field(repr=False)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # from the run's start
    cache_bytes: int = 0
    cpu: float = 0.0  # seconds of CPU this process used during the run (all threads)
    repositories: dict[str, str] = field(default_factory=dict, repr=False)
    epoch: float = 0.0  # time.time() when the run started

    @property
    def wire(self) -> int:
        return sum(self.server["hosts"].values())

    @property
    def calls(self) -> int:
        return sum(s["requests"] for s in self.statuses.values())

    @property
    def from_cache(self) -> int:
        return sum(s["from_cache"] for s in self.statuses.values())


def first_values(recorded: dict[str, list[tuple[str, str, str]]]) -> dict[str, dict[str, Any]]:
    """What a report shows: the first value of each signal name (``Enrichment.get``)."""
    shown: dict[str, dict[str, Any]] = {}
    for key, signals in recorded.items():
        for name, value, source in signals:
            shown.setdefault(key, {}).setdefault(name, (value, source))
    return shown


def floors(run: RunResult, latency: float, per_host: int) -> dict[str, float]:
    """requests x latency / per_host for each host that was asked."""
    return {host: n * latency / per_host for host, n in sorted(run.server["hosts"].items())}


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> list[str]:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        text = "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append("  " + text.rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def span(run: RunResult, name: str) -> str:
    if name not in run.spans:
        return "-"
    start, end = run.spans[name]
    return f"{start:5.1f} - {end:5.1f}"


def provider_table(run: RunResult, packages: int) -> list[str]:
    """Requests, cache hits and activity of each provider in one run."""
    rows = []
    for name, status in sorted(run.statuses.items()):
        wire = run.server["providers"].get(name, 0)
        calls, cached = status["requests"], status["from_cache"]
        rows.append(
            [
                name,
                status["state"],
                wire,
                f"{wire / packages:.2f}",
                calls,
                cached,
                f"{cached / calls:.1%}" if calls else "-",
                span(run, name),
            ]
        )
    rate = f"{run.from_cache / run.calls:.1%}" if run.calls else "-"
    rows.append(
        [
            "total",
            "",
            run.wire,
            f"{run.wire / packages:.2f}",
            run.calls,
            run.from_cache,
            rate,
            f"wall {run.wall:.1f}",
        ]
    )
    cpu = (
        f"{run.name} run: wall {run.wall:.1f} s; CPU time of the benchmark process "
        f"{run.cpu:.1f} s, of the fake servers {run.server.get('cpu', 0.0):.1f} s"
    )
    header = ["provider", "state", "wire", "wire/pkg", "calls", "cached", "hit rate", "active (s)"]
    return [f"{run.name.capitalize()} run", "", *table(rows, header), "", f"  {cpu}", ""]


def floor_section(cold: RunResult, latency: float, per_host: int) -> tuple[list[str], float]:
    """The per-host floors of the cold run; returns (lines, floor)."""
    host_floor = floors(cold, latency, per_host)
    rows = []
    for host, sec in host_floor.items():
        timing = cold.server.get("timing", {}).get(host)
        active = timing["last"] - timing["first"] if timing else 0.0
        rows.append(
            [
                host,
                cold.server["hosts"][host],
                f"{sec:.1f} s",
                f"{active:.1f} s",
                f"{timing['busy'] / active:.1f}" if timing and active else "-",
                f"{timing['work'] * 1000 / cold.server['hosts'][host]:.1f} ms" if timing else "-",
            ]
        )
    floor = max(host_floor.values(), default=0.0)
    lines = [
        f"Floor of the cold run, per host = wire requests x {latency:g} s / {per_host} in flight",
        "",
        *table(rows, ["host", "wire", "floor", "active", "in flight", "fake's work/request"]),
        "",
        "  active: first request to last answer; in flight: mean requests being answered",
        f"  while active (the ideal is {per_host}); fake's work: time the fake server spent per",
        "  request besides the latency sleep (should stay well below the latency).",
        "",
        "  Providers run in parallel and each host allows per_host requests in flight, each",
        "  taking at least `latency`: no schedule ends before the busiest host has served all",
        "  its requests, so  floor = max over hosts (requests to host x latency / per_host).",
        "",
    ]
    return lines, floor


def endpoint_table(run: RunResult) -> list[str]:
    """When each endpoint was asked during the run, and how busy the fake kept it."""
    rows = []
    timing = run.server.get("timing", {})
    for label, count in sorted(run.server["endpoints"].items()):
        spent = timing.get(label)
        if not spent:
            continue
        active = spent["last"] - spent["first"]
        rows.append(
            [
                label,
                count,
                f"{spent['first'] - run.epoch:5.1f} - {spent['last'] - run.epoch:5.1f}",
                f"{spent['busy'] / active:.1f}" if active > 0 else "-",
            ]
        )
    header = ["endpoint", "wire", "asked (s)", "in flight"]
    return [f"Endpoints of the {run.name} run", "", *table(rows, header), ""]


def report(
    args: argparse.Namespace,
    graph_packages: Counter[str],
    repositories: int,
    cold: RunResult | None,
    warm: RunResult | None,
) -> str:
    github = "GraphQL batches + REST contributors (fake token)" if args.github_token else "REST"
    mix = ", ".join(f"{n} {eco}" for eco, n in sorted(graph_packages.items()))
    lines = [
        "",
        "fundscout enrichment benchmark",
        "",
        f"  packages   {sum(graph_packages.values())} unique ({mix}); "
        f"{repositories} source repositories referenced",
        f"  fake API   latency {args.latency * 1000:.0f} ms/request, error rate "
        f"{args.error_rate:g}, rate limit {args.rate_limit or 'off'}, seed {args.seed}",
        f"  client     HttpSettings.per_host = {args.per_host}; GitHub via {github}",
        "",
        "  wire: requests that reached the fake servers (retries included); calls: requests",
        "  providers made through the cache (Client counters); cached: calls answered by the",
        "  cache; hit rate = cached / calls; active: seconds after the run's start when the",
        "  provider's fetch began and ended.",
        "",
    ]
    for run in (cold, warm):
        if run is not None:
            lines += provider_table(run, args.packages)
    summary: list[list[str]] = []
    if cold:
        lines += endpoint_table(cold)
        section, floor = floor_section(cold, args.latency, args.per_host)
        lines += section
        ratio = cold.wall / floor if floor else float("nan")
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        summary += [
            ["cold wall time", f"{cold.wall:.1f} s", ""],
            ["floor (busiest host)", f"{floor:.1f} s", ""],
            ["cold / floor", f"{ratio:.2f}", f"target <= {TARGET_RATIO}: {verdict}"],
            ["requests per package", f"{cold.wire / args.packages:.2f}", "on the wire, cold"],
        ]
    if warm:
        verdict = "met" if warm.wall < TARGET_WARM else "MISSED"
        served = "yes" if warm.wire == 0 else f"NO, {warm.wire} requests reached the servers"
        summary += [
            ["warm wall time", f"{warm.wall:.1f} s", f"target < {TARGET_WARM:g} s: {verdict}"],
            [
                "warm cache hit rate",
                f"{warm.from_cache / max(1, warm.calls):.1%}",
                f"answered by the cache alone: {served}",
            ],
        ]
    if cold and warm:
        summary += consistency(cold, warm)
    last = warm or cold
    if last:
        summary.append(["cache database size", f"{last.cache_bytes / 2**20:.1f} MiB", ""])
    lines += table(summary, ["figure", "value", "note"])
    if warm and warm.wire:
        endpoints = json.dumps(warm.server["endpoints"], sort_keys=True)
        lines += ["", f"  warm requests that reached the servers: {endpoints}"]
    for run in (cold, warm):
        for name, status in run.statuses.items() if run else ():
            for note in status["notes"][:3]:
                lines.append(f"  note ({run.name if run else ''}, {name}): {note[:150]}")
    return "\n".join(lines)


def moved(cold: RunResult, warm: RunResult) -> int:
    keys = cold.repositories.keys() | warm.repositories.keys()
    return sum(1 for k in keys if cold.repositories.get(k) != warm.repositories.get(k))


def consistency(cold: RunResult, warm: RunResult) -> list[list[str]]:
    """Whether the warm run learned the same, and whether reports would show the same."""
    same = {k: sorted(v) for k, v in cold.signals.items()} == {
        k: sorted(v) for k, v in warm.signals.items()
    }
    shown_cold, shown_warm = first_values(cold.signals), first_values(warm.signals)
    pairs = [
        (shown_cold.get(key, {}).get(name), shown_warm.get(key, {}).get(name))
        for key in shown_cold.keys() | shown_warm.keys()
        for name in shown_cold.get(key, {}).keys() | shown_warm.get(key, {}).keys()
    ]
    differ = [(c, w) for c, w in pairs if c != w]
    in_value = sum(1 for c, w in differ if c is None or w is None or c[0] != w[0])
    return [
        ["warm signals = cold signals (as sets)", "yes" if same else "NO", ""],
        [
            "repository per package",
            "same" if cold.repositories == warm.repositories else "NO",
            "" if cold.repositories == warm.repositories else f"{moved(cold, warm)} differ",
        ],
        [
            "first value per signal (what reports show)",
            f"{len(differ)} of {len(pairs)} differ" if differ else "same",
            f"source differs; value too in {in_value}" if differ else "",
        ],
    ]
