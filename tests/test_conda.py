"""conda environment files: match specs, the pip sub-list, file names, YAML safety, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parser_for
from analyzer.manifests.conda import CondaParser
from analyzer.model import Ecosystem, ManifestFile, ParsedManifest, Problem, Scope

FIXTURES = Path(__file__).parent / "fixtures" / "conda"
Parse = Callable[..., ParsedManifest]
C, P = Ecosystem.CONDA, Ecosystem.PYPI
R, D = Scope.RUNTIME, Scope.DEV


def rows(parsed: ParsedManifest) -> list[tuple[Any, ...]]:
    """(ecosystem, name, spec, version, scope, line, source) of each record, in file order."""
    assert all(d.direct for d in parsed.dependencies)
    return [
        (d.ecosystem, d.name, d.spec, d.version, d.scope, d.line, d.source)
        for d in parsed.dependencies
    ]


def problems(parsed: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parsed.problems]


@pytest.mark.parametrize(
    "path",
    [
        "environment.yml",
        "environment.yaml",
        "Environment.YML",
        "ci/environment-dev.yml",
        "environment_py311.yaml",
        "envs/gpu.environment.yml",
        "docs-environment.yml",
        "conda.yml",
        "env.yaml",
    ],
)
def test_matches(path: str) -> None:
    assert isinstance(parser_for(path), CondaParser)


@pytest.mark.parametrize(
    "path",
    ["environments.yml", "docker-compose.yml", "pnpm-lock.yaml", "environment.txt", "dev-env.yml"],
)
def test_does_not_match(path: str) -> None:
    assert not CondaParser().matches(PurePosixPath(path))


def test_environment_fixture(parse_text: Parse) -> None:
    parsed = parse_text("environment.yml", (FIXTURES / "environment.yml").read_bytes())
    utils = "git+https://github.com/example-org/forecast-utils.git@v1.2#egg=forecast-utils"
    assert rows(parsed) == [
        # The interpreter and pip are kept: conda installs them like any other package.
        (C, "python", "=3.11", None, R, 8, "registry"),  # "=3.11" means any 3.11.x
        (C, "pip", None, None, R, 9, "registry"),
        (C, "numpy", "=1.26.4", "1.26.4", R, 10, "registry"),
        (C, "pandas", ">=2.1,<3", None, R, 11, "registry"),
        (C, "scikit-learn", "=1.4.*", None, R, 12, "registry"),  # channel prefix dropped
        (C, "scipy", "==1.12.0", "1.12.0", R, 13, "registry"),
        (C, "matplotlib-base", "3.8.2 py311h1234_0", "3.8.2", R, 14, "registry"),
        (C, "libblas", "=3.9.0=20_linux64_openblas", "3.9.0", R, 15, "registry"),
        (C, "jupyterlab", None, None, R, 16, "registry"),
        (C, "pyyaml", None, None, R, 17, "registry"),
        (C, "r-base", ">=4.3", None, R, 18, "registry"),
        (C, "xarray", None, None, R, 19, "registry"),
        (P, "requests", "==2.31.0", "2.31.0", R, 21, "registry"),
        (P, "httpx", ">=0.26", None, R, 22, "registry"),
        (P, "forecast-utils", utils, None, R, 25, "vcs"),
        (P, "tensorflow-cpu", None, None, R, 27, "registry"),
    ]
    # "-e ." is the repository's own code; the index option records nothing.
    assert problems(parsed) == [
        (
            23,
            "pip -r requirements-extra.txt is not followed from an environment file; "
            "requirements files are audited on their own",
        )
    ]
    assert {(d.repo, d.file) for d in parsed.dependencies} == {("repo", "environment.yml")}
    assert not parsed.lockfile


def test_flow_style_and_scope_from_the_file_name(parse_text: Parse) -> None:
    parsed = parse_text("environment-dev.yml", (FIXTURES / "environment-dev.yml").read_bytes())
    assert rows(parsed) == [
        (C, "pytest", ">=8", None, D, 3, "registry"),
        (C, "ruff", None, None, D, 3, "registry"),
        (P, "mypy", "==1.8.0", "1.8.0", D, 3, "registry"),
    ]
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("ci/environment.yml", Scope.DEV),
        ("docs/environment.yaml", Scope.DEV),
        ("binder/environment.yml", Scope.RUNTIME),
        ("environment-test.yml", Scope.TEST),
    ],
)
def test_scope_from_path(parse_text: Parse, path: str, scope: Scope) -> None:
    parsed = parse_text(path, "dependencies:\n  - numpy\n")
    assert [(d.name, d.scope) for d in parsed.dependencies] == [("numpy", scope)]


def test_a_yaml_file_that_is_not_conda_is_ignored(parse_text: Parse) -> None:
    parsed = parse_text("env.yml", (FIXTURES / "env.yml").read_bytes())
    assert parsed.dependencies == () and parsed.problems == ()
    for content in ("- a\n- b\n", "dependencies:\n  service: db\n", "key: [unclosed\n"):
        parsed = parse_text("conda.yml", content)
        assert parsed.dependencies == () and parsed.problems == (), content


def test_conda_yml_with_dependencies_is_read(parse_text: Parse) -> None:
    parsed = parse_text("conda.yml", "name: x\ndependencies:\n  - python>=3.11\n")
    assert rows(parsed) == [(C, "python", ">=3.11", None, R, 3, "registry")]


QUIRKS = (
    "name: quirks  # trailing comment\n"
    "dependencies:\n"
    "  # a comment between entries\n"
    "  - numpy\n"
    "  - numpy=1.26.4   # listed twice: both records are kept\n"
    '  - "defaults::openssl >=3.0,<4"\n'
    "  - numpy[version='>=1.8']\n"
    '  - "pip"\n'
    "  - pip:\n"
    "    - Django[argon2]~=5.0  # comment\n"
    "    - \"black ; python_version >= '3.9'\"\n"
    "    - -e git+https://github.com/example-org/tool.git#egg=Example_Tool\n"
    "    - -e ./libs/local\n"
    "    - --index-url=https://pypi.example.com/simple\n"
    "    - ./wheels/vendor_sdk-2.0-py3-none-any.whl\n"
)


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda t: t.encode(), "lf"),
        (lambda t: t.replace("\n", "\r\n").encode(), "crlf"),
        (lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(), "bom+crlf"),
        (lambda t: t.encode("utf-16"), "utf-16"),
    ],
)
def test_quirks(parse_text: Parse, encode: Callable[[str], bytes], label: str) -> None:
    parsed = parse_text("environment.yml", encode(QUIRKS))
    tool = "git+https://github.com/example-org/tool.git#egg=Example_Tool"
    assert rows(parsed) == [
        (C, "numpy", None, None, R, 4, "registry"),
        (C, "numpy", "=1.26.4", "1.26.4", R, 5, "registry"),
        (C, "openssl", ">=3.0,<4", None, R, 6, "registry"),
        (C, "numpy", ">=1.8", None, R, 7, "registry"),
        (C, "pip", None, None, R, 8, "registry"),
        (P, "django", "~=5.0", None, R, 10, "registry"),
        (P, "black", None, None, R, 11, "registry"),
        (P, "example-tool", tool, None, R, 12, "vcs"),
        # "-e ./libs/local" is the repository's own code; a vendored wheel is a package.
        (P, "vendor-sdk", "./wheels/vendor_sdk-2.0-py3-none-any.whl", "2.0", R, 15, "path"),
    ], label
    assert parsed.problems == (), label


def test_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    content = (
        "dependencies:\n"
        "  - 3.8\n"
        "  - numpy@1.0\n"
        "  - conda-forge:\n"
        "      - numpy\n"
        "  - pip: requests\n"
        "  - ['nested']\n"
        "  -\n"
        "  - scipy\n"
        "  - pip:\n"
        "      - requests==\n"
        "      - --frobnicate\n"
        "      - https://example.com/archive/main.zip\n"
        "      - {name: x}\n"
        "      - flask\n"
    )
    parsed = parse_text("environment.yml", content)
    assert rows(parsed) == [
        (C, "scipy", None, None, R, 9, "registry"),
        (P, "flask", None, None, R, 15, "registry"),
    ]
    found = problems(parsed)
    assert found[:5] == [
        (2, "expected a package spec (a string)"),
        (3, "invalid conda package spec 'numpy@1.0'"),
        (4, "unsupported dependencies entry 'conda-forge'"),
        (6, "the pip entry must be a list"),
        (7, "expected a package spec (a string)"),
    ]
    assert found[5][0] == 8  # an empty item is a null
    assert found[6][0] == 11 and found[6][1].startswith("invalid requirement 'requests=='")
    assert found[7:] == [
        (12, "unknown pip option '--frobnicate'; line ignored"),
        (
            13,
            "cannot tell the package name of 'https://example.com/archive/main.zip' "
            "(add #egg=NAME)",
        ),
        (14, "expected a package spec (a string)"),
    ]


def test_dependencies_not_a_list(parse_text: Parse) -> None:
    parsed = parse_text("environment.yml", "name: x\ndependencies:\n  numpy: 1.26\n")
    assert parsed.dependencies == ()
    assert problems(parsed) == [(3, "dependencies must be a list")]


@pytest.mark.parametrize("content", ["", "# only a comment\n", "name: x\ndependencies:\n"])
def test_empty(parse_text: Parse, content: str) -> None:
    parsed = parse_text("environment.yml", content)
    assert parsed.dependencies == () and parsed.problems == ()


def test_anchors_within_the_limit_are_followed(parse_text: Parse) -> None:
    content = "x-common: &common\n  - numpy=1.26.4\n  - pip:\n    - rich\ndependencies: *common\n"
    parsed = parse_text("environment.yml", content)
    assert rows(parsed) == [
        (C, "numpy", "=1.26.4", "1.26.4", R, 2, "registry"),
        (P, "rich", None, None, R, 4, "registry"),
    ]


def _alias_bomb(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"dependencies: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused(parse_text: Parse) -> None:
    parsed = parse_text("environment.yml", _alias_bomb(levels=12, width=10))
    assert parsed.dependencies == ()
    # The 101st alias is the first one on line 12 (10 aliases on each of lines 2-11).
    assert [(p.file, p.line, p.message) for p in parsed.problems] == [
        ("environment.yml", 12, "more than 100 YAML aliases; not read")
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"- numpy\n- scipy\n", (1, "an environment file must be a YAML mapping")),
        (
            b"dependencies:\n\t- numpy\n",
            (2, "invalid YAML: while scanning for the next token, found character '\\t'"),
        ),
        (
            b"dependencies: [numpy\n",
            (2, "invalid YAML: while parsing a flow sequence, expected ',' or ']'"),
        ),
        (
            b"name: a\n---\nname: b\n",
            (2, "invalid YAML: expected a single document in the stream, but found another"),
        ),
        (b"dependencies: " + b"[" * 50_000, (None, "invalid YAML: nested too deeply")),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", (None, "binary file, not a text manifest")),
        (b"dependencies:\n  - caf\xe9\n", (2, "not valid UTF-8 (byte 0xe9)")),
        (b"# " + b"x" * (4 * 1024 * 1024), (None, "larger than 4 MiB; not read")),
    ],
)
def test_unreadable(parse_text: Parse, content: bytes, expected: tuple[int | None, str]) -> None:
    parsed = parse_text("environment.yml", content)
    assert parsed.dependencies == ()
    assert [(p.file, p.line) for p in parsed.problems] == [("environment.yml", expected[0])]
    assert parsed.problems[0].message.startswith(expected[1])


# --- robustness ----------------------------------------------------------------------------


def _outcome(path: str, data: bytes) -> None:
    try:
        result = CondaParser().parse(ManifestFile("repo", path, len(data), lambda _: data))
    except ManifestError as exc:
        assert exc.message
        return
    assert isinstance(result, ParsedManifest)
    assert all(isinstance(p, Problem) and p.file == path for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(st.text() | st.binary())
def test_arbitrary_text_never_crashes(content: str | bytes) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    _outcome("environment.yml", data)
    _outcome("env.yml", b"dependencies:\n" + data)


_SPECS = st.sampled_from(
    ["numpy", "numpy=1.2", "conda-forge::x>=1", "-r r.txt", "-e .", "--pre", "a @ b", "x[y]"]
) | st.text(max_size=15)
_LEAVES = _SPECS | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["pip", "conda-forge"]) | st.text(max_size=5), inner)
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "channels", "dependencies", "prefix"]) | st.text(max_size=5),
        _VALUES,
        max_size=4,
    )
)
def test_structured_but_wrong_documents_never_crash(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    _outcome("environment.yml", text.encode("utf-8", "surrogatepass"))
