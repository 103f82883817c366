"""pnpm's ``pnpm-lock.yaml``: lockfile versions 5.x, 6.x and 9.x.

Each project of the repository is an importer (before 9 a lone project's sections sit at the
top level); what it lists is direct, in the scope of its section, and ``link:`` entries are
the repository's own packages. Locked packages are keyed ``/name/1.2.3_peer@1`` (5),
``/name@1.2.3(peer@1)`` (6) or ``name@1.2.3`` with the per-peer copies under ``snapshots``
(9); peer suffixes do not change the version. Versions 5 and 6 mark packages only used in
development ``dev: true``; for 9 the scope is found by walking from the importers.

pnpm 11 and later may put an "env" document first (pnpm itself and config dependencies, read
as development tools) and the project's graph in the last document; every document is read.
The YAML is read by ``yaml_events`` (an event stream, aliases bounded as in the conda parser);
``pnpm_keys`` tells what a package key and its resolution say.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import SCOPE_ORDER, best_scope, is_inside, own_source_tree
from analyzer.manifests.npm_common import NpmLockBuilder, clean_url, declared_spec, text_or_none
from analyzer.manifests.pnpm_keys import package_origin, split_key
from analyzer.manifests.text import decode_text
from analyzer.manifests.yaml_events import load_yaml_documents
from analyzer.model import ManifestFile, ParsedManifest, Scope

_MAX_BYTES = 32 * 1024 * 1024
_KNOWN_MAJORS = {5, 6, 9}
_SECTIONS = (
    ("dependencies", Scope.RUNTIME),
    ("optionalDependencies", Scope.OPTIONAL),
    ("devDependencies", Scope.DEV),
    ("configDependencies", Scope.DEV),  # env document: pnpm's own configuration packages
    ("packageManagerDependencies", Scope.DEV),  # env document: pnpm itself
)
Direct = tuple[str, Scope, str | None]  # (node key, scope of the section, declared range)


class PnpmLockParser(ManifestParser):
    """``pnpm-lock.yaml``: one record per package and version, with its dependency edges."""

    name = "pnpm-lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "pnpm-lock.yaml"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data = file.read()
        if len(data) > _MAX_BYTES:
            raise ManifestError(f"larger than {_MAX_BYTES // (1024 * 1024)} MiB; not read")
        builder = NpmLockBuilder(file)
        for document, lines in load_yaml_documents(decode_text(data), _wants_line):
            if not isinstance(document, dict):
                raise ManifestError("pnpm-lock.yaml must be a YAML mapping", lines.get(()))
            _Reader(builder, document, lines).read()
        return builder.result()


def _wants_line(path: tuple[str, ...]) -> bool:
    """Lines are needed for the packages and snapshots, and for what importers list."""
    return len(path) < 2 or (path[0] == "importers" and len(path) < 4)


def _propagate(direct: list[Direct], children: dict[str, list[str]]) -> dict[str, Scope]:
    """Each node reachable from an importer gets the best scope among the paths reaching it."""
    reached: dict[str, Scope] = {}
    for scope in SCOPE_ORDER:
        wanted = (node for node, declared, _ in direct if declared is scope)
        queue = deque(node for node in dict.fromkeys(wanted) if node not in reached)
        reached.update(dict.fromkeys(queue, scope))
        while queue:
            for child in children.get(queue.popleft(), ()):
                if child not in reached:
                    reached[child] = scope
                    queue.append(child)
    return reached


class _Reader:
    """Walks the importers, the packages and (version 9) the snapshots of one document."""

    def __init__(
        self, builder: NpmLockBuilder, document: dict[str, Any], lines: dict[tuple[str, ...], int]
    ):
        self.builder = builder
        self.file = builder.file
        self.document = document
        self.lines = lines
        self.packages = self.table("packages")
        self.by_snapshot = isinstance(document.get("snapshots"), dict)
        # The nodes of the graph: one per package and set of peers it was installed with.
        self.nodes = self.table("snapshots") if self.by_snapshot else self.packages

    def problem(self, path: tuple[str, ...], message: str) -> None:
        self.builder.problem(self.lines.get(path), message)

    def table(self, key: str) -> dict[str, Any]:
        value = self.document.get(key)
        if isinstance(value, dict):
            return value
        if value is not None:
            self.problem((key,), f"{key} must be a mapping")
        return {}

    def read(self) -> None:
        self.check_version()
        direct = list(self.importers())
        children = {node: list(self.children(entry)) for node, entry in self.nodes.items()}
        reached = _propagate(direct, children)
        package_of = {
            node: node.split("(", 1)[0] if self.by_snapshot else node for node in self.nodes
        }
        scopes: defaultdict[str, list[Scope]] = defaultdict(list)
        for node, entry in self.nodes.items():
            scopes[package_of[node]].append(_node_scope(entry, reached.get(node)))
        specs: dict[str, str | None] = {}
        for node, _, spec in direct:
            if specs.get(package_of[node]) is None:
                specs[package_of[node]] = spec
        identity: dict[str, str | None] = {}
        where = {package: ("packages", package) for package in self.packages}
        for node, package in package_of.items():  # a snapshot without its package entry
            where.setdefault(package, ("snapshots", node))
        for package, path in where.items():
            scope = best_scope(scopes.get(package, ()))
            identity[package] = self.record(
                package, path, scope, package in specs, specs.get(package)
            )
        for node, kids in children.items():
            for kid in kids:
                self.builder.edge(identity.get(package_of[node]), identity.get(package_of[kid]))

    def check_version(self) -> None:
        value = self.document.get("lockfileVersion")
        if value is None:
            if self.document:
                self.problem((), "no lockfileVersion; read as the newest known")
            return
        major = re.match(r"\s*(\d+)", value) if isinstance(value, str) else None
        if major is None or int(major.group(1)) not in _KNOWN_MAJORS:
            self.problem(("lockfileVersion",), f"unknown lockfile version {value}")

    def importers(self) -> Iterator[Direct]:
        """The packages each project of the repository lists, with section scope and range."""
        found = self.document.get("importers")
        if found is None:  # before version 9, a lone project's sections sit at the top
            projects: dict[str, Any] = {".": self.document}
        elif isinstance(found, dict):
            projects = found
        else:
            self.problem(("importers",), "importers must be a mapping")
            projects = {}
        for project, data in projects.items():
            prefix = ("importers", project) if found is not None else ()
            if isinstance(data, dict):
                yield from self.project(project, data, prefix)
            elif data is not None:
                self.problem(prefix, f"importer {project!r} must be a mapping")

    def project(
        self, project: str, data: dict[str, Any], prefix: tuple[str, ...]
    ) -> Iterator[Direct]:
        found = data.get("specifiers")  # before 6, the ranges are listed on their own
        specifiers: dict[str, Any] = found if isinstance(found, dict) else {}
        for section, scope in _SECTIONS:
            table = data.get(section)
            for alias, value in table.items() if isinstance(table, dict) else ():
                line = self.lines.get((*prefix, section, alias))
                if isinstance(value, dict):  # since 6: {specifier, version}
                    ref, spec = value.get("version"), value.get("specifier")
                else:
                    ref, spec = value, specifiers.get(alias)
                if not isinstance(ref, str):
                    self.builder.problem(line, f"{alias}: no locked version")
                elif ref.startswith("link:"):  # another project of the workspace
                    if is_inside(self.file, posixpath.join(project, ref[5:])):
                        self.builder.add_own(alias, line)
                elif (node := self.find(alias, ref)) is not None:
                    yield node, scope, declared_spec(spec)
                else:
                    missing = f"{alias} {clean_url(ref)} is not among the locked packages"
                    self.builder.problem(line, missing)

    def find(self, alias: str, ref: str) -> str | None:
        """The node a reference names: a version (5, 6, 9), ``/name/1.0.0``, ``name@1.0.0``..."""
        if ref.startswith("file:"):  # keys hold the normalized path: file:./a.tgz is file:a.tgz
            ref = f"file:{posixpath.normpath(ref[5:])}"
        for candidate in (f"/{alias}/{ref}", f"/{alias}@{ref}", f"{alias}@{ref}", ref, f"/{ref}"):
            if candidate in self.nodes:
                return candidate
        return None

    def children(self, entry: Any) -> Iterator[str]:
        for section in ("dependencies", "optionalDependencies"):
            table = entry.get(section) if isinstance(entry, dict) else None
            for alias, ref in table.items() if isinstance(table, dict) else ():
                node = self.find(alias, ref) if isinstance(ref, str) else None
                if node is not None:
                    yield node

    def record(
        self, key: str, path: tuple[str, str], scope: Scope, direct: bool, spec: str | None
    ) -> str | None:
        entry = self.packages.get(key) if path[0] == "packages" else None
        line = self.lines.get(path)
        if entry is not None and not isinstance(entry, dict):
            self.builder.problem(line, f"package {clean_url(key)!r} must be a mapping")
            return None
        entry = entry or {}
        named, versioned = split_key(key)
        name = text_or_none(entry.get("name")) or named
        version = text_or_none(entry.get("version")) or versioned
        source, origin, folder = package_origin(key, entry)
        if folder is not None and own_source_tree(self.file, folder):
            return self.builder.add_own(name, line) if name else None  # the repository's own
        if name is None or version is None:
            what = "name" if name is None else "version"
            self.builder.problem(line, f"cannot tell the {what} of package {clean_url(key)!r}")
            return None
        if source != "registry":
            spec = origin
        return self.builder.add(name, version, scope, line, direct=direct, source=source, spec=spec)


def _node_scope(entry: Any, reached: Scope | None) -> Scope:
    """``dev: true`` only in development, ``dev: false`` only in production (5, 6); otherwise
    the scope found from the importers. ``optional: true`` makes a production use optional."""
    entry = entry if isinstance(entry, dict) else {}
    if entry.get("dev") is True:
        return Scope.DEV
    scope = Scope.RUNTIME if entry.get("dev") is False else reached or Scope.RUNTIME
    return Scope.OPTIONAL if entry.get("optional") is True and scope is Scope.RUNTIME else scope
