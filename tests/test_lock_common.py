"""What the Python lockfile parsers share, plus robustness checks run against all four.

Every parser must turn any input into a ParsedManifest or a ManifestError: never another
exception, never a hang. Real lockfiles from the corpus must parse without internal errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import (
    best_scope,
    is_inside,
    own_source_tree,
    propagate_scopes,
    requirement_name,
)
from analyzer.manifests.pdm_lock import PdmLockParser
from analyzer.manifests.poetry_lock import PoetryLockParser
from analyzer.manifests.pylock import PylockParser
from analyzer.manifests.uv_lock import UvLockParser
from analyzer.model import ManifestFile, ParsedManifest, Scope

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PARSERS: list[tuple[ManifestParser, str, str]] = [
    (PoetryLockParser(), "poetry.lock", "package"),
    (UvLockParser(), "uv.lock", "package"),
    (PdmLockParser(), "pdm.lock", "package"),
    (PylockParser(), "pylock.toml", "packages"),
]
IDS = [name for _, name, _ in PARSERS]


def file_of(path: str, data: bytes, repo_path: str = ".") -> ManifestFile:
    return ManifestFile("repo", path, len(data), lambda _: data, repo_path)


@pytest.mark.parametrize(
    ("lockfile", "path", "inside"),
    [
        ("uv.lock", ".", True),
        ("uv.lock", "packages/core", True),
        ("svc/uv.lock", "../lib", True),
        ("svc/uv.lock", "../../lib", False),
        ("uv.lock", "a/../../b", False),
        ("uv.lock", "/opt/lib", False),
        ("uv.lock", "C:\\src\\lib", False),
        ("uv.lock", "~/src/lib", False),
        ("uv.lock", "file:///${PROJECT_ROOT}/libs/x", True),
        ("uv.lock", "file:///home/me/x", False),
        ("uv.lock", "libs\\x", True),
    ],
)
def test_is_inside(lockfile: str, path: str, inside: bool) -> None:
    assert is_inside(file_of(lockfile, b""), path) is inside


def test_is_inside_uses_the_repository_directory() -> None:
    # repos/api/uv.lock in repository "repos/api": ".." leaves the repository.
    lock = file_of("repos/api/uv.lock", b"", repo_path="repos/api")
    assert is_inside(lock, "lib")
    assert not is_inside(lock, "../lib")


@pytest.mark.parametrize(
    ("path", "own"),
    [("libs/x", True), ("wheels/x-1.0-py3-none-any.whl", False), ("x.tar.gz", False), (7, False)],
)
def test_own_source_tree(path: object, own: bool) -> None:
    assert own_source_tree(file_of("pdm.lock", b""), path) is own


def test_best_scope_and_propagation() -> None:
    assert best_scope([Scope.DEV, Scope.TEST]) is Scope.TEST
    assert best_scope([Scope.DEV, Scope.OPTIONAL]) is Scope.OPTIONAL
    assert best_scope([]) is Scope.RUNTIME
    assert best_scope([], Scope.DEV) is Scope.DEV
    children = {"app": ["a"], "devtool": ["shared", "b"], "a": ["shared"], "b": ["b"]}
    reached = propagate_scopes({"devtool": Scope.DEV, "app": Scope.RUNTIME}, children)
    assert reached == {
        "app": Scope.RUNTIME,
        "devtool": Scope.DEV,
        "a": Scope.RUNTIME,
        "shared": Scope.RUNTIME,  # runtime reach beats dev reach
        "b": Scope.DEV,  # a cycle ends
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [("PySocks (>=1.5.6,!=1.5.7)", "pysocks"), ("tomli ; python_version < '3.11'", "tomli"),
     ("zope.interface[x]>=5", "zope-interface"), ("(bad)", None), (3, None)],
)  # fmt: skip
def test_requirement_name(text: object, name: str | None) -> None:
    assert requirement_name(text) == name


@pytest.mark.parametrize("path", ["poetry.lock", "uv.lock", "pdm.lock", "pylock.x.toml"])
def test_registered(path: str) -> None:
    assert parser_for(f"svc/{path}") is not None


# ---------------------------------------------------------------- robustness (hypothesis)


def _toml_key(key: str) -> str:
    return json.dumps(key).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    """Inline TOML for scalars, arrays and tables (json's escapes are valid TOML escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return _toml_key(value) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
    return "{" + items + "}"


def dump_toml(document: dict[str, Any]) -> str:
    """Top-level keys inline, except arrays of tables, written as ``[[key]]`` sections."""
    lines: list[str] = []
    sections: list[str] = []
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                sections.append(f"[[{_toml_key(key)}]]")
                sections += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines + sections) + "\n"


_WORDS = st.sampled_from(
    ["name", "version", "source", "dependencies", "groups", "category", "optional", "extras",
     "editable", "virtual", "directory", "path", "url", "git", "registry", "type", "reference",
     "marker", "vcs", "archive", "dev-dependencies", "optional-dependencies", "metadata",
     "requires-dist", "specifier", "extra", "members", ".", "..", "main", "dev", "default",
     "requests", "Requests", "../x", "/abs", "file:///${PROJECT_ROOT}/x", "'dev' in extras"]
)  # fmt: skip
_SCALARS = st.one_of(_WORDS, st.text(max_size=8), st.integers(-5, 10**20), st.booleans())
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_WORDS | st.text(max_size=6), inner, max_size=5),
    ),
    max_leaves=8,
)
_TABLES = st.dictionaries(_WORDS, _VALUES, max_size=6)


def _documents() -> st.SearchStrategy[dict[str, Any]]:
    top = st.dictionaries(
        st.sampled_from(["metadata", "manifest", "version", "lock-version", "default-groups",
                         "extras", "distribution", "package", "packages"]),
        _VALUES,
        max_size=4,
    )  # fmt: skip
    array = st.sampled_from(["package", "packages", "distribution"])
    return st.builds(lambda t, a, p: {**t, a: p}, top, array, st.lists(_TABLES, max_size=4))


def _outcome(parser: ManifestParser, path: str, data: bytes) -> None:
    try:
        result = parser.parse(file_of(path, data))
    except ManifestError:
        return
    assert isinstance(result, ParsedManifest)
    assert result.lockfile is True
    assert all(d.line is None or d.line >= 1 for d in result.dependencies)


@pytest.mark.parametrize(("parser", "path", "array"), PARSERS, ids=IDS)
@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text(parser: ManifestParser, path: str, array: str, text: str) -> None:
    _outcome(parser, path, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(document=_documents())
def test_structured_but_wrong_documents(document: dict[str, Any]) -> None:
    data = dump_toml(document).encode("utf-8")
    for parser, path, _ in PARSERS:  # one document for all four: drawing them is the slow part
        _outcome(parser, path, data)


def test_the_dumper_writes_valid_toml() -> None:
    import tomllib

    document = {"a": [1, 'x\x7f"\\'], "package": [{"name": "b", "t": {"k": True}}]}
    assert tomllib.loads(dump_toml(document)) == document


# ---------------------------------------------------------------- real files


def _corpus_files() -> list[tuple[str, Path]]:
    if not CORPUS.is_dir():
        return []
    found = []
    ours = tuple(type(parser) for parser, _, _ in PARSERS)
    for path in sorted(CORPUS.rglob("*")):
        if isinstance(parser_for(path.name), ours) and path.is_file():
            found.append((path.name, path))
    osv = CORPUS / "peers" / "osv-scanner-v1" / "fixtures"
    found += [("poetry.lock", p) for p in sorted((osv / "poetry").glob("*")) if p.is_file()]
    found += [("pdm.lock", p) for p in sorted((osv / "pdm").glob("*")) if p.is_file()]
    return found


@pytest.mark.parametrize(
    ("name", "path"), _corpus_files() or [("", Path())], ids=lambda v: str(v)[-60:]
)
def test_corpus_files_parse_without_internal_errors(name: str, path: Path) -> None:
    if not name:
        pytest.skip("corpus not present")
    data = path.read_bytes()
    result = parse_manifest(file_of(name, data))
    assert not [p for p in result.problems if "internal error" in p.message]
    if data.strip() and b"not valid toml" not in data:
        assert result.problems == ()
    for dep in result.dependencies:
        assert dep.line is not None and dep.version
