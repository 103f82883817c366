"""Every registered parser, fed arbitrary text, bytes and wrong-shaped documents.

The only allowed outcomes are a ParsedManifest or a ManifestError: never another exception,
never a hang. The registry is iterated, so parsers added later are covered without edits here;
a parser whose files none of the sample names match makes the test fail with a clear message.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import PARSERS, ManifestParser
from analyzer.model import ManifestFile, ParsedManifest
from tests.helpers import time_limit

# The file name each parser is tried with, by its ``name``; the fallback list below is
# searched for parsers not named here.
SAMPLE_NAMES = {
    "requirements": "requirements-dev.txt",
    "pyproject": "pyproject.toml",
    "package.json": "package.json",
    "setup.cfg": "setup.cfg",
    "setup.py": "setup.py",
    "poetry.lock": "poetry.lock",
    "uv.lock": "uv.lock",
    "pdm.lock": "pdm.lock",
    "pylock.toml": "pylock.toml",
    "pipfile": "Pipfile",
    "pipfile-lock": "Pipfile.lock",
    "conda": "environment.yml",
    "sbom": "app.cdx.json",
    "cargo": "Cargo.toml",
    "Cargo.lock": "Cargo.lock",
    "go.mod": "go.mod",
    "maven": "pom.xml",
    "gemfile": "Gemfile",
    "gemspec": "acme.gemspec",
    "gemfile-lock": "Gemfile.lock",
    "composer.json": "composer.json",
    "composer.lock": "composer.lock",
    "yarn.lock": "yarn.lock",
    "package-lock": "package-lock.json",
    "pnpm-lock": "pnpm-lock.yaml",
    "gradle-build": "build.gradle.kts",
    "gradle-catalog": "gradle/libs.versions.toml",
    "gradle.lockfile": "gradle.lockfile",
    "sbt": "build.sbt",
}
FALLBACK_NAMES = (
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
    "Cargo.toml", "Cargo.lock", "go.mod", "go.sum", "Gemfile", "Gemfile.lock", "gems.rb",
    "composer.json", "composer.lock", "pom.xml", "build.gradle", "build.gradle.kts",
    "gradle.lockfile", "gradle/libs.versions.toml", "libs.versions.toml", "mix.exs",
    "mix.lock", "pubspec.yaml", "pubspec.lock", "Package.swift", "Package.resolved",
    "Podfile.lock", "packages.lock.json", "paket.lock", "deps.edn", "project.clj",
    "environment.yaml", "conda-lock.yml", "pixi.toml", "pixi.lock", "Pipfile", "setup.cfg",
    "pylock.toml", "requirements.txt", "constraints.txt", "bom.json", "sbom.spdx.json",
    "renv.lock", "DESCRIPTION", "cabal.project.freeze", "stack.yaml.lock", "flake.lock",
)  # fmt: skip

KEYS = (
    "project", "name", "version", "dependencies", "optional-dependencies", "dependency-groups",
    "include-group", "build-system", "requires", "tool", "poetry", "pdm", "uv", "hatch",
    "package", "packages", "metadata", "lock-version", "lockVersion", "lockfileVersion",
    "source", "registry", "git", "path", "url", "extras", "marker", "markers", "optional",
    "category", "groups", "dev", "default", "develop", "_meta", "requires-python", "files",
    "devDependencies", "peerDependencies", "optionalDependencies", "resolution", "channels",
    "pip", "options", "install_requires", "extras_require", "sdist", "wheels", "hash",
    "editable", "virtual", "workspace", "members", "specifiers", "content-hash",
)  # fmt: skip
LINE_PIECES = (
    "requests", "Django==4.2", ">=1.0", "==1.*", "[extra]", "; python_version < '3.8'",
    '"', "'", "\\", "#", " # comment", "-r", "-c", "-e", "--hash=sha256:ab", "-i", "--pre",
    "requirements.txt", "../x.txt", "/etc/passwd", ".", "./lib", "@", "git+https://h/r.git",
    "#egg=x", "https://h/x-1.0-py3-none-any.whl", "file:///x", "{", "}", "[", "]", "=",
    "[project]", "dependencies = [", '"a"', "version = ", "- ", ": ", "\t", "\r", "\ufeff",
)  # fmt: skip


def sample_name(parser: ManifestParser) -> str:
    """A file name the parser reads: its entry in SAMPLE_NAMES, else the first that matches."""
    for candidate in (SAMPLE_NAMES.get(parser.name), *FALLBACK_NAMES):
        if candidate is not None and parser.matches(PurePosixPath(candidate)):
            return candidate
    pytest.fail(f"no sample file name for the {parser.name!r} parser: add one to SAMPLE_NAMES")


def check(parser: ManifestParser, data: bytes) -> None:
    """Parse ``data`` as the parser's sample file; other files of the tree do not exist."""
    path = f"repo/sub/{sample_name(parser)}"

    def read(wanted: str) -> bytes:
        if wanted == path:
            return data
        raise SourceError(f"{wanted}: no such file")

    file = ManifestFile("repo", path, len(data), read, "repo")
    with time_limit(10):
        try:
            result = parser.parse(file)
        except ManifestError as exc:
            assert exc.line is None or exc.line >= 1
            return
    assert isinstance(result, ParsedManifest)
    assert result.file is file
    for dep in result.dependencies:
        assert dep.name
        assert dep.line is None or dep.line >= 1
    for problem in result.problems:
        assert problem.line is None or problem.line >= 1


# --- strategies -----------------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | _text
_keys = st.sampled_from(KEYS) | _text
documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=30,
)
top_level = st.dictionaries(_keys, documents, max_size=6)
lines = st.lists(
    st.lists(st.sampled_from(LINE_PIECES) | _text, max_size=6).map(" ".join), max_size=12
).map("\n".join)


def to_toml(document: dict[str, Any]) -> str:
    """A TOML rendering of a JSON-like document (inline tables and arrays; null as "")."""
    return "".join(f"{json.dumps(key)} = {_toml_value(value)}\n" for key, value in document.items())


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return '""'


# --- tests ----------------------------------------------------------------------------------
# One generated input goes to every parser: generating documents costs more than parsing them.

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_all(data: bytes) -> None:
    for parser in PARSERS:
        try:
            check(parser, data)
        except Exception as exc:
            raise AssertionError(f"the {parser.name!r} parser failed on {data!r}") from exc


def test_every_parser_has_a_sample_name() -> None:
    assert PARSERS
    for parser in PARSERS:
        assert parser.matches(PurePosixPath(sample_name(parser)))


@FUZZ
@given(text=st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    check_all(text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    check_all(data)


@FUZZ
@given(text=lines)
def test_line_oriented_garbage(text: str) -> None:
    check_all(text.encode("utf-8"))


@FUZZ
@given(document=top_level, style=st.sampled_from(["json", "toml", "yaml"]))
def test_documents_of_the_wrong_shape(document: dict[str, Any], style: str) -> None:
    if style == "json":
        text = json.dumps(document, indent=2)
    elif style == "toml":
        text = to_toml(document)
    else:
        text = yaml.safe_dump(document, allow_unicode=True)
    check_all(text.encode("utf-8"))
