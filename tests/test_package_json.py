"""npm package.json: sections, scoped names, aliases, local and git specs, exact lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.manifests import parse_manifest
from analyzer.manifests.package_json import npm_source
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "package_json"
Parse = Callable[..., ParsedManifest]
R, OPT, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.DEV


def rec(
    name: str,
    spec: str | None,
    version: str | None = None,
    *,
    line: int | None,
    scope: Scope = R,
    namespace: str | None = None,
    source: str = "registry",
) -> Dependency:
    return Dependency(
        Ecosystem.NPM, name, spec, version, scope, True, "repo", "package.json", line,
        namespace=namespace, source=source,
    )  # fmt: skip


def problem(line: int | None, message: str) -> Problem:
    return Problem("package.json", line, message, "repo")


def test_web_console_every_record() -> None:
    root = FIXTURES / "web"
    source = LocalSource(root, lambda _: True)
    size = (root / "package.json").stat().st_size
    result = parse_manifest(ManifestFile("repo", "package.json", size, source.read))
    assert result.problems == ()
    assert result.publishes == ("pkg:npm/%40acme/web-console",)
    assert result.dependencies == (
        # "jest" has a "dependencies" key of its own on line 12: not a section
        rec("react", "^18.2.0", line=15),
        rec("react-dom", "18.2.0", "18.2.0", line=16),
        rec("runtime", "~7.24.1", line=17, namespace="@babel"),
        rec("lodash", "^4.17.21", line=18),  # the alias installs lodash
        # lines 19-21: workspace:, file: and link: are the organization's own packages
        rec("left-pad", "github:stevemao/left-pad#v1.3.0", line=22, source="vcs"),
        rec("date-fns", "date-fns/date-fns#semver:^3.0.0", line=23, source="vcs"),
        rec(
            "internal-sdk",
            "git+ssh://git@github.com/acme/internal-sdk.git#v4.1.0",
            line=24,
            source="vcs",
        ),
        rec(
            "legacy-widget",
            "https://registry.example.com/legacy-widget/-/legacy-widget-0.4.2.tgz",
            line=25,
            source="url",
        ),
        rec("zod", "=3.22.4", "3.22.4", line=26),
        rec("classnames", "*", line=27),
        rec("node", "20.11.30", "20.11.30", line=28, namespace="@types"),
        rec("react", ">=17", line=31),  # peerDependencies are runtime
        rec("fsevents", "2.3.3", "2.3.3", line=34, scope=OPT),
        rec("typescript", "~5.4.2", line=37, scope=D),
        rec("vite", "^5.2.0", line=38, scope=D),
        rec("react", "18.2.74", "18.2.74", line=39, scope=D, namespace="@types"),
        rec("eslint", "latest", line=40, scope=D),
    )
    assert result.dependencies[2].purl == "pkg:npm/%40babel/runtime"


def test_bad_entries_are_problems_with_lines(parse_text: Parse) -> None:
    content = (
        "{\n"
        '  "dependencies": {\n'
        '    "Bad Name": "1.0.0",\n'
        '    "numeric": 1,\n'
        '    "empty": "",\n'
        '    "ok": "^1.0.0"\n'
        "  },\n"
        '  "devDependencies": ["jest"]\n'
        "}\n"
    )
    result = parse_text("package.json", content)
    assert result.dependencies == (rec("empty", None, line=5), rec("ok", "^1.0.0", line=6))
    assert result.problems == (
        problem(3, "invalid npm package name 'Bad Name'"),
        problem(4, "numeric: version range must be a string, not 1"),
        problem(8, "devDependencies must be an object"),
    )


def test_repeated_key_keeps_the_last_value_and_line_as_npm_does(parse_text: Parse) -> None:
    content = '{\n "dependencies": {\n  "a": "1.0.0",\n  "b": "2",\n  "a": "1.1.0"\n }\n}\n'
    result = parse_text("package.json", content)
    assert result.dependencies == (rec("a", "1.1.0", "1.1.0", line=5), rec("b", "2", line=4))


def test_relative_paths_are_local_packages(parse_text: Parse) -> None:
    content = '{"dependencies": {"a": "../a", "b": "./b", "c": "~/c", "d": "/abs/d"}}'
    result = parse_text("package.json", content)
    assert result.dependencies == ()
    assert result.problems == ()


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{\n  "name": "x",\n  "dependencies": {\n    "a": "1",,\n  }\n}\n', 4, "invalid JSON: "),
        ("", 1, "invalid JSON: Expecting value"),
        ('[\n  "react"\n]\n', 1, "package.json must hold a JSON object"),
        ('"just text"', 1, "package.json must hold a JSON object"),
        ("[" * 100_000, None, "invalid JSON: nested too deeply"),
    ],
)
def test_unreadable_documents_are_one_problem(
    parse_text: Parse, content: str, line: int | None, message: str
) -> None:
    result = parse_text("package.json", content)
    assert result.dependencies == ()
    assert len(result.problems) == 1
    assert result.problems[0].line == line
    assert result.problems[0].message.startswith(message)


def test_bom_crlf_and_tabs(parse_text: Parse) -> None:
    content = (
        '\ufeff{\r\n\t"name": "tool",\r\n\t"dependencies": {\r\n\t\t"chalk": "5.3.0"\r\n'
        "\t}\r\n}\r\n"
    )
    result = parse_text("package.json", content.encode("utf-8"))
    assert result.dependencies == (rec("chalk", "5.3.0", "5.3.0", line=4),)
    assert result.publishes == ("pkg:npm/tool",)


def test_binary_and_latin1(parse_text: Parse) -> None:
    assert parse_text("package.json", b"\x00{}").problems == (
        problem(None, "binary file, not a text manifest"),
    )
    assert parse_text("package.json", b'{\n"name": "caf\xe9"\n}').problems == (
        problem(2, "not valid UTF-8 (byte 0xe9)"),
    )


@pytest.mark.parametrize("name", [42, "Not Valid!", "", None])
def test_name_that_is_not_a_package_name_publishes_nothing(parse_text: Parse, name: object) -> None:
    import json

    result = parse_text("package.json", json.dumps({"name": name}))
    assert result.publishes == ()
    assert result.problems == ()


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        ("^1.2.3", "registry"),
        ("1.x || >=2.5.0", "registry"),
        ("latest", "registry"),
        ("", "registry"),
        ("file:../x", "path"),
        ("link:../x", "path"),
        ("workspace:*", "path"),
        ("portal:../x", "path"),
        ("../x", "path"),
        ("./x.tgz", "path"),
        ("~/x", "path"),
        ("/abs/x", "path"),
        ("user/repo", "vcs"),
        ("user/repo#feature/x", "vcs"),
        ("github:user/repo", "vcs"),
        ("gitlab:group/repo", "vcs"),
        ("bitbucket:team/repo", "vcs"),
        ("gist:11081aaa281", "vcs"),
        ("git://github.com/user/repo.git#v1", "vcs"),
        ("git+https://github.com/user/repo.git", "vcs"),
        ("git@github.com:user/repo.git", "vcs"),
        ("https://github.com/user/repo", "vcs"),
        ("https://github.com/user/repo/archive/v1.0.0.tar.gz", "url"),
        ("http://example.com/pkg-1.0.0.tgz", "url"),
    ],
)
def test_npm_source(spec: str, source: str) -> None:
    assert npm_source(spec) == source
