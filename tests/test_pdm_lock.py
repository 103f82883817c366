"""pdm.lock: groups, extras entries, sources, edges from PEP 508 strings, old and bad files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from analyzer.manifests.pdm_lock import PdmLockParser
from analyzer.model import ParsedManifest, Scope
from tests.helpers import pypi_edges as edges
from tests.helpers import rows

FIXTURES = Path(__file__).parent / "fixtures" / "pdm_lock"
OSV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, OPT, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.TEST, Scope.DEV
VENDORED = "file:///${PROJECT_ROOT}/wheels/vendored-1.0-py3-none-any.whl"


MODERN_ROWS = [
    ("certifi", "2024.8.30", R, False, 14, "registry", None),
    ("iniconfig", "2.0.0", T, False, 24, "registry", None),
    ("psycopg", "3.2.3", OPT, False, 42, "registry", None),  # "postgres" says nothing: optional
    ("pysocks", "1.7.1", R, False, 52, "registry", None),
    ("pytest", "8.3.3", T, False, 58, "registry", None),  # dev and test
    ("requests", "2.32.3", R, False, 70, "registry", None),  # its [socks] entry adds no record
    ("toml", "0.10.2", R, False, 93, "vcs", "https://github.com/uiri/toml.git@0.10.2"),
    ("typing-extensions", "4.12.2", R, False, 103, "registry", None),
    ("urllib3", "2.2.3", R, False, 110, "registry", None),
    ("vendored", "1.0", R, False, 121, "path", VENDORED),  # an archive, not own code
]
MODERN_EDGES = edges(
    ("mylib", "requests"),
    ("psycopg", "typing-extensions"),  # tzdata is not locked
    ("pytest", "iniconfig"),  # colorama and pluggy are not locked
    ("requests", "certifi"),
    ("requests", "urllib3"),
    ("requests", "pysocks"),  # from the requests[socks] entry; its self-reference is no edge
)


def test_modern_lock(parse_text: Parse) -> None:
    result = parse_text("pdm.lock", (FIXTURES / "modern.lock").read_bytes())
    assert rows(result) == MODERN_ROWS
    assert set(result.edges) == MODERN_EDGES
    assert len(result.edges) == len(MODERN_EDGES)
    assert result.publishes == ("pkg:pypi/mylib",)  # path = "./libs/mylib"
    assert result.lockfile is True
    [problem] = result.problems
    assert (problem.file, problem.line) == ("pdm.lock", 117)
    assert problem.message.startswith(
        "package 'urllib3': invalid requirement 'not a valid requirement!': "
    )


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\n    ", "\n\t"),
    ],
    ids=["crlf", "bom", "tabs"],
)
def test_modern_lock_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "modern.lock").read_text(encoding="utf-8"))
    result = parse_text("pdm.lock", text.encode("utf-8"))
    assert rows(result) == MODERN_ROWS
    assert set(result.edges) == MODERN_EDGES
    assert [p.line for p in result.problems] == [117]


def test_pdm1_sections(parse_text: Parse) -> None:
    result = parse_text("pdm.lock", (FIXTURES / "pdm1.lock").read_bytes())
    assert result.problems == ()
    assert rows(result) == [
        ("click", "8.0.3", R, False, 2, "registry", None),
        ("colorama", "0.4.4", R, False, 12, "registry", None),
        ("flake8", "4.0.1", D, False, 19, "registry", None),  # section "lint"
    ]
    assert set(result.edges) == edges(("click", "colorama"))


def test_unknown_lock_version(parse_text: Parse) -> None:
    text = '[metadata]\nlock_version = "5.0"\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n'
    result = parse_text("pdm.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [(2, "unknown lockfile version 5.0")]
    assert rows(result) == [("six", "1.16.0", R, False, 5, "registry", None)]


def test_dependency_that_is_not_a_string(parse_text: Parse) -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n'
    result = parse_text("pdm.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [
        (2, "package 'a': dependency 1 is not a string")
    ]
    assert [d.name for d in result.dependencies] == ["a"]


def test_path_outside_the_repository(parse_text: Parse) -> None:
    text = '[[package]]\nname = "lib"\nversion = "1"\npath = "../../lib"\neditable = true\n'
    result = parse_text("pdm.lock", text)
    assert rows(result) == [("lib", "1", R, False, 2, "path", "../../lib")]
    assert result.publishes == ()


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        (b"[metadata\n", 1, "invalid TOML: "),
        (b"\x00\x00\x00\x00", None, "binary file"),
        (b'[[package]]\nname = "x"\nsummary = "\x80"\n', 3, "not valid UTF-8 (byte 0x80)"),
    ],
    ids=["not-toml", "binary", "not-utf8"],
)
def test_unreadable_files_are_one_problem(
    parse_text: Parse, content: bytes, line: int | None, start: str
) -> None:
    result = parse_text("pdm.lock", content)
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.file, problem.line) == ("pdm.lock", line)
    assert problem.message.startswith(start)


def test_only_pdm_lock_matches() -> None:
    assert PdmLockParser().matches(PurePosixPath("pdm.lock"))
    assert not PdmLockParser().matches(PurePosixPath(".pdm.toml"))


def _osv_cases() -> list[dict[str, object]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParsePdmLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, object] | None) -> None:
    """Same names and versions as osv-scanner. Their git "commit" is the revision, which we
    use in the spec only when no ``ref`` is given; their group "optional" (for any group but
    dev) is our scope ``optional``, and their "dev" is our ``dev``."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("pdm.lock", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    expected = case["expected_packages"]
    assert isinstance(expected, list)
    assert sorted((d.name, d.version) for d in result.dependencies) == sorted(
        (p["name"], p["version"]) for p in expected
    )
    for package in expected:
        groups = package.get("dep_groups", [])
        scope = OPT if "optional" in groups else D if "dev" in groups else R
        assert [d.scope for d in result.dependencies if d.name == package["name"]] == [scope]
        if package.get("commit"):
            [record] = [d for d in result.dependencies if d.name == package["name"]]
            assert record.spec is not None and record.spec.endswith("@" + package["commit"])
