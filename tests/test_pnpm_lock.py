"""pnpm-lock.yaml: versions 5, 6 and 9, importers, peers, sources, edges, alias bombs, bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parser_for
from analyzer.manifests.pnpm_lock import PnpmLockParser
from analyzer.model import ManifestFile, ParsedManifest, Scope
from tests.helpers import check_lines
from tests.test_npm_lock import edges, npm, problems, rows

FIXTURES = Path(__file__).parent / "fixtures" / "pnpm_lock"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, OPT, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.DEV
IS_NUMBER = (
    "https://codeload.github.com/jonschlinkert/is-number/tar.gz/"
    + "98e8ff1da1a89f93d1397a24d7413ed15421c139"
)


def test_registered() -> None:
    assert isinstance(parser_for("apps/pnpm-lock.yaml"), PnpmLockParser)
    assert not PnpmLockParser().matches(PurePosixPath("pnpm-workspace.yaml"))
    assert not PnpmLockParser().matches(PurePosixPath("pnpm-lock.yml"))


V5_ROWS = [
    ("@babel/core", "7.24.0", D, True, 27, "registry", "^7.24.0"),
    ("acorn-jsx", "5.3.2", R, True, 34, "registry", "^5.3.2"),  # key 5.3.2_acorn@8.11.3
    ("acorn", "8.11.3", R, False, 42, "registry", None),
    ("debug", "4.3.4", R, False, 49, "registry", None),  # no "dev" key: dev and production
    ("fsevents", "2.3.3", OPT, True, 60, "registry", "^2.3.2"),
    ("js-tokens", "4.0.0", R, False, 68, "registry", None),
    ("lodash", "4.17.21", R, True, 72, "registry", "^4.17.21"),  # installed as lodash4
    ("loose-envify", "1.4.0", R, False, 76, "registry", None),
    ("ms", "2.1.2", R, False, 83, "registry", None),
    ("react", "18.2.0", R, True, 86, "registry", "^18.2.0"),
    ("typescript", "5.4.5", D, True, 93, "registry", "~5.4.0"),
    ("is-number", "7.0.0", R, True, 99, "vcs", IS_NUMBER),
]
V5_EDGES = edges(
    ("@babel/core", "debug"),
    ("acorn-jsx", "acorn"),
    ("debug", "ms"),
    ("is-number", "debug"),
    ("loose-envify", "js-tokens"),
    ("react", "loose-envify"),
)


def test_version_5(parse_text: Parse) -> None:
    result = parse_text("pnpm-lock.yaml", (FIXTURES / "v5.yaml").read_bytes())
    assert result.problems == ()
    assert result.lockfile is True
    assert rows(result) == V5_ROWS
    assert set(result.edges) == V5_EDGES and len(result.edges) == len(V5_EDGES)
    assert result.publishes == ()


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "\ufeff" + text,
        lambda text: text.replace("dev: false", "dev: false  # note").replace("\n\n", "\n#\n"),
        # tabs separate like spaces (not as indentation); libyaml reads them, PyYAML alone not
        pytest.param(
            lambda text: text.replace(": {", ":\t{").replace("dev: true", "dev: true\t# note"),
            marks=pytest.mark.skipif(not yaml.__with_libyaml__, reason="needs libyaml"),
        ),
        lambda text: text.replace("dev: false", "dev: no").replace("dev: true", "dev: yes"),
    ],
    ids=["crlf", "bom", "comments", "tabs", "yaml-1.1-booleans"],
)
def test_version_5_text_variants(parse_text: Parse, transform: Callable[[str], str]) -> None:
    text = transform((FIXTURES / "v5.yaml").read_text(encoding="utf-8"))
    result = parse_text("pnpm-lock.yaml", text.encode("utf-8"))
    assert result.problems == ()
    assert rows(result) == V5_ROWS
    assert set(result.edges) == V5_EDGES


def test_version_5_workspace_importers(parse_text: Parse) -> None:
    text = """lockfileVersion: 5.3
importers:
  .:
    specifiers:
      '@acme/lib': workspace:*
      ms: ^2.1.0
    dependencies:
      '@acme/lib': link:packages/lib
      ms: 2.1.3
  packages/lib:
    specifiers:
      outside: link:../../../elsewhere
      ms: ^2.0.0
    devDependencies:
      outside: link:../../../elsewhere
      ms: 2.1.3
packages:
  /ms/2.1.3:
    resolution: {integrity: sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq==}
"""
    result = parse_text("pnpm-lock.yaml", text)
    assert result.problems == ()
    # the direct range is the first importer's; no dev flag, so the best section scope wins
    assert rows(result) == [("ms", "2.1.3", R, True, 18, "registry", "^2.1.0")]
    assert result.publishes == (npm("@acme/lib"),)  # a link out of the repository is not


V6_ROWS = [
    ("js-tokens", "4.0.0", R, False, 39, "registry", None),
    ("loose-envify", "1.4.0", R, False, 43, "registry", None),
    ("prettier", "3.2.5", D, True, 50, "registry", "^3.2.5"),
    ("react-dom", "18.2.0", R, True, 56, "registry", "^18.2.0"),
    ("react", "18.2.0", R, True, 66, "registry", "^18.2.0"),
    ("scheduler", "0.23.0", R, False, 73, "registry", None),
    ("string-width", "4.2.3", R, True, 79, "registry", "^4.2.0"),  # the alias string-width-cjs
    ("tinypool", "0.8.4", D, False, 84, "registry", None),
    ("vitest", "1.5.0", D, True, 89, "registry", "^1.5.0"),
]


def test_version_6_workspace(parse_text: Parse) -> None:
    result = parse_text("pnpm-lock.yaml", (FIXTURES / "v6.yaml").read_bytes())
    assert result.problems == ()
    assert rows(result) == V6_ROWS
    assert set(result.edges) == edges(
        ("loose-envify", "js-tokens"),
        ("react-dom", "loose-envify"),
        ("react-dom", "react"),
        ("react-dom", "scheduler"),
        ("react", "loose-envify"),
        ("scheduler", "loose-envify"),
        ("vitest", "tinypool"),
    )
    assert result.publishes == (npm("@acme/lib"),)


V9_ROWS = [
    ("@testing-library/react", "15.0.0", D, True, 40, "registry", "^15.0.0"),
    ("ansi-regex", "5.0.1", R, False, 47, "registry", None),  # runtime through local-tool
    ("fsevents", "2.3.3", OPT, True, 51, "registry", "^2.3.3"),
    ("js-tokens", "4.0.0", R, False, 56, "registry", None),
    ("loose-envify", "1.4.0", R, False, 64, "registry", None),
    # the oauth2 token of the repository URL is dropped
    ("private-lib", "2.0.0", D, True, 68, "vcs",
     "https://gitlab.com/acme/private-lib.git#0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"),
    ("react-dom", "18.2.0", R, True, 72, "registry", "^18.2.0"),
    ("react", "18.2.0", R, False, 77, "registry", None),  # a peer, resolved: runtime
    ("scheduler", "0.23.0", R, False, 81, "registry", None),
    ("strip-ansi", "6.0.1", R, True, 84, "registry", "^6.0.1"),  # the alias strip-ansi-cjs
]  # fmt: skip
V9_EDGES = edges(
    ("@testing-library/react", "react"),
    ("@testing-library/react", "react-dom"),
    ("local-tool", "strip-ansi"),
    ("loose-envify", "js-tokens"),
    ("private-lib", "ansi-regex"),
    ("react-dom", "loose-envify"),
    ("react-dom", "react"),
    ("react-dom", "scheduler"),
    ("react", "loose-envify"),
    ("scheduler", "loose-envify"),
    ("strip-ansi", "ansi-regex"),
)


def test_version_9_workspace(parse_text: Parse) -> None:
    result = parse_text("pnpm-lock.yaml", (FIXTURES / "v9.yaml").read_bytes())
    assert result.problems == ()
    assert rows(result) == V9_ROWS
    assert set(result.edges) == V9_EDGES and len(result.edges) == len(V9_EDGES)
    # a workspace link and a folder of the repository installed from file:
    assert result.publishes == (npm("@acme/shared"), npm("local-tool"))


def test_version_9_with_comments_and_crlf(parse_text: Parse) -> None:
    text = (FIXTURES / "v9.yaml").read_text(encoding="utf-8")
    text = "# generated by pnpm\n" + text.replace("\nsnapshots:\n", "\n# peers\nsnapshots:\n")
    result = parse_text("pnpm-lock.yaml", text.replace("\n", "\r\n"))
    assert result.problems == ()
    assert rows(result) == [(*row[:4], row[4] + 1, *row[5:]) for row in V9_ROWS]
    assert set(result.edges) == V9_EDGES


ENV_DOCUMENT = """---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      pnpm:
        specifier: 12.3.4
        version: 12.3.4

packages:

  pnpm@12.3.4:
    resolution: {integrity: sha512-b7uYkDXCrE7jsLzCAAkXSl8PVzZD3gdalqHfBhzx==}
    hasBin: true

snapshots:

  pnpm@12.3.4: {}

"""


def test_env_document_first_then_the_project(parse_text: Parse) -> None:
    """pnpm 11+: pnpm itself in a first document (a development tool), the graph after it."""
    text = ENV_DOCUMENT + "---\n" + (FIXTURES / "v9.yaml").read_text(encoding="utf-8")
    result = parse_text("pnpm-lock.yaml", text)
    assert result.problems == ()
    shift = ENV_DOCUMENT.count("\n") + 1
    assert rows(result) == [
        ("pnpm", "12.3.4", D, True, 15, "registry", "12.3.4"),
        *((*row[:4], row[4] + shift, *row[5:]) for row in V9_ROWS),
    ]
    assert set(result.edges) == V9_EDGES
    # a tab in the second document: the line counts from the top of the file
    broken = parse_text("pnpm-lock.yaml", text.replace("  ansi-regex@5.0.1: {}", "\tansi-regex: 1"))
    assert [(p.line, p.message.split(":")[0]) for p in broken.problems] == [
        (95 + shift, "invalid YAML")
    ]


def test_without_libyaml_the_pure_python_parser_reads_the_same(
    parse_text: Parse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    result = parse_text("pnpm-lock.yaml", (FIXTURES / "v9.yaml").read_bytes())
    assert result.problems == ()
    assert rows(result) == V9_ROWS


# --- problems -----------------------------------------------------------------------------


def test_versions_outside_the_known_ones(parse_text: Parse) -> None:
    body = "packages:\n  /a/1.0.0:\n    dev: false\n"
    result = parse_text("pnpm-lock.yaml", "lockfileVersion: '7.0'\n" + body)
    assert problems(result) == [(1, "unknown lockfile version 7.0")]
    assert [(d.name, d.version) for d in result.dependencies] == [("a", "1.0.0")]
    missing = parse_text("pnpm-lock.yaml", body)
    assert problems(missing) == [(1, "no lockfileVersion; read as the newest known")]
    assert [(d.name, d.version) for d in missing.dependencies] == [("a", "1.0.0")]


def test_an_importer_that_is_not_a_mapping(parse_text: Parse) -> None:
    text = "lockfileVersion: '9.0'\nimporters:\n  .: [a]\n  packages/empty:\n"
    result = parse_text("pnpm-lock.yaml", text)
    assert problems(result) == [(3, "importer '.' must be a mapping")]  # an empty one is fine


def test_bad_entries_become_problems(parse_text: Parse) -> None:
    text = """lockfileVersion: '6.0'
dependencies:
  ok:
    specifier: ^1.0.0
    version: 1.0.0
  no-version:
    specifier: ^1.0.0
  gone:
    specifier: ^2.0.0
    version: 2.0.0
importers: [1, 2]
packages:
  /ok@1.0.0:
    dependencies:
      missing: 9.9.9
  /not-a-mapping@1.0.0: [1]
  /Bad Name@1.0.0: {}
  /no-version-here/latest: {}
  file:../nameless:
    resolution: {directory: ../nameless, type: directory}
"""
    result = parse_text("pnpm-lock.yaml", text)
    assert problems(result) == [
        (11, "importers must be a mapping"),
        (16, "package '/not-a-mapping@1.0.0' must be a mapping"),
        (17, "cannot tell the name of package '/Bad Name@1.0.0'"),
        (18, "cannot tell the version of package '/no-version-here/latest'"),
        (19, "cannot tell the name of package 'file:../nameless'"),
    ]
    assert rows(result) == [("ok", "1.0.0", R, False, 13, "registry", None)]
    # Without "importers: [...]" the same sections are read as the lone project's.
    fixed = parse_text("pnpm-lock.yaml", text.replace("importers: [1, 2]\n", ""))
    assert problems(fixed)[:2] == [
        (6, "no-version: no locked version"),
        (8, "gone 2.0.0 is not among the locked packages"),
    ]
    assert rows(fixed)[0] == ("ok", "1.0.0", R, True, 12, "registry", "^1.0.0")


def test_keys_are_text_even_when_yaml_1_1_would_read_a_boolean(parse_text: Parse) -> None:
    text = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      no:
        specifier: ^2.0.0
        version: 2.0.0
packages:
  no@2.0.0:
    resolution: {integrity: sha512-AAAA}
  yes@1.0.0:
    resolution: {integrity: sha512-BBBB}
snapshots:
  no@2.0.0:
    dependencies:
      yes: 1.0.0
  yes@1.0.0: {}
"""
    result = parse_text("pnpm-lock.yaml", text)
    assert result.problems == ()
    assert rows(result) == [
        ("no", "2.0.0", R, True, 9, "registry", "^2.0.0"),
        ("yes", "1.0.0", R, False, 11, "registry", None),
    ]
    assert set(result.edges) == edges(("no", "yes"))


def test_no_token_in_problem_messages(parse_text: Parse) -> None:
    text = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      lib:
        specifier: git+https://oauth2:tok3n@gitlab.com/acme/lib.git
        version: git+https://oauth2:tok3n@gitlab.com/acme/lib.git#0a1b2c
packages:
  git+https://oauth2:tok3n@gitlab.com/acme/other.git#0a1b2c: {}
"""
    result = parse_text("pnpm-lock.yaml", text)
    assert problems(result) == [
        (5, "lib git+https://gitlab.com/acme/lib.git#0a1b2c is not among the locked packages"),
        (9, "cannot tell the name of package 'git+https://gitlab.com/acme/other.git#0a1b2c'"),
    ]


@pytest.mark.parametrize(
    ("content", "line", "start"),
    [
        (b"lockfileVersion: '9.0'\npackages:\n  a: [\n", 4, "invalid YAML"),
        (b"- just\n- a list\n", 1, "pnpm-lock.yaml must be a YAML mapping"),
        (b"\x00\x01binary\x00", None, "binary file"),
        (b"lockfileVersion: 5.4\nname: caf\xe9\n", 2, "not valid UTF-8"),
        (b"a: " + b"[" * 5000 + b"]" * 5000, None, "invalid YAML: nested too deeply"),
        (b"lockfileVersion: '9.0'\npackages: *nowhere\n", 2, "invalid YAML: undefined alias"),
    ],
    ids=["malformed", "list", "binary", "latin-1", "deep", "undefined-alias"],
)
def test_unreadable_files(parse_text: Parse, content: bytes, line: int | None, start: str) -> None:
    result = parse_text("pnpm-lock.yaml", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.repo) == ("pnpm-lock.yaml", "repo")
    assert problem.message.startswith(start), problem.message
    if line is not None:
        assert problem.line == line


def test_tags_are_never_constructed(parse_text: Parse) -> None:
    text = """lockfileVersion: '9.0'
packages:
  a@1.0.0: !!python/object/apply:os.system ["echo pwned > /tmp/fundscout-pwned"]
  b@1.0.0: !!binary aGVsbG8=
"""
    result = parse_text("pnpm-lock.yaml", text)
    assert not Path("/tmp/fundscout-pwned").exists()
    # the tags are ignored: a sequence and a scalar where mappings belong
    assert problems(result) == [(3, "package 'a@1.0.0' must be a mapping"),
                                (4, "package 'b@1.0.0' must be a mapping")]  # fmt: skip


def test_empty_file_and_comments_only(parse_text: Parse) -> None:
    for text in ("", "# nothing here\n"):
        result = parse_text("pnpm-lock.yaml", text)
        assert result.problems == () and result.dependencies == ()


def test_alias_bomb_is_refused(parse_text: Parse) -> None:
    lines = ["lockfileVersion: '9.0'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    result = parse_text("pnpm-lock.yaml", "\n".join(lines) + "\n")
    assert result.dependencies == ()
    assert [p.message for p in result.problems] == ["more than 100 YAML aliases; not read"]


def test_merge_keys_under_the_alias_limit_do_not_expand(parse_text: Parse) -> None:
    """Nine levels of ten merges (90 aliases) would build 10**9 keys if merges were applied."""
    lines = ["lockfileVersion: '9.0'", "m0: &m0 {k: v}"]
    lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}]}}" for i in range(1, 10)]
    lines += ["packages:", "  a@1.0.0: *m9"]
    started = time.monotonic()
    result = parse_text("pnpm-lock.yaml", "\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert [(d.name, d.version) for d in result.dependencies] == [("a", "1.0.0")]


def test_too_large_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("analyzer.manifests.pnpm_lock._MAX_BYTES", 10)
    data = b"lockfileVersion: '9.0'\n"
    with pytest.raises(ManifestError, match="not read"):
        PnpmLockParser().parse(ManifestFile("repo", "pnpm-lock.yaml", len(data), lambda _: data))


# --- arbitrary input ----------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_odd = st.none() | st.booleans() | st.integers(-2, 2) | _text | st.lists(_text, max_size=2)
_refs = st.sampled_from(["1.0.0", "link:../x", "file:x", "/a/1.0.0", "a@1.0.0", "1.0.0(b@2)"])
_names = st.sampled_from(["a", "b", "@s/c", "Bad Name"]) | _text
_deps = st.dictionaries(_names, _refs | _odd, max_size=3)
_keys = st.sampled_from(["/a/1.0.0", "/a@1.0.0", "a@1.0.0", "b@1.0.0(a@1.0.0)", "/@s/c/1.0.0_a@1",
                         "file:x", "github.com/o/r/abc", "a@https://h/a.tgz"]) | _text  # fmt: skip
_packages = st.dictionaries(
    _keys,
    st.fixed_dictionaries(
        {},
        optional={
            "resolution": st.fixed_dictionaries(
                {},
                optional={
                    "integrity": _text,
                    "tarball": st.sampled_from(["https://[x", "file:a.tgz"]) | _text | _odd,
                    "type": _odd,
                    "directory": _text | _odd,
                    "commit": _odd,
                    "repo": _odd,
                },
            )
            | _odd,
            "dependencies": _deps | _odd,
            "optionalDependencies": _deps,
            "name": _names | _odd,
            "version": _refs | _odd,
            "dev": _odd,
            "optional": _odd,
        },
    )
    | _odd,
    max_size=6,
)
_project = st.fixed_dictionaries(
    {},
    optional={
        "dependencies": st.dictionaries(
            _names, _refs | st.fixed_dictionaries({"specifier": _odd, "version": _refs | _odd})
        ),
        "devDependencies": _deps | _odd,
        "specifiers": _deps | _odd,
    },
)


def _parse_bytes(data: bytes) -> None:
    check_lines(PnpmLockParser(), "sub/pnpm-lock.yaml", data)


@settings(max_examples=200, deadline=None)
@given(
    version=st.sampled_from(["5.4", "'6.0'", "'9.0'", "7", "[]"]),
    packages=_packages,
    snapshots=_packages,
    importers=st.dictionaries(st.sampled_from([".", "packages/a", "../x"]) | _text, _project),
    top=_project,
)
def test_plausible_documents(
    version: str, packages: Any, snapshots: Any, importers: Any, top: Any
) -> None:
    """Documents close to real ones, each field with right or wrong types, in every layout."""
    head = f"lockfileVersion: {version}\n"
    for document in ({"packages": packages, **top}, {"importers": importers,
                     "packages": packages, "snapshots": snapshots}):  # fmt: skip
        _parse_bytes((head + yaml.safe_dump(document, allow_unicode=True)).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _parse_bytes(text.encode("utf-8", errors="surrogatepass"))


# --- osv-scanner's fixtures ---------------------------------------------------------------


def _osv_cases() -> list[dict[str, Any]]:
    if not OSV.is_dir():
        return []
    cases = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))["cases"]
    return [c for c in cases if c["parser"] == "ParsePnpmLock"]


# Problems we report where osv-scanner is silent: references to packages their fixtures leave
# out, keys without a version, a file: package without a name. Their "invalid package path"
# case (``axios@1.2.5`` in a 5.4 file) is read: the key is unambiguous, if unusual.
OSV_PROBLEMS = {
    "commits.yaml": 1, "exotic.yaml": 3, "files.yaml": 1, "multiple-versions.yaml": 1,
    "multiple-versions.v9.yaml": 1, "peer-dependencies-advanced.yaml": 1,
    "invalid-package-path.yaml": 1,
}  # fmt: skip


@pytest.mark.parametrize("case", _osv_cases() or [None], ids=lambda c: c and c["test"])
def test_osv_scanner_cases(parse_text: Parse, case: dict[str, Any] | None) -> None:
    """Same names and versions as osv-scanner. Their "invalid package path" case is an error
    for them and a clean read here (see OSV_PROBLEMS); the folders in files.yaml are outside
    the repository when the lockfile is at its root, so they stay records (source path)."""
    if case is None:
        pytest.skip("osv-scanner corpus not present")
    fixture = OSV / case["fixture"]
    if not fixture.exists():
        pytest.skip("the case is about a missing file")
    result = parse_text("pnpm-lock.yaml", fixture.read_bytes())
    if fixture.suffix == ".txt":
        assert len(result.problems) == 1 and result.dependencies == ()
        return
    assert len(result.problems) == OSV_PROBLEMS.get(fixture.name, 0), result.problems
    if "expect_error_containing" in case:
        return
    expected = {(p["name"], p["version"]) for p in case["expected_packages"]}
    assert {(d.display_name, d.version) for d in result.dependencies} == expected
