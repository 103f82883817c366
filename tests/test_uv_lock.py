"""uv.lock: the project and workspace members, direct packages, scopes, sources and edges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from analyzer.manifests.uv_lock import UvLockParser
from analyzer.model import ParsedManifest, Scope
from tests.helpers import pypi_edges as edges
from tests.helpers import rows

FIXTURES = Path(__file__).parent / "fixtures" / "uv_lock"
Parse = Callable[..., ParsedManifest]
R, OPT, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.TEST, Scope.DEV
RUFF_WHEEL = "../wheels/ruff-0.7.0-py3-none-manylinux_2_17_x86_64.whl"


WORKSPACE_ROWS = [
    ("attrs", "24.2.0", R, True, 67, "registry", None),  # acme-core is a member: direct
    ("certifi", "2024.8.30", R, False, 73, "registry", None),
    ("h2", "4.1.0", R, False, 78, "registry", None),  # via httpx[http2]
    ("hpack", "4.0.0", R, False, 86, "registry", None),
    ("httpx", "0.27.2", R, True, 91, "registry", ">=0.27"),
    ("hypothesis", "6.115.0", T, True, 107, "registry", ">=6"),  # extra "tests"
    ("iniconfig", "2.0.0", D, False, 116, "registry", None),  # only pytest needs it
    ("numpy", "1.26.4", R, True, 121, "registry", ">=1.26"),
    ("numpy", "2.1.3", R, True, 129, "registry", ">=1.26"),
    ("psycopg", "3.2.3", OPT, True, 137, "url", "https://example.com/wheels/psycopg-3.2.3-py3-none-any.whl"),
    ("pytest", "8.3.3", D, True, 142, "registry", "~=8.3"),
    ("ruff", "0.7.0", D, True, 150, "path", RUFF_WHEEL),
    ("sortedcontainers", "2.4.0", T, False, 155, "registry", None),
    ("toolz", "1.0.0", R, True, 160, "vcs", "https://github.com/pytoolz/toolz@1.0.0"),
]  # fmt: skip
WORKSPACE_EDGES = edges(
    ("acme-api", "acme-core"),
    ("acme-api", "httpx"),
    ("acme-api", "numpy"),
    ("acme-api", "toolz"),
    ("acme-api", "hypothesis"),
    ("acme-api", "psycopg"),
    ("acme-api", "pytest"),
    ("acme-api", "ruff"),
    ("acme-core", "attrs"),
    ("h2", "hpack"),
    ("httpx", "certifi"),
    ("httpx", "h2"),  # the http2 extra is selected; socks is not
    ("hypothesis", "attrs"),
    ("hypothesis", "sortedcontainers"),
    ("pytest", "iniconfig"),
)


def test_workspace(parse_text: Parse) -> None:
    result = parse_text("uv.lock", (FIXTURES / "workspace.lock").read_bytes())
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == WORKSPACE_ROWS
    assert set(result.edges) == WORKSPACE_EDGES
    assert len(result.edges) == len(WORKSPACE_EDGES)
    assert result.publishes == ("pkg:pypi/acme-api", "pkg:pypi/acme-core")


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\nname = ", "\n\tname = ").replace("    {", "\t{"),
    ],
    ids=["crlf", "bom", "tabs"],
)
def test_workspace_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "workspace.lock").read_text(encoding="utf-8"))
    result = parse_text("uv.lock", text.encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == WORKSPACE_ROWS
    assert set(result.edges) == WORKSPACE_EDGES


def test_workspace_lines_with_comments(parse_text: Parse) -> None:
    text = (FIXTURES / "workspace.lock").read_text(encoding="utf-8")
    text = text.replace("[[package]]\n", "# not a header: [[package]]\n[[package]]  # note\n")
    result = parse_text("uv.lock", text)
    assert result.problems == ()
    # One comment line more before each package: attrs is the third, certifi the fourth.
    assert [(d.name, d.line) for d in result.dependencies][:2] == [("attrs", 70), ("certifi", 77)]
    assert [r[:4] + r[5:] for r in rows(result)] == [r[:4] + r[5:] for r in WORKSPACE_ROWS]


def test_workspace_in_a_subdirectory(parse_text: Parse, write_tree: Callable[..., Path]) -> None:
    from tests.conftest import parse_in

    content = (FIXTURES / "workspace.lock").read_bytes()
    result = parse_in(write_tree({"svc/uv.lock": content}), "svc/uv.lock")
    assert result.publishes == ("pkg:pypi/acme-api", "pkg:pypi/acme-core")
    assert [d.file for d in result.dependencies] == ["svc/uv.lock"] * len(WORKSPACE_ROWS)


def test_legacy_distribution_tables_and_virtual_root(parse_text: Parse) -> None:
    result = parse_text("uv.lock", (FIXTURES / "legacy_distribution.lock").read_bytes())
    assert result.problems == ()
    assert rows(result) == [
        ("click", "8.1.7", R, True, 5, "registry", None),
        ("colorama", "0.4.6", R, False, 13, "registry", None),
    ]
    assert set(result.edges) == edges(("click", "colorama"), ("tool", "click"))
    assert result.publishes == ("pkg:pypi/tool",)


def test_virtual_workspace_root_requirements(parse_text: Parse) -> None:
    result = parse_text("uv.lock", (FIXTURES / "virtual_root.lock").read_bytes())
    assert result.problems == ()
    assert rows(result) == [
        ("mypy", "1.13.0", D, True, 13, "registry", None),  # [manifest.dependency-groups] lint
        ("rich", "13.9.4", R, True, 18, "registry", None),  # [manifest] requirements
        ("unused", "1.0", R, False, 29, "registry", None),  # reached by nothing
    ]
    assert set(result.edges) == edges(("svc", "rich"))
    assert result.publishes == ("pkg:pypi/svc",)


def test_unknown_version_is_a_problem_but_packages_count(parse_text: Parse) -> None:
    text = 'version = 7\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n'
    result = parse_text("uv.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [(1, "unknown lockfile version 7")]
    assert rows(result) == [("six", "1.16.0", R, False, 4, "registry", None)]


def test_editable_outside_the_repository_is_a_dependency(parse_text: Parse) -> None:
    text = (
        "version = 1\n"
        "[[package]]\n"
        'name = "app"\n'
        'source = { virtual = "." }\n'
        'dependencies = [{ name = "sibling" }, { name = "dir-dep" }]\n'
        "[[package]]\n"
        'name = "sibling"\n'
        'version = "0.1"\n'
        'source = { editable = "../../sibling" }\n'
        "[[package]]\n"
        'name = "dir-dep"\n'
        'version = "0.2"\n'
        'source = { directory = "/opt/src/dir-dep" }\n'
    )
    result = parse_text("uv.lock", text)
    assert rows(result) == [
        ("sibling", "0.1", R, True, 7, "path", "../../sibling"),
        ("dir-dep", "0.2", R, True, 11, "path", "/opt/src/dir-dep"),
    ]
    assert result.publishes == ("pkg:pypi/app",)


def test_git_source_forms() -> None:
    from analyzer.manifests.uv_lock import _git_spec

    assert _git_spec("https://github.com/a/b?tag=v2#abc123") == "https://github.com/a/b@v2"
    assert _git_spec("https://github.com/a/b?branch=main#abc123") == "https://github.com/a/b@main"
    assert _git_spec("https://github.com/a/b#abc123") == "https://github.com/a/b@abc123"
    assert _git_spec("https://github.com/a/b") == "https://github.com/a/b"


def test_malformed_entries(parse_text: Parse) -> None:
    text = (
        "version = 1\n"
        "[[package]]\n"  # 2
        'name = "ok"\n'
        'version = "1"\n'
        'source = "weird"\n'
        'dependencies = "not a list"\n'
        "[[package]]\n"  # 7
        "name = 5\n"
    )
    result = parse_text("uv.lock", text)
    assert [(p.line, p.message) for p in result.problems] == [
        (7, "package entry 2 has no valid name (5)")
    ]
    assert rows(result) == [("ok", "1", R, False, 3, "registry", None)]


@pytest.mark.parametrize(
    ("content", "start"),
    [(b"version = \n", "invalid TOML: "), (b"\xff\xfe\x00\xd8", "invalid UTF-16-LE text")],
    ids=["not-toml", "bad-utf16"],
)
def test_unreadable_files_are_one_problem(parse_text: Parse, content: bytes, start: str) -> None:
    result = parse_text("uv.lock", content)
    assert result.dependencies == ()
    assert [p.message[: len(start)] for p in result.problems] == [start]
    assert result.problems[0].file == "uv.lock"


def test_only_uv_lock_matches() -> None:
    assert UvLockParser().matches(PurePosixPath("a/b/uv.lock"))
    assert not UvLockParser().matches(PurePosixPath("uv.toml"))
