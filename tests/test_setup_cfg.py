"""setup.cfg: [options] requirements, extras (setuptools and pbr), file: references, quirks."""

from __future__ import annotations

import configparser
import io
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.setup_cfg import SetupCfgParser, requirement_lines
from analyzer.model import ManifestFile, ParsedManifest, Scope

FIXTURES = Path(__file__).parent / "fixtures" / "setup_cfg"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ParseText = Callable[..., ParsedManifest]

RUN, OPT, BLD, TST, DEV = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST, Scope.DEV


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def records(result: ParsedManifest) -> list[tuple[Any, ...]]:
    return [
        (d.name, d.spec, d.version, d.scope, d.direct, d.line, d.source)
        for d in result.dependencies
    ]


def problems(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


DECLARATIVE = [
    ("requests", ">=2.25,<3", None, RUN, True, 17, "registry"),
    ("attrs", "==21.4.0", "21.4.0", RUN, True, 19, "registry"),
    ("importlib-metadata", ">=4.0", None, RUN, True, 21, "registry"),
    ("typing-extensions", None, None, RUN, True, 22, "registry"),
    ("click", ">=8.0", None, RUN, True, 23, "registry"),
    ("pyyaml", None, None, RUN, True, 25, "registry"),
    ("acme-auth", "git+https://github.com/acme/auth.git@v1.2.0", None, RUN, True, 26, "vcs"),
    ("setuptools-scm", ">=6.2", None, BLD, True, 27, "registry"),
    ("wheel", None, None, BLD, True, 27, "registry"),
    ("pytest", ">=7", None, TST, True, 29, "registry"),
    ("pytest-mock", None, None, TST, True, 30, "registry"),
    ("pytest", ">=7", None, TST, True, 37, "registry"),  # extra "testing"
    ("coverage", None, None, TST, True, 38, "registry"),
    ("sphinx", ">=5", None, DEV, True, 40, "registry"),  # extra "docs"
    ("furo", None, None, DEV, True, 41, "registry"),
    ("psycopg2-binary", ">=2.9", None, OPT, True, 42, "registry"),
    # "Acme.Widgets[postgres,docs]" on line 44 is the project itself: not a dependency
    ("redis", None, None, OPT, True, 45, "registry"),
]


def test_matches_only_setup_cfg() -> None:
    assert isinstance(parser_for("svc/setup.cfg"), SetupCfgParser)
    assert not SetupCfgParser().matches(PurePosixPath("setup.cfg.bak"))
    assert not SetupCfgParser().matches(PurePosixPath("tox.ini"))


def test_declarative_config(parse_text: ParseText) -> None:
    result = parse_text("setup.cfg", fixture("declarative.cfg"))
    assert records(result) == DECLARATIVE
    assert result.problems == ()
    assert result.publishes == ("pkg:pypi/acme-widgets",)
    assert {d.repo for d in result.dependencies} == {"repo"}
    assert {d.file for d in result.dependencies} == {"setup.cfg"}


def test_crlf_bom_and_tabs_read_the_same(parse_text: ParseText) -> None:
    text = fixture("declarative.cfg").replace("\n", "\r\n")
    result = parse_text("setup.cfg", b"\xef\xbb\xbf" + text.encode())
    assert records(result) == DECLARATIVE
    tabbed = fixture("declarative.cfg").replace("    ", "\t")
    assert records(parse_text("setup.cfg", tabbed)) == DECLARATIVE


def test_pbr_extras_section(parse_text: ParseText) -> None:
    result = parse_text("setup.cfg", fixture("pbr.cfg"))
    assert records(result) == [
        ("luigi", ">=2.3.3,<3.0.0", None, OPT, True, 13, "registry"),
        ("coverage", None, None, TST, True, 15, "registry"),
        ("nose", ">=1.3.7", None, TST, True, 16, "registry"),
        ("flake8", "==3.6.0", "3.6.0", DEV, True, 18, "registry"),
    ]
    assert result.publishes == ("pkg:pypi/acme-jobs",)


def test_file_directive_says_where_the_list_lives(parse_text: ParseText) -> None:
    result = parse_text("svc/setup.cfg", fixture("file_directive.cfg"))
    assert result.dependencies == ()
    audited = "it is audited from that file, not from setup.cfg"
    assert problems(result) == [
        (5, f"install_requires is declared in svc/requirements.txt (file: directive); {audited}"),
        (
            6,
            "tests_require is declared in svc/requirements/test.txt, svc/requirements/ci.txt "
            f"(file: directive); {audited}",
        ),
        (9, f"extra 'dev' is declared in svc/dev-requirements.txt (file: directive); {audited}"),
        (
            10,
            "extra 'docs' is declared in svc/docs/deps.list (file: directive); fundscout does "
            "not read it, because its name is not a requirements file's",
        ),
    ]
    assert all(p.file == "svc/setup.cfg" and p.repo == "repo" for p in result.problems)


def test_quirks(parse_text: ParseText) -> None:
    result = parse_text("setup.cfg", fixture("quirks.cfg"))
    assert records(result) == [
        ("requests", None, None, RUN, True, 9, "registry"),  # "install-requires" spelling
        ("flask", ">=2.0,<3", None, RUN, True, 10, "registry"),  # backslash continuation
        ("cython", ">=3", None, BLD, True, 17, "registry"),  # the later of two keys
        ("pytest", None, None, TST, True, 14, "registry"),
        ("pytest", None, None, TST, True, 16, "registry"),  # duplicates keep their own lines
        ("pytest-cov", None, None, TST, True, 23, "registry"),
    ]
    assert [p.line for p in result.problems] == [17, 15, 23]
    assert problems(result)[0][1] == (
        "setup_requires is set again in [options] (first at line 12); setuptools rejects "
        "this, fundscout reads the last one"
    )
    assert problems(result)[1][1].startswith("invalid requirement 'pytest==': ")
    assert problems(result)[2][1] == (
        "extra 'test': 'python_version >= \"3.8\"' looks like an environment marker that "
        "';' split off a one-line list; put each requirement on its own line"
    )
    # [DEFAULT] does not leak into [options]; "%(project)s" is not a project name
    assert "leaked-default" not in {d.name for d in result.dependencies}
    assert result.publishes == ()


def test_one_line_list_with_inline_comment_and_empty_value(parse_text: ParseText) -> None:
    text = "[options]\ninstall_requires = six ;  attrs>=20 #why\nsetup_requires =\n"
    assert records(parse_text("setup.cfg", text)) == [
        ("six", None, None, RUN, True, 2, "registry"),
        ("attrs", ">=20", None, RUN, True, 2, "registry"),
    ]


def test_requirement_lines_follow_setuptools() -> None:
    assert requirement_lines("a; b ;", split_semicolons=True) == [(0, "a", "a"), (0, "b", "b")]
    value = "\na>=1 # c\n# skipped\nb \\\n<2\n\nc \\"
    assert requirement_lines(value, split_semicolons=True) == [
        (1, "a>=1", "a>=1"),
        (3, "b<2", "b"),
    ]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "[options]\ninstall_requires = x\nthis line is junk\n",
            3,
            "invalid setup.cfg: 'this line is junk' is not a section, key or value line",
        ),
        ("install_requires = x\n", 1, "invalid setup.cfg: a key comes before any [section]"),
        (b"\x00\x01\x02binary", None, "binary file, not a text manifest"),
        (b"[options]\ninstall_requires = caf\xe9\n", 2, "not valid UTF-8 (byte 0xe9)"),
    ],
)
def test_unreadable_file_is_one_problem(
    parse_text: ParseText, content: str | bytes, line: int | None, message: str
) -> None:
    result = parse_text("setup.cfg", content)
    assert result.dependencies == ()
    assert problems(result) == [(line, message)]
    assert result.problems[0].file == "setup.cfg"


def _parse_raw(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    file = ManifestFile("repo", "setup.cfg", len(data), lambda _: data)
    try:
        result = SetupCfgParser().parse(file)
    except ManifestError:
        return
    assert isinstance(result, ParsedManifest)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    _parse_raw(text)


_VALUES = st.one_of(
    st.text(max_size=40),
    st.lists(st.text(max_size=30), max_size=4).map(lambda lines: "\n" + "\n".join(lines)),
    st.sampled_from(["file: requirements.txt", "a; b", "x==", "pkg @ git+https://h/r", "%(a)s"]),
)
_KEYS = st.sampled_from(
    ["install_requires", "install-requires", "setup_requires", "tests_require", "name", "test"]
)
_SECTIONS = st.sampled_from(
    ["options", "metadata", "options.extras_require", "extras", "DEFAULT", "other"]
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_SECTIONS, st.dictionaries(_KEYS, _VALUES, max_size=4), max_size=4))
def test_structured_but_wrong_documents_never_crash(sections: dict[str, dict[str, str]]) -> None:
    config = configparser.ConfigParser(interpolation=None)
    for section, values in sections.items():
        if section != "DEFAULT":
            config.add_section(section)
        for key, value in values.items():
            config.set(section, key, value.replace("\r", ""))
    out = io.StringIO()
    config.write(out)
    _parse_raw(out.getvalue())


def test_corpus_setup_cfgs_parse_without_internal_errors() -> None:
    root = CORPUS / "orgs"
    if not root.is_dir():
        pytest.skip("corpus not present")
    paths = sorted(root.rglob("setup.cfg"))
    assert paths
    for path in paths:
        data = path.read_bytes()
        file = ManifestFile("corpus", str(path.relative_to(root)), len(data), lambda _, d=data: d)
        result = parse_manifest(file)
        assert not [p for p in result.problems if "internal error" in p.message], path
    tensorflow = root / "spotify" / "spotify-tensorflow" / "setup.cfg"
    if tensorflow.is_file():  # a pbr project: extras in [extras]
        data = tensorflow.read_bytes()
        file = ManifestFile("corpus", "setup.cfg", len(data), lambda _: data)
        names = {d.name: d.scope for d in parse_manifest(file).dependencies}
        assert names.get("luigi") == OPT
        assert names.get("nose") == TST
