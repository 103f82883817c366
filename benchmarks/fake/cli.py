"""``python -m benchmarks.fake``: serve the world alone, for the CLI's ``--pypi-url`` and friends.

Prints one JSON line with the base URL of each host and the matching ``Endpoints`` fields, then
serves until interrupted.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from pathlib import Path

from benchmarks.fake.server import FakeApi
from benchmarks.fake.world import World


def endpoint_urls(urls: Mapping[str, str]) -> dict[str, str]:
    """fundscout ``Endpoints`` fields for the base URLs :meth:`FakeApi.start` returns."""
    return {
        "pypi": urls["pypi"],
        "npm": urls["npm"],
        "depsdev": urls["depsdev"],
        "ecosystems": urls["ecosystems"] + "/api/v1",
        "osv": urls["osv"],
        "github_api": urls["github"],
        "github_graphql": urls["github"] + "/graphql",
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the fake APIs of a synthetic world.")
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pypi-share", type=float, default=0.5)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share answered 5xx")
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per window and host")
    parser.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    parser.add_argument("--batch-page", type=int, default=200, help="deps.dev versionbatch page")
    parser.add_argument("--port", type=int, default=0, help="first of 6 ports; 0: any free")
    parser.add_argument(
        "--named", type=Path, help="JSON [[ecosystem, name, [versions]], ...] to serve instead"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    named = json.loads(args.named.read_text(encoding="utf-8")) if args.named else ()
    world = World(args.packages, args.seed, args.pypi_share, named)
    api = FakeApi(
        world,
        latency=args.latency,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        batch_page=args.batch_page,
    )
    api.prepare()
    urls = api.start(args.port)
    print(json.dumps({"urls": urls, "endpoints": endpoint_urls(urls)}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()
    return 0
