"""Builders for records in tests, so expectations stay short and explicit."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Scope


def dep(
    name: str,
    *,
    repo: str = "repo",
    file: str = "pyproject.toml",
    line: int | None = 1,
    scope: Scope = Scope.RUNTIME,
    direct: bool = True,
    version: str | None = None,
    spec: str | None = None,
    ecosystem: Ecosystem = Ecosystem.PYPI,
    namespace: str | None = None,
) -> Dependency:
    return Dependency(
        ecosystem, name, spec, version, scope, direct, repo, file, line, namespace=namespace
    )


def manifest_file(path: str, repo: str = "repo") -> ManifestFile:
    def unreadable(p: str) -> bytes:
        raise AssertionError(f"test manifest {p} should not be read")

    return ManifestFile(repo, path, 0, unreadable)


def parsed(
    path: str,
    deps: list[Dependency],
    *,
    repo: str = "repo",
    lockfile: bool = False,
    edges: tuple[tuple[str, str], ...] = (),
    publishes: tuple[str, ...] = (),
) -> ParsedManifest:
    return ParsedManifest(
        manifest_file(path, repo), tuple(deps), (), publishes, edges, lockfile=lockfile
    )


def purl(name: str) -> str:
    return f"pkg:pypi/{name}"


def rows(result: ParsedManifest) -> list[tuple[object, ...]]:
    """(name, version, scope, direct, line, source, spec) of every record, in order."""
    return [
        (d.display_name, d.version, d.scope, d.direct, d.line, d.source, d.spec)
        for d in result.dependencies
    ]


def pypi_edges(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(purl(a), purl(b)) for a, b in pairs}


def npm(name: str) -> str:
    """The purl of an npm package name, scoped or not."""
    scope, _, short = name.rpartition("/")
    return f"pkg:npm/{scope.replace('@', '%40')}/{short}" if scope else f"pkg:npm/{name}"


def npm_edges(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(npm(a), npm(b)) for a, b in pairs}


def check_lines(parser: ManifestParser, path: str, data: bytes) -> None:
    """Parse ``data`` as ``path``: either an error or records and problems whose lines,
    when known, are 1-based. The fuzz tests' one assertion about any input."""
    file = ManifestFile("repo", path, len(data), lambda _: data, "sub")
    try:
        result = parser.parse(file)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(p.line is None or p.line >= 1 for p in result.problems)
    assert all(d.line is None or d.line >= 1 for d in result.dependencies)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail instead of hanging when work takes far too long (the main thread's SIGALRM)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


Test = TypeVar("Test", bound=Callable[..., None])


def forking(test: Test) -> Test:
    """A test of work done by a forked copy (``analyzer.forked``): on Linux only, forking even
    while the suite's HTTP server thread runs (copies only compute; Python 3.12 and later
    warn of such forks)."""
    marks = (
        pytest.mark.skipif(sys.platform != "linux", reason="fork is used on Linux only"),
        pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
        pytest.mark.usefixtures("fork_anyway"),
    )
    for mark in marks:
        test = mark(test)
    return test
