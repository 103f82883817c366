"""pipenv's ``Pipfile.lock``: the locked packages of ``default``, ``develop`` and other categories.

The lockfile records neither which packages the Pipfile asked for nor who depends on whom, so
every record is ``direct=False`` and there are no edges; the pipeline merges it with the
Pipfile beside it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.json_keys import json_key_offsets
from analyzer.manifests.pep508 import Where
from analyzer.manifests.pipfile import Collector, Local, category_scope, entry_dependency
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, ManifestFile, ParsedManifest

# pipenv has written spec 6 since 2017; the older ones differ only in what _meta holds.
_KNOWN_SPECS = frozenset(range(1, 7))


def load_json(text: str) -> Any:
    """Parse JSON, turning its errors into a ManifestError with the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ManifestError("invalid JSON: nested too deeply") from None


class PipfileLockParser(ManifestParser):
    """One record per locked package and category, with the exact version pipenv pinned."""

    name = "pipfile-lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "Pipfile.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        data = load_json(text)
        if not isinstance(data, dict):
            raise ManifestError("Pipfile.lock must be a JSON object", 1)
        collector = Collector(file, TextIndex(text))
        # Offsets by key path: a search for '"six":' could hit a nested key of that name.
        offsets = json_key_offsets(text, max_depth=2)

        def line(*path: str) -> int | None:
            # json keeps the last of repeated keys, so the last offset is the one read.
            return collector.index.line_of(offsets.get(path, [-1])[-1])

        _check_meta(collector, data.get("_meta"), line("_meta", "pipfile-spec"))
        for category, entries in data.items():
            if category == "_meta":
                continue
            if not isinstance(entries, dict):
                collector.problem(line(category), f"{category!r} must be a JSON object")
                continue
            scope = category_scope(category)
            for name, entry in entries.items():
                where = Where(file.repo, file.path, line(category, name), scope, direct=False)
                _read_entry(collector, name, entry, where)
        return collector.result(lockfile=True)


def _check_meta(collector: Collector, meta: Any, line: int | None) -> None:
    spec = meta.get("pipfile-spec") if isinstance(meta, dict) else None
    if spec is None:
        collector.problem(None, "no _meta.pipfile-spec; read as spec 6")
    elif isinstance(spec, bool) or spec not in _KNOWN_SPECS:
        collector.problem(line, f"unknown Pipfile.lock spec version {spec!r}; read as spec 6")


def _read_entry(collector: Collector, name: str, entry: Any, where: Where) -> None:
    try:
        found = _locked(name, entry, where)
    except ManifestError as exc:
        collector.problem(exc.line, exc.message)
        return
    if isinstance(found, Dependency) and found.source == "registry" and not found.version:
        collector.problem(where.line, f"{name}: no locked version")
    collector.add(found)


def _locked(name: str, entry: Any, where: Where) -> Dependency | Local:
    """The record of one locked package: its pinned version and no declared spec."""
    if not isinstance(entry, dict):
        raise ManifestError(f"{name}: expected a JSON object", where.line)
    version = entry.get("version")
    if version is not None and not (isinstance(version, str) and version.startswith("==")):
        raise ManifestError(f"{name}: unexpected locked version {version!r}", where.line)
    rest = {key: value for key, value in entry.items() if key != "version"}
    found = entry_dependency(name, rest, where)
    if not isinstance(found, Dependency):
        return found
    if found.source == "registry":
        pinned = version.lstrip("=").strip() if version else None
        return dataclasses.replace(found, spec=None, version=pinned)
    return found  # a VCS or URL entry: the spec says which commit or file was locked
