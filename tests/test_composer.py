"""Composer: composer.json (require, require-dev, path and VCS repositories) and composer.lock."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.composer import ComposerJsonParser
from analyzer.manifests.composer_lock import ComposerLockParser, _name_key
from analyzer.merge import merge_lockfiles
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "composer"
OSV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, D = Scope.RUNTIME, Scope.DEV


def pkg(
    name: str,
    spec: str | None = None,
    version: str | None = None,
    *,
    line: int | None,
    scope: Scope = R,
    direct: bool = True,
    source: str = "registry",
    file: str = "composer.json",
) -> Dependency:
    vendor, package = name.split("/")
    return Dependency(
        Ecosystem.COMPOSER, package, spec, version, scope, direct, "repo", file, line,
        namespace=vendor, source=source,
    )  # fmt: skip


def locked(
    name: str, version: str | None, line: int | None, *, scope: Scope = R,
    source: str = "registry", file: str = "app/composer.lock",
) -> Dependency:  # fmt: skip
    return pkg(name, None, version, line=line, scope=scope, direct=False, source=source, file=file)


def problem(line: int | None, message: str, file: str = "composer.json") -> Problem:
    return Problem(file, line, message, "repo")


def parse_fixture(path: str) -> ParsedManifest:
    source = LocalSource(FIXTURES, lambda _: True)
    size = (FIXTURES / path).stat().st_size
    return parse_manifest(ManifestFile("repo", path, size, source.read))


def purls(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(f"pkg:composer/{a}", f"pkg:composer/{b}") for a, b in pairs}


# --- composer.json ---------------------------------------------------------------------------


def test_shop_composer_json_every_record() -> None:
    result = parse_fixture("app/composer.json")
    file = "app/composer.json"
    assert result.dependencies == (
        # lines 18-22: php, ext-*, lib-* and composer-runtime-api are the platform
        pkg("symfony/console", "^6.4", line=23, file=file),
        pkg("symfony/http-kernel", "^6.4", line=24, file=file),  # lowercased
        pkg("guzzlehttp/guzzle", "7.8.1", "7.8.1", line=25, file=file),
        # a fork in a VCS repository named after the package
        pkg("monolog/monolog", "dev-fix-rotation as 3.5.0", line=26, source="vcs", file=file),
        pkg("doctrine/orm", "~2.17 || ^3.0", line=27, file=file),
        # line 28: acme/billing is served by packages/billing, the organization's own
        # packages/reporting is named acme/reporting-tools: acme/reporting is not local
        pkg("acme/reporting", "^1.0", line=29, file=file),
        pkg("laminas/laminas-code", "v4.13.0", "v4.13.0", line=30, file=file),
        pkg("phpunit/phpunit", "^10.5", line=35, scope=D, file=file),
        pkg("phpstan/phpstan", "1.10.57", "1.10.57", line=36, scope=D, file=file),
        pkg("symfony/console", "^6.4", line=37, scope=D, file=file),  # also a dev requirement
    )
    assert result.problems == (
        problem(31, "invalid package name 'not-a-package': expected 'vendor/package'", file),
        problem(32, "psr/log: version constraint must be a string", file),
    )
    assert result.publishes == ("pkg:composer/acme/shop", "pkg:composer/acme/billing")
    assert result.lockfile is False


def test_bom_crlf_tabs_and_repository_object_form(parse_text: Parse) -> None:
    content = (
        "\ufeff{\r\n"
        '\t"repositories": {\r\n'  # 2: keyed by name, with packagist disabled
        '\t\t"packagist.org": false,\r\n'
        '\t\t"lib": {"type": "path", "url": "lib/money"},\r\n'
        '\t\t"outside": {"type": "path", "url": "../../elsewhere/*"}\r\n'
        "\t},\r\n"
        '\t"require": {\r\n'  # 7
        '\t\t"acme/money": "@dev",\r\n'
        '\t\t"acme/elsewhere": "*",\r\n'
        '\t\t"php-64bit": "*",\r\n'
        '\t\t"PHP": ">=8.1",\r\n'
        '\t\t"a/b": "1.0.0",\r\n'
        '\t\t"a/b": "2.0.0"\r\n'  # 13: JSON keeps the last of repeated keys
        "\t},\r\n"
        '\t"require-dev": []\r\n'  # 15: an empty PHP array is written as []
        "}\r\n"
    )
    others = {"lib/money/composer.json": '{"name": "acme/money"}'}
    result = parse_text("composer.json", content.encode("utf-8"), others)
    assert result.dependencies == (
        pkg("acme/elsewhere", "*", line=9),
        pkg("a/b", "2.0.0", "2.0.0", line=13),
    )
    assert result.problems == (problem(15, "require-dev must be an object"),)
    assert result.publishes == ("pkg:composer/acme/money",)


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{\n  "require": {\n    "a/b": "1",,\n  }\n}\n', 3, "invalid JSON: "),
        ("", 1, "invalid JSON: Expecting value"),
        ('["a/b"]', 1, "composer.json must hold a JSON object"),
        ("[" * 100_000, None, "invalid JSON: nested too deeply"),
    ],
)
def test_unreadable_composer_json_is_one_problem(
    parse_text: Parse, content: str, line: int | None, message: str
) -> None:
    result = parse_text("composer.json", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    assert result.problems[0].line == line
    assert result.problems[0].message.startswith(message)


def test_binary_and_latin1(parse_text: Parse) -> None:
    assert parse_text("composer.json", b"\x00{}").problems == (
        problem(None, "binary file, not a text manifest"),
    )
    assert parse_text("composer.lock", b'{\n"name": "caf\xe9"\n}').problems == (
        problem(2, "not valid UTF-8 (byte 0xe9)", "composer.lock"),
    )


# --- composer.lock ---------------------------------------------------------------------------


def test_shop_composer_lock_every_record_and_edge() -> None:
    result = parse_fixture("app/composer.lock")
    assert result.lockfile is True
    assert result.dependencies == (
        # acme/billing (line 10) has a path dist inside the repository: publishes
        locked("guzzlehttp/guzzle", "7.8.1", 28),
        locked("guzzlehttp/promises", "2.0.2", 60),
        # no notification-url and a git source: it came from the VCS repository (the fork)
        locked("monolog/monolog", "dev-fix-rotation", 89, source="vcs"),
        locked("moneyphp/money", "v4.5.0", 118),  # the tag as Packagist lists it
        locked("psr/http-client", "1.0.3", 148),
        locked("psr/log", "3.0.0", 174),
        locked("symfony/console", "v6.4.3", 200),
        locked("symfony/polyfill", "v1.28.0", 231),
        locked("acme/legacy-widget", "1.2.0", 261, source="url"),  # written acme\/legacy-widget
        # entry 11 has an invalid name; acme/shared-lib is a path outside the repository
        locked("phpunit/phpunit", "10.5.10", 293, scope=D),
        locked("sebastian/diff", "5.1.0", 323, scope=D),
        locked("phpstan/phpstan", "1.10.57", 349, scope=D),
    )
    assert result.problems == (
        problem(
            None,
            "packages entry 11 invalid package name 'Not A Valid Name': expected 'vendor/package'",
            "app/composer.lock",
        ),
    )
    assert result.publishes == ("pkg:composer/acme/billing",)
    assert set(result.edges) == purls(
        ("acme/billing", "moneyphp/money"),
        ("guzzlehttp/guzzle", "guzzlehttp/promises"),
        ("guzzlehttp/guzzle", "psr/http-client"),
        ("monolog/monolog", "psr/log"),
        ("symfony/console", "symfony/polyfill"),  # it replaces symfony/polyfill-mbstring
        ("symfony/console", "psr/log"),
        ("phpunit/phpunit", "sebastian/diff"),
    )
    assert len(result.edges) == len(set(result.edges))


def test_lock_entries_of_the_wrong_shape(parse_text: Parse) -> None:
    content = (
        "{\n"
        '  "packages": [\n'
        '    "a/b",\n'
        '    {"name": "c/d", "version": 2, "require": ["e/f"]},\n'
        '    {"name": "e/f", "version": "1.0.0", "require": {"c/d": "*", "e/f": "*"}}\n'
        "  ],\n"
        '  "packages-dev": {"g/h": {}}\n'
        "}\n"
    )
    result = parse_text("composer.lock", content)
    assert result.dependencies == (
        locked("c/d", None, 4, file="composer.lock"),
        locked("e/f", "1.0.0", 5, file="composer.lock"),
    )
    assert result.problems == (
        problem(None, "packages entry 1 is not an object", "composer.lock"),
        problem(4, "package 'c/d': version is not a string", "composer.lock"),
        problem(7, "packages-dev must be an array", "composer.lock"),
    )
    assert result.edges == (("pkg:composer/e/f", "pkg:composer/c/d"),)  # no self edge


def test_merge_with_composer_json() -> None:
    """composer.json says which are direct; the lock adds versions and transitive packages."""
    merged = merge_lockfiles(
        [parse_fixture("app/composer.json"), parse_fixture("app/composer.lock")]
    )
    guzzle = next(d for d in merged[0].dependencies if d.name == "guzzle")
    assert (guzzle.version, guzzle.direct) == ("7.8.1", True)
    transitive = {d.display_name: d for d in merged[1].dependencies}
    assert "guzzlehttp/guzzle" not in transitive
    assert transitive["guzzlehttp/promises"].scope is R
    assert transitive["sebastian/diff"].scope is D


def test_parsers_match_their_files() -> None:
    assert isinstance(parser_for("web/composer.json"), ComposerJsonParser)
    assert isinstance(parser_for("web/composer.lock"), ComposerLockParser)
    assert not isinstance(parser_for("composer.json.dist"), ComposerJsonParser)


def _osv_cases() -> list[dict[str, Any]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParseComposerLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, Any] | None) -> None:
    """Same names and versions as osv-scanner; their dependency group "dev" is our scope
    dev. Their "commit" (the source reference) is not recorded by fundscout."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("composer.lock", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    expected = case["expected_packages"]
    assert sorted((d.display_name, d.version) for d in result.dependencies) == sorted(
        (p["name"], p["version"]) for p in expected
    )
    dev = {p["name"] for p in expected if "dev" in p.get("dep_groups", [])}
    assert {d.display_name for d in result.dependencies if d.scope is D} == dev


# --- fuzzing ---------------------------------------------------------------------------------

KEYS = (
    "name", "version", "require", "require-dev", "packages", "packages-dev", "repositories",
    "type", "url", "path", "vcs", "dist", "source", "notification-url", "replace", "provide",
    "a/b", "php", "ext-json", "Vendor/Pkg",
)  # fmt: skip
_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(KEYS)
documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


def check(data: bytes) -> None:
    parsers = ((ComposerJsonParser(), "composer.json"), (ComposerLockParser(), "composer.lock"))
    for parser, name in parsers:
        path = f"sub/{name}"

        def read(wanted: str, path: str = path) -> bytes:
            if wanted != path:
                raise SourceError(f"{wanted}: no such file")
            return data

        file = ManifestFile("repo", path, len(data), read)
        try:
            result = parser.parse(file)
        except ManifestError as exc:
            assert exc.line is None or exc.line >= 1
            continue
        assert all(d.name and d.namespace for d in result.dependencies)
        assert all(p.line is None or p.line >= 1 for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(st.sampled_from(KEYS), documents, max_size=6))
def test_fuzz_wrong_shaped_documents(document: dict[str, Any]) -> None:
    check(json.dumps(document, indent=2).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_fuzz_arbitrary_text(text: str) -> None:
    check(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"name": "a/b"',
                '"name":"a\\/b"',
                '"name" :\n"A/B"',
                '"name": " a/b"',
                '"name": ',
                '"name"',
                '"',
                "a/b",
                "a\\/b",
                "\\",
                "x",
            ]
        ),
        max_size=12,
    ),
    st.sampled_from(["a/b", "A/B", " a/b"]),
    st.integers(0, 6),
)
def test_name_keys_are_found_as_a_pattern_per_name_finds_them(
    pieces: list[str], raw: str, cursor: int
) -> None:
    text = "".join(pieces)
    escaped = re.escape(raw).replace("/", r"\\?/")
    expected = re.compile(rf'"name"\s*:\s*"{escaped}"').search(text, cursor)
    found = _name_key(text, raw, cursor)
    spans = [(m.start(), m.end(1)) for m in (found,) if m]
    assert spans == [(m.start(), m.end()) for m in (expected,) if m]
