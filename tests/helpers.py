"""Builders for records in tests, so expectations stay short and explicit."""

from __future__ import annotations

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
