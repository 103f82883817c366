"""Shared fixtures. The suite never touches the network: only loopback connections work."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer import forked
from analyzer.manifests import parse_manifest
from analyzer.model import ManifestFile, ParsedManifest
from analyzer.sources import LocalSource

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlockedError(ConnectionRefusedError):
    """Raised when a test tries to reach anything but loopback."""


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if host not in _LOOPBACK:
        raise NetworkBlockedError(f"tests may not reach the network (tried {address!r})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's real HTTP cache, and commands run offline unless a
    test serves the APIs itself (then it removes FUNDSCOUT_OFFLINE)."""
    monkeypatch.setenv("FUNDSCOUT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("FUNDSCOUT_OFFLINE", "1")
    # The suite runs in CI too, where CI=true would make every command print its compact
    # CI output; tests of that output set the variable themselves.
    monkeypatch.delenv("CI", raising=False)


TreeWriter = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def write_tree(tmp_path: Path) -> TreeWriter:
    """Write ``{relative path: content}`` under a fresh directory and return it."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "tree"
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        root.mkdir(exist_ok=True)
        return root

    return write


def parse_in(root: Path, path: str, repo: str = "repo") -> ParsedManifest:
    """Parse ``root/path`` as fundscout would, with ``root`` as the audited tree."""
    source = LocalSource(root, lambda _: True)
    size = (root / path).stat().st_size
    return parse_manifest(ManifestFile(repo, path, size, source.read))


@pytest.fixture
def parse_text(write_tree: TreeWriter) -> Callable[..., ParsedManifest]:
    """Parse one file given its name and content (plus optional other files)."""

    def parse(
        name: str, content: str | bytes, others: dict[str, str | bytes] | None = None
    ) -> ParsedManifest:
        files: dict[str, str | bytes] = {name: content, **(others or {})}
        return parse_in(write_tree(files), name)

    return parse


@pytest.fixture
def fork_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    """``analyzer.forked`` forks as it would where no other thread runs, whatever threads
    earlier tests left running (the HTTP server lives for the whole session)."""
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(forked, "_worth_forking", lambda: True)  # one CPU: fork all the same
