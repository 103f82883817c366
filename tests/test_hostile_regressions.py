"""One regression test per defect the hostile corpus and the denial-of-service shapes found."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.config import Config
from analyzer.manifests import is_manifest
from analyzer.model import ParsedManifest, Problem
from analyzer.sources import LocalSource
from analyzer.sources.local import UNSAFE_NAME, is_unsafe_name, shown_path
from tests import test_faults_api_fuzz as api_fuzz
from tests.conftest import TreeWriter
from tests.test_parsers_fuzz import check_all

Parse = Callable[..., ParsedManifest]


def names(parsed: ParsedManifest) -> list[str]:
    return [d.display_name for d in parsed.dependencies]


# --- quadratic time ---------------------------------------------------------------------------


def test_gradle_blocks_nested_10000_deep_are_refused_at_once(parse_text: Parse) -> None:
    started = time.monotonic()
    parsed = parse_text("build.gradle", "x {\n" + "{" * 10_000 + "}" * 10_000 + "\n}\n")
    assert time.monotonic() - started < 2  # took minutes: every level rescanned the rest
    assert [(p.line, p.message) for p in parsed.problems] == [(2, "blocks nested deeper than 32")]


def test_gradle_blocks_nested_as_deep_as_real_scripts_are_read(parse_text: Parse) -> None:
    script = (
        "kotlin {\n  sourceSets {\n    val commonMain by getting {\n      dependencies {\n"
        '        implementation("io.ktor:ktor-client-core:2.3.7")\n'
        "      }\n    }\n  }\n}\n"
    )
    parsed = parse_text("build.gradle.kts", script)
    assert names(parsed) == ["io.ktor:ktor-client-core"]
    assert not parsed.problems


def test_sbt_long_dotted_names_take_linear_time(parse_text: Parse) -> None:
    chain = "a" + ".a" * 20_000
    module = 'libraryDependencies += "org.typelevel" % "cats-core" % "2.10.0"'
    started = time.monotonic()
    parsed = parse_text("build.sbt", f"val x = {chain}\n{module}\n")
    assert time.monotonic() - started < 2  # the chain was rescanned from each of its names
    assert [(d.display_name, d.line) for d in parsed.dependencies] == [
        ("org.typelevel:cats-core", 2)
    ]


def test_sbt_module_whose_group_is_a_dotted_name_is_still_seen(parse_text: Parse) -> None:
    parsed = parse_text("build.sbt", 'libraryDependencies += Deps.group % "art" % "1.0"\n')
    assert [(p.line, p.message) for p in parsed.problems] == [
        (1, 'cannot read the module Deps.group % "art" % "1.0": not a literal')
    ]


# --- an include cycle is one problem --------------------------------------------------------


def test_include_cycle_is_recorded_once_whichever_file_is_read_first(
    write_tree: TreeWriter,
) -> None:
    root = write_tree(
        {
            "api/requirements.txt": "-r requirements-dev.txt\nrequests==2.31.0\n",
            "api/requirements-dev.txt": "-r requirements.txt\n-c requirements-dev.txt\n",
        }
    )
    problems = pipeline.collect([root], Config()).problems
    cycle = "include cycle api/requirements-dev.txt -> api/requirements-dev.txt"
    # Line 2 closes the same loop from both starting files; it used to be two records.
    assert sorted(problems, key=str) == [
        Problem("api/requirements-dev.txt", 1, "include cycle api/requirements.txt -> "
                "api/requirements-dev.txt -> api/requirements.txt; not followed again", "api"),
        Problem("api/requirements-dev.txt", 2, f"{cycle}; not followed again", "api"),
        Problem("api/requirements.txt", 1, "include cycle api/requirements-dev.txt -> "
                "api/requirements.txt -> api/requirements-dev.txt; not followed again", "api"),
    ]  # fmt: skip


# --- names no report can show -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unsafe", "shown"),
    [
        ("requirements.txt", False, "requirements.txt"),
        ("café\u202e.txt", False, "café\u202e.txt"),  # shown as is: printable, valid UTF-8
        ("new\nline", True, "new\\nline"),
        ("esc-\x1b[31m", True, "esc-\\x1b[31m"),
        ("del-\x7f", True, "del-\\x7f"),
        ("c1-\x9b", True, "c1-\\x9b"),
        (os.fsdecode(b"latin1-\xe9"), True, "latin1-\\xe9"),
    ],
)
def test_unsafe_names_and_how_they_are_shown(name: str, unsafe: bool, shown: str) -> None:
    assert is_unsafe_name(name) is unsafe
    assert shown_path(name) == shown


def test_files_and_repositories_with_unsafe_names_are_skipped_once(tmp_path: Path) -> None:
    root = tmp_path / "org"
    for relative in (
        "api/requirements.txt",
        "api/requirements/dev\n.txt",
        "bad\x1brepo/requirements.txt",
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("six==1.16.0\n")
    (root / "api" / "notes\n.md").write_text("not a manifest: ignored silently\n")
    try:
        raw = os.path.join(os.fsencode(root), b"api", b"requirements-\xe9.txt")
        with open(raw, "wb") as handle:
            handle.write(b"attrs==23.1.0\n")
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    scan = LocalSource(root, is_manifest).scan()
    assert [m.path for m in scan.manifests] == ["api/requirements.txt"]
    assert sorted(scan.problems, key=str) == [
        Problem("api/requirements-\\xe9.txt", None, UNSAFE_NAME, "api"),
        Problem("api/requirements/dev\\n.txt", None, UNSAFE_NAME, "api"),
        Problem("bad\\x1brepo", None, UNSAFE_NAME),
    ]
    # Before the fix, writing a report with such a name failed with UnicodeEncodeError.
    json.dumps([p.to_record() for p in scan.problems], ensure_ascii=False).encode("utf-8")


# --- failures found by fuzzing (benchmarks/fuzz.py saves them here) -----------------------------

REGRESSIONS = Path(__file__).parent / "hostile" / "regressions"
# Failures found in code this suite's author does not own, reported and awaiting a fix. The
# marks are strict: once fixed, the test passes, fails as XPASS, and the entry goes.
OPEN: dict[str, str] = {}  # file-name prefix -> why it still fails (strict xfail)


def regression(path: Path) -> object:
    reason = next((why for prefix, why in OPEN.items() if path.name.startswith(prefix)), None)
    marks = [pytest.mark.xfail(reason=reason, raises=TypeError, strict=True)] if reason else []
    return pytest.param(path, marks=marks, id=path.name)


@pytest.mark.parametrize("path", [regression(p) for p in sorted(REGRESSIONS.iterdir())])
def test_saved_fuzzing_failures_stay_fixed(path: Path) -> None:
    """Parser inputs (``.bin``) go to every parser within the fuzz tests' time limit; provider
    answers (``.json``) go to the provider that failed on them."""
    if path.suffix == ".bin":
        check_all(path.read_bytes())
        return
    saved = json.loads(path.read_text(encoding="utf-8"))
    label, answers = saved["provider"], saved["answers"]
    provider, token = next((p, t) for name, p, t in api_fuzz.PROVIDERS if name == label)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GITHUB_TOKEN", raising=False)
        if token:
            patch.setenv("GITHUB_TOKEN", "ghp_fuzz")
        api_fuzz.check(provider, answers)
