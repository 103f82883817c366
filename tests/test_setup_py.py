"""setup.py read with ast only: literals, constants, kwargs, computed values, bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests import parser_for
from analyzer.manifests.setup_py import SetupPyParser
from analyzer.model import ManifestFile, ParsedManifest, Scope

# Fixtures are named *.py.txt so linters and test collection leave them alone.
FIXTURES = Path(__file__).parent / "fixtures" / "setup_py"
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


def names(result: ParsedManifest) -> list[tuple[str, Scope, int | None]]:
    return [(d.name, d.scope, d.line) for d in result.dependencies]


def test_matches_only_setup_py() -> None:
    assert isinstance(parser_for("libs/core/setup.py"), SetupPyParser)
    assert not SetupPyParser().matches(PurePosixPath("setup_utils.py"))


def test_literal_arguments(parse_text: ParseText) -> None:
    result = parse_text("setup.py", fixture("literal.py.txt"))
    assert records(result) == [
        ("requests", ">=2.20,<3", None, RUN, True, 16, "registry"),
        ("urllib3", "!=1.25.0,!=1.25.1", None, RUN, True, 17, "registry"),
        ("certifi", None, None, RUN, True, 18, "registry"),
        ("backports-zoneinfo", None, None, RUN, True, 19, "registry"),
        ("acme-proto", "git+https://github.com/acme/proto.git@v1.0", None, RUN, True, 20, "vcs"),
        ("setuptools", ">=40.8", None, BLD, True, 22, "registry"),
        ("wheel", None, None, BLD, True, 22, "registry"),
        ("pytest", None, None, TST, True, 23, "registry"),
        ("responses", "==0.21.0", "0.21.0", TST, True, 23, "registry"),
        ("pysocks", ">=1.5.6,!=1.5.7", None, OPT, True, 25, "registry"),
        ("pytest-cov", None, None, TST, True, 26, "registry"),
        ("flake8", None, None, DEV, True, 27, "registry"),
        ("black", "==22.3.0", "22.3.0", DEV, True, 27, "registry"),
        # ':marker' keys are conditional runtime needs; 'dev:marker' is the dev extra
        ("colorama", None, None, RUN, True, 28, "registry"),
        ("ipython", None, None, DEV, True, 29, "registry"),
    ]
    assert result.problems == ()
    assert result.publishes == ("pkg:pypi/acme-client",)


def test_module_constants_kwargs_and_mutations(parse_text: ParseText) -> None:
    result = parse_text("setup.py", fixture("constants.py.txt"))
    assert records(result) == [
        ("numpy", ">=1.21", None, RUN, True, 9, "registry"),
        ("pandas", ">=1.3", None, RUN, True, 10, "registry"),
        ("scipy", None, None, RUN, True, 12, "registry"),  # BASE + [...]
        ("typing-extensions", ">=4", None, RUN, True, 14, "registry"),  # .append under if
        ("tqdm", None, None, RUN, True, 15, "registry"),  # +=
        ("pytest", ">=7", None, TST, True, 17, "registry"),
        ("hypothesis", None, None, TST, True, 17, "registry"),
        ("mock", None, None, TST, True, 34, "registry"),  # [*TESTS_REQUIRE, "mock"]
        # extra "test" repeats the two records of line 17 exactly: they are kept once
        ("matplotlib", ">=3.5", None, OPT, True, 20, "registry"),
        ("acme-kernels", "==2.3.1", "2.3.1", OPT, True, 22, "registry"),  # f-string constant
        ("cupy-cuda11x", None, None, OPT, True, 22, "registry"),  # implicit concatenation
        ("sphinx", None, None, DEV, True, 23, "registry"),  # .update({"doc": ...})
    ]
    assert result.problems == ()
    assert result.publishes == ("pkg:pypi/acme-stats",)


def test_computed_values_are_problems_naming_keyword_and_line(parse_text: ParseText) -> None:
    result = parse_text("setup.py", fixture("computed.py.txt"))
    assert records(result) == [
        ("click", ">=8", None, RUN, True, 26, "registry"),  # the literal part still counts
        ("pyyaml", ">=6", None, OPT, True, 20, "registry"),
    ]
    tail = "cannot be read statically"
    assert problems(result) == [
        (
            26,
            "install_requires is computed at line 26 (call to read_requirements); "
            f"{tail} (it seems to read requirements.txt)",
        ),
        (28, f"setup_requires is computed at line 28 (f-string); {tail}"),
        (
            16,
            "tests_require is computed at line 16 (call to handle.read(...).splitlines); "
            f"{tail} (it seems to read requirements-test.txt)",
        ),
        (
            19,
            "extras_require['docs'] is computed at line 19 (call to read_requirements); "
            f"{tail} (it seems to read requirements/docs.txt)",
        ),
        (22, f"extras_require['all'] is computed at line 22 (comprehension); {tail}"),
    ]
    assert result.publishes == ("pkg:pypi/acme-tool",)


def test_locals_of_the_function_calling_setup(parse_text: ParseText) -> None:
    result = parse_text("setup.py", fixture("in_function.py.txt"))
    assert records(result) == [
        ("celery", ">=5.2", None, RUN, True, 6, "registry"),
        ("kombu", None, None, RUN, True, 6, "registry"),
        # a multi-line string is one requirement per line, comments dropped
        ("setuptools", ">=61", None, BLD, True, 15, "registry"),
        ("setuptools-git-versioning", None, None, BLD, True, 18, "registry"),
        ("pytest", None, None, TST, True, 7, "registry"),
        ("pywin32", None, None, TST, True, 9, "registry"),  # .extend under if
    ]
    assert result.problems == ()


@pytest.mark.parametrize(
    "source",
    [
        "from distutils.core import setup\nsetup(install_requires=['six'])\n",
        "import setuptools as st\nst.setup(install_requires=['six'])\n",
        "import distutils.core\ndistutils.core.setup(install_requires=['six'])\n",
        "from skbuild import setup\nsetup(install_requires=['six'])\n",
        "from setuptools import setup\nsetup(**{'install_requires': ['six']})\n",
        "from setuptools import setup\nsetup(install_requires=list(('six',)))\n",
    ],
)
def test_setup_spellings(parse_text: ParseText, source: str) -> None:
    assert names(parse_text("setup.py", source)) == [("six", RUN, 2)]


def test_other_setup_methods_are_not_setup_calls(parse_text: ParseText) -> None:
    source = "class Plugin:\n    pass\n\nself.setup(install_requires=['six'])\n"
    result = parse_text("setup.py", source)
    assert result.dependencies == ()
    assert problems(result) == [(None, "no setup() call found; no dependencies read")]


def test_bad_entries_and_unreadable_kwargs(parse_text: ParseText) -> None:
    source = (
        "from setuptools import setup\n"
        "setup(\n"
        "    install_requires=['six', 3, None, ('attrs', ['idna'])],\n"
        "    tests_require=['pytest==', UNKNOWN],\n"
        "    **get_metadata(),\n"
        ")\n"
    )
    result = parse_text("setup.py", source)
    assert names(result) == [("six", RUN, 3), ("attrs", RUN, 3), ("idna", RUN, 3)]
    found = problems(result)
    assert found[0] == (
        5,
        "setup(**...) is computed at line 5 (call to get_metadata); cannot be read statically",
    )
    assert found[1] == (3, "install_requires: 3 is not a requirement string")
    assert found[2] == (
        4,
        "tests_require is computed at line 4 (UNKNOWN is not a value set in this file); "
        "cannot be read statically",
    )
    assert found[3][0] == 4 and found[3][1].startswith("invalid requirement 'pytest==': ")
    assert len(found) == 4


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("config.REQUIRES", "attribute config.REQUIRES"),
        ("[r for r in BASE]", "comprehension"),
        ("BASE if PY2 else []", "conditional expression"),
        ("['six>=%s' % MIN]", "binop expression"),
        ("['six>={}'.format(MIN)]", "call to 'six>={}'.format"),
        ("[f'six>={minimum()}']", "f-string"),
        ("[f'six>={VERSION!r}']", "f-string"),
        ("BASE['x']", "subscript of a list"),
        ("extras()['test']", "subscript of call to extras"),
    ],
)
def test_what_cannot_be_read_is_named(parse_text: ParseText, value: str, why: str) -> None:
    source = (
        f"BASE = ['six']\nMIN = '1.16'\nVERSION = '1'\n\nsetup(\n    install_requires={value},\n)\n"
    )
    result = parse_text("setup.py", source)
    assert result.dependencies == ()
    assert problems(result) == [
        (6, f"install_requires is computed at line 6 ({why}); cannot be read statically")
    ]


ASSORTED = """\
from setuptools import setup

try:
    import tomllib
    TOML: list[str] = []
except ImportError:
    TOML: list[str] = ["tomli>=1.1"]
CORE, CLI = ("attrs",), ["click"]
EXTRAS = {"test": ["pytest"]} | {"cli": CLI}
match PLATFORM:
    case "win32":
        CORE += ("colorama",)
OTHER = {1: ["ignored"]}


def main():
    setup(
        name="acme",
        install_requires=[*CORE, *TOML],
        tests_require=EXTRAS["test"],
        extras_require={**EXTRAS, **OTHER, "all": ["acme[cli]", "rich"]},
        setup_requires=OTHER,
    )
"""


def test_assorted_binding_forms(parse_text: ParseText) -> None:
    result = parse_text("setup.py", ASSORTED)
    assert names(result) == [
        ("attrs", RUN, 8),  # tuple unpacking
        ("colorama", RUN, 12),  # += inside a match case
        ("tomli", RUN, 7),  # the except branch is the last binding of TOML
        ("pytest", TST, 9),  # EXTRAS["test"] out of a dict merged with |
        ("click", OPT, 8),  # extra "cli"
        ("rich", OPT, 21),  # "acme[cli]" is the project itself
    ]
    assert problems(result) == [
        (
            13,
            "setup_requires is computed at line 13 (a dict where a list belongs); "
            "cannot be read statically",
        ),
        (13, "extras_require: key 1 is not a string"),
    ]
    assert result.publishes == ("pkg:pypi/acme",)


def test_null_byte_after_the_start_is_unreadable(parse_text: ParseText) -> None:
    content = b"from setuptools import setup\n" + b"#" * 9000 + b"\x00\n"
    result = parse_text("setup.py", content)
    assert [p.line for p in result.problems] == [None]
    assert result.problems[0].message.startswith("not valid Python 3: ")


def test_never_runs_the_file(parse_text: ParseText, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "raise SystemExit(3)\n"
        "from setuptools import setup\n"
        "setup(install_requires=['six'])\n"
    )
    assert names(parse_text("setup.py", source)) == [("six", RUN, 5)]
    assert not marker.exists()


def test_indirection_and_work_are_bounded(parse_text: ParseText) -> None:
    doubling = "A0 = ['x']\n" + "".join(f"A{i} = A{i - 1} + A{i - 1}\n" for i in range(1, 40))
    result = parse_text("setup.py", doubling + "setup(install_requires=A39)\n")
    assert result.dependencies == ()
    assert problems(result) == [
        (
            35,
            "install_requires is computed at line 35 (more than 6 names deep); "
            "cannot be read statically",
        )
    ]
    appends = "R = []\n" + "".join(f"R.append('p{i}')\n" for i in range(2000))
    source = appends + "setup(install_requires=R, setup_requires=['wheel'])\n"
    result = parse_text("setup.py", source)
    assert names(result) == [("wheel", BLD, 2002)]  # the other keyword still counts
    assert problems(result) == [
        (
            2002,
            "install_requires is computed at line 2002 (nested too deeply); "
            "cannot be read statically",
        )
    ]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            fixture("python2.py.txt"),
            3,
            "not valid Python 3: Missing parentheses in call to 'print'. Did you mean print(...)?",
        ),
        (fixture("no_setup.py.txt"), None, "no setup() call found; no dependencies read"),
        (
            "setup(install_requires=" + " + ".join(['"a"'] * 100_000) + ")\n",
            None,
            "nested too deeply to read statically",
        ),
        (b"\x00\x01\x02binary", None, "binary file, not a text manifest"),
        (
            b"from setuptools import setup\nsetup(name='caf\xe9')\n",
            2,
            "not valid UTF-8 (byte 0xe9)",
        ),
    ],
)
def test_unreadable_file_is_one_problem(
    parse_text: ParseText, content: str | bytes, line: int | None, message: str
) -> None:
    result = parse_text("setup.py", content)
    assert result.dependencies == ()
    assert problems(result) == [(line, message)]
    assert result.problems[0].file == "setup.py"


def _parse_raw(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    file = ManifestFile("repo", "setup.py", len(data), lambda _: data)
    try:
        result = SetupPyParser().parse(file)
    except ManifestError:
        return
    assert isinstance(result, ParsedManifest)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    _parse_raw(text)


_LEAVES = st.one_of(
    st.text(max_size=20).map(repr),
    st.integers().map(repr),
    st.sampled_from(["None", "A", "B", "REQ", "f()", "x.y", "f'{A}'", "f'{q}'", "'a' 'b'"]),
)


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(children, max_size=3).map(lambda xs: "(" + "".join(x + ", " for x in xs) + ")"),
        st.lists(pair, max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        pair.map(lambda p: f"{p[0]} + {p[1]}"),
        pair.map(lambda p: f"{p[0]} | {p[1]}"),
        pair.map(lambda p: f"{p[0]}[{p[1]}]"),
        children.map(lambda x: f"[*{x}]"),
        children.map(lambda x: "{**" + x + "}"),
        children.map(lambda x: f"dict(a={x}, **{x})"),
        children.map(lambda x: f"[r for r in {x}]"),
    )


_EXPRESSIONS = st.recursive(_LEAVES, _compound, max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_EXPRESSIONS, min_size=7, max_size=7))
def test_structured_but_wrong_setup_calls_never_crash(values: list[str]) -> None:
    a, b, req, name, install, extras, spread = values
    source = (
        f"A = {a}\nB = {b}\nREQ = {req}\nREQ += {a}\nB['k'] = {b}\nREQ.append({a})\n"
        f"setup(name={name}, install_requires={install}, extras_require={extras}, "
        f"tests_require=REQ, **{spread})\n"
    )
    _parse_raw(source)
