"""poetry.lock: lock versions 1.x and 2.x, sources, scopes, edges and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.model import ParsedManifest, Scope
from tests.helpers import pypi_edges as edges
from tests.helpers import rows

FIXTURES = Path(__file__).parent / "fixtures" / "poetry_lock"
OSV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, OPT, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.TEST, Scope.DEV


V1_ROWS = [
    ("certifi", "2023.5.7", R, False, 4, "registry", None),
    ("colorama", "0.4.6", D, False, 12, "registry", None),
    ("httpx", "0.24.1", R, False, 20, "registry", None),
    ("idna", "3.4", R, False, 37, "registry", None),
    ("ike", "0.2.0", R, False, 45, "vcs", "https://github.com/dzshn/ike@main"),
    ("iniconfig", "2.0.0", D, False, 60, "registry", None),
    # A wheel committed to the repository is someone's package, so it stays a record.
    ("internal-tool", "1.0.0", R, False, 68, "path", "vendor/internal_tool-1.0.0-py3-none-any.whl"),
    ("numpy", "1.24.3", OPT, False, 96, "registry", None),  # optional = true
    ("pytest", "7.3.1", D, False, 104, "registry", None),
    ("pyyaml", "6.0", R, False, 120, "registry", None),  # "PyYAML" canonicalized
    ("scipy", "1.10.1", OPT, False, 128, "registry", None),
    ("shared-utils", "2.0.0", R, False, 142, "path", "../../shared-utils"),  # outside the repo
    ("socksio", "1.0.0", R, False, 154, "registry", None),
    ("types-requests", "2.31.0.1", D, False, 162, "registry", None),  # a "legacy" index
]
V1_EDGES = edges(
    ("httpx", "certifi"),
    ("httpx", "idna"),
    ("httpx", "socksio"),  # optional, but mylib asks for httpx[socks]
    ("mylib", "httpx"),
    ("pytest", "colorama"),
    ("pytest", "iniconfig"),  # exceptiongroup is not locked: no edge
    ("scipy", "numpy"),  # a list of constraints
)


def test_v1_records_edges_and_own_directory(parse_text: Parse) -> None:
    result = parse_text("poetry.lock", (FIXTURES / "v1.lock").read_bytes())
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == V1_ROWS
    assert set(result.edges) == V1_EDGES
    assert len(result.edges) == len(V1_EDGES)
    assert result.publishes == ("pkg:pypi/mylib",)  # directory source inside the repository
    assert {d.file for d in result.dependencies} == {"poetry.lock"}
    assert {d.repo for d in result.dependencies} == {"repo"}


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace('name = "', 'name\t=\t"').replace("\ncategory", "\n\tcategory"),
    ],
    ids=["crlf", "bom", "tabs"],
)
def test_v1_line_endings_bom_and_tabs_change_nothing(
    parse_text: Parse, transform: Callable[[str], str]
) -> None:
    text = transform((FIXTURES / "v1.lock").read_text(encoding="utf-8"))
    result = parse_text("poetry.lock", text.encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == V1_ROWS
    assert set(result.edges) == V1_EDGES


def test_v2_groups_markers_and_duplicates(parse_text: Parse) -> None:
    result = parse_text("poetry.lock", (FIXTURES / "v2.lock").read_bytes())
    assert result.problems == ()
    assert rows(result) == [
        ("anyio", "4.8.0", R, False, 4, "registry", None),  # main and dev: main wins
        ("coverage", "7.6.10", T, False, 26, "registry", None),
        ("exceptiongroup", "1.2.2", R, False, 41, "registry", None),
        ("idna", "3.10", R, False, 51, "registry", None),
        ("mkdocs", "1.6.1", D, False, 60, "registry", None),  # group "docs"
        ("numpy", "2.0.2", OPT, False, 69, "registry", None),
        ("numpy", "2.2.2", OPT, False, 79, "registry", None),  # the copy on line 89 is dropped
        ("pytest-asyncio", "0.25.2", T, False, 98, "registry", None),
        ("sniffio", "1.3.1", R, False, 107, "registry", None),
        ("typing-extensions", "4.12.2", R, False, 117, "registry", None),
    ]
    assert set(result.edges) == edges(
        ("anyio", "exceptiongroup"),
        ("anyio", "idna"),
        ("anyio", "sniffio"),
        ("anyio", "typing-extensions"),  # written typing_extensions
    )  # coverage's optional tomli is not selected (nor locked)
    assert result.publishes == ()


def test_unknown_lock_version_is_a_problem_but_packages_count(parse_text: Parse) -> None:
    text = '[[package]]\nname = "six"\nversion = "1.16.0"\n\n[metadata]\nlock-version = "3.0"\n'
    result = parse_text("poetry.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [(6, "unknown lockfile version 3.0")]
    assert rows(result) == [("six", "1.16.0", R, False, 2, "registry", None)]


def test_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    text = (
        "[[package]]\n"  # 1
        'name = "good"\n'
        'version = "1.0"\n'
        "\n"
        "[[package]]\n"  # 5
        'version = "2.0"\n'
        "\n"
        "[[package]]\n"  # 8
        'name = "bad name!"\n'
        "\n"
        "[[package]]\n"  # 11
        'name = "odd-version"\n'
        "version = 3\n"
    )
    result = parse_text("poetry.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [
        (5, "package entry 2 has no valid name"),
        (8, "package entry 3 has no valid name ('bad name!')"),
        (12, "package 'odd-version': version 3 is not a string"),
    ]
    assert rows(result) == [
        ("good", "1.0", R, False, 2, "registry", None),
        ("odd-version", None, R, False, 12, "registry", None),
    ]


def test_package_key_of_the_wrong_type(parse_text: Parse) -> None:
    result = parse_text("poetry.lock", 'package = "numpy"\n')
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "package must be an array of tables")
    ]
    assert result.dependencies == ()


def test_inline_package_array_still_has_lines(parse_text: Parse) -> None:
    text = 'package = [\n  {name = "a", version = "1"},\n  {name = "b", version = "2"},\n]\n'
    result = parse_text("poetry.lock", text)
    assert [(d.name, d.line) for d in result.dependencies] == [("a", 2), ("b", 3)]


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        (b"this is not valid toml! (I think)\n", 1, "invalid TOML: "),
        (b"\x00\x01\x02binary\x00", None, "binary file"),
        (b'[[package]]\nname = "caf\xe9"\n', 2, "not valid UTF-8 (byte 0xe9)"),
    ],
    ids=["not-toml", "binary", "latin-1"],
)
def test_unreadable_files_are_one_problem(
    parse_text: Parse, content: bytes, line: int | None, start: str
) -> None:
    result = parse_text("poetry.lock", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line, problem.repo) == ("poetry.lock", line, "repo")
    assert problem.message.startswith(start)


def test_only_poetry_lock_matches() -> None:
    from pathlib import PurePosixPath

    from analyzer.manifests.poetry_lock import PoetryLockParser

    parser = PoetryLockParser()
    assert parser.matches(PurePosixPath("svc/poetry.lock"))
    assert not parser.matches(PurePosixPath("poetry.lock.bak"))
    assert not parser.matches(PurePosixPath("pdm.lock"))


def _osv_cases() -> list[dict[str, object]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParsePoetryLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, object] | None) -> None:
    """Same names and versions as osv-scanner. Their "commit" for git sources is our spec's
    reference (the requested branch or tag, as declared); their dependency group "optional"
    is our scope ``optional``; a missing file is the source's business, not the parser's."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("poetry.lock", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    expected = case["expected_packages"]
    assert isinstance(expected, list)
    assert sorted((d.name, d.version) for d in result.dependencies) == sorted(
        (p["name"], p["version"]) for p in expected
    )
    optional = {p["name"] for p in expected if "optional" in p.get("dep_groups", [])}
    assert {d.name for d in result.dependencies if d.scope is OPT} == optional
