"""go.mod: require forms, // indirect, replace, tool, ignored directives, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest
from analyzer.manifests.go_mod import GoModParser, decode_path, is_directory_path
from analyzer.model import ManifestFile, ParsedManifest, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "go_mod"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
SPOTIFY = CORPUS / "orgs" / "spotify"
Parse = Callable[..., ParsedManifest]
R, D = Scope.RUNTIME, Scope.DEV
PSEUDO = "v0.0.0-20240612083001-1a2b3c4d5e6f"


def rows(result: ParsedManifest) -> list[tuple[object, ...]]:
    """(module path, version, scope, direct, line) of every record, in order."""
    return [(d.display_name, d.version, d.scope, d.direct, d.line) for d in result.dependencies]


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


FULL_ROWS = [
    ("github.com/gorilla/mux", "v1.8.1", R, True, 11),  # the single-line form
    ("github.com/BurntSushi/toml", "v1.4.0", R, True, 14),  # another comment is not indirect
    ("golang.org/x/sync", "v0.8.0", R, True, 15),  # a quoted path
    ("github.com/docker/docker", "v27.1.1+incompatible", R, True, 16),
    ("github.com/acme/shared", PSEUDO, R, True, 17),  # a pseudo-version
    ("github.com/acme/lib-fork", "v1.2.4", R, True, 31),  # replaces github.com/old/lib v1.2.3
    # github.com/acme/local-lib (line 19) is replaced by ./lib/local: the organization's own
    ("gopkg.in/yaml.v3", "v3.0.1", R, False, 20),
    ("github.com/golang/mock", "v1.6.0", R, False, 21),  # "indirect; ..." counts too
    ("golang.org/x/tools", "v0.24.0", D, False, 22),  # provides the stringer tool
    ("github.com/Masterminds/semver/v3", "v3.3.0", R, False, 23),  # "//indirect"
    ("github.com/Azure/azure-sdk-for-go", "v68.0.0+incompatible", R, True, 24),  # !a -> A
    ("github.com/pkg/errors", "v0.9.1", R, False, 27),  # only v0.8.0 is replaced
]


def test_full_module(parse_text: Parse) -> None:
    result = parse_text("go.mod", (FIXTURES / "full.mod").read_bytes())
    assert problems(result) == []
    assert rows(result) == FULL_ROWS
    assert [d.spec for d in result.dependencies] == [v for _, v, *_ in FULL_ROWS]
    assert {d.source for d in result.dependencies} == {"registry"}
    assert result.publishes == ("pkg:golang/github.com/acme/api-server",)
    assert result.lockfile is False
    semver = result.dependencies[9]
    assert (semver.namespace, semver.name) == ("github.com/Masterminds/semver", "v3")
    assert semver.purl == "pkg:golang/github.com/Masterminds/semver/v3"
    yaml = result.dependencies[6]
    assert (yaml.namespace, yaml.name, yaml.purl) == (
        "gopkg.in",
        "yaml.v3",
        "pkg:golang/gopkg.in/yaml.v3",
    )


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\t", "    ").replace(" v", "\t\tv"),
    ],
    ids=["crlf", "bom", "spaces-and-tabs"],
)
def test_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "full.mod").read_text(encoding="utf-8"))
    result = parse_text("go.mod", text.encode("utf-8"))
    assert problems(result) == []
    assert rows(result) == FULL_ROWS


def test_minimal_and_odd_forms(parse_text: Parse) -> None:
    text = (
        "module example.com/m\n"
        "require ()\n"  # an empty block
        "require example.com/branch master\n"  # not yet resolved by the go command
        "require example.com/m v1.0.0\n"  # the module itself
        "require (\n"
        "\texample.com/a v1.0.0\n"
        "\texample.com/b v1.0.0 // indirect\n"
        ")\n"
        "replace (\n"
        "\texample.com/a => example.com/c v2.0.0\n"  # no old version: every version
        "\texample.com/b v1.0.0 => example.com/c v2.0.0\n"  # the same target twice
        ")\n"
        "tool example.com/a/cmd/x\n"  # a replaced module keeps its path for packages
    )
    result = parse_text("go.mod", text)
    assert problems(result) == []
    found = [
        (d.display_name, d.spec, d.version, d.scope, d.direct, d.line) for d in result.dependencies
    ]
    assert found == [
        ("example.com/branch", "master", None, R, True, 3),
        # a (direct, a tool's: dev) and b (indirect, runtime) are one record: the stronger
        ("example.com/c", "v2.0.0", "v2.0.0", R, True, 10),
    ]  # fmt: skip


def test_module_without_slash(parse_text: Parse) -> None:
    result = parse_text("go.mod", "module my-library\n\nrequire rsc.io/quote v1.5.2\n")
    assert result.publishes == ("pkg:golang/my-library",)
    assert [(d.namespace, d.name) for d in result.dependencies] == [("rsc.io", "quote")]


def test_problems_name_their_lines(parse_text: Parse) -> None:
    text = (
        "module example.com/m\n"  # 1
        "require (\n"
        "\texample.com/a v1.0.0\n"
        "\texample.com/b\n"  # 4
        "\texample.com/c v1.0.0 extra\n"
        "\texample.com/(d v1.0.0\n"  # 6
        ")\n"
        "replace example.com/a => example.com/fork\n"  # 8
        "replace example.com/a v1.0.0 example.com/fork v1.0.1\n"
        "requires example.com/e v1.0.0\n"  # 10
        'require "example.com/f v1.0.0\n'
        "require bad^path v1.0.0\n"  # 12
        "exclude /* old */ example.com/g v1.0.0\n"
        "module\n"  # 14
        "replace example.com/b => ../b v1.0.0\n"  # 15
        "tool (\n"  # 16: never closed
        "\texample.com/a/cmd/t\n"
    )
    result = parse_text("go.mod", text)
    assert problems(result) == [
        (4, "require: expected a module path and a version"),
        (5, "require: expected a module path and a version"),
        (6, "unexpected parenthesis in require block"),
        (8, "replace: replacement module 'example.com/fork' needs a version"),
        (9, "replace: expected old => new"),
        (10, "unknown directive 'requires'"),
        (11, "go.mod cannot hold an unterminated string"),
        (12, "require: invalid module path 'bad^path'"),
        (13, "go.mod cannot hold /* */ comments"),
        (14, "module: expected one module path"),
        (15, "replace: replacement directory '../b' cannot have a version"),
        (16, "tool block is not closed"),
    ]
    assert rows(result) == [("example.com/a", "v1.0.0", D, True, 3)]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"this is not a go.mod file!\n", 1, "not a go.mod file: unknown directive 'this'"),
        (b"module x\n\xff\n", 2, "not valid UTF-8 (byte 0xff)"),
        (b"\x00\x00binary\x00", None, "binary file, not a text manifest"),
    ],
    ids=["not-go-mod", "not-utf8", "binary"],
)
def test_unreadable_files_are_one_problem(
    parse_text: Parse, content: bytes, line: int | None, message: str
) -> None:
    result = parse_text("go.mod", content)
    assert result.dependencies == ()
    assert [(p.file, p.line, p.message) for p in result.problems] == [("go.mod", line, message)]


def test_empty_file(parse_text: Parse) -> None:
    result = parse_text("go.mod", "")
    assert (result.dependencies, result.problems, result.publishes) == ((), (), ())


def test_helpers() -> None:
    assert decode_path("github.com/!burnt!sushi/toml") == "github.com/BurntSushi/toml"
    assert is_directory_path("./x") and is_directory_path("..") and is_directory_path("/abs")
    assert is_directory_path("C:\\src\\x") and is_directory_path("..\\x")
    assert not is_directory_path("example.com/x") and not is_directory_path(".hidden/x")
    assert GoModParser().matches(PurePosixPath("svc/go.mod"))
    assert not GoModParser().matches(PurePosixPath("svc/go.sum"))


# --- generated input ------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["module", "require", "replace", "exclude", "retract", "tool", "go", "toolchain", "(",
     ")", "=>", "[", "]", ",", "//", "// indirect", "/*", '"', "`", "example.com/a", "v1.0.0",
     "./x", "v0.0.0-20240101000000-abcdefabcdef", "+incompatible", "\t", "\r"]
) | st.text(max_size=6)  # fmt: skip
_LINES = st.lists(st.lists(_PIECES, max_size=6).map(" ".join), max_size=15).map("\n".join)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(data: bytes) -> None:
    def read(path: str) -> bytes:
        if path == "repo/go.mod":
            return data
        raise SourceError(f"{path}: no such file")

    try:
        result = GoModParser().parse(ManifestFile("repo", "repo/go.mod", len(data), read, "repo"))
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(d.name and (d.line or 0) >= 1 for d in result.dependencies)
    assert all(p.line is None or p.line >= 1 for p in result.problems)


@FUZZ
@given(text=_LINES)
def test_go_like_lines(text: str) -> None:
    _run(text.encode("utf-8"))


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _run(text.encode("utf-8", errors="surrogatepass"))


# --- real files -----------------------------------------------------------------------------


def test_spotify_corpus() -> None:
    if not SPOTIFY.is_dir():
        pytest.skip("corpus not present")
    source = LocalSource(SPOTIFY, lambda _: True)
    results = {}
    for path in sorted(SPOTIFY.rglob("go.mod")):
        rel = path.relative_to(SPOTIFY).as_posix()
        repo = rel.split("/")[0]
        file = ManifestFile(repo, rel, path.stat().st_size, source.read, repo)
        results[rel] = parse_manifest(file)
    assert len(results) == 5
    assert all(r.problems == () for r in results.values())
    flink = results["flink-on-k8s-operator/go.mod"]
    # 14 requirements in the first block, 82 marked "// indirect" in the second.
    assert sum(d.direct for d in flink.dependencies) == 14
    assert sum(not d.direct for d in flink.dependencies) == 82
    assert flink.publishes == ("pkg:golang/github.com/spotify/flink-on-k8s-operator",)
    spew = next(d for d in flink.dependencies if d.name == "go-spew")
    assert (spew.namespace, spew.version, spew.line) == (
        "github.com/davecgh",
        "v1.1.2-0.20180830191138-d8f796af33cc",
        7,
    )
    # The provider module is replaced by its parent directory: it is not a dependency.
    bench = results["confidence-resolver/openfeature-provider/go/bench/go.mod"]
    assert [d.display_name for d in bench.dependencies if d.direct] == [
        "github.com/open-feature/go-sdk",
        "google.golang.org/grpc",
    ]


def _osv_cases() -> list[dict[str, Any]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParseGoLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, Any] | None) -> None:
    """Same modules and versions as osv-scanner, but for its conventions: it strips the
    ``v`` of versions (fundscout keeps it, as go.mod and the golang purl do), adds a
    ``stdlib`` package at the ``go`` directive's version (the toolchain is not a dependency
    to fund), and lists a directory replacement (``./fork/net``) as a package where
    fundscout drops it as the organization's own code."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("go.mod", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    expected = {
        (p["name"], p["version"])
        for p in case["expected_packages"]
        if p["name"] != "stdlib" and not p["name"].startswith(("./", "../"))
    }
    found = {(d.display_name, (d.version or "").removeprefix("v")) for d in result.dependencies}
    assert found == expected
