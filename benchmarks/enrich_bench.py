"""Enrichment benchmark: a cold and a warm ``analyzer.enrich.enrich`` against the fake APIs.

Builds a dependency graph of N unique packages (PyPI and npm, with the versions an organization's
repositories use), starts :mod:`benchmarks.fake_api` in a subprocess (one port per real host, a
fixed latency per request), points every ``Endpoints`` URL at it and runs every provider twice
with one cache directory: cold (empty cache) and warm (the same audit again, which must be
answered from the cache without a single request reaching the servers). Then it prints the wall
times, the requests per provider and host, the cache hit rates, and how far the cold run is from
the floor that the latency and the per-host concurrency limit allow.

    python -m benchmarks.enrich_bench --packages 2000 --latency 0.05 [--github-token]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from analyzer.enrich import Client, Endpoints, Enrichment, enrich, select_providers
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Finding, Provider, Subject
from analyzer.graph import DependencyGraph
from analyzer.http import HttpSettings, make_session
from analyzer.model import Dependency, Ecosystem, Scope
from benchmarks.fake_api import FakeApi, World, endpoint_urls

FAKE_TOKEN = "ghp_FAKEbenchmarkTOKEN0000000000000000000"  # noqa: S105  (the fake accepts any)
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
REPOSITORY_HOSTS = ("github",)  # hosts only the repository stage asks
TARGET_RATIO, TARGET_WARM = 1.5, 5.0


class Timed(Provider):
    """A provider that notes when its ``fetch`` starts and ends (seconds on ``perf_counter``)."""

    def __init__(self, inner: Provider, spans: dict[str, tuple[float, float]]) -> None:
        self.inner, self.spans = inner, spans
        # ClassVars on real providers; per instance here
        self.name = inner.name  # type: ignore[misc]
        self.kind = inner.kind  # type: ignore[misc]
        self.needs_network = inner.needs_network  # type: ignore[misc]

    def supports(self, ecosystem: str) -> bool:
        return self.inner.supports(ecosystem)

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        started = time.perf_counter()
        try:
            yield from self.inner.fetch(items, client)
        finally:
            self.spans[self.name] = (started, time.perf_counter())


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


def build_graph(world: World, seed: int, repositories: int = 60) -> DependencyGraph:
    """Each package used by one to three of the organization's repositories, every version the
    world says is in use declared by at least one of them."""
    rng = random.Random(f"graph:{seed}")  # noqa: S311  (synthetic data only)
    names = [f"service-{i:02d}" for i in range(repositories)]
    graph = DependencyGraph("bench-org")
    for package in world.packages:
        users = rng.sample(names, max(len(package.used), rng.choice((1, 1, 2, 3))))
        ecosystem = Ecosystem.PYPI if package.ecosystem == "pypi" else Ecosystem.NPM
        namespace, _, name = package.name.rpartition("/")
        for n, repo in enumerate(sorted(users)):
            version = package.used[n % len(package.used)]
            pypi = ecosystem is Ecosystem.PYPI
            graph.add_dependency(
                Dependency(
                    ecosystem=ecosystem,
                    name=name,
                    spec=f"=={version}" if pypi else f"^{version}",
                    version=version,
                    scope=Scope.RUNTIME if rng.random() < 0.7 else Scope.DEV,
                    direct=rng.random() < 0.4,
                    repo=repo,
                    file="requirements.txt" if pypi else "package-lock.json",
                    line=rng.randint(1, 400),
                    namespace=namespace or None,
                )
            )
    return graph


def providers(token: bool) -> list[Provider]:
    """Every provider; GitHub asks the fake for repositories on github.com (its API URL is
    127.0.0.1), with a fake token in ``--github-token`` mode and none otherwise."""
    for variable in (*TOKEN_VARIABLES, "ECOSYSTEMS_API_KEY"):
        os.environ.pop(variable, None)
    if token:
        os.environ["GITHUB_TOKEN"] = FAKE_TOKEN
    github = GithubProvider(TOKEN_VARIABLES, host="github.com")
    return [github if isinstance(p, GithubProvider) else p for p in select_providers()]


class Servers:
    """The fake APIs, in a subprocess (default) or in this process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.api: FakeApi | None = None
        options = [
            f"--packages={args.packages}",
            f"--seed={args.seed}",
            f"--pypi-share={args.pypi_share}",
            f"--latency={args.latency}",
            f"--error-rate={args.error_rate}",
            f"--rate-limit={args.rate_limit}",
            f"--rate-window={args.rate_window}",
            f"--batch-page={args.batch_page}",
            f"--port={args.port}",
        ]
        if args.in_process:
            from benchmarks.fake_api import parse_args

            fake = parse_args(options)
            self.api = FakeApi(
                World(fake.packages, fake.seed, fake.pypi_share),
                latency=fake.latency,
                error_rate=fake.error_rate,
                rate_limit=fake.rate_limit,
                rate_window=fake.rate_window,
                batch_page=fake.batch_page,
            )
            self.api.prepare()
            self.urls = self.api.start(fake.port)
            return
        root = Path(__file__).resolve().parent.parent
        command = [sys.executable, "-m", "benchmarks.fake_api", *options]
        self.process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the fake API server did not start")
        self.urls = json.loads(line)["urls"]

    def stats(self) -> dict[str, Any]:
        answer = requests.get(f"{self.urls['pypi']}/__fake__/stats", timeout=30)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def reset(self) -> None:
        requests.post(f"{self.urls['pypi']}/__fake__/reset", timeout=30).raise_for_status()

    def close(self) -> None:
        if self.api is not None:
            self.api.stop()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def signal_table(enrichment: Enrichment) -> dict[str, list[tuple[str, str, str]]]:
    """Every signal without its fetch time, in the order the enrichment holds them."""
    return {
        key: [(s.name, json.dumps(s.value, sort_keys=True), s.source) for s in signals]
        for key, signals in enrichment.signals.items()
    }


def first_values(table: dict[str, list[tuple[str, str, str]]]) -> dict[str, dict[str, Any]]:
    """What a report shows: the first value of each signal name (``Enrichment.get``)."""
    shown: dict[str, dict[str, Any]] = {}
    for key, signals in table.items():
        for name, value, source in signals:
            shown.setdefault(key, {}).setdefault(name, (value, source))
    return shown


def run_once(
    name: str,
    graph: DependencyGraph,
    servers: Servers,
    settings: HttpSettings,
    chosen: Sequence[Provider],
) -> RunResult:
    servers.reset()
    endpoints = Endpoints(**endpoint_urls(servers.urls))
    session = make_session(settings)
    client = Client(session, endpoints, settings)
    spans: dict[str, tuple[float, float]] = {}
    timed = [Timed(p, spans) for p in chosen]
    print(f"  {name} run ...", end="", flush=True, file=sys.stderr)
    started, cpu, epoch = time.perf_counter(), time.process_time(), time.time()
    enrichment = enrich(graph, client, timed)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f" {wall:.1f} s", file=sys.stderr)
    session.close()
    statuses = {n: {**s.to_record(), "notes": list(s.notes)} for n, s in enrichment.sources.items()}
    cache = settings.resolved_cache_dir()
    size = sum(f.stat().st_size for f in cache.glob("http-cache*") if f.is_file())
    relative = {n: (a - started, b - started) for n, (a, b) in spans.items()}
    return RunResult(
        name,
        wall,
        servers.stats(),
        statuses,
        signal_table(enrichment),
        relative,
        size,
        cpu,
        dict(enrichment.repository),
        epoch,
    )


def floors(run: RunResult, latency: float, per_host: int) -> dict[str, float]:
    """requests x latency / per_host for each host that was asked."""
    return {host: n * latency / per_host for host, n in sorted(run.server["hosts"].items())}


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> list[str]:
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


def _span(run: RunResult, name: str) -> str:
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
                _span(run, name),
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
    return [f"{run.name.capitalize()} run", "", *_table(rows, header), "", f"  {cpu}", ""]


def floor_section(cold: RunResult, latency: float, per_host: int) -> tuple[list[str], float, float]:
    """The per-host floors of the cold run; returns (lines, floor, staged floor)."""
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
    package_stage = max(
        (sec for h, sec in host_floor.items() if h not in REPOSITORY_HOSTS), default=0.0
    )
    repo_stage = max((sec for h, sec in host_floor.items() if h in REPOSITORY_HOSTS), default=0.0)
    lines = [
        f"Floor of the cold run, per host = wire requests x {latency:g} s / {per_host} in flight",
        "",
        *_table(rows, ["host", "wire", "floor", "active", "in flight", "fake's work/request"]),
        "",
        "  active: first request to last answer; in flight: mean requests being answered",
        f"  while active (the ideal is {per_host}); fake's work: time the fake server spent per",
        "  request besides the latency sleep (should stay well below the latency).",
        "",
        "  Providers run in parallel and each host allows per_host requests in flight, each",
        "  taking at least `latency`: no schedule ends before the busiest host has served all",
        "  its requests, so  floor = max over hosts (requests to host x latency / per_host).",
        "  The runner asks GitHub (repositories) only after every package provider is done;",
        "  with that barrier no schedule beats the 'staged floor' = the package stage's",
        "  busiest host + the GitHub host (informative; the target uses the floor).",
        "",
    ]
    return lines, floor, package_stage + repo_stage


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
    return [f"Endpoints of the {run.name} run", "", *_table(rows, header), ""]


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
        section, floor, staged = floor_section(cold, args.latency, args.per_host)
        lines += section
        ratio = cold.wall / floor if floor else float("nan")
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        summary += [
            ["cold wall time", f"{cold.wall:.1f} s", ""],
            ["floor (busiest host)", f"{floor:.1f} s", ""],
            ["cold / floor", f"{ratio:.2f}", f"target <= {TARGET_RATIO}: {verdict}"],
            ["staged floor", f"{staged:.1f} s", f"cold / staged floor = {cold.wall / staged:.2f}"],
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
    lines += _table(summary, ["figure", "value", "note"])
    if warm and warm.wire:
        endpoints = json.dumps(warm.server["endpoints"], sort_keys=True)
        lines += ["", f"  warm requests that reached the servers: {endpoints}"]
    for run in (cold, warm):
        for name, status in run.statuses.items() if run else ():
            for note in status["notes"][:3]:
                lines.append(f"  note ({run.name if run else ''}, {name}): {note[:150]}")
    return "\n".join(lines)


def _moved(cold: RunResult, warm: RunResult) -> int:
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
            "" if cold.repositories == warm.repositories else f"{_moved(cold, warm)} differ",
        ],
        [
            "first value per signal (what reports show)",
            f"{len(differ)} of {len(pairs)} differ" if differ else "same",
            f"source differs; value too in {in_value}" if differ else "",
        ],
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=2000, help="unique packages")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pypi-share", type=float, default=0.5, help="the rest is npm")
    parser.add_argument("--github-token", action="store_true", help="fake token: GraphQL")
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=int, default=0, help="per host and window; 0: off")
    parser.add_argument("--rate-window", type=float, default=60.0)
    parser.add_argument("--batch-page", type=int, default=200, help="deps.dev versionbatch page")
    parser.add_argument("--per-host", type=int, default=HttpSettings().per_host)
    parser.add_argument("--cache-dir", type=Path, help="kept afterwards (default: a temp dir)")
    parser.add_argument("--runs", default="cold,warm", help="cold,warm | cold | warm")
    parser.add_argument(
        "--port", type=int, default=0, help="fake servers on 6 ports from here (0: any free)"
    )
    parser.add_argument("--in-process", action="store_true", help="servers in this process")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    runs = {r.strip() for r in args.runs.split(",") if r.strip()}
    print("preparing the world and the fake servers ...", file=sys.stderr, flush=True)
    world = World(args.packages, args.seed, args.pypi_share)
    graph = build_graph(world, args.seed)
    mix = Counter(graph.ecosystem(p) for p in graph.packages())
    repositories = len({p.repo for p in world.packages if p.repo})
    chosen = providers(args.github_token)
    cache_dir = args.cache_dir or Path(tempfile.mkdtemp(prefix="fundscout-bench-"))
    if "cold" in runs and cache_dir.exists():
        shutil.rmtree(cache_dir)
    settings = HttpSettings(cache_dir=cache_dir, per_host=args.per_host)
    servers = Servers(args)
    try:
        cold = run_once("cold", graph, servers, settings, chosen) if "cold" in runs else None
        warm = run_once("warm", graph, servers, settings, chosen) if "warm" in runs else None
    finally:
        servers.close()
        if args.cache_dir is None:
            shutil.rmtree(cache_dir, ignore_errors=True)
    print(report(args, mix, repositories, cold, warm))
    if args.json:
        figures = {
            r.name: {"wall": r.wall, "server": r.server, "statuses": r.statuses}
            for r in (cold, warm)
            if r
        }
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
