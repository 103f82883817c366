"""pylock.toml (PEP 751): sources, marker scopes, optional dependency edges, file names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from analyzer.manifests.pylock import PylockParser
from analyzer.model import ParsedManifest, Scope
from tests.helpers import purl, rows

FIXTURES = Path(__file__).parent / "fixtures" / "pylock"
Parse = Callable[..., ParsedManifest]
R, OPT, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.TEST, Scope.DEV


FIXTURE_ROWS = [
    ("attrs", "25.1.0", R, False, 10, "registry", None),
    ("cattrs", "24.1.2", R, False, 23, "registry", None),
    ("numpy", "2.2.3", R, False, 43, "registry", None),  # a platform marker says nothing
    ("psycopg", "3.2.4", OPT, False, 48, "url", "https://example.com/psycopg-3.2.4.tar.gz"),
    ("pytest", "8.3.4", D, False, 54, "registry", None),  # 'dev' in dependency_groups
    ("pip", None, R, False, 59, "vcs", "https://github.com/pypa/pip.git@25.0"),  # default group
    ("local-wheel", "0.1", R, False, 64, "path", "dist/local_wheel-0.1-py3-none-any.whl"),
]
FIXTURE_EDGES = {
    (purl("cattrs"), purl("attrs")),  # exceptiongroup is not locked
    (purl("my-service"), purl("cattrs")),
    (purl("my-service"), purl("numpy")),
}


@pytest.mark.parametrize("name", ["pylock.toml", "pylock.spam.toml"])
def test_fixture(parse_text: Parse, name: str) -> None:
    result = parse_text(name, (FIXTURES / "pylock.toml").read_bytes())
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == FIXTURE_ROWS
    assert set(result.edges) == FIXTURE_EDGES
    assert result.publishes == ("pkg:pypi/my-service",)  # directory "." is the project
    assert {d.file for d in result.dependencies} == {name}


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\nname = ", "\n\tname = ").replace("    {", "\t{"),
    ],
    ids=["crlf", "bom", "tabs"],
)
def test_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "pylock.toml").read_text(encoding="utf-8"))
    result = parse_text("pylock.toml", text.encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == FIXTURE_ROWS
    assert set(result.edges) == FIXTURE_EDGES


@pytest.mark.parametrize(
    ("marker", "scope"),
    [
        ("'test' in extras", T),
        ("'postgres' in extras or 'docs' in dependency_groups", OPT),
        ("\"lint\" in dependency_groups and python_version >= '3.11'", D),
        ("'default' in dependency_groups or 'dev' in dependency_groups", R),
        ("'dev' not in dependency_groups", R),
        ("sys_platform == 'linux'", R),
    ],
)
def test_marker_scopes(parse_text: Parse, marker: str, scope: Scope) -> None:
    text = (
        "lock-version = '1.0'\ndefault-groups = ['default']\ncreated-by = 'x'\n"
        f"[[packages]]\nname = 'a'\nversion = '1'\nmarker = {_toml_string(marker)}\n"
    )
    result = parse_text("pylock.toml", text)
    assert result.problems == ()
    assert [(d.name, d.scope) for d in result.dependencies] == [("a", scope)]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_unknown_lock_version_and_bad_entries(parse_text: Parse) -> None:
    text = (
        "lock-version = '2.0'\n"  # 1
        "created-by = 'future-tool'\n"
        "[[packages]]\n"  # 3
        "version = '1'\n"
        "[[packages]]\n"  # 5
        "name = 'fine'\n"
        "version = '1.0'\n"
        "dependencies = 'all of them'\n"
    )
    result = parse_text("pylock.toml", text)
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "unknown lockfile version 2.0"),
        (3, "packages entry 1 has no valid name"),
    ]
    assert rows(result) == [("fine", "1.0", R, False, 6, "registry", None)]


def test_directory_outside_the_repository(parse_text: Parse) -> None:
    text = "lock-version = '1.0'\n[[packages]]\nname = 'x'\ndirectory = {path = '/src/x'}\n"
    result = parse_text("pylock.toml", text)
    assert rows(result) == [("x", None, R, False, 3, "path", "/src/x")]
    assert result.publishes == ()


@pytest.mark.parametrize(
    ("content", "start"),
    [
        (b"lock-version = '1.0\n", "invalid TOML: "),
        (b"\xef\xbb\xbf\xff", "invalid UTF-8 text"),
    ],
    ids=["not-toml", "bad-after-bom"],
)
def test_unreadable_files_are_one_problem(parse_text: Parse, content: bytes, start: str) -> None:
    result = parse_text("pylock.toml", content)
    assert result.dependencies == ()
    [problem] = result.problems
    assert problem.file == "pylock.toml"
    assert problem.message.startswith(start)


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("pylock.toml", True),
        ("pylock.dev.toml", True),
        ("pylock.a.b.toml", False),
        ("pylock..toml", False),
        ("mypylock.toml", False),
        ("pylock.toml.orig", False),
    ],
)
def test_file_names(name: str, matches: bool) -> None:
    assert PylockParser().matches(PurePosixPath("svc") / name) is matches
