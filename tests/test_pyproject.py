"""pyproject.toml: PEP 621 dependencies and extras, PEP 735 groups, build requirements."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.manifests import parse_manifest
from analyzer.manifests.pyproject import load_toml
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource
from tests.helpers import time_limit

FIXTURES = Path(__file__).parent / "fixtures" / "pyproject"
Parse = Callable[..., ParsedManifest]
R, OPT, B, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST, Scope.DEV


def rec(
    name: str,
    spec: str | None = None,
    version: str | None = None,
    *,
    line: int | None,
    scope: Scope = R,
    source: str = "registry",
    file: str = "pyproject.toml",
) -> Dependency:
    return Dependency(
        Ecosystem.PYPI, name, spec, version, scope, True, "repo", file, line, source=source
    )


def problem(line: int | None, message: str) -> Problem:
    return Problem("pyproject.toml", line, message, "repo")


def parse_fixture(name: str) -> ParsedManifest:
    root = FIXTURES / name
    source = LocalSource(root, lambda _: True)
    size = (root / "pyproject.toml").stat().st_size
    return parse_manifest(ManifestFile("repo", "pyproject.toml", size, source.read))


def test_service_every_record() -> None:
    result = parse_fixture("service")
    assert result.problems == ()
    assert result.publishes == ("pkg:pypi/acme-billing",)
    assert result.dependencies == (
        # project.dependencies: one line per string of a multi-line array
        rec("fastapi", ">=0.110,<1", line=16),
        rec("pydantic", "~=2.6", line=17),
        rec("sqlalchemy", "==2.0.29", "2.0.29", line=18),  # a literal string
        rec("tomli", ">=2", line=19),  # escaped quotes inside the marker
        rec("uvloop", line=20),
        rec(
            "acme-auth",
            "git+https://github.com/acme/acme-auth.git@v3.2.0",
            line=21,
            source="vcs",
        ),
        rec("fastapi", ">=0.110,<1", line=22),  # the duplicate keeps its own line
        # optional-dependencies: the scope comes from the extra's name
        rec("asyncpg", "==0.29.0", "0.29.0", line=26, scope=OPT),
        rec("pytest", ">=8", line=28, scope=T),  # "acme-billing[postgres]" is itself: skipped
        rec("mkdocs-material", line=31, scope=D),
        rec("hypothesis", line=32, scope=T),
        rec("ruff", "==0.4.4", "0.4.4", line=33, scope=D),
        # dependency-groups: include-group brings the included strings in the includer's scope
        rec("mypy", ">=1.10", line=39, scope=D),  # "typing" is a dev word
        rec("types-requests", line=39, scope=D),
        rec("pytest-cov", line=40, scope=T),
        rec("mypy", ">=1.10", line=39, scope=T),
        rec("types-requests", line=39, scope=T),
        rec("pytest-cov", line=40, scope=D),  # dev includes test; typing's dev records exist
        rec("pre-commit", line=43, scope=D),
        # build-system.requires
        rec("setuptools", ">=69", line=3, scope=B),
        rec("setuptools-scm", ">=8", line=4, scope=B),
        rec("wheel", line=5, scope=B),
    )


def test_inline_tables_normalized_group_names_unknown_groups_and_cycles() -> None:
    result = parse_fixture("inline")
    assert result.publishes == ("pkg:pypi/tiny",)
    assert result.dependencies == (
        rec("click", line=4),
        rec("pytest", line=5, scope=T),
        rec("click", ">=8", line=5, scope=T),
        rec("rich", line=5, scope=OPT),
        rec("ruff", line=8, scope=D),  # "all" includes "lint" (= "Lint"): same record, once
        rec("black", line=11, scope=D),
    )
    cycle = "dependency group include cycle loop-a -> loop-b -> loop-a; not followed again"
    assert result.problems == (
        problem(9, "dependency group 'all' includes 'missing', which is not defined"),
        problem(11, cycle),  # reported once, though both groups of the cycle are read
    )


def test_local_directories_are_own_code_but_local_wheels_are_packages(parse_text: Parse) -> None:
    content = (
        "[project]\n"
        'name = "app"\n'
        "dependencies = [\n"
        '  "lib @ file:///${PROJECT_ROOT}/libs/lib",\n'
        '  "vendored @ file:///opt/wheels/vendored-1.2-py3-none-any.whl",\n'
        '  "remote @ https://example.com/remote-0.3.tar.gz",\n'
        '  "app[extra]",\n'
        "]\n"
    )
    result = parse_text("pyproject.toml", content)
    assert result.dependencies == (
        rec(
            "vendored",
            "file:///opt/wheels/vendored-1.2-py3-none-any.whl",
            "1.2",
            line=5,
            source="path",
        ),
        rec("remote", "https://example.com/remote-0.3.tar.gz", "0.3", line=6, source="url"),
    )


def test_groups_without_a_project_table(parse_text: Parse) -> None:
    content = '[dependency-groups]\ndocs = ["sphinx>=7"]\nci = ["tox"]\nnamed = ["x"]\n'
    result = parse_text("pyproject.toml", content)
    assert result.publishes == ()
    assert result.dependencies == (
        rec("sphinx", ">=7", line=2, scope=D),
        rec("tox", line=3, scope=D),  # "ci" is a dev word
        rec("x", line=4, scope=D),  # a group with no telling name is still development
    )


def test_bom_crlf_and_tabs(parse_text: Parse) -> None:
    content = '\ufeff[project]\r\nname = "x"\r\ndependencies = [\r\n\t"a==1",\r\n\t"b"\r\n]\r\n'
    result = parse_text("pyproject.toml", content.encode("utf-8"))
    assert result.dependencies == (rec("a", "==1", "1", line=4), rec("b", line=5))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('project = "x"\n', [problem(1, "project must be a table")]),
        ("[project]\nname = 42\n", [problem(2, "project.name must be a string")]),
        (
            '[project]\ndependencies = "requests"\n',
            [problem(2, "project.dependencies must be a list of strings")],
        ),
        (
            '[project]\ndependencies = [\n  "ok",\n  3,\n]\n',
            [problem(3, "project.dependencies: 3 is not a string")],
        ),
        (
            '[project]\noptional-dependencies = ["x"]\n',
            [problem(2, "project.optional-dependencies must be a table")],
        ),
        (
            '[project.optional-dependencies]\ntest = "pytest"\n',
            [problem(2, "project.optional-dependencies.test must be a list of strings")],
        ),
        ('dependency-groups = ["x"]\n', [problem(1, "dependency-groups must be a table")]),
        (
            '[dependency-groups]\ndev = "ruff"\n',
            [problem(2, "dependency group 'dev' is not a list")],
        ),
        (
            '[dependency-groups]\ndev = [{include = "x"}]\n',
            [problem(2, "unsupported entry in dependency group 'dev': {'include': 'x'}")],
        ),
        ('build-system = "setuptools"\n', [problem(1, "build-system must be a table")]),
        (
            '[build-system]\nbuild-backend = "x"\nrequires = "setuptools"\n',
            [problem(3, "build-system.requires must be a list of strings")],
        ),
    ],
)
def test_wrong_types_are_problems(parse_text: Parse, content: str, expected: list[Problem]) -> None:
    result = parse_text("pyproject.toml", content)
    assert list(result.problems) == expected


def test_wrong_types_leave_the_rest_of_the_file(parse_text: Parse) -> None:
    content = '[project]\ndependencies = ["ok", 3, "bad==", "fine"]\n[build-system]\nrequires = 1\n'
    result = parse_text("pyproject.toml", content)
    assert result.dependencies == (rec("ok", line=2), rec("fine", line=2))
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (2, "project.dependencies"),
        (2, "invalid requirement 'bad=='"),
        (4, "build-system.requires must be a list of strings"),
    ]


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ('[project]\nname = "x"\n[project\n', 3),
        ('[project]\ndependencies = [\n  "a",\n  b,\n]\n', 4),
        ('[project]\ndependencies = [\n  "a",\n', 3),  # "at end of document"
        ('[project]\nname = "x"\nname = "y"\n', 3),  # a repeated key
    ],
)
def test_invalid_toml_is_one_problem_with_its_line(
    parse_text: Parse, content: str, line: int
) -> None:
    result = parse_text("pyproject.toml", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    assert result.problems[0].line == line
    assert result.problems[0].message.startswith("invalid TOML: ")
    assert "(at line" not in result.problems[0].message


def test_binary_and_latin1_files(parse_text: Parse) -> None:
    binary = parse_text("pyproject.toml", b"\x00\x01[project]")
    assert binary.problems == (problem(None, "binary file, not a text manifest"),)
    latin1 = parse_text("pyproject.toml", b'[project]\nname = "caf\xe9"\n')
    assert latin1.problems == (problem(2, "not valid UTF-8 (byte 0xe9)"),)


def test_load_toml_nesting_is_an_error_not_a_crash() -> None:
    from analyzer.errors import ManifestError

    with pytest.raises(ManifestError):
        load_toml("a = " + "[" * 100_000)


@pytest.mark.parametrize(
    "content",
    [
        "a" + ".b" * 50_000 + " = 1\n",  # Python 3.11's tomllib: minutes and gigabytes
        "[" + "a." * 50_000 + "b]\n",
        "[project]\ndependencies = " + "[" * 50_000 + "]" * 50_000 + "\n",
    ],
)
def test_toml_beyond_the_parsers_bounds_is_one_problem_saying_which(
    parse_text: Parse, content: str
) -> None:
    with time_limit(10):
        result = parse_text("pyproject.toml", content)
    assert result.dependencies == ()
    [problem] = result.problems
    assert problem.message.startswith("invalid TOML: TOML ")
    assert "more than the allowed" in problem.message
