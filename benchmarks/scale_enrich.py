"""The enrichment stage of the organization-scale benchmark, answered from a warm cache.

``fill`` prepares a cache once per synthetic organization: it collects the organization, starts
the fake APIs (:mod:`benchmarks.fake`) serving a world made of the organization's own PyPI and
npm packages and the versions it uses, and runs every provider online (no latency) into a cache
directory. ``enricher`` then gives the benchmark's measured process an enrichment stage that
reads that cache offline, as ``fundscout audit --offline`` does on a warm cache: the fakes are
no longer running, so an answer missing from the cache stays unknown instead of being fetched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from analyzer.enrich import Client, Endpoints, Enrichment, enrich, subjects
from analyzer.graph import DependencyGraph
from analyzer.http import HttpSettings, make_session
from benchmarks.enrich_bench import providers
from benchmarks.fake import endpoint_urls

SERVED = ("pypi", "npm")  # the ecosystems the fake world has documents for


def _served(graph: DependencyGraph) -> list[tuple[str, str, list[str]]]:
    return [(s.ecosystem, s.name, list(s.versions)) for s in subjects(graph)
            if s.ecosystem in SERVED]  # fmt: skip


def fill(org: Path, cache: Path, port: int) -> dict[str, float]:
    """Collect ``org`` and enrich it online against the fakes into ``cache``; its figures."""
    from analyzer import pipeline
    from analyzer.config import Config

    graph = pipeline.build_graph(pipeline.collect([org], Config(enrich=False)))
    cache.mkdir(parents=True, exist_ok=True)
    named = cache / "world.json"
    named.write_text(json.dumps(_served(graph)), encoding="utf-8")
    command = [sys.executable, "-m", "benchmarks.fake", f"--named={named}", "--latency=0",
               f"--port={port}"]  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    fake = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None
        line = fake.stdout.readline()
        if not line:
            raise SystemExit("the fake API server did not start")
        urls = json.loads(line)["urls"]
        (cache / "endpoints.json").write_text(json.dumps(endpoint_urls(urls)), encoding="utf-8")
        started = time.perf_counter()
        settings = HttpSettings(cache_dir=cache)
        session = make_session(settings)
        enrichment = enrich(graph, Client(session, Endpoints(**endpoint_urls(urls)), settings),
                            providers(token=False))  # fmt: skip
        session.close()
    finally:
        fake.terminate()
        fake.wait(timeout=60)
    calls = sum(s.requests for s in enrichment.sources.values())
    return {"wall": time.perf_counter() - started, "calls": calls,
            "packages": len(graph.packages())}  # fmt: skip


def enricher(cache: Path) -> Callable[[DependencyGraph], Enrichment]:
    """Enrichment of a graph from ``cache`` alone (offline), with the fill run's endpoints."""
    urls = json.loads((cache / "endpoints.json").read_text(encoding="utf-8"))

    def run(graph: DependencyGraph) -> Enrichment:
        settings = HttpSettings(cache_dir=cache, offline=True)
        session = make_session(settings)
        try:
            return enrich(graph, Client(session, Endpoints(**urls), settings),
                          providers(token=False))  # fmt: skip
        finally:
            session.close()

    return run


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.scale_enrich ORG CACHE PORT``: fill the cache, print figures."""
    org, cache, port = (argv or sys.argv[1:])[:3]
    print(json.dumps(fill(Path(org), Path(cache), int(port))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
