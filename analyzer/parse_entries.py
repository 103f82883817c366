"""One repository's parse results as a JSON entry of the parse cache, and back.

An entry holds the digests of the files read (``reads``), a table of the repository and file
names its records use, and per manifest file (in the repository's file order) its records,
problems, published purls, edges, whether it is a lockfile, and its lock. ``decode`` checks
every value's type as it rebuilds the records, since the store is a file anyone with access
to the cache folder could have changed: what does not fit raises ``ValueError``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from itertools import chain, product
from typing import Any

import orjson

from analyzer.gc_pause import paused_gc
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.resolve.interface import Lock

VERSION = 1
Found = tuple[ParsedManifest, Lock | None]

_FIELDS = operator.attrgetter(
    "ecosystem", "name", "spec", "version", "scope", "direct", "repo", "file", "line",
    "namespace", "source", "extras",
)  # fmt: skip
_TEXT, _MAYBE_TEXT, _MAYBE_INT = (str,), (str, type(None)), (int, type(None))
# Types a record's values may have, in field order (repo and file: indices into the names).
_FIELD_TYPES = (
    _TEXT, _TEXT, _MAYBE_TEXT, _MAYBE_TEXT, _TEXT, (bool,), (int,), (int,), _MAYBE_INT,
    _MAYBE_TEXT, _TEXT, (list,),
)  # fmt: skip
_RECORD_TYPES = set(product(*_FIELD_TYPES))
_ECOSYSTEMS = {e.value: e for e in Ecosystem}
_SCOPES = {s.value: s for s in Scope}


def encode(reads: Mapping[str, str], found: Sequence[Found]) -> bytes:
    names: dict[str, int] = {}

    def name(text: str) -> int:
        return names.setdefault(text, len(names))

    items = []
    with paused_gc():
        for parsed, lock in found:
            records = [
                [eco, nm, spec, ver, scope, direct, name(repo), name(file), line, ns, src, extras]
                for eco, nm, spec, ver, scope, direct, repo, file, line, ns, src, extras
                in map(_FIELDS, parsed.dependencies)
            ]  # fmt: skip
            problems = [
                [name(p.file), p.line, p.message, None if p.repo is None else name(p.repo)]
                for p in parsed.problems
            ]
            locked = None if lock is None else [lock.repo, lock.directory, sorted(lock.packages)]
            items.append(
                [records, problems, parsed.publishes, parsed.edges, parsed.lockfile, locked]
            )
        entry = {"version": VERSION, "reads": reads, "names": list(names), "found": items}
        return orjson.dumps(entry)


def decode(body: bytes, files: Sequence[ManifestFile]) -> tuple[dict[str, str], list[Found]]:
    """The reads and the results of ``files``; ``ValueError`` (or ``TypeError``, ``KeyError``,
    ``IndexError``) when the entry is not one ``encode`` wrote for as many files."""
    with paused_gc():
        entry = orjson.loads(body)
        if not isinstance(entry, dict) or entry.get("version") != VERSION:
            raise ValueError("not an entry of this version")
        reads, names, items = entry["reads"], entry["names"], entry["found"]
        if not isinstance(reads, dict) or not all(type(v) is str for v in reads.values()):
            raise ValueError("reads")
        if not isinstance(names, list) or not all(type(n) is str for n in names):
            raise ValueError("names")
        if not isinstance(items, list) or len(items) != len(files):
            raise ValueError("not as many results as files")
        return reads, [_found(item, file, names) for item, file in zip(items, files, strict=True)]


def _found(item: Any, file: ManifestFile, names: list[str]) -> Found:
    records, problems, publishes, edges, lockfile, locked = item
    if type(lockfile) is not bool:
        raise ValueError("lockfile")
    parsed = ParsedManifest(
        file, _records(records, names), tuple(_problem(p, names) for p in problems),
        _texts(publishes), _pairs(edges), lockfile,
    )  # fmt: skip
    if locked is None:
        return parsed, None
    repo, directory, packages = locked
    if type(repo) is not str or type(directory) is not str:
        raise ValueError("lock")
    return parsed, Lock(repo, directory, frozenset(_texts(packages)))


def _records(records: Any, names: list[str]) -> tuple[Dependency, ...]:
    if type(records) is not list or not _RECORD_TYPES.issuperset(map(_types, records)):
        raise ValueError("record")
    ecosystems, scopes = _ECOSYSTEMS, _SCOPES
    return tuple(
        Dependency(ecosystems[eco], name, spec, version, scopes[scope], direct, names[repo],
                   names[file], line, namespace, source, _texts(extras) if extras else ())
        for eco, name, spec, version, scope, direct, repo, file, line, namespace, source, extras
        in records
    )  # fmt: skip


def _types(values: list[Any]) -> tuple[type, ...]:
    return tuple(map(type, values))


def _problem(values: list[Any], names: list[str]) -> Problem:
    file, line, message, repo = values
    if type(file) is not int or type(message) is not str or type(line) not in _MAYBE_INT:
        raise ValueError("problem")
    if repo is not None and type(repo) is not int:
        raise ValueError("problem")
    return Problem(names[file], line, message, None if repo is None else names[repo])


def _pairs(values: Any) -> tuple[tuple[str, str], ...]:
    """Edges: lists of two texts."""
    if type(values) is not list or not {list}.issuperset(map(type, values)):
        raise ValueError("edges")
    if values and ({2} != set(map(len, values)) or not {str}.issuperset(map(type, chain(*values)))):
        raise ValueError("edges")
    return tuple(map(tuple, values))


def _texts(values: Any) -> tuple[str, ...]:
    if type(values) is not list or not {str}.issuperset(map(type, values)):
        raise ValueError("texts")
    return tuple(values)
