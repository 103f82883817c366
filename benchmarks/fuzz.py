"""Long fuzzing runs: the CI fuzz tests' strategies with many more examples.

Targets are every manifest parser (arbitrary text, arbitrary bytes, line-oriented garbage,
JSON/TOML/YAML documents of the wrong shape; one input goes to all parsers) and every
enrichment provider (recorded API answers with random parts replaced, or arbitrary JSON).
A failure is shrunk by hypothesis and saved under ``tests/hostile/regressions/``, which the
test suite replays on every run: a crash found here becomes a regression fixture.

    python -m benchmarks.fuzz --examples 20000            # every target
    python -m benchmarks.fuzz --examples 5000 --only api:pypi parsers:bytes
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_faults_api_fuzz as api
from tests import test_parsers_fuzz as parsers
from tests.test_parsers_fuzz import check_all

REGRESSIONS = Path(__file__).resolve().parent.parent / "tests" / "hostile" / "regressions"


@dataclass(frozen=True)
class Target:
    """One fuzzing target: a strategy, the check each example must pass, how to save one."""

    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    save: Callable[[Any], bytes]
    suffix: str


def _document_bytes(pair: tuple[dict[str, Any], str]) -> bytes:
    document, style = pair
    if style == "json":
        return json.dumps(document, indent=2).encode()
    if style == "toml":
        return parsers.to_toml(document).encode()
    return yaml.safe_dump(document, allow_unicode=True).encode()


def targets() -> Iterator[Target]:
    as_bytes = st.text(max_size=2000).map(lambda t: t.encode("utf-8", errors="surrogatepass"))
    documents = st.tuples(parsers.top_level, st.sampled_from(["json", "toml", "yaml"]))
    raw: list[tuple[str, st.SearchStrategy[bytes]]] = [
        ("parsers:text", as_bytes),
        ("parsers:bytes", st.binary(max_size=2000)),
        ("parsers:lines", parsers.lines.map(str.encode)),
        ("parsers:documents", documents.map(_document_bytes)),
    ]
    for name, strategy in raw:
        yield Target(name, strategy, check_all, lambda data: data, ".bin")
    for label, provider, token in api.PROVIDERS:
        answers = st.lists(api.mutated(label), min_size=1, max_size=4) | st.lists(
            api.documents, min_size=1, max_size=4
        )

        def check(value: list[Any], provider: Any = provider, token: bool = token) -> None:
            with github_token(token):
                api.check(provider, value)

        def save(value: list[Any], label: str = label) -> bytes:
            return json.dumps({"provider": label, "answers": value}, indent=1).encode()

        yield Target(f"api:{label}", answers, check, save, ".json")


@contextmanager
def github_token(wanted: bool) -> Iterator[None]:
    """GITHUB_TOKEN set (GraphQL) or unset (REST) for the duration of one check."""
    names = ("GITHUB_TOKEN", "GH_TOKEN", "ECOSYSTEMS_API_KEY")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    if wanted:
        os.environ["GITHUB_TOKEN"] = "ghp_fuzz"  # noqa: S105  (a fake, for the GraphQL path)
    try:
        yield
    finally:
        os.environ.pop("GITHUB_TOKEN", None)
        os.environ.update(saved)


def run(target: Target, examples: int, seed: int | None) -> tuple[float, list[Path]]:
    """Fuzz one target; returns the time taken and where failures were saved (one file per
    distinct failure: hypothesis reports each, shrunk, as the last example to fail there)."""
    failing: dict[tuple[str, str, int | None], Any] = {}

    def recorded(value: Any) -> None:
        try:
            target.check(value)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failing[(type(exc).__name__, where.filename, where.lineno)] = value
            raise

    options = settings(max_examples=examples, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))  # fmt: skip
    test = options(given(target.strategy)(recorded))
    if seed is not None:
        test = hypothesis.seed(seed)(test)
    started = time.monotonic()
    try:
        test()
    except Exception:
        traceback.print_exc()
        return time.monotonic() - started, [save(target, value) for value in failing.values()]
    return time.monotonic() - started, []


def save(target: Target, value: Any) -> Path:
    data = target.save(value)
    name = target.name.replace(":", "-")
    path = REGRESSIONS / f"{name}-{hashlib.sha256(data).hexdigest()[:12]}{target.suffix}"
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per target")
    parser.add_argument("--seed", type=int, help="random seed, to repeat a run")
    parser.add_argument("--only", nargs="*", help="target names, e.g. parsers:bytes api:npm")
    options = parser.parse_args(argv)
    chosen = [t for t in targets() if not options.only or t.name in options.only]
    failures = 0
    print(f"{'target':<24} {'examples':>9} {'seconds':>8}  result")
    for target in chosen:
        seconds, saved = run(target, options.examples, options.seed)
        failures += bool(saved)
        result = f"FAILED, saved {', '.join(p.name for p in saved)}" if saved else "ok"
        print(f"{target.name:<24} {options.examples:>9} {seconds:>8.1f}  {result}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
