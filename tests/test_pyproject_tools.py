"""Tool tables of pyproject.toml: Poetry, PDM, uv sources and dev-dependencies, Hatch envs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest
from analyzer.manifests.pyproject import PyprojectParser
from analyzer.manifests.pyproject_tool_reader import locate
from analyzer.manifests.text import TextIndex
from analyzer.model import ManifestFile, ParsedManifest

FIXTURES = Path(__file__).parent / "fixtures" / "pyproject_tools"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

Parse = Callable[..., ParsedManifest]
# (name, spec, version, scope, line, source); direct is checked separately (always True).
Row = tuple[str, str | None, str | None, str, int | None, str]


def rows(result: ParsedManifest) -> list[Row]:
    assert all(d.direct and d.file == "pyproject.toml" for d in result.dependencies)
    assert all(d.repo == "repo" for d in result.dependencies)
    return [
        (d.name, d.spec, d.version, d.scope.value, d.line, d.source) for d in result.dependencies
    ]


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    assert all(p.file == "pyproject.toml" and p.repo == "repo" for p in result.problems)
    return [(p.line, p.message) for p in result.problems]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


POETRY: list[Row] = [
    ("poetry-core", ">=1.0.0", None, "build", 62, "registry"),
    ("requests", "^2.31", None, "runtime", 12, "registry"),
    ("pydantic", "~1.10.2", None, "runtime", 13, "registry"),
    ("zope-interface", None, None, "runtime", 14, "registry"),
    ("attrs", "23.1.0", "23.1.0", "runtime", 15, "registry"),
    ("urllib3", "==1.26.18", "1.26.18", "runtime", 16, "registry"),
    ("click", ">=8.0, <9.0", None, "runtime", 17, "registry"),
    ("jinja2", "^3.1", None, "runtime", 18, "registry"),
    # Both are in the "fast" extra; orjson also in "testing", but "fast" weighs more.
    ("uvloop", "^0.19", None, "optional", 19, "registry"),
    ("orjson", "^3.9", None, "optional", 20, "registry"),
    ("stripe-sdk", "git+https://github.com/acme/stripe-sdk.git@v5.2.0", None, "runtime", 21,
     "vcs"),
    ("ledger", "git+ssh://git@github.com/acme/ledger.git@main#subdirectory=py", None, "runtime",
     22, "vcs"),
    ("internal-wheel", "https://files.acme.example/internal_wheel-1.0-py3-none-any.whl", "1.0",
     "runtime", 24, "url"),
    ("numpy", "~1.24 || ^1.26", None, "runtime", 25, "registry"),
    ("private-client", "1.4.2", "1.4.2", "runtime", 29, "registry"),
    ("sqlalchemy", ">=1.4 <2.1", None, "runtime", 32, "registry"),
    ("black", "^23.1", None, "dev", 41, "registry"),
    ("pytest", "^7.4", None, "test", 44, "registry"),
    ("requests", "^2.31", None, "test", 45, "registry"),
    ("mkdocs", "1.5.3", "1.5.3", "dev", 51, "registry"),
    ("locust", "^2.20", None, "dev", 54, "registry"),
]  # fmt: skip


def test_poetry_tables(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("poetry.toml"))
    assert problems(result) == []
    assert rows(result) == POETRY
    assert result.publishes == ("pkg:pypi/acme-billing",)


def test_poetry_with_bom_and_crlf_keeps_lines(parse_text: Parse) -> None:
    content = "\ufeff" + fixture("poetry.toml").replace("\n", "\r\n")
    result = parse_text("pyproject.toml", content.encode("utf-8"))
    assert problems(result) == []
    assert rows(result) == POETRY


def test_poetry_dotted_and_inline_tables(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("poetry_inline.toml"))
    assert problems(result) == []
    assert rows(result) == [
        ("httpx", ">=0.27", None, "runtime", 6, "registry"),  # [project] dependencies
        # The same package enriched in [tool.poetry.dependencies] is a record of its own.
        ("httpx", ">=0.27", None, "runtime", 10, "registry"),
        ("ruamel-yaml", "^0.18", None, "runtime", 10, "registry"),
        ("ruff", "^0.4", None, "dev", 11, "registry"),
        ("mypy", "^1.10", None, "dev", 12, "registry"),
        ("shapely", "2.0.4", "2.0.4", "runtime", 13, "registry"),  # group "main" is runtime
        ("types-requests", None, None, "dev", 16, "registry"),
        ("testcontainers", "^4.4", None, "test", 19, "registry"),
        ("pytest-docker", "^2", None, "test", 20, "registry"),  # identical alternatives merge
    ]
    # [project] already names the package; [tool.poetry] adds no second purl.
    assert result.publishes == ("pkg:pypi/route-planner",)


def test_pdm_dev_dependencies(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("pdm.toml"))
    assert problems(result) == []
    assert rows(result) == [
        ("pandas", ">=2.1", None, "runtime", 5, "registry"),
        ("pyarrow", None, None, "runtime", 5, "registry"),
        ("boto3", ">=1.34", None, "optional", 8, "registry"),
        ("pdm-backend", None, None, "build", 33, "registry"),
        ("pytest", ">=8.0", None, "test", 15, "registry"),
        ("pytest-cov", None, None, "test", 16, "registry"),
        # "data-loader[s3]" is the project; "-e file:///${PROJECT_ROOT}/..." is its own tree.
        ("ruff", "==0.4.4", "0.4.4", "dev", 20, "registry"),
        ("mypy", ">=1.10", None, "dev", 20, "registry"),
        ("acme-sphinx-theme",
         "git+https://github.com/acme/sphinx-theme.git@v2.1#egg=acme-sphinx-theme", None, "dev",
         22, "vcs"),
        # "-e ./docs/extensions" is a local directory.
        ("sphinx-ext", "git+https://github.com/acme/sphinx-ext.git", None, "dev", 24, "vcs"),
        ("pytest", ">=8.0", None, "dev", 25, "registry"),
        ("asv", ">=0.6", None, "dev", 27, "registry"),
    ]  # fmt: skip
    assert result.publishes == ("pkg:pypi/data-loader",)


def test_uv_sources_and_dev_dependencies(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("uv.toml"))
    assert problems(result) == []
    wheel = "https://downloads.acme.example/nightly_client-0.9.1-py3-none-any.whl"
    geo = "git+https://github.com/acme/geo-utils.git@v1.4.0"
    assert rows(result) == [
        ("fastapi", ">=0.111", None, "runtime", 6, "registry"),
        # search-core is a workspace member and vendored-lib a path: own code, no record.
        ("tokenizer-rs", "git+https://github.com/acme/tokenizer-rs@4f2a9c1", None, "runtime", 8,
         "vcs"),
        ("geo-utils", geo, None, "runtime", 9, "vcs"),  # the git source replaces "==1.4.0"
        ("torch", ">=2.3", None, "runtime", 10, "registry"),  # named indexes are registries
        ("nightly-client", wheel, "0.9.1", "runtime", 12, "url"),
        ("pytest", ">=8.2", None, "test", 16, "registry"),
        ("httpx", None, None, "test", 16, "registry"),
        ("hatchling", None, None, "build", 47, "registry"),
        ("ruff", ">=0.4", None, "dev", 20, "registry"),
        ("pre-commit", None, None, "dev", 21, "registry"),
        ("geo-utils", geo, None, "dev", 22, "vcs"),
    ]  # fmt: skip
    assert result.publishes == ("pkg:pypi/search-api", "pkg:pypi/search-core")


def test_hatch_environments(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("hatch.toml"))
    assert problems(result) == []
    assert rows(result) == [
        ("prometheus-client", ">=0.20", None, "runtime", 8, "registry"),
        ("pytest", None, None, "test", 11, "registry"),
        ("freezegun", None, None, "test", 11, "registry"),
        ("hatchling", ">=1.21", None, "build", 2, "registry"),
        ("hatch-vcs", None, None, "build", 2, "registry"),
        ("coverage", ">=7.4", None, "dev", 19, "registry"),  # env "default" is dev
        ("ipython", None, None, "dev", 20, "registry"),
        ("pytest-asyncio", ">=0.23", None, "test", 24, "registry"),
        ("mkdocs-material", "~=9.5", None, "dev", 28, "registry"),
        ("mkdocstrings", None, None, "dev", 28, "registry"),
        # "metrics-exporter[tests]" is the project and "{root:uri}" its own tree.
        ("mypy", ">=1.9", None, "dev", 33, "registry"),
        ("build", None, None, "build", 39, "registry"),
        ("twine", ">=5", None, "build", 39, "registry"),
        ("pyperf", "==2.6.3", "2.6.3", "dev", 42, "registry"),
        ("towncrier", None, None, "build", 43, "registry"),  # env "release"
    ]
    assert result.publishes == ("pkg:pypi/metrics-exporter",)


def test_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    result = parse_text("pyproject.toml", fixture("problems.toml"))
    assert rows(result) == [
        ("black", None, None, "dev", 20, "registry"),  # its source was not understood
        ("fine", "^1.0", None, "runtime", 9, "registry"),
        ("ok-package", None, None, "dev", 26, "registry"),
    ]
    found = problems(result)
    assert found[7][0] == 17 and found[7][1].startswith("invalid requirement 'ruff>=': ")
    del found[7]
    assert found == [
        (23, "tool.uv.sources.black: unsupported source {'branch': 'main'}"),
        (6, "tool.poetry.dependencies.requests: invalid version constraint 'latest'"),
        (7, "invalid package name 'bad name!' in tool.poetry.dependencies"),
        (8, "tool.poetry.dependencies.numbers: unsupported value 3"),
        (10, "tool.poetry.dependencies.badversion: version must be a string, not 2"),
        (13, "tool.poetry.group.dev.dependencies must be a table"),
        (16, "tool.pdm.dev-dependencies.test must be a list of strings"),
        (17, "tool.pdm.dev-dependencies.lint: 42 is not a string"),
        (17, "cannot tell the package name of 'git+https://github.com/acme/no-egg.git' "
             "(add #egg=NAME)"),
        (29, "tool.hatch.envs.lint.dependencies must be a list of strings"),
    ]  # fmt: skip
    assert result.publishes == ("pkg:pypi/broken-tools",)


@pytest.mark.parametrize(
    ("value", "spec", "version"),
    [
        ('"^1.2"', "^1.2", None),
        ('"~1.2"', "~1.2", None),
        ('"~=1.2"', "~=1.2", None),
        ('"*"', None, None),
        ('"  "', None, None),
        ('">=1,<2"', ">=1,<2", None),
        ('">= 1.2 , < 1.5"', ">= 1.2 , < 1.5", None),
        ('"^1.2 || ^2.0"', "^1.2 || ^2.0", None),
        ('" 1.2.3 "', "1.2.3", "1.2.3"),
        ('"=1.2.3"', "=1.2.3", "1.2.3"),
        ('"1.2.*"', "1.2.*", None),
        ('"1.2.x"', "1.2.x", None),
        ('"!=1.5"', "!=1.5", None),
        ('"1.0.0-beta.1"', "1.0.0-beta.1", "1.0.0-beta.1"),
        ("{ version = '>1', allow-prereleases = true }", ">1", None),
        ("{ extras = ['socks'] }", None, None),
        ('[{ version = "1.0", python = "<3" }, { version = "1.0", platform = "linux" }]', "1.0",
         "1.0"),
        ('[{ version = "1.0", python = "<3" }, { version = "*", python = ">=3" }]', "1.0 || *",
         None),
    ],
)  # fmt: skip
def test_poetry_constraint_forms(
    parse_text: Parse, value: str, spec: str | None, version: str | None
) -> None:
    content = f"[tool.poetry.dependencies]\npython = '^3.10'\n\nfoo = {value}\n"
    result = parse_text("pyproject.toml", content)
    assert problems(result) == []
    assert rows(result) == [("foo", spec, version, "runtime", 4, "registry")]


@pytest.mark.parametrize(
    ("value", "spec", "source"),
    [
        ('{ git = "https://github.com/a/b.git" }', "git+https://github.com/a/b.git", "vcs"),
        ('{ git = "https://github.com/a/b.git", rev = "abc123" }',
         "git+https://github.com/a/b.git@abc123", "vcs"),
        ('{ git = "git+https://github.com/a/b.git", tag = "v1" }',
         "git+https://github.com/a/b.git@v1", "vcs"),
        ('{ git = "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/a/b.git" }',
         "git+https://****@github.com/a/b.git", "vcs"),  # tokens never reach a report
        ('{ hg = "https://hg.example/b" }', "hg+https://hg.example/b", "vcs"),
        ('{ url = "https://example.org/b-main.tar.gz" }', "https://example.org/b-main.tar.gz",
         "url"),
        ('[{ path = "../b", python = "<3.9" }, { version = "^2", python = ">=3.9" }]', "^2",
         "registry"),
    ],
)  # fmt: skip
def test_poetry_references(parse_text: Parse, value: str, spec: str, source: str) -> None:
    result = parse_text("pyproject.toml", f"[tool.poetry.dependencies]\nb = {value}\n")
    assert problems(result) == []
    assert rows(result) == [("b", spec, None, "runtime", 2, source)]


def test_poetry_path_only_alternatives_are_own_code(parse_text: Parse) -> None:
    content = '[tool.poetry.group.dev.dependencies]\nb = [{ path = "a" }, { path = "b" }]\n'
    result = parse_text("pyproject.toml", content)
    assert (rows(result), problems(result), result.publishes) == ([], [], ())


def test_optional_poetry_group_keeps_the_group_scope(parse_text: Parse) -> None:
    content = (
        "[tool.poetry.group.test]\noptional = true\n\n"
        "[tool.poetry.group.test.dependencies]\npytest = { version = '^8', optional = true }\n"
    )
    result = parse_text("pyproject.toml", content)
    assert rows(result) == [("pytest", "^8", None, "test", 5, "registry")]


def test_names_are_found_in_the_right_table(parse_text: Parse) -> None:
    # "pytest" appears first in an unrelated table; each record gets its own table's line.
    content = (
        "[tool.pytest.ini_options]\npytest = 1\n\n"
        "[tool.poetry.group.test.dependencies]\npytest = '^8'\n\n"
        "[tool.poetry.dev-dependencies]\npytest = '^7'\n"
    )
    result = parse_text("pyproject.toml", content)
    assert rows(result) == [
        ("pytest", "^7", None, "dev", 8, "registry"),
        ("pytest", "^8", None, "test", 5, "registry"),
    ]


def test_locate_handles_every_spelling() -> None:
    text = (
        "[tool]\n"  # 1
        "uv.dev-dependencies = ['a']\n"  # 2
        "[tool.hatch]\n"  # 3
        "envs.test = { dependencies = ['b'] }\n"  # 4
        '[tool . poetry . "dependencies"]\n'  # 5
        "'requests' = '*'\n"  # 6
    )
    index = TextIndex(text)

    def line(path: tuple[str, ...], key: str) -> int | None:
        offset = locate(index, path, key)
        return index.line_of(offset) if offset != -1 else None

    assert line(("tool", "uv"), "dev-dependencies") == 2
    assert line(("tool", "hatch", "envs", "test"), "dependencies") == 4
    assert line(("tool", "poetry", "dependencies"), "requests") == 6
    assert line(("tool", "poetry", "dependencies"), "missing") is None


def test_without_tool_tables_nothing_changes(parse_text: Parse) -> None:
    content = '[project]\nname = "x"\ndependencies = ["a>=1"]\n\n[tool.ruff]\nline-length = 99\n'
    result = parse_text("pyproject.toml", content)
    assert rows(result) == [("a", ">=1", None, "runtime", 3, "registry")]
    assert result.publishes == ("pkg:pypi/x",)


@pytest.mark.parametrize(
    "content",
    [
        "tool = 3\n",
        "[tool]\npoetry = 'x'\npdm = 1\nuv = []\nhatch = true\n",
        "[tool.poetry]\ngroup = 1\nextras = 2\ndev-dependencies = []\n",
        "[tool.hatch]\nenvs = { a = 1, b = { dependencies = 'x' } }\n",
        "[tool.uv]\nsources = { a = [], b = [1], c = { git = 1 } }\n",
    ],
)
def test_wrong_shapes_never_crash(parse_text: Parse, content: str) -> None:
    result = parse_text("pyproject.toml", content)
    assert result.dependencies == ()
    assert not any("internal error" in p.message for p in result.problems)


def test_unreadable_files_give_one_problem(parse_text: Parse) -> None:
    for content in (b"[tool.poetry\nname = 1\n", b"\x00\x01binary", b"[tool]\nname = '\xff'\n"):
        result = parse_text("pyproject.toml", content)
        assert len(result.problems) == 1 and result.dependencies == ()
        assert result.problems[0].file == "pyproject.toml"
        assert result.problems[0].line is None or result.problems[0].line >= 1


# --- property tests ---------------------------------------------------------------------------


def _parse_bytes(data: bytes) -> None:
    file = ManifestFile("repo", "pyproject.toml", len(data), lambda _path: data)
    try:
        result = PyprojectParser().parse(file)
    except ManifestError:
        return
    assert isinstance(result, ParsedManifest)


def _toml_value(value: Any) -> str:
    """A TOML inline spelling of a JSON-like value (JSON strings are TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


_KEYS = st.sampled_from(
    ["dependencies", "dev-dependencies", "group", "envs", "sources", "extra-dependencies",
     "version", "git", "path", "url", "workspace", "index", "optional", "extras", "tag",
     "python", "name", "requests", "dev", "test", "default", "-e ./x"]
) | st.text(max_size=8)  # fmt: skip
_LEAVES = (
    st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from(["^1.2", "*", "1.0", "-e git+https://x/y#egg=y", "a>=1", "{root}", ""])
    | st.text(max_size=12)
)
_DOCS = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _parse_bytes(("[tool.poetry.dependencies]\n" + text).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["poetry", "pdm", "uv", "hatch"]), st.dictionaries(_KEYS, _DOCS, max_size=5))
def test_structured_but_wrong_tool_tables_never_crash(tool: str, body: dict[str, Any]) -> None:
    lines = [f'[project]\nname = "p"\ndependencies = ["requests", "p"]\n\n[tool.{tool}]']
    lines += [f"{json.dumps(key)} = {_toml_value(value)}" for key, value in body.items()]
    _parse_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))


# --- real files ---------------------------------------------------------------------------------


def test_corpus_pyprojects_parse_without_internal_errors() -> None:
    root = CORPUS / "orgs"
    if not root.is_dir():
        pytest.skip("corpus not available")
    paths = sorted(root.rglob("pyproject.toml"))
    assert paths
    for path in paths:
        data = path.read_bytes()
        file = ManifestFile(
            "corpus", path.relative_to(root).as_posix(), len(data), lambda _p, d=data: d
        )
        result = parse_manifest(file)
        assert not [p for p in result.problems if "internal error" in p.message], path
