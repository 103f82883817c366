"""yarn.lock: Yarn classic (v1) and Berry (v2+) entries, sources, workspaces, scopes and edges."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest
from analyzer.manifests.yarn_berry import reference_kind
from analyzer.manifests.yarn_classic import tokenize
from analyzer.manifests.yarn_common import clean_url, declared_range, remote_source
from analyzer.manifests.yarn_lock import YarnLockParser
from analyzer.model import ManifestFile, ParsedManifest, Scope
from tests.conftest import parse_in
from tests.helpers import npm_edges as edges
from tests.helpers import rows

FIXTURES = Path(__file__).parent / "fixtures" / "yarn_lock"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
Parse = Callable[..., ParsedManifest]
R, OPT, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.DEV
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fixture_tree(name: str) -> dict[str, str | bytes]:
    root = FIXTURES / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


# --- Yarn classic -----------------------------------------------------------------------------

LEFT_PAD_TARBALL = (
    "https://codeload.github.com/stevemao/left-pad/tar.gz/5fc1cd4b8bc1a4b3f1bc3e6e9dd4e2f4d0b7a9c1"
)
CLASSIC_ROWS = [
    ("@babel/code-frame", "7.12.13", R, False, 5, "registry", None),
    ("@babel/highlight", "7.13.10", R, False, 12, "registry", None),
    # tools/build is a folder of the repository (file:): what it needs is direct, and its
    # package.json lists chalk as a dev dependency.
    ("chalk", "2.4.2", D, True, 21, "registry", "^2.0.0"),
    ("ansi-styles", "3.2.1", D, False, 27, "registry", None),
    ("js-tokens", "4.0.0", R, False, 31, "registry", None),
    ("string-width", "4.2.3", R, False, 35, "registry", None),  # the alias installs string-width
    ("strip-ansi", "6.0.1", R, False, 41, "registry", None),  # a private registry's <name>/-/
    ("chokidar", "3.5.3", R, False, 45, "registry", None),
    ("fsevents", "2.3.2", R, False, 51, "registry", None),
    ("left-pad", "1.3.0", R, False, 55, "vcs", LEFT_PAD_TARBALL),
    # the token in the URL is not kept
    ("internal-sdk", "4.1.0", R, False, 59, "vcs",
     "git+https://github.com/acme/internal-sdk.git#0c5b0a8b7d9b5a1e2f3c4d5e6f708192a3b4c5d6"),
    ("legacy-widget", "0.4.2", R, False, 63, "url",
     "https://downloads.example.com/legacy-widget-0.4.2.tgz"),
    # line 67: @acme/build-tools is the repository's own folder, not a dependency
    ("vendored-lib", "2.0.0", R, False, 72, "path", "vendor/vendored-lib-2.0.0.tgz"),
    ("sibling", "0.3.0", R, False, 76, "path", "../sibling"),  # outside the repository
]  # fmt: skip
CLASSIC_EDGES = edges(
    ("@babel/code-frame", "@babel/highlight"),
    ("@babel/highlight", "chalk"),
    ("@babel/highlight", "js-tokens"),
    ("chalk", "ansi-styles"),
    ("string-width", "strip-ansi"),
    ("chokidar", "fsevents"),
)


def classic(write_tree: Callable[..., Path], lock: str | bytes | None = None) -> ParsedManifest:
    files = fixture_tree("classic")
    if lock is not None:
        files["yarn.lock"] = lock
    return parse_in(write_tree(files), "yarn.lock")


def test_classic_every_record(write_tree: Callable[..., Path]) -> None:
    result = classic(write_tree)
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == CLASSIC_ROWS
    assert set(result.edges) == CLASSIC_EDGES
    assert len(result.edges) == len(CLASSIC_EDGES)
    assert result.publishes == ()  # the folder's own package.json publishes it
    assert result.dependencies[0].purl == "pkg:npm/%40babel/code-frame"
    assert {d.file for d in result.dependencies} == {"yarn.lock"}


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\n    ", "\n\t\t").replace("\n  ", "\n\t"),
        lambda text: text.replace("\n    ", "\n        ").replace("\n  ", "\n    "),
    ],
    ids=["crlf", "bom", "tabs", "four-spaces"],
)
def test_classic_text_variants(
    write_tree: Callable[..., Path], transform: Callable[[str], str]
) -> None:
    text = (FIXTURES / "classic" / "yarn.lock").read_text(encoding="utf-8")
    result = classic(write_tree, transform(text).encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == CLASSIC_ROWS
    assert set(result.edges) == CLASSIC_EDGES


def test_classic_unusual_but_valid_syntax(parse_text: Parse) -> None:
    text = (
        "# yarn lockfile v1\n"
        "\n"
        '"plain@\\u003e=1.0.0 <2"  , plain@1.0.0:  # a comment after the key\n'  # 3
        "  version: 1.0.0\n"  # "key: value" and unquoted values parse too
        '  resolved "https://registry.yarnpkg.com/plain/-/plain-1.0.0.tgz"\n'
        "  dependencies:\n"
        '    "@types/node": "*"\n'
        "    other ^2.0.0 # trailing comment\n"
        "  bin:\n"
        "    plain: ./cli.js\n"
        "    \n"
        "other@^2.0.0:\n"  # 12
        '  version "2.1.0"\n'
        '  uid ""\n'
        "  peerDependenciesMeta:\n"  # an unknown block: its nested lines are skipped
        "    react:\n"
        "      optional true\n"
    )
    result = parse_text("yarn.lock", text)
    assert problems(result) == []
    assert rows(result) == [
        ("plain", "1.0.0", R, False, 3, "registry", None),
        ("other", "2.1.0", R, False, 12, "registry", None),
    ]
    assert set(result.edges) == edges(("plain", "other"))


def test_classic_duplicates_conflicts_and_bad_lines(parse_text: Parse) -> None:
    text = (
        "# yarn lockfile v1\n"
        "a@^1.0.0:\n"  # 2
        '  version "1.0.0"\n'
        "a@^1.0.0:\n"  # 4: the same descriptor again
        '  version "1.0.1"\n'
        "  what is this\n"  # 6
        "<<<<<<< HEAD\n"  # 7
        "b@^2:\n"  # 8
        '  version "2.0.0"\n'
        "=======\n"
        "b@^2:\n"  # 11: not reported again: the conflict explains it
        '  version "2.0.1"\n'
        ">>>>>>> feature\n"
        '"unterminated@^1:\n'  # 14
        '  version "9.9.9"\n'  # skipped with its entry
        "nameless:\n"  # 16
        '  version "1.0.0"\n'
        "c@^3:\n"  # 18
        '  resolved "https://registry.yarnpkg.com/c/-/c-3.0.0.tgz"\n'
        "  dependencies:\n"
        '    "oops\n'  # 21
        '"Bad Name@1":\n'  # 22
        '  version "1.0.0"\n'
        "  \n"
        '    version "0"\n'  # 25: an indented line after a bad entry is skipped
    )
    result = parse_text("yarn.lock", text)
    assert problems(result) == [  # in line order
        (4, "duplicate entry 'a@^1.0.0' (also on line 2)"),
        (6, "expected 'key value' or 'key:'"),
        (7, "unresolved merge conflict; both sides were read"),
        (14, "unterminated string"),
        (16, "entry 'nameless' is not 'name@range'"),
        (18, "entry 'c@^3' has no version"),
        (21, "unterminated string"),
        (22, "invalid npm package name 'Bad Name'"),
    ]
    assert rows(result) == [
        ("a", "1.0.0", R, False, 2, "registry", None),
        ("a", "1.0.1", R, False, 4, "registry", None),
        ("b", "2.0.0", R, False, 8, "registry", None),
        ("b", "2.0.1", R, False, 11, "registry", None),
    ]


def test_classic_long_lines_are_refused(parse_text: Parse) -> None:
    text = 'a@^1:\n  version "1.0.0"\n' + "x" * 20000 + ':\n  version "1"\nb@^1:\n  version 1\n'
    result = parse_text("yarn.lock", text)
    assert problems(result) == [(3, "line longer than 16384 characters")]
    assert [(d.name, d.line) for d in result.dependencies] == [("a", 1), ("b", 5)]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"<html>\n<body>not found</body>\n", 1, "expected an entry such as 'name@range:'"),
        (b"{\n  version: 1\n}\n", 1, "unexpected character '{'"),
        (b"  indented: nothing\n", 1, "indented line outside an entry"),
        (b"a@^1:\n  resolved x\n", 1, "entry 'a@^1' has no version"),
        (b"\x00\x01\x02binary", None, "binary file, not a text manifest"),
        (b'a@^1:\n  version "\xff"\n', 2, "not valid UTF-8 (byte 0xff)"),
        (b"\xff\xfe\x00\xd8", 1, "invalid UTF-16-LE text: unexpected end of data"),
    ],
    ids=["html", "brace", "indented", "no-version", "binary", "latin1", "bad-utf16"],
)
def test_unreadable_files_are_one_problem(
    parse_text: Parse, content: bytes, line: int | None, message: str
) -> None:
    result = parse_text("yarn.lock", content)
    assert result.dependencies == ()
    assert [(p.file, p.line, p.message) for p in result.problems] == [("yarn.lock", line, message)]


def test_many_bad_lines_are_capped(parse_text: Parse) -> None:
    text = 'a@^1:\n  version "1"\n' + "".join(f"b{i}@^1:\n  x y z\n" for i in range(80))
    result = parse_text("yarn.lock", text)
    assert len(result.problems) == 51
    assert result.problems[-1].message == "110 more problems not shown"
    assert result.problems[-1].line is None


def test_tokenizer() -> None:
    assert tokenize('"a\\u0041b", c@^1:') == [
        ("str", "aAb"),
        (",", ","),
        ("str", "c@^1"),
        (":", ":"),
    ]
    assert tokenize("mine2@G-Rath/repo#0a2d:  # note") == [
        ("str", "mine2@G-Rath/repo#0a2d"),
        (":", ":"),
    ]
    with pytest.raises(ManifestError, match="invalid string"):
        tokenize('"bad \\x escape"')
    # An unterminated string stops the line at once: no rescanning of long lines.
    with pytest.raises(ManifestError, match="unterminated string"):
        tokenize('a "' + '\\"' * 5000)


# --- Yarn Berry -------------------------------------------------------------------------------

LEFT_PAD_GIT = (
    "https://github.com/stevemao/left-pad.git#commit=5fc1cd4b8bc1a4b3f1bc3e6e9dd4e2f4d0b7a9c1"
)
BERRY_ROWS = [
    ("accepts", "1.3.8", R, False, 42, "registry", None),
    ("express", "4.19.2", R, True, 60, "registry", "^4.19.2"),
    # the patched copy on line 78 is the same package; the ui's package.json says optional
    ("fsevents", "2.3.3", OPT, True, 70, "registry", "~2.3.3"),
    ("jsdom", "24.0.0", D, True, 85, "registry", "^24.0.0"),  # api's devDependencies
    ("js-tokens", "4.0.0", R, False, 92, "registry", None),
    ("left-pad", "1.3.0", R, True, 99, "vcs", LEFT_PAD_GIT),
    ("legacy-widget", "0.4.2", R, True, 106, "url",
     "https://downloads.example.com/legacy-widget-0.4.2.tgz"),
    # line 113: link:./assets is a folder of the api workspace: own code
    ("lodash", "4.17.21", R, True, 119, "registry", "4.17.21"),  # patched on line 126
    ("loose-envify", "1.4.0", R, False, 133, "registry", None),
    ("mime-db", "1.52.0", R, False, 144, "registry", None),
    # the portal on line 189 is own code (tools/shared-config), so what it needs is direct
    ("mime-types", "2.1.35", R, True, 151, "registry", "~2.1.34"),
    ("prettier", "3.2.5", D, True, 160, "registry", "3.2.5"),  # root devDependencies
    ("react-dom", "18.2.0", R, True, 169, "registry", "^18.2.0"),  # a peer, and dev: peer wins
    ("react", "18.2.0", R, True, 180, "registry", "^18.2.0"),
    ("sibling", "0.3.0", R, True, 197, "path", "../sibling"),  # packages/api/../../../sibling
    ("string-width", "4.2.3", R, True, 203, "registry", "^4.2.0"),  # via an npm: alias
    ("tinypool", "0.8.4", D, False, 210, "registry", None),  # only vitest needs it
    ("typescript", "5.4.5", D, True, 217, "registry", "^5.4.2"),
    ("vendored-lib", "2.0.0", R, True, 237, "path", "packages/api/vendor/vendored-lib-2.0.0.tgz"),
    ("vitest", "1.4.0", D, True, 244, "registry", "^1.4.0"),
]  # fmt: skip
BERRY_EDGES = edges(
    ("@acme/api", "express"),
    ("@acme/api", "jsdom"),
    ("@acme/api", "left-pad"),
    ("@acme/api", "legacy-widget"),
    ("@acme/api", "sibling"),
    ("@acme/api", "vendored-lib"),
    ("@acme/ui", "@acme/api"),
    ("@acme/ui", "fsevents"),
    ("@acme/ui", "lodash"),
    ("@acme/ui", "react"),
    ("@acme/ui", "react-dom"),
    ("@acme/ui", "string-width"),
    ("@acme/ui", "vitest"),
    ("accepts", "mime-types"),
    ("acme-monorepo", "prettier"),
    ("acme-monorepo", "typescript"),
    ("express", "accepts"),
    ("express", "mime-types"),
    ("loose-envify", "js-tokens"),
    ("mime-types", "mime-db"),
    ("react-dom", "loose-envify"),
    ("react-dom", "react"),  # a peer dependency that is not optional
    ("react", "loose-envify"),
    ("vitest", "tinypool"),  # jsdom is an optional peer: no edge
)
BERRY_PUBLISHES = ("pkg:npm/%40acme/api", "pkg:npm/%40acme/ui", "pkg:npm/acme-monorepo")


def berry(write_tree: Callable[..., Path], lock: str | bytes | None = None) -> ParsedManifest:
    files = fixture_tree("berry")
    if lock is not None:
        files["yarn.lock"] = lock
    return parse_in(write_tree(files), "yarn.lock")


def test_berry_monorepo_every_record(write_tree: Callable[..., Path]) -> None:
    result = berry(write_tree)
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == BERRY_ROWS
    assert set(result.edges) == BERRY_EDGES
    assert len(result.edges) == len(BERRY_EDGES)
    assert result.publishes == BERRY_PUBLISHES


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("__metadata:", "# [not a flow list]\n__metadata:", 1),
    ],
    ids=["crlf", "bom", "python-yaml-loader"],
)
def test_berry_text_variants(
    write_tree: Callable[..., Path], transform: Callable[[str], str]
) -> None:
    text = (FIXTURES / "berry" / "yarn.lock").read_text(encoding="utf-8")
    result = berry(write_tree, transform(text).encode("utf-8"))
    assert result.problems == ()
    shift = 1 if "[not" in transform("__metadata:") else 0  # one comment line more
    assert rows(result) == [(*r[:4], r[4] + shift, *r[5:]) for r in BERRY_ROWS]
    assert set(result.edges) == BERRY_EDGES


def test_berry_without_member_manifests_keeps_lockfile_scopes(parse_text: Parse) -> None:
    # Only the lockfile: dev dependencies look like others, dependenciesMeta still says optional.
    result = parse_text("yarn.lock", (FIXTURES / "berry" / "yarn.lock").read_bytes())
    assert result.problems == ()
    scopes = {d.name: d.scope for d in result.dependencies}
    assert scopes["fsevents"] is OPT
    assert scopes["vitest"] is R and scopes["prettier"] is R and scopes["tinypool"] is R


def test_berry_yarn3_ranges_and_an_unnamed_root(parse_text: Parse) -> None:
    text = (
        "__metadata:\n"
        "  version: 6\n"
        "  cacheKey: 8\n"
        "\n"
        '"debug@npm:^4.3.4":\n'  # 5
        "  version: 4.3.4\n"
        '  resolution: "debug@npm:4.3.4"\n'
        "  dependencies:\n"
        "    ms: 2.1.2\n"  # Yarn 3 leaves out the npm: protocol here
        "  peerDependenciesMeta:\n"
        "    supports-color:\n"
        "      optional: true\n"
        "\n"
        '"ms@npm:2.1.2":\n'  # 14
        "  version: 2.1.2\n"
        '  resolution: "ms@npm:2.1.2"\n'
        "\n"
        '"root-workspace-0b6124@workspace:.":\n'
        "  version: 0.0.0-use.local\n"
        '  resolution: "root-workspace-0b6124@workspace:."\n'
        "  dependencies:\n"
        "    debug: ^4.3.4\n"
        "  languageName: unknown\n"
        "  linkType: soft\n"
    )
    result = parse_text("yarn.lock", text)
    assert result.problems == ()
    assert rows(result) == [
        ("debug", "4.3.4", R, True, 5, "registry", "^4.3.4"),
        ("ms", "2.1.2", R, False, 14, "registry", None),
    ]
    assert set(result.edges) == edges(("debug", "ms"))
    assert result.publishes == ()  # a name Yarn made up is not a package


def test_berry_version_values_stay_strings(parse_text: Parse) -> None:
    text = (
        "__metadata:\n  version: 99\n"
        '"a@npm:1.10":\n  version: 1.10\n  resolution: "a@npm:1.10"\n'
        '"b@npm:1e3":\n  version: 1e3\n  resolution: "b@npm:1e3"\n'
    )
    result = parse_text("yarn.lock", text)
    assert problems(result) == [(2, "unknown lockfile version 99")]
    assert [(d.name, d.version) for d in result.dependencies] == [("a", "1.10"), ("b", "1e3")]


def test_berry_malformed_entries(parse_text: Parse) -> None:
    text = (
        "__metadata:\n"
        "  cacheKey: 8\n"  # 2
        '"a@npm:^1": just a string\n'  # 3
        '"b@npm:^1":\n'  # 4
        "  version: 1.0.0\n"
        '"c@npm:^1":\n'  # 6
        '  resolution: "c@npm:1.0.0"\n'
        '"d@npm:^1":\n'  # 8
        "  version: 1.0.0\n"
        '  resolution: "d@npm:1.0.0"\n'
        "  dependencies:\n"
        "    - not a mapping\n"  # 12
        "  peerDependencies:\n"
        "    e:\n"  # 14
        "      nested: value\n"
        '"Bad Name@npm:1":\n'  # 16
        "  version: 1.0.0\n"
        '  resolution: "Bad Name@npm:1.0.0"\n'
        "? [x]\n: {}\n"  # 19
        '"d@npm:^1":\n'  # 21
        "  version: 1.0.1\n"
        '  resolution: "d@npm:1.0.1"\n'
    )
    result = parse_text("yarn.lock", text)
    assert problems(result) == [
        (1, "__metadata has no lockfile version"),
        (3, "entry 'a@npm:^1' must be a mapping"),
        (4, "entry 'b@npm:^1' has no valid resolution"),
        (6, "entry 'c@npm:1.0.0' has no version"),
        (12, "entry 'd@npm:1.0.0': dependencies must be a mapping"),
        (14, "entry 'd@npm:1.0.0': dependency 'e' is not 'name: range'"),
        (16, "invalid npm package name 'Bad Name'"),
        (19, "an entry's key must be a string"),
        (21, "duplicate entry 'd@npm:^1' (also on line 8)"),
    ]
    assert rows(result) == [
        ("d", "1.0.0", R, False, 8, "registry", None),
        ("d", "1.0.1", R, False, 21, "registry", None),
    ]


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        ("__metadata:\n  version: 8\n\t'a@npm:1':\n", 3, "invalid YAML: "),
        ("__metadata:\n  version: 8\n---\nb: 1\n", 3, "invalid YAML: "),
        ("__metadata: x\n" + "[" * 5000 + "]" * 5000 + "\n", None, "invalid YAML: "),
        ("-\n  resolution: x\n", 1, "a Yarn lockfile must be a YAML mapping"),
        (
            "__metadata: &a [x, x]\n"
            + "".join(f"k{i}: &a{i} [*a{i - 1 if i else ''}, *a{i - 1 if i else ''}]\n"
                      for i in range(120)),
            None,
            "more than 100 YAML aliases; not read",
        ),
    ],
    ids=["tab", "two-documents", "deep", "not-a-mapping", "alias-bomb"],
)  # fmt: skip
def test_berry_unreadable_files_are_one_problem(
    parse_text: Parse, content: str, line: int | None, start: str
) -> None:
    result = parse_text("yarn.lock", content)
    assert result.dependencies == ()
    assert [(p.line if line else None, p.message[: len(start)]) for p in result.problems] == [
        (line, start)
    ]


def test_deep_block_nesting_is_read_without_libyaml(parse_text: Parse) -> None:
    # libyaml recurses in C: deep indentation goes to the Python loader, which stops safely.
    nested = "".join(" " * i + f"k{i}:\n" for i in range(60))
    result = parse_text("yarn.lock", "__metadata:\n  version: 8\n" + nested)
    assert [p.message for p in result.problems] == ["entry 'k0' has no valid resolution"]


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("npm:4.17.21", ("registry", None)),
        ("workspace:.", ("workspace", ".")),
        ("workspace:", ("workspace", ".")),
        ("patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8",
         ("registry", None)),
        ("patch:x@https%3A//github.com/a/x.git%23commit%3Dabc#./p.patch", ("vcs", None)),
        ("patch:garbage", ("url", None)),
        ("file:../deps/x#../deps/x::hash=1&locator=app%40workspace%3Apackages%2Fapp",
         ("path", "packages/deps/x")),
        ("portal:../x::locator=app%40workspace%3A.", ("path", "../x")),
        ("link:./x", ("path", "x")),
        ("https://github.com/a/b.git#commit=abc", ("vcs", None)),
        ("ssh://git@github.com:a/b.git#commit=abc", ("vcs", None)),
        ("https://example.com/x-1.0.0.tgz", ("url", None)),
        ("1.2.3", ("registry", None)),
    ],
)  # fmt: skip
def test_reference_kind(reference: str, expected: tuple[str, str | None]) -> None:
    assert reference_kind(reference) == expected


def test_sources_ranges_and_urls() -> None:
    assert remote_source("https://registry.npmjs.org/a/-/a-1.0.0.tgz") == "registry"
    assert remote_source("https://gitlab.com/a/b/repository/archive.tar.gz?ref=abc") == "vcs"
    assert remote_source("https://[::1/x") == "url"
    assert remote_source("git@github.com:a/b.git") == "vcs"
    assert declared_range("npm:^4") == "^4"
    assert declared_range("npm:@babel/core@^7") == "^7"
    assert declared_range("patch:lodash@npm%3A^4.17.0#./p.patch") == "^4.17.0"
    assert declared_range("npm:") is None
    assert clean_url("https://user:token@host/x.git") == "https://host/x.git"
    assert clean_url("https://user:p@ss@host/x.tgz") == "https://host/x.tgz"  # raw "@"
    assert clean_url("git+ssh://git@github.com/a/b.git") == "git+ssh://git@github.com/a/b.git"


def test_only_yarn_lock_matches() -> None:
    parser = YarnLockParser()
    assert parser.matches(PurePosixPath("web/yarn.lock"))
    assert not parser.matches(PurePosixPath("yarn.lock.bak"))
    assert not parser.matches(PurePosixPath(".yarnrc.yml"))


def test_package_json_workspaces_are_not_dependencies(parse_text: Parse) -> None:
    for workspaces in (
        ["packages/*", "tools/*"],
        {"packages": ["packages/*"], "nohoist": ["**/x"]},
    ):
        content = json.dumps(
            {"name": "root", "private": True, "workspaces": workspaces,
             "devDependencies": {"@acme/ui": "workspace:*", "prettier": "3.2.5"}}, indent=2
        )  # fmt: skip
        result = parse_text("package.json", content)
        assert result.problems == ()
        assert [(d.name, d.scope) for d in result.dependencies] == [("prettier", D)]
        assert result.publishes == ("pkg:npm/root",)


# --- peers and the real world -----------------------------------------------------------------

OSV = CORPUS / "peers" / "osv-scanner-v1"


def _osv_cases() -> list[dict[str, Any]]:
    if not (OSV / "expected_packages.json").is_file():
        return []
    data = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))
    return [
        case for case in data["cases"]
        if case["parser"] == "ParseYarnLock" and (OSV / case["fixture"]).is_file()
    ]  # fmt: skip


def _parse_alone(path: Path) -> ParsedManifest:
    data = path.read_bytes()

    def read(wanted: str) -> bytes:
        if wanted == "yarn.lock":
            return data
        raise SourceError(f"{wanted}: no such file")

    return YarnLockParser().parse(ManifestFile("repo", "yarn.lock", len(data), read))


@pytest.mark.parametrize("case", _osv_cases(), ids=lambda case: case["fixture"].split("/")[-1])
def test_osv_scanner_cases(case: dict[str, Any]) -> None:
    result = _parse_alone(OSV / case["fixture"])
    assert result.problems == ()
    found = {(d.display_name, d.version) for d in result.dependencies}
    expected = {(p["name"], p["version"]) for p in case["expected_packages"]}
    # osv-scanner lists the repository's own code too: Berry workspaces (0.0.0-use.local),
    # which fundscout publishes instead, and file:/link: folders inside the repository.
    own = {name.removeprefix("pkg:npm/").replace("%40", "@") for name in result.publishes}
    name = case["fixture"].split("/")[-1]
    if name == "files.v1.lock":
        own |= {"other_package", "sprintf-js", "etag"}
        expected.discard(("etag", "1.8.0"))  # etag@link:./deps/etag; 1.8.1 stays
        own.discard("etag")
    expected = {(n, v) for n, v in expected if n not in own}
    assert found == expected


def test_osv_scanner_cases_were_found() -> None:
    if not OSV.is_dir():
        pytest.skip("corpus not present")
    assert len(_osv_cases()) >= 20


def test_real_lockfiles_of_an_organization() -> None:
    root = CORPUS / "orgs"
    locks = sorted(root.rglob("yarn.lock")) if root.is_dir() else []
    if not locks:
        pytest.skip("corpus not present")
    for path in locks:
        relative = path.relative_to(root).as_posix()
        result = parse_in(root, relative)
        assert result.problems == (), relative
        assert len(result.dependencies) > 100, relative
        assert len(result.edges) > len(result.dependencies) / 2, relative


# --- fuzzing ----------------------------------------------------------------------------------


def _check(data: bytes) -> None:
    try:
        result = _parse_bytes(data)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert isinstance(result, ParsedManifest)
    for dep in result.dependencies:
        assert dep.name and (dep.line is None or dep.line >= 1)
    for problem in result.problems:
        assert problem.line is None or problem.line >= 1


def _parse_bytes(data: bytes) -> ParsedManifest:
    def read(wanted: str) -> bytes:
        if wanted == "sub/yarn.lock":
            return data
        if wanted == "sub/package.json":
            return b'{"devDependencies": {"a": "1"}}'
        raise SourceError(f"{wanted}: no such file")

    return YarnLockParser().parse(ManifestFile("repo", "sub/yarn.lock", len(data), read))


_names = st.sampled_from(["a", "@s/b", "c-d", "Bad Name", "", "@", "x@y@z"])
_ranges = st.sampled_from(
    ["^1.0.0", "npm:^1", "npm:a@^1", "workspace:.", "workspace:^", "patch:a@npm%3A1#p",
     "file:./x", "link:../y", "portal:/abs", "https://h/x.tgz", "github:a/b", "", "*", "1.10"]
)  # fmt: skip
_text = st.text(max_size=10)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text | _ranges,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(_names | _text | st.sampled_from(["version", "resolution"]), inner,
                      max_size=4),
    max_leaves=12,
)  # fmt: skip
_entries = st.fixed_dictionaries(
    {},
    optional={
        "version": st.sampled_from(["1.0.0", "0.0.0-use.local"]) | _values,
        "resolution": st.builds("{}@{}".format, _names, _ranges) | _values,
        "dependencies": st.dictionaries(_names, _ranges | _values, max_size=3) | _values,
        "peerDependencies": st.dictionaries(_names, _ranges, max_size=2),
        "dependenciesMeta": st.dictionaries(_names, st.just({"optional": True}), max_size=2),
    },
)
_berry_documents = st.dictionaries(
    st.builds("{}@{}".format, _names, _ranges) | st.just("__metadata"),
    _entries | _values,
    max_size=6,
)


@FUZZ
@given(text=st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _check(text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(document=_berry_documents)
def test_berry_shaped_documents(document: dict[str, Any]) -> None:
    _check(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))
    _check(("__metadata:\n  version: 8\n" + yaml.safe_dump(document)).encode("utf-8"))


_classic_lines = st.lists(
    st.tuples(
        st.sampled_from(["", "  ", "    ", "\t", "      "]),
        st.lists(
            st.sampled_from(['"a@^1"', "b@npm:c@^2", ",", ":", "version", '"1.0.0"', "resolved",
                             "dependencies", "optionalDependencies", "file:./x", "#", '"', "\\",
                             "<<<<<<<", "=======", "https://r/a/-/a-1.tgz"]) | _text,
            max_size=5,
        ).map(" ".join),
    ).map("".join),
    max_size=15,
)  # fmt: skip


@FUZZ
@given(lines=_classic_lines)
def test_classic_shaped_lines(lines: list[str]) -> None:
    _check(("# yarn lockfile v1\n" + "\n".join(lines)).encode("utf-8"))


def test_registered() -> None:
    result = parse_manifest(
        ManifestFile("repo", "yarn.lock", 0, lambda _: b'a@^1:\n  version "1"\n')
    )
    assert [(d.name, d.version) for d in result.dependencies] == [("a", "1")]
