"""package-lock.json / npm-shrinkwrap.json: versions 1-3, workspaces, sources, edges, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.manifests import parser_for
from analyzer.manifests.npm_common import clean_url, resolved_source
from analyzer.manifests.npm_lock import NpmLockParser
from analyzer.model import ManifestFile, ParsedManifest, Scope
from tests.conftest import parse_in
from tests.helpers import check_lines, npm, rows
from tests.helpers import npm_edges as edges

FIXTURES = Path(__file__).parent / "fixtures" / "npm_lock"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, OPT, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.DEV


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


def test_registered_for_both_names() -> None:
    assert isinstance(parser_for("web/package-lock.json"), NpmLockParser)
    assert isinstance(parser_for("npm-shrinkwrap.json"), NpmLockParser)
    assert not NpmLockParser().matches(PurePosixPath("package.json"))
    assert not NpmLockParser().matches(PurePosixPath("package-lock.json.bak"))


# --- version 1 ----------------------------------------------------------------------------

V1_ROWS = [
    ("@babel/code-frame", "7.12.13", D, False, 7, "registry", None),
    ("@babel/highlight", "7.14.5", D, False, 16, "registry", None),
    ("chalk", "2.4.2", D, False, 26, "registry", None),  # nested under @babel/highlight
    ("supports-color", "5.5.0", D, False, 35, "registry", None),
    ("chalk", "4.1.2", R, False, 43, "registry", None),
    ("fsevents", "2.3.2", OPT, False, 51, "registry", None),
    ("js-tokens", "4.0.0", D, False, 57, "registry", None),
    # the deploy token in the URL is dropped; v1 has no version for a git dependency
    ("left-pad", None, R, False, 63, "vcs",
     "git+https://github.com/acme/left-pad.git#5c3b4c9f0e1d2a3b4c5d6e7f8a9b0c1d2e3f4a5b"),
    ("lodash", "4.17.21", R, False, 67, "registry", None),  # installed as "lodash4"
    ("node-sass", "4.14.1", R, False, 72, "registry", None),
    ("fstream", "1.0.12", R, False, 80, "registry", None),  # bundled inside node-sass
    ("supports-color", "7.2.0", R, False, 92, "registry", None),
    ("tarball-dep", None, R, False, 97, "url",
     "https://example.com/tarballs/tarball-dep-0.1.0.tgz"),
    ("vendored", None, R, False, 101, "path", "file:vendor/vendored-1.0.0.tgz"),
]  # fmt: skip
V1_EDGES = edges(
    ("@babel/code-frame", "@babel/highlight"),
    ("@babel/highlight", "chalk"),
    ("@babel/highlight", "js-tokens"),
    ("chalk", "supports-color"),  # 2.4.2 finds its sibling copy, 4.1.2 the top-level one
    ("node-sass", "fstream"),
    ("shared-ui", "chalk"),
)


def test_version_1(parse_text: Parse) -> None:
    result = parse_text("package-lock.json", (FIXTURES / "v1.json").read_bytes())
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == V1_ROWS
    assert set(result.edges) == V1_EDGES and len(result.edges) == len(V1_EDGES)
    # "file:packages/shared-ui" is a folder of the repository: its own code, not a record.
    assert result.publishes == (npm("acme-web"), npm("shared-ui"))


def test_version_1_nested_lookup_prefers_the_closest_copy(parse_text: Parse) -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {
            "a": {"version": "1.0.0", "requires": {"b": "^2"},
                  "dependencies": {"b": {"version": "2.0.0", "requires": {"c": "*"}}}},
            "b": {"version": "1.0.0"},
            "c": {"version": "3.0.0", "requires": {"b": "^1", "missing": "*"}},
        },
    }  # fmt: skip
    result = parse_text("package-lock.json", json.dumps(lock, indent=2))
    assert [(d.name, d.version, d.line) for d in result.dependencies] == [
        ("a", "1.0.0", 4),
        ("b", "2.0.0", 10),
        ("b", "1.0.0", 18),
        ("c", "3.0.0", 21),
    ]
    assert set(result.edges) == edges(("a", "b"), ("b", "c"), ("c", "b"))


# --- versions 2 and 3 ---------------------------------------------------------------------

WORKSPACE_ROWS = [
    # a folder outside the repository is someone else's code: a path record
    ("@acme/shared-config", "1.0.0", D, True, 20, "path", "../shared-config"),
    ("custom", "0.1.0", R, True, 37, "url", "https://cdn.example.com/custom-0.1.0.tgz"),
    ("debug", "4.3.4", R, True, 42, "registry", "^4.3.0"),
    ("eslint", "8.57.0", D, False, 58, "registry", None),
    ("eslint-plugin-x", "1.2.0", D, True, 69, "registry", "^1.0.0"),
    ("internal-tool", "0.3.0", D, True, 84, "vcs",
     "git+ssh://git@github.com/acme/internal-tool.git#0123456789abcdef0123456789abcdef01234567"),
    # a private registry still serves <name>/-/<tarball>
    ("left-pad", "1.3.0", R, True, 90, "registry", "^1.3.0"),
    ("tiny", "0.0.1", R, False, 101, "registry", None),  # inBundle
    ("loose-envify", "1.4.0", R, False, 106, "registry", None),
    ("ms", "2.1.2", R, False, 112, "registry", None),
    ("react", "18.3.1", R, True, 117, "registry", "^18.0.0"),  # a peer of @acme/ui
    ("sharp", "0.33.4", OPT, True, 126, "registry", "^0.33.0"),  # devOptional
    ("string-width", "5.1.2", D, False, 133, "registry", None),
    # the alias string-width-cjs and packages/api's own copy: one package, one record
    ("string-width", "4.2.3", R, True, 142, "registry", "^4.2.0"),
    ("strip-ansi", "7.1.0", D, False, 151, "registry", None),
    ("strip-ansi", "6.0.1", R, False, 157, "registry", None),
    ("typescript", "5.4.5", D, True, 162, "registry", "^5.4.0"),
    ("vendored", "1.0.0", R, True, 168, "path", "file:vendor/vendored-1.0.0.tgz"),
]  # fmt: skip
WORKSPACE_EDGES = edges(
    ("acme-monorepo", "@acme/shared-config"),
    ("acme-monorepo", "eslint-plugin-x"),
    ("acme-monorepo", "sharp"),
    ("acme-monorepo", "typescript"),
    ("@acme/api", "@acme/ui"),  # through the node_modules/@acme/ui link
    ("@acme/api", "debug"),
    ("@acme/api", "left-pad"),
    ("@acme/api", "string-width"),
    ("@acme/api", "internal-tool"),  # an own folder's devDependencies are installed
    ("@acme/ui", "custom"),
    ("@acme/ui", "string-width"),
    ("@acme/ui", "vendored"),
    ("@acme/ui", "sharp"),
    ("@acme/ui", "react"),
    ("debug", "ms"),  # not supports-color: an optional peer that is not installed
    ("eslint", "debug"),
    ("eslint", "string-width"),
    ("eslint-plugin-x", "eslint"),  # a peer; its optional peer typescript is no edge
    ("left-pad", "tiny"),
    ("react", "loose-envify"),
    ("string-width", "strip-ansi"),
)
WORKSPACE_PUBLISHES = (npm("acme-monorepo"), npm("@acme/api"), npm("@acme/ui"))


def test_workspace_version_3(parse_text: Parse) -> None:
    result = parse_text("package-lock.json", (FIXTURES / "workspace.json").read_bytes())
    assert result.problems == ()
    assert rows(result) == WORKSPACE_ROWS
    assert set(result.edges) == WORKSPACE_EDGES and len(result.edges) == len(WORKSPACE_EDGES)
    assert result.publishes == WORKSPACE_PUBLISHES
    assert {d.namespace for d in result.dependencies if d.name == "shared-config"} == {"@acme"}


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("  ", "\t"),
        lambda text: text.replace("\n", "\r"),  # old Mac line breaks still count as lines
    ],
    ids=["crlf", "bom", "tabs", "cr"],
)
def test_workspace_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "workspace.json").read_text(encoding="utf-8"))
    result = parse_text("npm-shrinkwrap.json", text.encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == WORKSPACE_ROWS
    assert set(result.edges) == WORKSPACE_EDGES


def test_workspace_lockfile_in_a_subdirectory(write_tree: Callable[..., Path]) -> None:
    """Inside web/, "../shared-config" is a folder of the repository: own code."""
    content = (FIXTURES / "workspace.json").read_bytes()
    result = parse_in(write_tree({"web/package-lock.json": content}), "web/package-lock.json")
    assert result.publishes == (npm("acme-monorepo"), npm("@acme/shared-config"),
                                *WORKSPACE_PUBLISHES[1:])  # fmt: skip
    assert [r[0] for r in rows(result)] == [r[0] for r in WORKSPACE_ROWS[1:]]
    assert {d.file for d in result.dependencies} == {"web/package-lock.json"}


def test_version_2_reads_packages_not_the_legacy_tree(parse_text: Parse) -> None:
    result = parse_text("package-lock.json", (FIXTURES / "v2.json").read_bytes())
    assert result.problems == ()
    assert rows(result) == [
        ("chokidar", "3.6.0", D, True, 14, "registry", "^3.6.0"),
        ("express", "4.19.2", R, True, 23, "registry", "^4.19.0"),
        ("fsevents", "2.3.3", D, False, 31, "registry", None),  # dev and optional: dev
        ("ms", "2.0.0", R, False, 41, "registry", None),
    ]
    assert set(result.edges) == edges(("chokidar", "fsevents"), ("express", "ms"))
    assert result.publishes == ()  # the root has no name: nothing published, no root edges


def test_link_to_a_folder_the_file_does_not_list(parse_text: Parse) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "dependencies": {"lib": "file:lib", "ext": "file:../ext"}},
            "node_modules/lib": {"resolved": "lib", "link": True},
            "node_modules/ext": {"resolved": "../ext", "link": True},
        },
    }
    result = parse_text("package-lock.json", json.dumps(lock))
    assert result.problems == () and result.dependencies == ()
    assert result.publishes == (npm("app"), npm("lib"))  # ../ext is outside: unknown code
    assert set(result.edges) == edges(("app", "lib"))


def test_duplicate_keys_keep_the_last(parse_text: Parse) -> None:
    text = """{
  "lockfileVersion": 3,
  "packages": {
    "node_modules/a": {"version": "1.0.0"},
    "node_modules/a": {"version": "1.0.1"}
  }
}"""
    result = parse_text("package-lock.json", text)
    assert rows(result) == [("a", "1.0.1", R, False, 5, "registry", None)]


# --- problems -----------------------------------------------------------------------------


def test_unknown_version_is_reported_and_read(parse_text: Parse) -> None:
    lock = {"lockfileVersion": 7, "packages": {"node_modules/a": {"version": "1.0.0"}}}
    result = parse_text("package-lock.json", json.dumps(lock, indent=2))
    assert problems(result) == [(2, "unknown lockfile version 7")]
    assert rows(result) == [("a", "1.0.0", R, False, 4, "registry", None)]


def test_old_shrinkwrap_without_a_version_reads_as_version_1(parse_text: Parse) -> None:
    entry = {"version": "1.0.0", "from": "a@^1.0.0", "resolved": "https://r.example/a/-/a.tgz"}
    lock = {"name": "app", "version": "1.0.0", "dependencies": {"a": entry}}
    result = parse_text("npm-shrinkwrap.json", json.dumps(lock))
    assert result.problems == ()
    assert rows(result) == [("a", "1.0.0", R, False, 1, "registry", None)]
    assert result.publishes == (npm("app"),)


def test_bad_entries_become_problems(parse_text: Parse) -> None:
    text = """{
  "lockfileVersion": 3,
  "packages": {
    "node_modules/ok": {"version": "1.0.0", "dependencies": {"Bad Name": "1"}},
    "node_modules/not-an-object": [1, 2],
    "node_modules/Bad Name": {"version": "1.0.0"},
    "node_modules/no-version": {"resolved": "https://registry.npmjs.org/x/-/x.tgz"},
    "node_modules/broken-link": {"link": true},
    "../nameless": {"version": "1.0.0"}
  }
}"""
    result = parse_text("package-lock.json", text)
    assert problems(result) == [
        (5, "package 'node_modules/not-an-object' is not an object"),
        (8, "link 'node_modules/broken-link' has no target"),
        (6, "invalid npm package name 'Bad Name'"),
        (7, "package 'node_modules/no-version' has no version"),
        (9, "package '../nameless' has no name"),
    ]
    assert rows(result) == [
        ("ok", "1.0.0", R, False, 4, "registry", None),
        ("no-version", None, R, False, 7, "registry", None),
    ]


def test_sections_of_the_wrong_type(parse_text: Parse) -> None:
    result = parse_text(
        "package-lock.json", '{\n"lockfileVersion": 2,\n"packages": [],\n"dependencies": 3\n}'
    )
    assert problems(result) == [
        (3, "packages must be an object"),
        (4, "dependencies must be an object"),
    ]
    assert result.dependencies == ()
    v1 = parse_text("package-lock.json", '{"lockfileVersion": 1, "dependencies": {"a": 1}}')
    assert problems(v1) == [(1, "package 'a' is not an object")]


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        (b'{\n  "lockfileVersion": 3,\n  "packages": {\n}', 4, "invalid JSON"),
        (b"[1, 2]", 1, "package-lock.json must hold a JSON object"),
        (b"\x00\x01binary\x00", None, "binary file"),
        (b'{\n  "name": "caf\xe9"\n}', 2, "not valid UTF-8"),
        (b"[" * 100_000, None, "invalid JSON"),
    ],
    ids=["malformed", "array", "binary", "latin-1", "deep"],
)
def test_unreadable_files(parse_text: Parse, content: bytes, line: int | None, start: str) -> None:
    result = parse_text("package-lock.json", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line, problem.repo) == ("package-lock.json", line, "repo")
    assert problem.message.startswith(start)


def test_sources_and_credentials() -> None:
    assert resolved_source("https://registry.npmjs.org/a/-/a-1.0.0.tgz") == "registry"
    assert resolved_source("https://npm.pkg.github.com/download/@o/a/1.0.0/abc") == "registry"
    assert resolved_source("https://example.com/builds/a-1.0.0.tgz") == "url"
    assert resolved_source("https://[not-an-address/a/-/a.tgz") == "url"
    assert resolved_source("https://codeload.github.com/o/r/tar.gz/abc") == "vcs"
    assert resolved_source("github:o/r#abc") == "vcs"
    assert resolved_source("file:../x.tgz") == "path"
    assert clean_url("https://user:pass@host.example/x.tgz") == "https://host.example/x.tgz"
    assert clean_url("git+https://tok@github.com/o/r.git#a") == "git+https://github.com/o/r.git#a"
    assert clean_url("git+ssh://git@github.com/o/r.git") == "git+ssh://git@github.com/o/r.git"
    assert clean_url("a@git+https://x:y@h.example/r.git#1") == "a@git+https://h.example/r.git#1"


def _split_source(resolved: str) -> str:
    """How ``resolved_source`` classifies any http(s) URL: through urlsplit."""
    try:
        parts = urlsplit(resolved)
        host = parts.hostname
    except ValueError:
        return "url"
    if host in ("codeload.github.com", "gitlab.com", "bitbucket.org"):
        return "vcs"
    return "registry" if "/-/" in parts.path or host == "npm.pkg.github.com" else "url"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="a@/-.?#%\t\r\n ", max_size=24))
def test_npmjs_urls_are_classified_as_urlsplit_would(rest: str) -> None:
    for url in (f"https://registry.npmjs.org/{rest}", f"https://registry.npmjs.org{rest}"):
        assert resolved_source(url) == _split_source(url)
    assert resolved_source("https://registry.npmjs.org/a/\r-/a-1.0.0.tgz") == "registry"
    assert resolved_source("https://registry.npmjs.org/a/a-1.0.0.tgz?x=/-/") == "url"


# --- arbitrary input ----------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=16)
_keys = st.sampled_from(
    ["", "node_modules/a", "node_modules/a/node_modules/b", "packages/x", "../out", "name",
     "version", "resolved", "link", "dev", "optional", "devOptional", "dependencies",
     "requires", "packages", "lockfileVersion", "peerDependenciesMeta", "npm:a@1"]
) | _text  # fmt: skip
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)


def _parse_bytes(data: bytes) -> None:
    check_lines(NpmLockParser(), "sub/package-lock.json", data)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(_keys, _json, max_size=6), version=st.sampled_from([1, 2, 3]))
def test_wrong_shaped_documents(document: dict[str, Any], version: int) -> None:
    document.setdefault("lockfileVersion", version)
    _parse_bytes(json.dumps(document, indent=2).encode())


_names = st.sampled_from(["a", "b", "@s/b", "x", "Bad Name", ""]) | _text
_odd = st.none() | st.booleans() | st.integers(-2, 2) | st.lists(_text, max_size=2)
_entries = st.fixed_dictionaries(
    {},
    optional={
        "name": _names | _odd,
        "version": st.sampled_from(["1.0.0", "npm:a@1.0.0", "file:x", "git+https://h/r"]) | _odd,
        "resolved": st.sampled_from(
            ["packages/x", "../out", "https://u:p@h/a/-/a.tgz", "https://[x"]
        )
        | _odd,
        "link": st.booleans() | _odd,
        "dev": st.booleans() | _odd,
        "dependencies": st.dictionaries(_names, _text | _odd, max_size=4) | _odd,
        "peerDependencies": st.dictionaries(_names, _text | _odd, max_size=3),
        "peerDependenciesMeta": st.dictionaries(
            _names, st.fixed_dictionaries({"optional": _odd}), max_size=3
        )
        | _odd,
        "requires": st.dictionaries(_names, _text | _odd, max_size=3) | _odd,
    },
)
_locations = st.sampled_from(
    ["", "node_modules/a", "node_modules/@s/b", "node_modules/a/node_modules/b", "packages/x",
     "packages/x/node_modules/a", "../out", "node_modules", "node_modules/"]
) | _text  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    packages=st.dictionaries(_locations, _entries | _odd, max_size=8),
    tree=st.recursive(
        st.dictionaries(_names, _entries, max_size=4),
        lambda inner: st.dictionaries(
            _names,
            _entries | st.builds(lambda e, d: {**e, "dependencies": d}, _entries, inner),
            max_size=3,
        ),
        max_leaves=12,
    ),
    version=st.sampled_from([1, 2, 3, 4, "2"]),
)
def test_plausible_documents(packages: dict[str, Any], tree: dict[str, Any], version: Any) -> None:
    """Documents close to real ones: both layouts, every field with right or wrong types."""
    _parse_bytes(json.dumps({"lockfileVersion": version, "packages": packages}).encode())
    _parse_bytes(json.dumps({"lockfileVersion": version, "dependencies": tree}).encode())


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _parse_bytes(text.encode("utf-8", errors="surrogatepass"))


# --- real files ---------------------------------------------------------------------------


def test_corpus_lockfiles_parse_cleanly() -> None:
    files = sorted((CORPUS / "orgs").rglob("package-lock.json")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip("corpus not present")
    for path in files:
        data = path.read_bytes()
        result = NpmLockParser().parse(ManifestFile("repo", "package-lock.json", len(data),
                                                    lambda _, d=data: d))  # fmt: skip
        assert result.problems == (), path
        assert result.dependencies, path
        assert any(d.direct for d in result.dependencies), path
        assert all(d.version for d in result.dependencies), path


def _osv_cases() -> list[dict[str, Any]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParseNpmLock" and not c.get("unparsed")]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, Any] | None) -> None:
    """Same names and versions as osv-scanner, with these differences of convention:

    - a folder inside the repository (``file:deps/etag``) is the organization's own code, so
      it is published rather than recorded (osv lists it as a package);
    - a version 1 git or tarball dependency has no version (osv leaves it empty as well);
    - one record per name, version and origin, where osv keeps every install location
      (their "commits" case lists is-number-1 at two commits: we do too, as two origins).
    """
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / case["fixture"]
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("package-lock.json", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    own = {"other_package", "etag"}  # folders of the repository
    expected = {(p["name"], p["version"] or None) for p in case["expected_packages"]}
    got = {(d.display_name, d.version) for d in result.dependencies}
    assert got == {(name, version) for name, version in expected if name not in own}
    optional = {p["name"] for p in case["expected_packages"]
                if p.get("dep_groups") == ["optional"]}  # fmt: skip
    assert optional <= {d.display_name for d in result.dependencies if d.scope is OPT}
