"""One repository's parse results as a JSON entry of the parse cache, and back.

An entry holds the digests of the files read (``reads``), a table of the repository and file
names its records use, the records of every manifest file one after the other (a list per
field: columns rebuild faster than rows), and per manifest file (in the repository's file
order) how many of the records are its, its problems, published purls, edges, whether it is
a lockfile, and its lock. ``decode`` checks
every value's type as it rebuilds the records, since the store is a file anyone with access
to the cache folder could have changed: what does not fit raises ``ValueError``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import fields
from itertools import chain
from typing import Any

import orjson

from analyzer.gc_pause import paused_gc
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.resolve.interface import Lock

VERSION = 2  # 2: records stored a column per field, for the whole repository
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
_COLUMN_TYPES: tuple[frozenset[type], ...] = tuple(map(frozenset, _FIELD_TYPES))
_ECOSYSTEMS = {e.value: e for e in Ecosystem}
_SCOPES = {s.value: s for s in Scope}

# A frozen dataclass's __init__ sets each field through object.__setattr__; setting its slots
# directly takes half the time (0.35 s against 0.7 s for 340,000 records). Records rebuilt
# from an entry have had every value checked, so they are made that way.
_new = object.__new__
(_ecosystem, _name, _spec, _version, _scope, _direct, _repo, _file, _line, _namespace, _source,
 _extras) = (vars(Dependency)[f.name].__set__ for f in fields(Dependency))  # fmt: skip


def _dependency(
    ecosystem: Ecosystem, name: str, spec: str | None, version: str | None, scope: Scope,
    direct: bool, repo: str, file: str, line: int | None, namespace: str | None, source: str,
    extras: tuple[str, ...],
) -> Dependency:  # fmt: skip
    """``Dependency(...)`` with every field given, in field order."""
    record: Dependency = _new(Dependency)
    _ecosystem(record, ecosystem)
    _name(record, name)
    _spec(record, spec)
    _version(record, version)
    _scope(record, scope)
    _direct(record, direct)
    _repo(record, repo)
    _file(record, file)
    _line(record, line)
    _namespace(record, namespace)
    _source(record, source)
    _extras(record, extras)
    return record


def encode(reads: Mapping[str, str], found: Sequence[Found]) -> bytes:
    names: dict[str, int] = {}

    def name(text: str) -> int:
        return names.setdefault(text, len(names))

    rows, items = [], []
    with paused_gc():
        for parsed, lock in found:
            rows += [
                [eco, nm, spec, ver, scope, direct, name(repo), name(file), line, ns, src, extras]
                for eco, nm, spec, ver, scope, direct, repo, file, line, ns, src, extras
                in map(_FIELDS, parsed.dependencies)
            ]  # fmt: skip
            problems = [
                [name(p.file), p.line, p.message, None if p.repo is None else name(p.repo)]
                for p in parsed.problems
            ]
            locked = None if lock is None else [lock.repo, lock.directory, sorted(lock.packages)]
            count = len(parsed.dependencies)
            items.append([count, problems, parsed.publishes, parsed.edges, parsed.lockfile, locked])
        columns = [list(column) for column in zip(*rows, strict=True)]
        columns = columns or [[] for _ in _FIELD_TYPES]  # zip() of no rows has no columns
        entry = {"version": VERSION, "reads": reads, "names": list(names),
                 "records": columns, "found": items}  # fmt: skip
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
        records = _records(entry["records"], names)
        found, start = [], 0
        for item, file in zip(items, files, strict=True):
            count = item[0]
            if type(count) is not int or count < 0:
                raise ValueError("count")
            found.append(_found(item, file, names, records[start : start + count]))
            start += count
        if start != len(records):
            raise ValueError("not as many records as counted")
        return reads, found


def _found(
    item: Any, file: ManifestFile, names: list[str], records: tuple[Dependency, ...]
) -> Found:
    _, problems, publishes, edges, lockfile, locked = item
    if type(lockfile) is not bool:
        raise ValueError("lockfile")
    parsed = ParsedManifest(
        file, records, tuple(_problem(p, names) for p in problems), _texts(publishes),
        _pairs(edges), lockfile,
    )  # fmt: skip
    if locked is None:
        return parsed, None
    repo, directory, packages = locked
    if type(repo) is not str or type(directory) is not str:
        raise ValueError("lock")
    return parsed, Lock(repo, directory, frozenset(_texts(packages)))


def _records(columns: Any, names: list[str]) -> tuple[Dependency, ...]:
    """The repository's records, stored a column per field: each column's types are checked,
    then its names and enum values looked up."""
    if type(columns) is not list or len(columns) != len(_FIELD_TYPES):
        raise ValueError("records")
    for column, types in zip(columns, _COLUMN_TYPES, strict=True):
        if type(column) is not list or not types.issuperset(map(type, column)):
            raise ValueError("records")
    eco, name, spec, version, scope, direct, repo, file, line, namespace, source, extras = columns
    if len(set(map(len, columns))) != 1:
        raise ValueError("records")
    if not {str}.issuperset(map(type, chain.from_iterable(extras))):
        raise ValueError("records")
    at = names.__getitem__
    return tuple(
        map(_dependency, map(_ECOSYSTEMS.__getitem__, eco), name, spec, version,
            map(_SCOPES.__getitem__, scope), direct, map(at, repo), map(at, file), line,
            namespace, source, map(tuple, extras))
    )  # fmt: skip


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
