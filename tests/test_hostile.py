"""The hostile corpus (tests/hostile): every file is survived and reported exactly once, every
other file is still read, and nothing outside the audited tree is ever opened.

The tree is built and collected once for the module, in a child process with an audit hook
recording every file and directory Python opens. The hook lives only in that child: an audit
hook cannot be removed, and on CPython 3.11 one makes threads that start at the same moment
under coverage's trace hook race in ``sys.settrace`` (one of them dies before its target runs).
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer import pipeline
from analyzer.config import Config
from analyzer.sources import local, tree_reader
from tests.hostile.tree import CANARY, HostileTree, build, sibling_name

COLLECT_SECONDS = 30  # the whole corpus takes about a second
PEAK_RSS_MB = 400  # the interpreter with fundscout loaded is about 80 MB


@dataclass
class Outcome:
    tree: HostileTree
    collection: pipeline.Collection
    seconds: float
    opened: list[str]
    simulated: bool  # unreadable files were simulated (root reads them anyway)


class _DenyingOs:
    """The ``os`` module as the local source sees it, except that some paths answer EACCES,
    as they do for any user but root; lets the test show unreadable files when run as root."""

    def __init__(self, denied: list[Path]) -> None:
        self.denied = {os.path.realpath(p) for p in denied}

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _check(self, path: Any) -> None:
        if isinstance(path, str | os.PathLike) and os.path.realpath(path) in self.denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def open(self, path: Any, *args: Any) -> int:
        self._check(path)
        return os.open(path, *args)

    def scandir(self, path: Any) -> Any:
        self._check(path)
        return os.scandir(path)


def _collect_recorded() -> None:
    """The child process: collect the tree with every opened path recorded, and pickle
    ``(collection, seconds, opened)`` to the file named on the command line."""
    out, root, simulated, *unreadable = sys.argv[1:]
    opened: list[str] = []
    recording = False

    def record(event: str, args: tuple[Any, ...]) -> None:
        if recording and event in ("open", "os.scandir", "os.listdir") and args:
            target = args[0]
            if isinstance(target, bytes | str):
                opened.append(os.path.realpath(os.fsdecode(target)))

    sys.addaudithook(record)
    if simulated == "1":
        local.os = _DenyingOs([Path(p) for p in unreadable])  # type: ignore[assignment]
        tree_reader.os = _DenyingOs([Path(p) for p in unreadable])  # type: ignore[assignment]
    recording = True
    started = time.monotonic()
    collection = pipeline.collect([Path(root)], Config())
    seconds = time.monotonic() - started
    recording = False
    Path(out).write_bytes(pickle.dumps((collection, seconds, opened)))


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    tree = build(tmp_path_factory.mktemp("hostile"))
    simulated = any(os.access(path, os.R_OK) for path in tree.unreadable)
    out = tmp_path_factory.mktemp("hostile-outcome") / "outcome.pickle"
    script = "from tests.test_hostile import _collect_recorded; _collect_recorded()"
    arguments = [str(out), str(tree.root), "1" if simulated else "0", *map(str, tree.unreadable)]
    child = subprocess.run(
        [sys.executable, "-c", script, *arguments], cwd=Path(__file__).parents[1],
        capture_output=True, timeout=COLLECT_SECONDS, check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr.decode(errors="replace")[-2000:]
    collection, seconds, opened = pickle.loads(out.read_bytes())  # written by our own child
    yield Outcome(tree, collection, seconds, opened, simulated)
    for path in tree.unreadable:
        path.chmod(0o755)  # let pytest clean up


def problems_of(outcome: Outcome, file: str) -> list[str]:
    return [p.message for p in outcome.collection.problems if p.file == file]


def names_in(outcome: Outcome, repo: str) -> set[str]:
    return {d.display_name for d in outcome.collection.dependencies if d.repo == repo}


def test_every_hostile_file_is_exactly_one_problem(outcome: Outcome) -> None:
    failures = []
    for case in outcome.tree.cases:
        for path in case.problem_paths():
            if len(found := problems_of(outcome, path)) != 1:
                failures.append(f"{path!r}: {len(found)} problems {found}")
        expected = set(case.problem_paths())
        others = [
            str(p) for p in outcome.collection.problems
            if p.file.startswith(f"{case.name}/") and p.file not in expected
        ]  # fmt: skip
        failures.extend(f"{case.name!r}: unexpected problem {o!r}" for o in others)
    assert not failures, "\n".join(failures)
    assert len(outcome.tree.cases) >= 50, outcome.tree.unavailable


def test_every_other_file_is_still_read(outcome: Outcome) -> None:
    missing = []
    for case in outcome.tree.cases:
        wanted = {*case.found, sibling_name(case.name)}
        if lost := wanted - names_in(outcome, case.name):
            missing.append(f"{case.name!r}: {sorted(lost)}")
    assert not missing, "\n".join(missing)
    assert names_in(outcome, "good") == {"good-package", "good-npm-package"}


def test_unsafe_names_are_skipped_and_shown_escaped(outcome: Outcome) -> None:
    shown = {"new\nline": "new\\nline", "esc-\x1b[31m-red": "esc-\\x1b[31m-red"}
    for name in outcome.tree.unsafe_repositories:
        escaped = shown.get(name, "latin1-\\xe9-name")
        assert problems_of(outcome, escaped) == [local.UNSAFE_NAME]
        assert not names_in(outcome, name)
    records = [d.to_record() for d in outcome.collection.dependencies]
    records += [p.to_record() for p in outcome.collection.problems]
    text = json.dumps(records, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates: every record can be written as UTF-8
    assert not any(ch in text for ch in "\x1b\x07\udce9")


def test_nothing_outside_the_tree_is_read(outcome: Outcome) -> None:
    base = str(outcome.tree.root.parent)
    root = str(outcome.tree.root)
    strays = [p for p in outcome.opened if p.startswith(base) and not p.startswith(root)]
    assert any(p.startswith(root) for p in outcome.opened)  # the hook did record
    assert not strays
    assert not any(p.startswith(("/etc", "/proc", "/dev")) for p in outcome.opened)
    records = [d.to_record() for d in outcome.collection.dependencies]
    records += [p.to_record() for p in outcome.collection.problems]
    assert CANARY not in json.dumps(records)
    # The loose POM's parent would be the root's own parent folder: looked up nowhere.
    slf4j = [d for d in outcome.collection.dependencies if d.name == "slf4j-api"]
    assert {d.version for d in slf4j} == {None, "2.0.9"}


def test_huge_and_special_files_are_never_opened(outcome: Outcome) -> None:
    never = ("huge/requirements.txt", "fifo/requirements.txt", "socket/package.json")
    for relative in never:
        assert os.path.realpath(outcome.tree.root / relative) not in outcome.opened


def test_the_whole_corpus_is_quick(outcome: Outcome) -> None:
    assert outcome.seconds < COLLECT_SECONDS / 3


def test_the_command_line_survives_it_in_bounded_time_and_memory(
    outcome: Outcome, tmp_path: Path
) -> None:
    """``fundscout deps`` in a child process that reports its own peak memory."""
    peak = tmp_path / "peak"
    script = (
        "import atexit, resource, runpy, sys\n"
        "peak, root = sys.argv[1:]\n"
        "atexit.register(lambda: open(peak, 'w').write("
        "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
        "sys.argv = ['fundscout', 'deps', root, '--format', 'json']\n"
        "runpy.run_module('analyzer', run_name='__main__')\n"
    )
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", script, str(peak), str(outcome.tree.root)],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr.decode(errors="replace")[-2000:]
    assert time.monotonic() - started < 60
    document = json.loads(child.stdout)
    unreadable = len(outcome.tree.unreadable) if outcome.simulated else 0  # a child reads them
    assert len(document["problems"]) == len(outcome.collection.problems) - unreadable
    assert CANARY.encode() not in child.stdout + child.stderr
    assert int(peak.read_text()) / 1024 < PEAK_RSS_MB  # ru_maxrss is in KiB on Linux


def test_terminal_and_reports_show_no_control_characters(outcome: Outcome, tmp_path: Path) -> None:
    from analyzer.cli import app  # the command line loads every report format: only here

    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["audit", str(outcome.tree.root), "--no-enrich", "--out", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = CliRunner().invoke(app, ["deps", str(outcome.tree.root), "--format", "table"])
    assert table.exit_code == 0
    for text in (result.output, table.output, *(p.read_text() for p in out.iterdir())):
        assert "\x1b" not in text and "\x07" not in text
        assert CANARY not in text


def test_bombs_and_the_huge_file_take_little_memory(outcome: Outcome) -> None:
    """The bombs and the 100 MB file, alone, under tracemalloc (the deep cases are left out:
    tracemalloc makes deep recursion slow, and the child-process test bounds them)."""
    bombs = ("xml-billion-laughs", "yaml-alias-bomb", "yaml-alias-bomb-pnpm", "huge")
    config = Config(exclude=tuple(f"/{c.name}" for c in outcome.tree.cases if c.name not in bombs))
    tracemalloc.start()
    try:
        collection = pipeline.collect([outcome.tree.root], config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert {p.repo for p in collection.problems} >= set(bombs)
    assert peak < 20 * 1024 * 1024
