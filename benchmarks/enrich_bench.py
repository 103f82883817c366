"""Enrichment benchmark: a cold and a warm ``analyzer.enrich.enrich`` against the fake APIs.

Builds a dependency graph of N unique packages (PyPI and npm, with the versions an organization's
repositories use), starts :mod:`benchmarks.fake` in a subprocess (one port per real host, a
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
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import requests

from analyzer.docstore import FILENAME, RUNS
from analyzer.enrich import Client, Endpoints, Enrichment, enrich, select_providers
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Finding, Provider, Subject
from analyzer.enrich.runner import Streaming
from analyzer.graph import DependencyGraph
from analyzer.http import HttpSettings, make_session
from analyzer.model import Dependency, Ecosystem, Scope
from benchmarks.enrich_report import RunResult, report
from benchmarks.fake import FakeApi, World, endpoint_urls

FAKE_TOKEN = "ghp_FAKEbenchmarkTOKEN0000000000000000000"  # noqa: S105  (the fake accepts any)
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


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

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        started = time.perf_counter()
        try:
            yield from self.inner.fetch(items, client)
        finally:
            self.spans[self.name] = (started, time.perf_counter())


class TimedStreaming(Timed):
    """The same for a provider the runner streams repositories to."""

    def fetch_stream(self, items: Iterable[Subject], client: Client) -> Iterator[Finding]:
        assert isinstance(self.inner, Streaming)
        started = time.perf_counter()
        try:
            yield from self.inner.fetch_stream(items, client)
        finally:
            self.spans[self.name] = (started, time.perf_counter())


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
            from benchmarks.fake import parse_args

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
        command = [sys.executable, "-m", "benchmarks.fake", *options]
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


def forget_runs(cache: Path) -> None:
    """Drop remembered enrichment runs (analyzer.enrich.memo) from a cache's answer store, so
    that the next run reads every cached answer again."""
    with sqlite3.connect(cache / FILENAME) as db:
        db.execute(RUNS)
        db.execute("DELETE FROM runs")


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
    timed = [(TimedStreaming if isinstance(p, Streaming) else Timed)(p, spans) for p in chosen]
    print(f"  {name} run ...", end="", flush=True, file=sys.stderr)
    started, cpu, epoch = time.perf_counter(), time.process_time(), time.time()
    enrichment = enrich(graph, client, timed)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f" {wall:.1f} s", file=sys.stderr)
    session.close()
    statuses = {n: {**s.to_record(), "notes": list(s.notes)} for n, s in enrichment.sources.items()}
    cache = settings.resolved_cache_dir()
    size = sum(f.stat().st_size for f in cache.iterdir() if f.is_file())
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
    parser.add_argument(
        "--forget-runs",
        action="store_true",
        help="warm: read every cached answer, not the remembered cold run",
    )
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
        if args.forget_runs:
            forget_runs(cache_dir)
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
