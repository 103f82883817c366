"""Pipfile and Pipfile.lock: categories, entry forms, line numbers, bad input, peers' fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parser_for
from analyzer.manifests.pipfile import PipfileParser
from analyzer.manifests.pipfile_lock import PipfileLockParser
from analyzer.model import ManifestFile, ParsedManifest, Problem, Scope

FIXTURES = Path(__file__).parent / "fixtures" / "pipfile"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"

Parse = Callable[..., ParsedManifest]
R, D, T = Scope.RUNTIME, Scope.DEV, Scope.TEST


def rows(parsed: ParsedManifest) -> list[tuple[Any, ...]]:
    """(name, spec, version, scope, direct, line, source) of each record, in file order."""
    return [
        (d.name, d.spec, d.version, d.scope, d.direct, d.line, d.source)
        for d in parsed.dependencies
    ]


def problems(parsed: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parsed.problems]


def memory_file(path: str, data: bytes) -> ManifestFile:
    return ManifestFile("repo", path, len(data), lambda _: data)


def test_parsers_are_registered() -> None:
    assert isinstance(parser_for("svc/Pipfile"), PipfileParser)
    assert isinstance(parser_for("svc/Pipfile.lock"), PipfileLockParser)
    assert not PipfileParser().matches(PurePosixPath("Pipfile.lock"))
    assert not PipfileParser().matches(PurePosixPath("pipfile.txt"))
    assert not PipfileLockParser().matches(PurePosixPath("Pipfile"))


# --- Pipfile -----------------------------------------------------------------------------


def test_pipfile_fixture(parse_text: Parse) -> None:
    parsed = parse_text("Pipfile", (FIXTURES / "Pipfile").read_bytes())
    django = "git+https://github.com/django-extensions/django-extensions.git@3.2.3"
    internal = "https://github.com/example-org/internal-lib/archive/refs/tags/v1.4.0.zip"
    assert rows(parsed) == [
        ("flask", None, None, R, True, 13, "registry"),
        ("requests", ">=2.31,<3", None, R, True, 14, "registry"),
        ("sqlalchemy", "==2.0.25", "2.0.25", R, True, 15, "registry"),
        ("torch", "==2.2.0", "2.2.0", R, True, 16, "registry"),  # from a named index
        ("pywin32", None, None, R, True, 17, "registry"),
        ("django-extensions", django, None, R, True, 18, "vcs"),
        ("internal-lib", internal, None, R, True, 22, "url"),
        ("celery", ">=5.3", None, R, True, 23, "registry"),
        ("zope-interface", "==6.1", "6.1", R, True, 24, "registry"),  # bare "6.1"
        ("pydantic", ">=2", None, R, True, 38, "registry"),  # [packages.pydantic] table
        ("pytest", "~=8.0", None, D, True, 27, "registry"),
        ("black", "==24.1.1", "24.1.1", D, True, 28, "registry"),
        ("flask", None, None, D, True, 29, "registry"),  # in both categories: two records
        ("ipdb", "hg+https://hg.example.org/ipdb", None, D, True, 30, "vcs"),
        ("sphinx", ">=7", None, D, True, 33, "registry"),  # custom category "docs"
        ("hypothesis", None, None, T, True, 36, "registry"),  # custom category "tests"
    ]
    assert parsed.problems == ()
    # path entries are the organization's own code; "../vendored-sdk" is outside the repo.
    assert parsed.publishes == ("pkg:pypi/billing", "pkg:pypi/shared-utils")
    assert not parsed.lockfile
    assert {(d.repo, d.file) for d in parsed.dependencies} == {("repo", "Pipfile")}


def test_local_paths_relative_to_a_pipfile_in_a_subdirectory(parse_text: Parse) -> None:
    content = (
        "[packages]\n"
        'shared = {path = "../shared", editable = true}\n'
        'sdk = {file = "./wheels/vendor_sdk-2.0-py3-none-any.whl"}\n'
        'elsewhere = {path = "../../../other-repo/lib"}\n'
        'absolute = {path = "/opt/lib"}\n'
        "[dev-packages]\n"
        'here = {path = "file:."}\n'
    )
    parsed = parse_text("services/api/Pipfile", content)
    sdk = "./wheels/vendor_sdk-2.0-py3-none-any.whl"
    assert rows(parsed) == [("sdk", sdk, None, R, True, 3, "path")]  # a vendored wheel
    assert parsed.publishes == ("pkg:pypi/shared", "pkg:pypi/here")
    assert parsed.problems == ()


PIPFILE_QUIRKS = (
    "[packages]\n"
    "# comment line\n"
    '\t"requests" = "*"   # a tab before the key\n'
    "pywin32 = {version = '>=306', markers = \"sys_platform == 'win32'\"}\n"
    "\n"
    "[dev-packages]\n"
    'requests = {version = "==2.31.0", extras = ["security"]}\n'
    "\n"
    "[requires]\n"
    'python_version = "3.12"\n'
    'python_full_version = "3.12.1"\n'
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
def test_pipfile_quirks(parse_text: Parse, encode: Callable[[str], bytes], label: str) -> None:
    parsed = parse_text("Pipfile", encode(PIPFILE_QUIRKS))
    assert rows(parsed) == [
        ("requests", None, None, R, True, 3, "registry"),
        ("pywin32", ">=306", None, R, True, 4, "registry"),
        ("requests", "==2.31.0", "2.31.0", D, True, 7, "registry"),
    ], label
    assert parsed.problems == ()


def test_pipfile_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    content = (
        "[packages]\n"
        "count = 3\n"
        'broken = "=>1.0"\n'
        '"bad name!" = "*"\n'
        "typed = {version = 2}\n"
        'flask = ">=3"\n'
        "\n"
        "[dev-packages]\n"
        'url = {file = "https://example.com/not a url.zip"}\n'
    )
    parsed = parse_text("Pipfile", content)
    assert rows(parsed) == [("flask", ">=3", None, R, True, 6, "registry")]
    found = problems(parsed)
    assert found[:4] == [
        (2, "count: expected a version string or a table"),
        (3, "broken: invalid version specifier '=>1.0'"),
        (4, "invalid package name 'bad name!'"),
        (5, "typed: version must be a string"),
    ]
    assert len(found) == 5
    assert found[4][0] == 9
    assert found[4][1].startswith("invalid requirement 'url @ https://example.com/not a url.zip'")
    assert {p.file for p in parsed.problems} == {"Pipfile"}


def test_pipfile_category_that_is_not_a_table(parse_text: Parse) -> None:
    parsed = parse_text("Pipfile", 'packages = "requests"\n[dev-packages]\npytest = "*"\n')
    assert rows(parsed) == [("pytest", None, None, D, True, 3, "registry")]
    assert problems(parsed) == [(1, "[packages] must be a table")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[packages]\nrequests = "*"\nrequests = "==1"\n', (3, "invalid TOML: Cannot overwrite")),
        (b"[packages\nrequests = 1\n", (1, "invalid TOML")),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (None, "binary file, not a text manifest")),
        (b'[packages]\nna\xefve = "*"\n', (2, "not valid UTF-8 (byte 0xef)")),
    ],
)
def test_pipfile_unreadable(parse_text: Parse, content: bytes, expected: tuple[Any, str]) -> None:
    parsed = parse_text("Pipfile", content)
    assert parsed.dependencies == ()
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.file, problem.line) == ("Pipfile", expected[0])
    assert problem.message.startswith(expected[1])


def test_empty_pipfile(parse_text: Parse) -> None:
    parsed = parse_text("Pipfile", "")
    assert parsed.dependencies == () and parsed.problems == ()


# --- Pipfile.lock ------------------------------------------------------------------------


def test_pipfile_lock_fixture(parse_text: Parse) -> None:
    parsed = parse_text("Pipfile.lock", (FIXTURES / "Pipfile.lock").read_bytes())
    django = (
        "git+https://github.com/django-extensions/django-extensions.git"
        "@8b0dbd4c8a6f7d3c1f0d5b6a2e9c4b7a1d3e5f60"
    )
    internal = "https://github.com/example-org/internal-lib/archive/refs/tags/v1.4.0.zip"
    assert rows(parsed) == [
        ("certifi", None, "2024.2.2", R, False, 23, "registry"),
        ("django-extensions", django, None, R, False, 31, "vcs"),
        ("flask", None, "3.0.2", R, False, 35, "registry"),
        ("internal-lib", internal, None, R, False, 44, "url"),
        ("requests", None, "2.31.0", R, False, 47, "registry"),
        ("zope-interface", None, "6.1", R, False, 58, "registry"),
        ("flask", None, "3.0.2", D, False, 64, "registry"),
        ("iniconfig", None, "2.0.0", D, False, 70, "registry"),
        ("pytest", None, "8.0.2", D, False, 77, "registry"),
        ("sphinx", None, "7.2.6", D, False, 86, "registry"),  # custom category "docs"
    ]
    assert parsed.problems == ()
    assert parsed.publishes == ("pkg:pypi/billing",)  # {"path": ".", "editable": true}
    assert parsed.lockfile
    assert parsed.edges == ()


def _lock(body: dict[str, Any], spec: Any = 6) -> str:
    return json.dumps({"_meta": {"pipfile-spec": spec, "requires": {}}, **body}, indent=4)


def test_pipfile_lock_crlf_and_bom(parse_text: Parse) -> None:
    text = _lock({"default": {"six": {"version": "==1.16.0"}}, "develop": {}})
    content = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    parsed = parse_text("Pipfile.lock", content)
    assert rows(parsed) == [("six", None, "1.16.0", R, False, 7, "registry")]


def test_pipfile_lock_unknown_spec_is_a_problem_but_still_read(parse_text: Parse) -> None:
    text = _lock({"default": {"six": {"version": "==1.16.0"}}}, spec=7)
    parsed = parse_text("Pipfile.lock", text)
    assert rows(parsed) == [("six", None, "1.16.0", R, False, 7, "registry")]
    assert problems(parsed) == [(3, "unknown Pipfile.lock spec version 7; read as spec 6")]


def test_pipfile_lock_lines_of_packages_named_like_entry_keys(parse_text: Parse) -> None:
    content = (
        "{\n"
        '  "_meta": {"pipfile-spec": 6},\n'
        '  "default": {\n'
        '    "six": {"index": "pypi", "version": "==1.16.0"},\n'
        '    "index": {"version": "==0.3"},\n'
        '    "version": {"version": "==1.0"},\n'
        '    "dup": {"version": "==1.0"},\n'
        '    "dup": {"version": "==2.0"}\n'
        "  }\n"
        "}\n"
    )
    parsed = parse_text("Pipfile.lock", content)
    assert rows(parsed) == [
        ("six", None, "1.16.0", R, False, 4, "registry"),
        ("index", None, "0.3", R, False, 5, "registry"),
        ("version", None, "1.0", R, False, 6, "registry"),
        ("dup", None, "2.0", R, False, 8, "registry"),  # json keeps the last of repeated keys
    ]


def test_pipfile_lock_without_meta(parse_text: Parse) -> None:
    parsed = parse_text("Pipfile.lock", '{"default": {"six": {"version": "==1.16.0"}}}')
    assert rows(parsed) == [("six", None, "1.16.0", R, False, 1, "registry")]
    assert problems(parsed) == [(None, "no _meta.pipfile-spec; read as spec 6")]


def test_pipfile_lock_bad_entries(parse_text: Parse) -> None:
    text = _lock(
        {
            "default": {
                "ranged": {"version": ">=1.0"},
                "listed": ["==1.0"],
                "unpinned": {"hashes": []},
                "six": {"version": "==1.16.0"},
            },
            "develop": ["pytest"],
        }
    )
    parsed = parse_text("Pipfile.lock", text)
    assert rows(parsed) == [
        ("unpinned", None, None, R, False, 13, "registry"),
        ("six", None, "1.16.0", R, False, 16, "registry"),
    ]
    assert problems(parsed) == [
        (7, "ranged: unexpected locked version '>=1.0'"),
        (10, "listed: expected a JSON object"),
        (13, "unpinned: no locked version"),
        (20, "'develop' must be a JSON object"),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is not json!\n", (1, "invalid JSON: Expecting value")),
        (b'{\n  "default": {\n    "six": \n}', (4, "invalid JSON: Expecting value")),
        (b'["default"]', (1, "Pipfile.lock must be a JSON object")),
        (b"[" * 100_000, (None, "invalid JSON: nested too deeply")),
        (b"\x00\x01\x02", (None, "binary file, not a text manifest")),
        (b'{"default": "\xff"}', (1, "not valid UTF-8 (byte 0xff)")),
    ],
)
def test_pipfile_lock_unreadable(
    parse_text: Parse, content: bytes, expected: tuple[int | None, str]
) -> None:
    parsed = parse_text("Pipfile.lock", content)
    assert parsed.dependencies == ()
    assert [(p.file, p.line) for p in parsed.problems] == [("Pipfile.lock", expected[0])]
    assert parsed.problems[0].message.startswith(expected[1])


# --- peers' fixtures -----------------------------------------------------------------------


def _osv_cases() -> list[dict[str, Any]]:
    path = OSV / "expected_packages.json"
    if not path.is_file():
        return []
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParsePipenvLock"]


def test_osv_scanner_pipenv_fixtures() -> None:
    """Same names and versions as osv-scanner for every case it can read.

    Conventions differ in two places, both on purpose: osv-scanner drops entries without a
    version (git checkouts), which fundscout keeps as ``vcs`` records with version None; and
    it merges a package locked in both ``default`` and ``develop`` into one, while fundscout
    keeps one record per category (the scopes differ). So the comparison is on the set of
    (name, version) pairs of versioned records.
    """
    cases = _osv_cases()
    if not cases:
        pytest.skip("osv-scanner corpus not present")
    for case in cases:
        fixture = OSV / case["fixture"]
        if "expect_error_is" in case:
            continue  # a missing file: the source reports it, not the parser
        data = fixture.read_bytes()
        if "expect_error_containing" in case:
            with pytest.raises(ManifestError):
                PipfileLockParser().parse(memory_file("Pipfile.lock", data))
            continue
        parsed = PipfileLockParser().parse(memory_file("Pipfile.lock", data))
        assert parsed.problems == (), case["test"]
        ours = {(d.name, d.version) for d in parsed.dependencies if d.version}
        theirs = {(p["name"], p["version"]) for p in case["expected_packages"]}
        assert ours == theirs, case["test"]
        dev = {(d.name, d.version) for d in parsed.dependencies if d.scope is Scope.DEV}
        theirs_dev = {
            (p["name"], p["version"])
            for p in case["expected_packages"]
            if "dev" in p.get("dep_groups", ())
        }
        assert theirs_dev <= dev, case["test"]


def test_osv_scanner_git_entries_are_kept_as_vcs_records() -> None:
    fixture = OSV / "fixtures" / "pipenv" / "no-version.json"
    if not fixture.is_file():
        pytest.skip("osv-scanner corpus not present")
    parsed = PipfileLockParser().parse(memory_file("Pipfile.lock", fixture.read_bytes()))
    assert [(d.name, d.scope, d.source, d.version) for d in parsed.dependencies] == [
        ("markupsafe", R, "vcs", None),
        ("itsdangerous", D, "vcs", None),
    ]
    assert parsed.problems == ()


# --- robustness ----------------------------------------------------------------------------


def _outcome(parser: PipfileParser | PipfileLockParser, path: str, data: bytes) -> None:
    try:
        result = parser.parse(memory_file(path, data))
    except ManifestError as exc:
        assert exc.message
        return
    assert isinstance(result, ParsedManifest)
    assert all(isinstance(p, Problem) and p.file == path for p in result.problems)


@settings(max_examples=200, deadline=None)
@given(st.text() | st.binary())
def test_arbitrary_text_never_crashes(content: str | bytes) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    _outcome(PipfileParser(), "Pipfile", data)
    _outcome(PipfileLockParser(), "Pipfile.lock", data)


_KEYS = st.sampled_from(
    ["version", "git", "ref", "path", "file", "hg", "extras", "markers", "index", "editable"]
) | st.text(max_size=8)
_LEAVES = st.text(max_size=12) | st.integers() | st.booleans() | st.sampled_from(["*", "==1.0"])
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
_CATEGORIES = st.sampled_from(["packages", "dev-packages", "default", "develop", "requires"])
_DOCUMENTS = st.dictionaries(
    _CATEGORIES | st.text(min_size=1, max_size=8),
    st.dictionaries(st.text(min_size=1, max_size=10), _VALUES, max_size=4) | _LEAVES,
    max_size=4,
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    pairs = (f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items())
    return "{" + ", ".join(pairs) + "}"


def _toml(document: dict[str, Any]) -> str:
    """A TOML text: top-level tables as [headers] so the line search is exercised too."""
    lines = [
        f"{_toml_value(k)} = {_toml_value(v)}"
        for k, v in document.items()
        if not isinstance(v, dict)
    ]
    for key, table in document.items():
        if isinstance(table, dict):
            lines.append(f"[{_toml_value(key)}]")
            lines += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(_DOCUMENTS)
def test_structured_but_wrong_documents_never_crash(document: dict[str, Any]) -> None:
    _outcome(PipfileParser(), "Pipfile", _toml(document).encode("utf-8", "surrogatepass"))
    lock = json.dumps({"_meta": {"pipfile-spec": 6}, **document})
    _outcome(PipfileLockParser(), "Pipfile.lock", lock.encode("utf-8", "surrogatepass"))
