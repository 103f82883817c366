"""Remembered parse results: the same as parsing, and never used once a file read has changed."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analyzer import manifests, parse_cache, parse_pool
from analyzer.cli import app
from analyzer.errors import SourceError
from analyzer.manifests import is_manifest
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Scope
from analyzer.parse_cache import ParseCache, ReadLog
from analyzer.parse_entries import Found, decode, encode
from analyzer.parse_pool import Parsed, parse_files
from analyzer.sources import LocalSource, tree_reader
from analyzer.sources.tree_reader import TreeReader
from benchmarks.synth.__main__ import generate

FIXTURES = Path(__file__).parent / "fixtures"


def _files(root: Path) -> list[ManifestFile]:
    return LocalSource(root, is_manifest).scan().manifests


def _records(parsed: Parsed) -> list[object]:
    """Everything of a result, also what equality leaves out (extras)."""
    merged, locks = parsed
    return [
        [(r, [d.extras for d in r.dependencies]) for r in merged],
        [(lock.repo, lock.directory, sorted(lock.packages)) for lock in locks],
    ]


@pytest.fixture
def parsed_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths of the files parsed (not taken from the store) in this process."""
    seen: list[str] = []
    parse = manifests.parse_manifest

    def spy(file: ManifestFile) -> Any:
        seen.append(file.path)
        return parse(file)

    monkeypatch.setattr(parse_pool, "parse_manifest", spy)
    return seen


def _audit(root: Path, store: Path, **options: Any) -> Parsed:
    cache = ParseCache.open(store)
    assert cache is not None
    try:
        return parse_files(_files(root), cache=cache, **options)
    finally:
        cache.close()


def _tree(root: Path) -> Path:
    (root / "api").mkdir(parents=True)
    (root / "api" / "requirements.txt").write_text("-r base.txt\nflask==3.0.0\n")
    (root / "api" / "base.txt").write_text("requests==2.31.0\n")  # read through the include
    (root / "web").mkdir()
    (root / "web" / "package.json").write_text('{"dependencies": {"left-pad": "^1.3.0"}}')
    return root


def test_a_second_audit_takes_every_result_from_the_store(
    tmp_path: Path, parsed_here: list[str]
) -> None:
    files = _files(FIXTURES)
    fresh = parse_files(files)
    parsed_here.clear()
    first = _audit(FIXTURES, tmp_path / "cache")
    assert len(parsed_here) == len(files)
    parsed_here.clear()
    second = _audit(FIXTURES, tmp_path / "cache")
    assert parsed_here == []
    assert _records(first) == _records(second) == _records(fresh)


def test_an_included_file_that_changed_is_parsed_again(
    tmp_path: Path, parsed_here: list[str]
) -> None:
    root = _tree(tmp_path / "org")
    _audit(root, tmp_path / "cache")
    (root / "api" / "base.txt").write_text("requests==2.32.0\n")  # same size, new bytes
    parsed_here.clear()
    merged, _ = _audit(root, tmp_path / "cache")
    assert parsed_here == ["api/requirements.txt"]  # the other repository is remembered
    assert {d.version for d in merged[0].dependencies if d.name == "requests"} == {"2.32.0"}


def test_a_new_missing_or_unreadable_file_changes_the_result(
    tmp_path: Path, parsed_here: list[str]
) -> None:
    root = _tree(tmp_path / "org")
    (root / "api" / "base.txt").unlink()
    merged, _ = _audit(root, tmp_path / "cache")
    assert any("base.txt" in p.message for p in merged[0].problems)
    (root / "api" / "base.txt").write_text("requests==2.31.0\n")  # now it is there
    parsed_here.clear()
    merged, _ = _audit(root, tmp_path / "cache")
    assert parsed_here == ["api/requirements.txt"]
    assert not merged[0].problems
    (root / "web" / "yarn.lock").write_text("")  # a new manifest: another listing
    parsed_here.clear()
    _audit(root, tmp_path / "cache")
    assert sorted(parsed_here) == ["web/package.json", "web/yarn.lock"]


@pytest.fixture
def read_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths read from a local tree in this process; files count as settled at once."""
    seen: list[str] = []
    read = TreeReader.__call__

    def spy(self: TreeReader, path: str) -> bytes:
        seen.append(path)
        return read(self, path)

    monkeypatch.setattr(TreeReader, "__call__", spy)
    monkeypatch.setattr(tree_reader, "SETTLED_NS", 0)
    return seen


def test_settled_files_are_compared_by_their_signature_without_reading(
    tmp_path: Path, parsed_here: list[str], read_here: list[str]
) -> None:
    root = _tree(tmp_path / "org")
    _audit(root, tmp_path / "cache")
    assert sorted(read_here) == ["api/base.txt", "api/requirements.txt", "web/package.json"]
    read_here.clear()
    parsed_here.clear()
    _audit(root, tmp_path / "cache")
    assert read_here == [] and parsed_here == []
    base = root / "api" / "base.txt"
    before = base.stat()
    base.write_text("requests==2.32.0\n")  # same size: the same listing, another signature
    os.utime(base, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    merged, _ = _audit(root, tmp_path / "cache")
    assert parsed_here == ["api/requirements.txt"]
    assert {d.version for d in merged[0].dependencies if d.name == "requests"} == {"2.32.0"}


def test_a_file_changed_in_the_last_seconds_is_read_to_be_compared(tmp_path: Path) -> None:
    root = _tree(tmp_path / "org")
    reader = TreeReader(root, 1 << 20)
    noted = ReadLog(reader)
    noted("web/package.json")  # written just now: its times could still hide a change
    assert "@" not in noted.seen["web/package.json"]
    assert reader.signature("web") is None and reader.signature("web/gone.json") is None
    assert parse_cache.unchanged(reader, "web/package.json", noted.seen["web/package.json"])


def test_a_signature_that_differs_falls_back_to_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tree_reader, "SETTLED_NS", 0)
    root = _tree(tmp_path / "org")
    reader = TreeReader(root, 1 << 20)
    noted = ReadLog(reader)
    noted("web/package.json")
    held, _, signature = noted.seen["web/package.json"].partition("@")
    assert signature == reader.signature("web/package.json")
    assert parse_cache.unchanged(reader, "web/package.json", f"{held}@0:0:0:0:0")  # same bytes
    assert not parse_cache.unchanged(reader, "web/package.json", f"{'0' * 32}@0:0:0:0:0")
    assert not parse_cache.unchanged(reader, "web/gone.json", f"{held}@{signature}")
    with pytest.raises(SourceError):
        noted("web/@scope/gone.json")  # an error is noted as it reads, @ and all
    failed = noted.seen["web/@scope/gone.json"]
    assert failed.startswith("!") and "@" in failed
    assert parse_cache.unchanged(reader, "web/@scope/gone.json", failed)


def test_other_code_never_uses_what_this_code_remembered(
    tmp_path: Path, parsed_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "org")
    _audit(root, tmp_path / "cache")
    monkeypatch.setattr(parse_cache, "_fingerprint", "another version of fundscout")
    parsed_here.clear()
    _audit(root, tmp_path / "cache")
    assert sorted(parsed_here) == ["api/requirements.txt", "web/package.json"]


@pytest.mark.parametrize(
    "damage",
    [b"not json", b"[]", b'{"version": 2}', b"null",
     # a column per field, but only one; then the right columns, but a record too many
     b'{"version": 2, "reads": {}, "names": [], "records": [["npm"]],'
     b' "found": [[1, [], [], [], false, null]]}',
     b'{"version": 2, "reads": {}, "names": ["r", "f"], "records": [["npm"], ["a"], [null],'
     b' [null], ["runtime"], [true], [0], [1], [null], [null], ["registry"], [[]]],'
     b' "found": [[0, [], [], [], false, null]]}'],
)  # fmt: skip
def test_a_damaged_entry_is_parsed_again(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    root = _tree(tmp_path / "org")
    fresh = parse_files(_files(root))
    _audit(root, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / parse_cache.FILENAME) as db:
        db.execute("UPDATE parsed SET body = ?", (damage,))
    assert _records(_audit(root, tmp_path / "cache")) == _records(fresh)
    assert "an entry is damaged" in caplog.text
    assert _records(_audit(root, tmp_path / "cache")) == _records(fresh)  # and rewritten


def test_workers_note_what_they_read(tmp_path: Path, parsed_here: list[str]) -> None:
    root = tmp_path / "org"
    generate(root, 12, 5)
    fresh = parse_files(_files(root))
    pooled = _audit(root, tmp_path / "cache", min_pool_bytes=0, workers=2)
    assert _records(pooled) == _records(fresh)
    with sqlite3.connect(tmp_path / "cache" / parse_cache.FILENAME) as db:
        bodies = [orjson.loads(body) for (body,) in db.execute("SELECT body FROM parsed")]
    listed = {f.path for f in _files(root)}
    assert len(bodies) == len({f.repo for f in _files(root)})
    assert set().union(*(entry["reads"] for entry in bodies)) >= listed  # workers' reads too
    parsed_here.clear()
    assert _records(_audit(root, tmp_path / "cache", min_pool_bytes=0, workers=2)) == _records(
        fresh
    )
    assert parsed_here == []


def test_entries_unused_for_a_month_are_dropped(tmp_path: Path) -> None:
    root = _tree(tmp_path / "org")
    _audit(root, tmp_path / "cache")
    path = tmp_path / "cache" / parse_cache.FILENAME
    old = time.time() - (parse_cache.KEEP_DAYS + 1) * 86_400
    with sqlite3.connect(path) as db:
        db.execute("UPDATE parsed SET used = ?", (old,))
        db.execute("INSERT INTO parsed VALUES (?, ?, ?)", (b"gone", old, b"{}"))
    _audit(root, tmp_path / "cache")  # hits are noted as used; the rest is dropped
    with sqlite3.connect(path) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM parsed")]
        assert b"gone" not in keys and len(keys) == 2
        assert all(used > old for (used,) in db.execute("SELECT used FROM parsed"))


def test_a_store_that_cannot_be_opened_costs_only_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "taken").write_text("a file where the folder should be")
    assert ParseCache.open(tmp_path / "taken") is None
    assert "not remembered" in caplog.text


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@functools.cache
def _some_found() -> tuple[list[ManifestFile], list[Found]]:
    files = _files(FIXTURES)[:12]
    return files, parse_pool._parse_files(files, (), None, None, 1)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_change_to_an_entry_is_rebuilt_or_refused(data: st.DataObject) -> None:
    files, found = _some_found()
    entry = orjson.loads(encode({"a": "b"}, found))
    assert decode(orjson.dumps(entry), files) == ({"a": "b"}, found)
    _replace_somewhere(entry, data.draw(_JSON), data.draw(st.integers(0, 100_000)))
    try:
        reads, rebuilt = decode(orjson.dumps(entry), files)
    except (ValueError, TypeError, KeyError, IndexError):
        return
    assert all(isinstance(v, str) for v in reads.values())
    assert [parsed.file for parsed, _ in rebuilt] == files


def test_an_entry_gives_back_every_field_of_every_record() -> None:
    file = ManifestFile("api", "api/requirements.txt", 10, reader=lambda _: b"", repo_path="api")
    empty = ManifestFile("api", "api/package.json", 2, reader=lambda _: b"", repo_path="api")
    record = Dependency(Ecosystem.NPM, "core", "^7", "7.1.0", Scope.DEV, True, "api",
                        "api/requirements.txt", 3, "@babel", "url", ("binary", "pool"))  # fmt: skip
    other = dataclasses.replace(record, name="cli", line=None, namespace=None, extras=())
    found = [(ParsedManifest(file, (record, other)), None), (ParsedManifest(empty), None)]
    reads, rebuilt = decode(encode({"api/requirements.txt": "digest"}, found), [file, empty])
    assert reads == {"api/requirements.txt": "digest"}
    assert rebuilt == found
    records = [dataclasses.astuple(d) for parsed, _ in rebuilt for d in parsed.dependencies]
    assert records == [dataclasses.astuple(record), dataclasses.astuple(other)]  # extras too
    assert decode(encode({}, found[1:]), [empty]) == ({}, found[1:])  # no records at all


def _replace_somewhere(value: Any, new: Any, seed: int) -> None:
    """Put ``new`` in place of one value nested in ``value`` (chosen by ``seed``)."""
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            places.append((node, key))
            if isinstance(child, (dict, list)):
                walk(child)

    walk(value)
    node, key = places[seed % len(places)]
    node[key] = new


@pytest.mark.parametrize(
    ("flags", "setting", "remembered"),
    [((), "", True), (("--no-parse-cache",), "", False), ((), "parse-cache = false\n", False)],
)
def test_the_command_remembers_unless_told_not_to(
    tmp_path: Path, flags: tuple[str, ...], setting: str, remembered: bool
) -> None:
    root = _tree(tmp_path / "org")
    (root / "fundscout.toml").write_text(setting)
    args = ["audit", str(root), "--no-enrich", "--quiet", "--cache-dir", str(tmp_path / "cache"),
            "--out", str(tmp_path / "out"), "--config", str(root / "fundscout.toml"),
            *flags]  # fmt: skip
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / parse_cache.FILENAME).exists() == remembered
    report = json.loads((tmp_path / "out" / "fundscout-report.json").read_text())
    assert report["summary"]["dependencies"] == 3  # flask, requests (included), left-pad


def test_a_repository_read_by_several_readers_is_parsed_and_not_remembered(
    tmp_path: Path, parsed_here: list[str]
) -> None:
    contents = {"r/requirements.txt": b"flask==3.0.0\n", "r/package.json": b'{"dependencies": {}}'}
    files = [
        ManifestFile("r", path, len(data), lambda _, data=data: data, "r")  # type: ignore[misc]
        for path, data in contents.items()
    ]
    for _ in range(2):
        cache = ParseCache.open(tmp_path / "cache")
        assert cache is not None
        parsed_here.clear()
        merged, _ = parse_files(files, cache=cache)
        cache.close()
        assert parsed_here == list(contents)  # each read by its own reader, both times
        assert [d.name for d in merged[0].dependencies] == ["flask"]
        assert merged[1].problems == ()  # package.json read as itself
