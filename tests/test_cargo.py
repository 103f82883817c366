"""Cargo.toml and Cargo.lock: tables, targets, workspace inheritance, every lockfile version."""

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
from analyzer.manifests.cargo import CargoParser, valid_requirement
from analyzer.manifests.cargo_lock import CargoLockParser
from analyzer.model import ManifestFile, ParsedManifest, Scope
from analyzer.sources import LocalSource
from tests.conftest import parse_in

FIXTURES = Path(__file__).parent / "fixtures" / "cargo"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
SPOTIFY = CORPUS / "orgs" / "spotify"
Parse = Callable[..., ParsedManifest]
Tree = Callable[[dict[str, str | bytes]], Path]
R, OPT, B, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.DEV
REGISTRY = "registry+https://github.com/rust-lang/crates.io-index"


def rows(result: ParsedManifest) -> list[tuple[object, ...]]:
    """(name, spec, version, scope, direct, line, source) of every record, in order."""
    return [
        (d.name, d.spec, d.version, d.scope, d.direct, d.line, d.source)
        for d in result.dependencies
    ]


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


def fixture_tree(write_tree: Tree, case: str) -> Path:
    """Copy ``fixtures/cargo/<case>/`` into a fresh tree, keeping relative paths."""
    base = FIXTURES / case
    files: dict[str, str | bytes] = {
        p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()
    }
    return write_tree(files)


def cargo_purl(name: str) -> str:
    return f"pkg:cargo/{name}"


def edges(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(cargo_purl(a), cargo_purl(b)) for a, b in pairs}


# --- Cargo.toml -----------------------------------------------------------------------------

PACKAGE_ROWS = [
    ("anyhow", "1.0.86", None, R, True, 16, "registry"),
    ("serde", "1.0", None, R, True, 17, "registry"),
    ("clap", "~4.5", None, R, True, 18, "registry"),
    ("rustls", ">=0.23, <0.24", None, OPT, True, 19, "registry"),
    ("log", "=0.4.22", "0.4.22", R, True, 20, "registry"),  # "=" pins exactly
    ("serde_json", "1", None, R, True, 21, "registry"),  # renamed: the real crate
    # acme-core (line 22) is ../core: a crate of the same repository
    ("vendored-zlib", "/opt/vendor/zlib", None, R, True, 23, "path"),  # outside it
    ("quoted-name", "0.1", None, R, True, 24, "registry"),
    ("regex", "1.10", None, R, True, 25, "registry"),  # dotted keys
    ("mirror", "2.0", None, R, True, 27, "registry"),  # another registry, still a registry
    ("reqwest", "0.12", None, R, True, 29, "registry"),  # [dependencies.reqwest]
    ("tracing", "https://github.com/tokio-rs/tracing@v0.1.x", None, R, True, 33, "vcs"),
    ("insta", "1.39", None, D, True, 38, "registry"),
    ("proptest", "https://github.com/proptest-rs/proptest@6e8aa2b", None, D, True, 39, "vcs"),
    ("serde", "1.0", None, D, True, 40, "registry"),  # the second serde, in its own table
    ("cc", "1.1", None, B, True, 43, "registry"),
    ("windows-sys", "0.59", None, R, True, 46, "registry"),
    ("nix", "0.29", None, D, True, 49, "registry"),
    ("pkg-config", "0.3", None, B, True, 52, "registry"),
    ("procfs", "0.17", None, OPT, True, 55, "registry"),
    # [patch.crates-io] is left to Cargo.lock
]  # fmt: skip


def test_package_tables(write_tree: Tree) -> None:
    result = parse_in(fixture_tree(write_tree, "package"), "cli/Cargo.toml")
    assert problems(result) == []
    assert rows(result) == PACKAGE_ROWS
    assert result.publishes == ("pkg:cargo/acme-cli",)
    assert result.lockfile is False
    assert {d.file for d in result.dependencies} == {"cli/Cargo.toml"}


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace(" = ", "\t=\t").replace("\n[", "\n\t["),
    ],
    ids=["crlf", "bom", "tabs"],
)
def test_package_text_variants(write_tree: Tree, transform: Callable[[str], str]) -> None:
    text = (FIXTURES / "package" / "cli" / "Cargo.toml").read_text(encoding="utf-8")
    root = write_tree({"cli/Cargo.toml": transform(text).encode("utf-8")})
    result = parse_in(root, "cli/Cargo.toml")
    assert problems(result) == []
    assert rows(result) == PACKAGE_ROWS


def test_workspace_member_inherits(write_tree: Tree) -> None:
    root = fixture_tree(write_tree, "workspace")
    result = parse_in(root, "crates/api/Cargo.toml")
    assert rows(result) == [
        ("serde", "1.0.210", None, R, True, 7, "registry"),
        ("tokio", "1.40", None, R, True, 8, "registry"),
        # acme-proto is { path = "crates/proto" } relative to the root: own code
        ("hyper", "https://github.com/hyperium/hyper@v1.4.1", None, OPT, True, 10, "vcs"),
        ("uuid", "1.10", None, R, True, 11, "registry"),
        ("missing", None, None, R, True, 12, "registry"),
        ("criterion", "0.5", None, D, True, 15, "registry"),
    ]
    assert problems(result) == [
        (12, "missing: workspace = true, but [workspace.dependencies] has no 'missing'")
    ]
    assert result.publishes == ("pkg:cargo/acme-api",)


def test_workspace_pointer_and_virtual_root(write_tree: Tree) -> None:
    root = fixture_tree(write_tree, "workspace")
    proto = parse_in(root, "crates/proto/Cargo.toml")  # package.workspace = "../.."
    assert rows(proto) == [
        ("prost", "0.13", None, R, True, 7, "registry"),
        ("bytes", None, None, R, True, 8, "registry"),
        ("serde", "1.0.210", None, R, True, 9, "registry"),
    ]
    assert problems(proto) == [
        (8, "bytes: workspace = true, but [workspace.dependencies] has no 'bytes'")
    ]
    # [workspace.dependencies] are declarations: members that inherit them record them.
    virtual = parse_in(root, "Cargo.toml")
    assert (virtual.dependencies, virtual.problems, virtual.publishes) == ((), (), ())


def test_root_package_that_is_its_own_workspace(parse_text: Parse) -> None:
    text = (
        '[package]\nname = "tool"\n\n'
        '[workspace]\nmembers = ["helper"]\n\n'
        '[workspace.dependencies]\nitoa = "1.0.11"\nhelper = { path = "helper" }\n\n'
        "[dependencies]\nitoa = { workspace = true }\nhelper.workspace = true\n"
    )
    result = parse_text("Cargo.toml", text)
    assert problems(result) == []
    assert rows(result) == [("itoa", "1.0.11", None, R, True, 12, "registry")]
    assert result.publishes == ("pkg:cargo/tool",)


def test_workspace_root_is_not_looked_for_outside_the_repository(write_tree: Tree) -> None:
    root = fixture_tree(write_tree, "workspace")
    source = LocalSource(root, lambda _: True)
    path = "crates/api/Cargo.toml"
    file = ManifestFile("api", path, (root / path).stat().st_size, source.read, "crates/api")
    result = parse_manifest(file)
    # Reported once, at the first inheriting entry; the root Cargo.toml is another repository's.
    assert problems(result) == [(7, "workspace = true, but no workspace root Cargo.toml was found")]
    # The names are still known (as written: the alias, and a path crate, cannot be told);
    # their requirements are not.
    assert [(d.name, d.spec, d.scope) for d in result.dependencies] == [
        ("serde", None, R),
        ("tokio", None, R),
        ("acme-proto", None, R),
        ("hyper", None, OPT),
        ("uuid-alias", None, R),
        ("missing", None, R),
        ("criterion", None, D),
    ]


def test_unreadable_workspace_root(write_tree: Tree) -> None:
    root = write_tree(
        {
            "Cargo.toml": "[workspace\n",
            "app/Cargo.toml": '[package]\nname = "app"\n[dependencies]\nlog.workspace = true\n',
        }
    )
    result = parse_in(root, "app/Cargo.toml")
    assert len(result.problems) == 1
    assert result.problems[0].line == 4
    assert result.problems[0].message.startswith("cannot read the workspace root Cargo.toml: ")
    assert rows(result) == [("log", None, None, R, True, 4, "registry")]


def test_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    text = (
        'build-dependencies = "nope"\n'  # 1
        "[package]\n"
        'name = "bad"\n'
        "[dependencies]\n"  # 4
        'ok = "1"\n'
        "num = 5\n"
        'badver = "not a version"\n'
        'renamed = { package = "has space" }\n'
        "ws = { workspace = false }\n"
        "pathnum = { path = 5 }\n"  # 10
        "verint = { version = 1 }\n"
        "[target.'cfg(unix)']\n"
        'dependencies = { late = "2" }\n'
    )
    result = parse_text("Cargo.toml", text)
    assert problems(result) == [
        (6, "num: expected a version string or a table, not 5"),
        (7, "badver: invalid version requirement 'not a version'"),
        (8, "renamed: invalid crate name 'has space'"),
        (9, "ws: workspace must be true"),
        (10, "pathnum: path and git must be strings"),
        (11, "verint: version must be a string, not 1"),
        (1, "build-dependencies must be a table"),
    ]
    assert rows(result) == [
        ("ok", "1", None, R, True, 5, "registry"),
        ("late", "2", None, R, True, 13, "registry"),  # an inline table under the target
    ]


def test_invalid_package_name(parse_text: Parse) -> None:
    result = parse_text("Cargo.toml", '[package]\nversion = "1"\nname = "no spaces"\n')
    assert problems(result) == [(3, "invalid package name 'no spaces'")]
    assert result.publishes == ()


@pytest.mark.parametrize(
    ("spec", "valid"),
    [
        ("1", True), ("1.2.3", True), ("^1.2", True), ("~1", True), ("=1.2.3-rc.1+b5", True),
        (">=1.2, <1.5", True), ("*", True), ("1.*", True), ("0.2.x", True),
        ("", False), ("latest", False), ("1.2.3.4", False), (">= 1 < 2", False),
    ],
)  # fmt: skip
def test_version_requirements(spec: str, valid: bool) -> None:
    assert valid_requirement(spec) is valid


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        (b"[dependencies\nserde = 1\n", 1, "invalid TOML: "),
        (b'[package]\nname = "a"\n\xff\n', 3, "not valid UTF-8"),
        (b"\x00\x01\x02binary", None, "binary file"),
    ],
    ids=["not-toml", "not-utf8", "binary"],
)
def test_unreadable_manifest_is_one_problem(
    parse_text: Parse, content: bytes, line: int | None, start: str
) -> None:
    result = parse_text("Cargo.toml", content)
    assert result.dependencies == ()
    assert [(p.file, p.line) for p in result.problems] == [("Cargo.toml", line)]
    assert result.problems[0].message.startswith(start)


def test_matches() -> None:
    assert CargoParser().matches(PurePosixPath("a/Cargo.toml"))
    assert not CargoParser().matches(PurePosixPath("a/cargo.toml"))
    assert CargoLockParser().matches(PurePosixPath("Cargo.lock"))
    assert not CargoLockParser().matches(PurePosixPath("Cargo.lock.orig"))


# --- Cargo.lock -----------------------------------------------------------------------------


def test_lock_v4_workspace(parse_text: Parse) -> None:
    result = parse_text("Cargo.lock", (FIXTURES / "workspace" / "Cargo.lock").read_bytes())
    assert problems(result) == []
    assert result.lockfile is True
    assert rows(result) == [
        ("criterion", None, "0.5.1", R, True, 26, "registry"),
        ("hyper", "https://github.com/hyperium/hyper@v1.4.1", "1.4.1", R, True, 36, "vcs"),
        ("prost", None, "0.13.3", R, True, 44, "registry"),  # acme-proto is a member too
        ("serde", None, "1.0.210", R, True, 50, "registry"),
        ("serde_derive", None, "1.0.210", R, False, 59, "registry"),
        ("tokio", None, "1.40.0", R, True, 65, "registry"),
        ("uuid", None, "0.8.2", R, False, 71, "registry"),  # only criterion needs 0.8
        ("uuid", None, "1.10.0", R, True, 77, "registry"),  # "uuid 1.10.0" of acme-api
    ]
    assert result.publishes == ("pkg:cargo/acme-api", "pkg:cargo/acme-proto")
    expected = edges(
        ("acme-api", "acme-proto"), ("acme-api", "criterion"), ("acme-api", "hyper"),
        ("acme-api", "serde"), ("acme-api", "tokio"), ("acme-api", "uuid"),
        ("acme-proto", "prost"), ("acme-proto", "serde"),
        ("criterion", "serde"), ("criterion", "uuid"),
        ("hyper", "tokio"), ("serde", "serde_derive"),
    )  # fmt: skip
    assert set(result.edges) == expected
    assert len(result.edges) == len(expected)


def test_lock_v1_with_root_and_metadata(parse_text: Parse) -> None:
    result = parse_text("Cargo.lock", (FIXTURES / "v1.lock").read_bytes())
    assert problems(result) == []
    rand_core = "https://github.com/rust-random/rand@0.4"
    assert rows(result) == [
        ("libc", None, "0.2.40", R, True, 10, "registry"),
        ("rand", None, "0.4.2", R, True, 15, "registry"),
        ("rand_core", rand_core, "0.1.0", R, False, 24, "vcs"),
    ]
    assert result.publishes == ("pkg:cargo/acme-tool",)
    assert set(result.edges) == edges(
        ("acme-tool", "libc"), ("acme-tool", "rand"), ("rand", "libc"), ("rand", "rand_core")
    )


def test_lock_v2_short_references(parse_text: Parse) -> None:
    result = parse_text("Cargo.lock", (FIXTURES / "v2.lock").read_bytes())
    assert problems(result) == []
    assert rows(result) == [
        ("base64", None, "0.13.1", R, True, 21, "registry"),
        ("base64", None, "0.21.7", R, True, 27, "registry"),
        ("log", None, "0.4.22", R, True, 33, "registry"),
        ("value-bag", None, "1.9.0", R, False, 42, "registry"),
    ]
    assert result.publishes == ("pkg:cargo/acme-svc", "pkg:cargo/acme-util")
    assert set(result.edges) == edges(
        ("acme-svc", "acme-util"), ("acme-svc", "base64"), ("acme-svc", "log"),
        ("acme-util", "log"), ("log", "value-bag"),
    )  # fmt: skip


V3_ROWS = [
    ("internal-crate", None, "2.0.0", R, True, 16, "registry"),  # a sparse registry
    ("regex", None, "1.10.6", R, True, 22, "registry"),
    ("memchr", None, "2.7.4", R, False, 31, "registry"),
    ("tracing", "https://github.com/tokio-rs/tracing@v0.1.x", "0.1.40", R, True, 37, "vcs"),
    ("tracing-core", "https://github.com/tokio-rs/tracing@0ab9f2f5d2c3b0e8b7d9c4a1e6f3b2a1d0c9e8f7",
     "0.1.32", R, False, 45, "vcs"),  # no branch: the commit
    ("wasi", None, "0.11.0+wasi-snapshot-preview1", R, True, 50, "registry"),
]  # fmt: skip


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text,
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\nname = ", "\n\tname = ").replace(' "', '\t"'),
    ],
    ids=["plain", "crlf", "bom", "tabs"],
)
def test_lock_v3_sources(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "v3.lock").read_text(encoding="utf-8"))
    result = parse_text("Cargo.lock", text.encode("utf-8"))
    assert problems(result) == []
    assert rows(result) == V3_ROWS
    assert result.publishes == ("pkg:cargo/acme",)


def test_lock_comment_lines_shift_lines(parse_text: Parse) -> None:
    text = (FIXTURES / "v3.lock").read_text(encoding="utf-8")
    text = text.replace("[[package]]\n", "# [[package]] in a comment\n[[package]]  # note\n")
    result = parse_text("Cargo.lock", text)
    assert problems(result) == []
    # One more line before each package: internal-crate is the second, regex the third.
    assert [(d.name, d.line) for d in result.dependencies][:2] == [
        ("internal-crate", 18),
        ("regex", 25),
    ]


def test_lock_bad_entries(parse_text: Parse) -> None:
    text = (
        "version = 7\n"
        "\n"
        "[[package]]\n"  # 3
        'name = "app"\n'
        'version = "0.1.0"\n'
        'dependencies = ["ghost 1.0.0", "ok", ""]\n'
        "\n"
        "[[package]]\n"  # 8
        'name = "ok"\n'
        'version = "1.0.0"\n'
        f'source = "{REGISTRY}"\n'
        "\n"
        "[[package]]\n"  # 13
        'name = "noversion"\n'
        f'source = "{REGISTRY}"\n'
        "\n"
        "[[package]]\n"  # 17
        'name = "bad name!"\n'
        'version = "1"\n'
    )
    result = parse_text("Cargo.lock", text)
    assert problems(result) == [
        (1, "unknown lockfile version 7"),
        (13, "package entry 3 (noversion) has no valid version (None)"),
        (17, "package entry 4 has no valid name ('bad name!')"),
        (4, "app: invalid dependency ''"),  # "ghost" is not there: no edge, no problem
    ]
    assert rows(result) == [("ok", None, "1.0.0", R, True, 9, "registry")]


def test_lock_package_not_an_array(parse_text: Parse) -> None:
    result = parse_text("Cargo.lock", 'version = 3\npackage = "x"\n')
    assert problems(result) == [(2, "package must be an array of tables")]
    assert result.dependencies == ()


@pytest.mark.parametrize(
    ("content", "start"),
    [(b"this is not valid toml! (I think)\n", "invalid TOML: "), (b"\xfe\xff\xd8", "invalid")],
    ids=["not-toml", "bad-utf16"],
)
def test_unreadable_lock_is_one_problem(parse_text: Parse, content: bytes, start: str) -> None:
    result = parse_text("Cargo.lock", content)
    assert result.dependencies == ()
    assert [p.message[: len(start)] for p in result.problems] == [start]
    assert result.problems[0].file == "Cargo.lock"


# --- generated input ------------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["package", "name", "version", "source", "dependencies", "dev-dependencies", "target",
     "workspace", "path", "git", "branch", "optional", "registry", "root", "metadata"]
) | st.text(max_size=8)  # fmt: skip
_DOCS = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value if isinstance(value, str) else "")


def _run(parser: CargoParser | CargoLockParser, name: str, data: bytes) -> None:
    """Every Cargo.toml above the file reads as the same document, so roots are tried too."""

    def read(path: str) -> bytes:
        if path.endswith(name):
            return data
        raise SourceError(f"{path}: no such file")

    file = ManifestFile("repo", f"repo/a/b/{name}", len(data), read, "repo")
    try:
        result = parser.parse(file)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(d.line is None or d.line >= 1 for d in result.dependencies)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(document=st.dictionaries(_KEYS, _DOCS, max_size=5))
def test_wrong_shaped_documents(document: dict[str, Any]) -> None:
    text = "".join(f"{json.dumps(k)} = {_toml(v)}\n" for k, v in document.items())
    _run(CargoParser(), "Cargo.toml", text.encode("utf-8"))
    _run(CargoLockParser(), "Cargo.lock", text.encode("utf-8"))


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    _run(CargoParser(), "Cargo.toml", data)
    _run(CargoLockParser(), "Cargo.lock", data)


# --- real files -----------------------------------------------------------------------------


def _corpus_files(root: Path, *names: str) -> list[ManifestFile]:
    source = LocalSource(root, lambda _: True)
    found = []
    for path in sorted(p for name in names for p in root.rglob(name)):
        rel = path.relative_to(root).as_posix()
        repo = rel.split("/")[0]
        found.append(ManifestFile(repo, rel, path.stat().st_size, source.read, repo))
    return found


def test_spotify_corpus() -> None:
    if not SPOTIFY.is_dir():
        pytest.skip("corpus not present")
    results = {
        f.path: parse_manifest(f) for f in _corpus_files(SPOTIFY, "Cargo.toml", "Cargo.lock")
    }
    assert results
    for result in results.values():
        assert result.problems == (), result.problems
    lock = results["confidence-resolver/Cargo.lock"]
    # 365 [[package]] tables, 9 of them without source: the workspace members.
    assert (len(lock.dependencies), len(lock.publishes)) == (356, 9)
    assert "pkg:cargo/confidence_resolver" in lock.publishes
    # The lockfile's direct crates are exactly what the members' Cargo.toml files declare.
    declared = {d.name for r in results.values() if not r.lockfile for d in r.dependencies}
    assert {d.name for d in lock.dependencies if d.direct} == declared
    resolver = results["confidence-resolver/confidence-resolver/Cargo.toml"]
    assert (len(resolver.dependencies), resolver.publishes) == (
        24,
        ("pkg:cargo/confidence_resolver",),
    )
    bitvec = next(d for d in resolver.dependencies if d.name == "bitvec")
    assert (bitvec.spec, bitvec.scope, bitvec.line) == ("1.0.1", R, 24)
    serde = next(d for d in resolver.dependencies if d.name == "serde")
    assert (serde.spec, serde.scope, serde.line) == ("1.0.189", OPT, 41)
    # Four release-tracking crates only depend on rust-guest, by path: nothing to record.
    dummies = [r for p, r in results.items() if p.startswith("confidence-resolver/openfeature")]
    assert sum(not r.dependencies for r in dummies) == 4


def _osv_cases() -> list[dict[str, Any]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParseCargoLock"]


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, Any] | None) -> None:
    """Same crates and versions as osv-scanner, except one convention: osv-scanner lists the
    packages without ``source`` (the workspace's own crates, ``local-rust-pkg``) as packages;
    fundscout reports them in ``publishes`` instead, since they are not dependencies."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / str(case["fixture"])
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("Cargo.lock", fixture.read_bytes())
    if "expect_error_containing" in case:
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert result.problems == ()
    expected = {(p["name"], p["version"]) for p in case["expected_packages"]}
    own = {p.removeprefix("pkg:cargo/") for p in result.publishes}
    assert {(d.name, d.version) for d in result.dependencies} == {
        (name, version) for name, version in expected if name not in own
    }
    assert own <= {name for name, _ in expected}
