"""pip requirements files: exact records for every quirk pip itself accepts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest
from analyzer.manifests.pep508 import (
    Where,
    pip_requirement,
    requirement_dependency,
    simple_dependency,
)
from analyzer.manifests.requirements import RequirementsParser, file_scope, via_meaning
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "requirements"
Parse = Callable[..., ParsedManifest]
R, D, T = Scope.RUNTIME, Scope.DEV, Scope.TEST


def rec(
    name: str,
    spec: str | None = None,
    version: str | None = None,
    *,
    line: int,
    file: str = "requirements.txt",
    scope: Scope = R,
    direct: bool = True,
    source: str = "registry",
    repo: str = "repo",
) -> Dependency:
    return Dependency(
        Ecosystem.PYPI, name, spec, version, scope, direct, repo, file, line, source=source
    )


def problem(line: int | None, message: str, file: str = "requirements.txt") -> Problem:
    return Problem(file, line, message, "repo")


def parse_tree(root: Path, path: str, repo: str = "repo", repo_path: str = ".") -> ParsedManifest:
    source = LocalSource(root, lambda _: True)
    size = (root / path).stat().st_size
    return parse_manifest(ManifestFile(repo, path, size, source.read, repo_path))


# --- a realistic service: options, includes, constraints, markers, VCS and URLs ---------------


def test_webapp_requirements_every_record() -> None:
    result = parse_tree(FIXTURES / "webapp", "requirements.txt")
    base = "requirements/base.txt"
    assert result.problems == ()
    assert result.dependencies == (
        rec("attrs", ">=23.1", line=2, file=base),  # constraints.txt gives a range: no version
        rec("python-dateutil", "==2.9.0.post0", "2.9.0.post0", line=3, file=base),
        rec("pyyaml", ">=6.0.1", line=4, file=base),
        rec("django", ">=4.2,<5.0", "4.2.11", line=12),  # version from constraints.txt
        rec("djangorestframework", "==3.15.1", "3.15.1", line=13),
        rec("psycopg", "==3.1.18", "3.1.18", line=14),
        rec("uvicorn", ">=0.29", line=15),
        rec("gunicorn", "===21.2.0", "21.2.0", line=16),
        rec("sentry-sdk", "==1.*", line=17),  # a wildcard pins nothing
        rec("requests", ">=2.31.0", "2.31.0", line=18),  # continued line; constrained
        rec(
            "django-audit",
            "git+https://github.com/acme/django-audit.git@v2.1.0#egg=django-audit",
            line=20,
            source="vcs",
        ),
        rec(
            "acme-theme",
            "https://github.com/acme/acme-theme/archive/refs/tags/v1.4.tar.gz",
            line=21,
            source="url",
        ),
        rec(
            "acme-fonts",
            "https://files.example.com/wheels/Acme_Fonts-0.9.2-py3-none-any.whl#sha256=0f3b7c",
            "0.9.2",  # a wheel's file name states its version
            line=22,
            source="url",
        ),
        rec(
            "acme-utils",
            "git+https://github.com/acme/acme-utils.git@main#egg=acme-utils",
            line=23,
            source="vcs",
        ),
        # line 24 "-e ." and line 25 "./libs/legacy_lib" are the repository's own code
        rec("urllib3", "==2.2.1", "2.2.1", line=26),
        rec("redis", None, "5.0.3", line=29),
        rec("redis", ">=5", "5.0.3", line=30),  # duplicates stay, each with its own line
    )
    assert result.edges == ()
    assert result.publishes == ()


def test_scope_is_inherited_through_includes_unless_the_file_names_its_own() -> None:
    result = parse_tree(FIXTURES / "webapp", "requirements-dev.txt")
    seen = {(d.file, d.name, d.scope) for d in result.dependencies}
    # requirements.txt has no scope in its name: its records take the includer's (dev).
    assert ("requirements.txt", "django", D) in seen
    assert ("requirements/base.txt", "attrs", D) in seen
    # requirements/test.txt names its own scope, and passes it on to base.txt.
    assert ("requirements/test.txt", "pytest", T) in seen
    assert ("requirements/base.txt", "attrs", T) in seen
    assert ("requirements-dev.txt", "ruff", D) in seen
    assert {d.scope for d in result.dependencies} == {D, T}
    ruff = [d for d in result.dependencies if d.name == "ruff"]
    assert ruff == [rec("ruff", "==0.4.4", "0.4.4", line=3, file="requirements-dev.txt", scope=D)]
    assert result.problems == ()


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("requirements.txt", R),
        ("requirements.in", R),
        ("requirements/prod.txt", R),
        ("requirements/base.txt", R),
        ("requirements-dev.txt", D),
        ("dev-requirements.txt", D),
        ("requirements_dev.txt", D),
        ("requirements-docs.txt", D),
        ("docs/requirements.txt", D),
        ("requirements/lint.txt", D),
        ("requirements/test.txt", T),
        ("requirements-test.txt", T),
        ("test-requirements.txt", T),
        ("tests/requirements.txt", T),
        ("requirements-build.txt", Scope.BUILD),
    ],
)
def test_scope_from_file_name(parse_text: Parse, path: str, scope: Scope) -> None:
    result = parse_text(path, "six==1.16.0\n")
    assert result.dependencies == (
        rec("six", "==1.16.0", "1.16.0", line=1, file=path, scope=scope),
    )
    assert file_scope(path) == (None if scope is R else scope)


def test_scope_ignores_the_repository_directory_name(write_tree: Callable[..., Path]) -> None:
    # The repository itself is called "tests": that says nothing about its requirements.
    root = write_tree({"tests/requirements.txt": "-r base.txt\n", "tests/base.txt": "six\n"})
    result = parse_tree(root, "tests/requirements.txt", repo="tests", repo_path="tests")
    assert result.dependencies == (rec("six", line=1, file="tests/base.txt", repo="tests"),)


# --- pip-compile output ---------------------------------------------------------------------


def test_pip_compile_output_marks_direct_entries_and_records_edges() -> None:
    result = parse_tree(FIXTURES / "compiled", "requirements.txt")
    assert result.problems == ()
    assert result.dependencies == (
        rec("blinker", "==1.7.0", "1.7.0", line=9, direct=False),
        rec("certifi", "==2024.2.2", "2024.2.2", line=13, direct=False),
        rec("charset-normalizer", "==3.3.2", "3.3.2", line=16, direct=False),
        rec("click", "==8.1.7", "8.1.7", line=19, direct=False),
        rec("flask", "==3.0.2", "3.0.2", line=22),  # via -r requirements.in
        rec("flask-login", "==0.6.3", "0.6.3", line=27),  # via my-service (pyproject.toml)
        rec("idna", "==3.6", "3.6", line=29, direct=False),
        rec("requests", "==2.31.0", "2.31.0", line=32),
        rec("urllib3", "==2.2.1", "2.2.1", line=35, direct=False),  # -c only pins
        rec("werkzeug", "==3.0.1", "3.0.1", line=40, direct=False),
        rec("setuptools", "==69.1.1", "69.1.1", line=47, direct=False),
    )
    assert result.edges == (
        ("pkg:pypi/flask", "pkg:pypi/blinker"),
        ("pkg:pypi/requests", "pkg:pypi/certifi"),
        ("pkg:pypi/requests", "pkg:pypi/charset-normalizer"),
        ("pkg:pypi/flask", "pkg:pypi/click"),
        ("pkg:pypi/flask-login", "pkg:pypi/flask"),
        ("pkg:pypi/requests", "pkg:pypi/idna"),
        ("pkg:pypi/requests", "pkg:pypi/urllib3"),
        ("pkg:pypi/flask", "pkg:pypi/werkzeug"),
        ("pkg:pypi/flask-login", "pkg:pypi/werkzeug"),
        ("pkg:pypi/flask-login", "pkg:pypi/setuptools"),
    )


def test_old_pip_compile_inline_via_comments(parse_text: Parse) -> None:
    content = (
        "python-dateutil==2.9.0    # via -r requirements.in\n"
        "six==1.16.0               # via python-dateutil, Other_Pkg\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec("python-dateutil", "==2.9.0", "2.9.0", line=1),
        rec("six", "==1.16.0", "1.16.0", line=2, direct=False),
    )
    assert result.edges == (
        ("pkg:pypi/python-dateutil", "pkg:pypi/six"),
        ("pkg:pypi/other-pkg", "pkg:pypi/six"),
    )


def test_via_block_after_an_editable_line_belongs_to_that_line(parse_text: Parse) -> None:
    content = (
        "click==8.1.7\n"
        "    # via flask\n"
        "-e git+https://github.com/acme/tool.git#egg=tool\n"
        "    # via -r requirements.in\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec("click", "==8.1.7", "8.1.7", line=1, direct=False),
        rec("tool", "git+https://github.com/acme/tool.git#egg=tool", line=3, source="vcs"),
    )


def test_via_meaning() -> None:
    assert via_meaning(None) == (True, [])
    assert via_meaning([]) == (True, [])
    assert via_meaning(["-r requirements/base.in", "flask"]) == (True, ["flask"])
    assert via_meaning(["-c constraints.txt"]) == (False, [])
    assert via_meaning(["my-service (pyproject.toml)"]) == (True, [])
    assert via_meaning(["uvicorn[standard]"]) == (False, ["uvicorn"])


# --- includes -------------------------------------------------------------------------------


def test_includes_resolve_relative_to_the_including_file(parse_text: Parse) -> None:
    result = parse_text(
        "requirements/prod.txt",
        "--requirement=./common/base.txt\n-rshared.txt\nflask\n",
        {
            "requirements/common/base.txt": "attrs\n-r ../shared.txt\n",
            "requirements/shared.txt": "idna\n",
        },
    )
    assert result.dependencies == (
        rec("attrs", line=1, file="requirements/common/base.txt"),
        rec("idna", line=1, file="requirements/shared.txt"),
        # the second include of shared.txt adds nothing new: a diamond is read once per scope
        rec("flask", line=3, file="requirements/prod.txt"),
    )
    assert result.problems == ()


def test_include_cycle_is_a_problem_naming_the_chain(parse_text: Parse) -> None:
    result = parse_text(
        "requirements.txt",
        "-r requirements/base.txt\nflask\n",
        {"requirements/base.txt": "attrs\n-r ../requirements.txt\n"},
    )
    assert result.dependencies == (
        rec("attrs", line=1, file="requirements/base.txt"),
        rec("flask", line=2),
    )
    chain = "requirements.txt -> requirements/base.txt -> requirements.txt"
    message = f"include cycle {chain}; not followed again"
    assert result.problems == (problem(2, message, "requirements/base.txt"),)


def test_include_of_itself(parse_text: Parse) -> None:
    result = parse_text("requirements.txt", "six\n-r requirements.txt\n")
    assert result.dependencies == (rec("six", line=1),)
    message = "include cycle requirements.txt -> requirements.txt; not followed again"
    assert result.problems == (problem(2, message),)


def test_includes_that_cannot_be_followed(parse_text: Parse) -> None:
    content = (
        "-r ../outside/requirements.txt\n"
        "-r /etc/requirements.txt\n"
        "-r missing.txt\n"
        "-c https://example.com/constraints.txt\n"
        "-r\n"
        "six\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (rec("six", line=6),)
    assert result.problems == (
        problem(1, "include ../outside/requirements.txt leaves the audited tree; not read"),
        problem(2, "include /etc/requirements.txt leaves the audited tree; not read"),
        problem(3, "cannot read included file missing.txt: no such file"),
        problem(4, "remote requirements file https://example.com/constraints.txt not fetched"),
        problem(5, "option -r needs a value"),
    )


def test_unreadable_included_file_is_a_problem_on_the_including_line(parse_text: Parse) -> None:
    result = parse_text(
        "requirements.txt", "six\n-r base.txt\n", {"base.txt": b"attrs\n# caf\xe9\n"}
    )
    assert result.dependencies == (rec("six", line=1),)
    message = "cannot read included file base.txt (line 2): not valid UTF-8 (byte 0xe9)"
    assert result.problems == (problem(2, message),)


def test_constraints_pin_versions_without_adding_records(parse_text: Parse) -> None:
    result = parse_text(
        "requirements.txt",
        "--constraint constraints.txt\nrequests>=2\nattrs\nflask==3.0.0\n",
        {"constraints.txt": "requests==2.31.0\nflask==2.0\nnumpy==1.26.4\nbroken==\n"},
    )
    assert result.dependencies == (
        rec("requests", ">=2", "2.31.0", line=2),
        rec("attrs", line=3),
        rec("flask", "==3.0.0", "3.0.0", line=4),  # its own pin wins
    )
    assert len(result.problems) == 1
    assert result.problems[0].file == "constraints.txt"
    assert result.problems[0].line == 4
    assert result.problems[0].message.startswith("invalid requirement 'broken=='")


# --- single lines ---------------------------------------------------------------------------


def test_direct_references(parse_text: Parse) -> None:
    content = (
        "SomeProject@git+https://git.example.com/some_pkg.git@1.3.1\n"
        "pkg[extra] @ https://example.com/pkg-2.0.tar.gz ; python_version >= '3.9'\n"
        "hg+https://hg.example.com/MyProject#egg=MyProject\n"
        "bzr+lp:MyProject#egg=Bazaar_Project\n"
        "https://example.com/dist/python-dateutil-2.9.0.tar.gz#md5=abc\n"
        "./dist/Vendored_Lib-1.0-py3-none-any.whl\n"
        "-e path/to/project\n"
        "file:///srv/checkouts/project#egg=project\n"
        "local @ file:///srv/checkouts/local\n"
        ".[pdf]\n"
        "--editable ../sibling\n"
        "https://example.com/archive/main.zip\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec(
            "someproject",
            "git+https://git.example.com/some_pkg.git@1.3.1",
            line=1,
            source="vcs",
        ),
        rec("pkg", "https://example.com/pkg-2.0.tar.gz", "2.0", line=2, source="url"),
        rec("myproject", "hg+https://hg.example.com/MyProject#egg=MyProject", line=3, source="vcs"),
        rec("bazaar-project", "bzr+lp:MyProject#egg=Bazaar_Project", line=4, source="vcs"),
        rec(
            "python-dateutil",
            "https://example.com/dist/python-dateutil-2.9.0.tar.gz#md5=abc",
            "2.9.0",
            line=5,
            source="url",
        ),
        rec(
            "vendored-lib", "./dist/Vendored_Lib-1.0-py3-none-any.whl", "1.0", line=6, source="path"
        ),
        # lines 7-11 install local directories: the organization's own code
    )
    message = (
        "cannot tell the package name of 'https://example.com/archive/main.zip' (add #egg=NAME)"
    )
    assert result.problems == (problem(12, message),)


def test_credentials_in_urls_never_reach_the_record(parse_text: Parse) -> None:
    content = (
        "git+https://oauth2:s3cr3t@gitlab.example.com/acme/lib.git#egg=lib\n"
        "tool @ git+https://${GITHUB_TOKEN}@github.com/acme/tool.git\n"
        "git+ssh://git@github.com/acme/other.git#egg=other\n"
    )
    result = parse_text("requirements.txt", content)
    assert [d.spec for d in result.dependencies] == [
        "git+https://oauth2:****@gitlab.example.com/acme/lib.git#egg=lib",
        "git+https://****@github.com/acme/tool.git",
        "git+ssh://git@github.com/acme/other.git#egg=other",
    ]


def test_comments_markers_extras_and_per_requirement_options(parse_text: Parse) -> None:
    content = (
        "# a full-line comment\n"
        "   # an indented comment\n"
        'requests[security,socks] >= 2.8.1, == 2.8.* ; python_version < "2.7"  # note\n'
        "attrs==23.2.0 --hash=sha256:abc --hash=sha256:def\n"
        "pywin32==306; sys_platform == 'win32'\n"
        "Zope.Interface (>=5.0)\n"
        "black==24.3.0 \\\n"
        "    # a comment line continues nothing\n"
        "flake8 \\\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec("requests", ">=2.8.1,==2.8.*", line=3),
        rec("attrs", "==23.2.0", "23.2.0", line=4),
        rec("pywin32", "==306", "306", line=5),
        rec("zope-interface", ">=5.0", line=6),
        rec("black", "==24.3.0", "24.3.0", line=7),
        rec("flake8", line=9),  # a continuation at the end of the file ends the line
    )
    assert result.problems == ()


def test_pip_options_are_understood_and_unknown_ones_reported(parse_text: Parse) -> None:
    content = (
        "-i https://pypi.org/simple\n"
        "--index-url=https://pypi.org/simple\n"
        "--extra-index-url https://pypi.example.com/simple\n"
        "--trusted-host pypi.example.com\n"
        "-f ./wheels --no-index\n"
        "--pre\n"
        "--only-binary :all:\n"
        "--no-binary=:none:\n"
        "--prefer-binary\n"
        "--require-hashes\n"
        "--use-feature=truststore\n"
        "--frobnicate\n"
        "--index-url http://my.package.repo/simple/ SomePackage\n"
        "--find-links 'unterminated\n"
        "six\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (rec("six", line=15),)
    assert result.problems == (
        problem(12, "unknown pip option '--frobnicate'; rest of line ignored"),
        problem(13, "unexpected 'SomePackage' after pip options; ignored"),
        problem(14, "cannot split option line: No closing quotation"),
    )


def test_invalid_requirement_is_a_problem_and_the_rest_still_counts(parse_text: Parse) -> None:
    result = parse_text("requirements.txt", "flask==\nattrs\nfoo bar\n")
    assert result.dependencies == (rec("attrs", line=2),)
    assert [(p.file, p.line) for p in result.problems] == [
        ("requirements.txt", 1),
        ("requirements.txt", 3),
    ]
    assert result.problems[0].message.startswith("invalid requirement 'flask==': ")
    assert result.problems[1].message.startswith("invalid requirement 'foo bar': ")


# --- encodings and bytes --------------------------------------------------------------------


def test_crlf_line_endings_and_continuations(parse_text: Parse) -> None:
    content = b"flask==3.0.2\r\nrequests \\\r\n    >=2.31\r\n# comment\r\nattrs\r\n"
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec("flask", "==3.0.2", "3.0.2", line=1),
        rec("requests", ">=2.31", line=2),
        rec("attrs", line=5),
    )


def test_byte_order_marks(parse_text: Parse) -> None:
    utf8 = parse_text("requirements.txt", b"\xef\xbb\xbfflask==3.0\nattrs\n")
    utf16 = parse_text("requirements.txt", "flask==3.0\r\nattrs\r\n".encode("utf-16"))
    expected = (rec("flask", "==3.0", "3.0", line=1), rec("attrs", line=2))
    assert utf8.dependencies == expected
    assert utf16.dependencies == expected
    assert utf8.problems == utf16.problems == ()


def test_tabs(parse_text: Parse) -> None:
    result = parse_text("requirements.txt", "flask\t==\t3.0\t# web\n\tattrs\t\n")
    assert result.dependencies == (rec("flask", "==3.0", "3.0", line=1), rec("attrs", line=2))


def test_latin1_bytes_are_one_problem_with_the_line(parse_text: Parse) -> None:
    result = parse_text("requirements.txt", b"flask\n# Caf\xe9 team\nattrs\n")
    assert result.dependencies == ()
    assert result.problems == (problem(2, "not valid UTF-8 (byte 0xe9)"),)


def test_binary_file_is_one_problem(parse_text: Parse) -> None:
    result = parse_text("requirements.txt", bytes(range(256)) * 4)
    assert result.dependencies == ()
    assert result.problems == (problem(None, "binary file, not a text manifest"),)


def test_empty_and_comment_only_files(parse_text: Parse) -> None:
    assert parse_text("requirements.txt", "").dependencies == ()
    result = parse_text("requirements.txt", "# nothing yet\n\n   \n")
    assert result.dependencies == () and result.problems == ()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("requirements.txt", True),
        ("requirements-dev.in", True),
        ("svc/Requirements_Test.TXT", True),
        ("requirements/base.txt", True),
        ("reqs/ci.txt", True),
        ("requirements.txt.bak", False),
        ("notes.txt", False),
        ("requirements.yml", False),
    ],
)
def test_matches(path: str, expected: bool) -> None:
    assert RequirementsParser().matches(PurePosixPath(path)) is expected


def test_continuations_follow_pips_join_lines(parse_text: Parse) -> None:
    content = (
        "foo==\\\n"
        "\\\n"
        "  1.2.3\n"
        "bar == 4.5\\\\\n"  # pip strips every backslash at the end of a continued line
        ".6\n"
        "baz == 7.8.9 # \\\n"  # the comment continues too, and is removed afterwards
        "baz == 1.2.3\n"
        "qux\\\n"
        "# a comment line ends the logical line\n"
        "quux\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec("foo", "==1.2.3", "1.2.3", line=1),
        rec("bar", "==4.5.6", "4.5.6", line=4),
        rec("baz", "==7.8.9", "7.8.9", line=6),
        rec("qux", line=8),
        rec("quux", line=10),
    )


def test_archive_names_editables_and_odd_direct_references(parse_text: Parse) -> None:
    content = (
        "SomePackage-1.0-py2.py3-none-any.whl\n"
        "./pkgs/Other-2.0.tar.gz[extra]\n"
        "-e git+https://github.com/acme/lib.git#egg=acme-lib[extra]\n"
        "-e path\n"
        "java-formula @ github.com:acme/java-formula.git\n"
        "git@github.com:acme/python-formula.git==v1.0.1\n"
    )
    result = parse_text("requirements.txt", content)
    assert result.dependencies == (
        rec(
            "somepackage",
            "SomePackage-1.0-py2.py3-none-any.whl",
            "1.0",
            line=1,
            source="path",
        ),
        rec("other", "./pkgs/Other-2.0.tar.gz", "2.0", line=2, source="path"),
        rec(
            "acme-lib",
            "git+https://github.com/acme/lib.git#egg=acme-lib",  # extras are not the URL
            line=3,
            source="vcs",
        ),
        # line 4: "-e" takes a directory (our own code) or a VCS URL, never a package name
    )
    assert [(p.line, p.message) for p in result.problems] == [
        (
            5,
            "invalid requirement 'java-formula @ github.com:acme/java-formula.git': "
            "'github.com:acme/java-formula.git' is neither a URL nor a path",
        ),
        (
            6,
            "invalid requirement 'git@github.com:acme/python-formula.git==v1.0.1': "
            "'github.com:acme/python-formula.git==v1.0.1' is neither a URL nor a path",
        ),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("requirements.in", True),
        ("dev.in", True),
        ("requirements/anything.in", True),
        ("test-requirements.txt", True),
        ("MANIFEST.in", False),
        ("Makefile.in", False),
        ("config.h.in", False),
        ("notes.txt", False),
    ],
)
def test_which_files_are_requirements_files(path: str, expected: bool) -> None:
    assert RequirementsParser().matches(PurePosixPath(path)) is expected


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZ09._-=<>!~ ;[]@/*", max_size=14))
def test_simple_requirements_read_as_packaging_reads_them(text: str) -> None:
    """``name``, ``name==1.2`` and ``name>=1`` are read without packaging's parser, to the
    same record."""
    where = Where("repo", "requirements.txt", 3, Scope.TEST, direct=False)
    try:
        expected = requirement_dependency(Requirement(text), text, where)
    except InvalidRequirement:
        expected = None
    found = simple_dependency(text, where)
    if found is not None:
        assert (found, found.extras) == (expected, expected.extras if expected else None)


@pytest.mark.parametrize(
    "text",
    ["Django==4.2.1", "zope.interface>=6.0", "a==01.002", "a..b<1", "A_b", "x!=2", "y<=3", "z>4"],
)
def test_simple_requirement_forms(text: str) -> None:
    where = Where("repo", "pyproject.toml", None, Scope.RUNTIME)
    assert simple_dependency(text, where) == requirement_dependency(Requirement(text), text, where)


@pytest.mark.parametrize(
    "text",
    ["a==1.*", "a==1.0rc1", "a ==1", "a==1 ", "a[x]==1", "a==1;python_version>'3'", "a~=1.0",
     "a===1", "a>=1,<2", "a @ https://x/a.whl", "a_"],
)  # fmt: skip
def test_other_requirements_are_left_to_packaging(text: str) -> None:
    assert simple_dependency(text, Where("repo", "requirements.txt", 1, Scope.RUNTIME)) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["pkg", "A", "0", ".", "-", "_", "==", ">=", "<", "1", ".2", ".whl",
                         ".tar.gz", ".zip", "/", "@", " ", "[x]", ";", "~="]),
        min_size=1, max_size=6,
    ).map("".join)
)  # fmt: skip
def test_pip_reads_simple_requirements_as_before(text: str) -> None:
    """pip's own rules (archive names, paths) still come first."""
    where = Where("repo", "requirements.txt", 2, Scope.DEV)

    def read() -> object:
        try:
            found = pip_requirement(text, where)
        except ManifestError as exc:
            return exc.message
        return found and (found, found.extras)

    fast = read()
    with patch("analyzer.manifests.pep508.simple_dependency", return_value=None):
        assert read() == fast
