"""Regenerate the sample report in ``reports/example/`` from recorded API answers.

    python -m scripts.sample_report            # rewrite reports/example/ (all four formats)
    python -m scripts.sample_report --out DIR  # write somewhere else (the staleness test)
    python -m scripts.sample_report --record   # refresh scripts/sample_data/ from the live
                                               # registries (at most 40 requests), then rerun

It audits ``examples/acme`` exactly as ``fundscout audit`` does, except that the PyPI and npm
providers talk to a local server answering from ``scripts/sample_data/`` (trimmed registry
documents of the packages the example uses most); every other package and source stays
unknown. The clock is fixed at the moment the data was recorded (``SOURCE_DATE_EPOCH`` and the
signals' ``fetched_at``), so the output is the same byte for byte on every machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

from analyzer import pipeline
from analyzer.config import FORMATS, Config
from analyzer.enrich import Client, Endpoints, Enrichment, enrich, select_providers
from analyzer.graph import DependencyGraph
from analyzer.http import HttpSettings, make_session
from analyzer.report import ReportFormat, write_reports

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scripts" / "sample_data"
EXAMPLE = "examples/acme"  # relative, as a user would type it: the reports show the root
OUT = ROOT / "reports" / "example"
BUDGET = Decimal(50_000)


def file_name(name: str) -> str:
    """``@radix-ui/react-dialog`` -> ``@radix-ui+react-dialog.json``."""
    return name.replace("/", "+") + ".json"


def load_documents() -> dict[str, bytes]:
    """URL path -> recorded body, read once: requests never reach the file system."""
    documents = {}
    for path in sorted((DATA / "pypi").glob("*.json")):
        documents[f"/pypi/{path.stem}/json"] = path.read_bytes()
    for path in sorted((DATA / "npm").glob("*.json")):
        documents[f"/npm/{path.stem.replace('+', '/')}"] = path.read_bytes()
    return documents


class RecordedHandler(BaseHTTPRequestHandler):
    """Answers GETs from the recorded documents; everything else is "not found"."""

    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(unquote(self.path.split("?", 1)[0]))
        status = 200 if body is not None else 404
        body = body if body is not None else b'{"message": "not recorded"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the script prints what it wrote


@contextmanager
def recorded_server() -> Iterator[str]:
    """A local server on a free loopback port, for the duration of the block."""
    handler = type("Handler", (RecordedHandler,), {"documents": load_documents()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def recorded_at() -> int:
    meta = json.loads((DATA / "recorded.json").read_text(encoding="utf-8"))
    return int(meta["source_date_epoch"])


def config_with_budget() -> Config:
    """The default configuration, with a budget when this version can split one."""
    config = Config(formats=FORMATS)
    budget = getattr(config, "budget", None)
    if budget is not None and "amount" in {f.name for f in fields(budget)}:
        config = replace(config, budget=replace(budget, amount=BUDGET))
    return config


def audit(base: str, when: str) -> pipeline.AuditResult:
    endpoints = replace(Endpoints(), **{f.name: f"{base}/none" for f in fields(Endpoints)})
    endpoints = replace(endpoints, pypi=base, npm=f"{base}/npm")
    settings = HttpSettings(use_cache=False, retries=0, per_host=4)

    def enricher(graph: DependencyGraph, progress: pipeline.Progress | None) -> Enrichment:
        client = Client(make_session(settings), endpoints, settings)
        client.fetched_at = when  # the recording's moment, not now: release ages stay put
        return enrich(graph, client, select_providers(["pypi", "npm"]), progress)

    return pipeline.audit([Path(EXAMPLE)], config_with_budget(), enricher=enricher)


def generate(out: Path) -> list[Path]:
    """Write every format into ``out``; the working directory is the repository root."""
    epoch = recorded_at()
    when = datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
    previous_dir, previous_epoch = Path.cwd(), os.environ.get("SOURCE_DATE_EPOCH")
    os.chdir(ROOT)
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        with recorded_server() as base:
            result = audit(base, when)
        return write_reports(result, out, tuple(ReportFormat))
    finally:
        os.chdir(previous_dir)
        if previous_epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous_epoch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.sample_report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (reports/example)")
    parser.add_argument("--record", action="store_true", help="refresh the recorded data first")
    args = parser.parse_args(argv)
    if args.record:
        from scripts.record_sample_data import record

        record(DATA)
    for path in generate(args.out.resolve()):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
