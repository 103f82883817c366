"""sbt: module expressions in build.sbt, project/*.sbt and project/Dependencies.scala."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.sbt import SbtParser
from analyzer.model import Ecosystem, ManifestFile, ParsedManifest, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "sbt"
Parse = Callable[..., ParsedManifest]
R, OPT, B, T = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST
Row = tuple[str, str | None, str | None, Scope, int | None]
SUFFIX_NOTE = (
    "scalaVersion is not set in this file: artifacts declared with %% are recorded without "
    "their Scala suffix (_2.13, _3)"
)


def parse_fixture(root: Path, path: str) -> ParsedManifest:
    source = LocalSource(root, lambda _: True)
    return parse_manifest(ManifestFile("repo", path, (root / path).stat().st_size, source.read))


def rows(parsed: ParsedManifest) -> list[Row]:
    """(group:artifact, spec, version, scope, line) of each record, in order."""
    assert all(d.ecosystem is Ecosystem.MAVEN and d.direct for d in parsed.dependencies)
    return [(d.display_name, d.spec, d.version, d.scope, d.line) for d in parsed.dependencies]


def problems(parsed: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parsed.problems]


@pytest.mark.parametrize(
    "path",
    ["build.sbt", "sub/build.sbt", "project/plugins.sbt", "project/Dependencies.scala",
     "project/Deps.scala"],
)  # fmt: skip
def test_matches(path: str) -> None:
    assert isinstance(parser_for(path), SbtParser)


@pytest.mark.parametrize("path", ["Dependencies.scala", "src/main/scala/Main.scala", "build.sc"])
def test_does_not_match(path: str) -> None:
    assert parser_for(path) is None


def test_build_sbt_every_record() -> None:
    parsed = parse_fixture(FIXTURES / "service", "build.sbt")
    assert rows(parsed) == [
        # scalaVersion := scala213 (a val defined further down) gives the _2.13 suffix
        ("com.typesafe.akka:akka-actor-typed_2.13", "2.6.20", "2.6.20", R, 14),
        ("io.circe:circe-core_2.13", "0.14.6", "0.14.6", R, 15),  # a typed val
        ("org.scalatest:scalatest_2.13", "3.2.17", "3.2.17", T, 16),  # % Test
        ("javax.servlet:javax.servlet-api", "4.0.1", "4.0.1", B, 17),  # % "provided"
        ("org.scala-lang:scala-reflect", "2.13.12", "2.13.12", R, 18),  # scalaVersion.value
        ("com.h2database:h2", "2.2.224", "2.2.224", T, 19),  # "it,test"
        ("org.typelevel:cats-effect_2.13", "3.5.2", "3.5.2", R, 20),  # configuration mapping
        # defined in project/Dependencies.scala: kept as written
        ("com.github.pureconfig:pureconfig_2.13", "Versions.pureconfig", None, R, 21),
        ("ch.qos.logback:logback-classic", "1.4.+", None, R, 22),  # % Runtime, dynamic
        # line 24 is a comment
        ("org.slf4j:slf4j-api", "2.0.9", "2.0.9", R, 25),  # s"${slf4jVersion}"
        ("com.acme:legacy", "0.9", "0.9", R, 26),  # from "https://…"
        # compilerPlugin(…) is build; CrossVersion.full appends the full Scala version
        ("org.typelevel:kind-projector_2.13.12", "0.13.2", "0.13.2", B, 27),
        # lines 29-30: dependencyOverrides and excludeDependencies declare no dependency
    ]
    assert [d.source for d in parsed.dependencies].count("url") == 1
    assert parsed.dependencies[10].source == "url"
    assert problems(parsed) == [
        (28, 'cannot read the module "com.acme" %% s"acme-$module" % "1.0": not a literal'),
    ]


def test_plugins_sbt_is_build() -> None:
    parsed = parse_fixture(FIXTURES / "service", "project/plugins.sbt")
    assert rows(parsed) == [
        ("com.github.sbt:sbt-native-packager", "1.9.16", "1.9.16", B, 2),
        ("org.scalameta:sbt-scalafmt", "2.5.2", "2.5.2", B, 3),
        ("com.thesamet.scalapb:compilerplugin", "0.11.14", "0.11.14", B, 4),
    ]
    assert problems(parsed) == [(4, SUFFIX_NOTE)]


def test_dependencies_object_takes_scala_version_from_build_sbt() -> None:
    parsed = parse_fixture(FIXTURES / "service", "project/Dependencies.scala")
    assert rows(parsed) == [
        ("org.http4s:http4s-ember-server_2.13", "0.23.24", "0.23.24", R, 9),  # Versions.http4s
        ("org.scalameta:munit_2.13", "1.0.0-M10", "1.0.0-M10", T, 10),
    ]
    assert parsed.problems == ()


def test_cross_project_without_scala_version() -> None:
    parsed = parse_fixture(FIXTURES / "crossbuild", "build.sbt")
    assert rows(parsed) == [
        ("org.typelevel:cats-core", "2.10.0", "2.10.0", R, 3),
        ("co.fs2:fs2-core", "3.9.3", "3.9.3", R, 4),
        ("org.scalameta:munit", "0.7.29", "0.7.29", T, 5),
        ("org.scalameta:munit-scalacheck", "0.7.29", "0.7.29", T, 6),
    ]
    assert problems(parsed) == [
        (3, "artifacts declared with %%% are recorded without their Scala.js/Native platform "
            "and Scala suffix"),
        (5, SUFFIX_NOTE),  # noted once per file
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("configuration", "scope"),
    [
        ("Test", T), ('"test"', T), ("IntegrationTest", T), ('"it"', T), ("Provided", B),
        ('"provided"', B), ("Optional", OPT), ('"optional"', OPT), ("Compile", R),
        ('"runtime"', R), ('"test->compile"', T), ('"compile;test->test"', R),
        ('"plugin->default(compile)"', B), ("Benchmark", R),
    ],
)  # fmt: skip
def test_configuration_scope(parse_text: Parse, configuration: str, scope: Scope) -> None:
    parsed = parse_text("build.sbt", f'libraryDependencies += "g" % "a" % "1" % {configuration}\n')
    assert rows(parsed) == [("g:a", "1", "1", scope, 1)]


@pytest.mark.parametrize(
    ("scala", "artifact"),
    [("2.13.12", "a_2.13"), ("2.12.18", "a_2.12"), ("3.3.1", "a_3"), ("2.13.0-M5", "a_2.13.0-M5")],
)
def test_scala_binary_versions(parse_text: Parse, scala: str, artifact: str) -> None:
    text = f'scalaVersion in ThisBuild := "{scala}"\nlibraryDependencies += "g" %% "a" % "1"\n'
    assert rows(parse_text("build.sbt", text)) == [(f"g:{artifact}", "1", "1", R, 2)]


def test_quirks(parse_text: Parse) -> None:
    text = (
        "\ufeff// build\r\n"
        'val v = "1.0"\r\n'
        "libraryDependencies ++= Seq(\r\n"
        '\t"g" % "a" % v,\t/* "x" % "y" % "1" */\r\n'
        '\t"g" %\r\n\t\t"b" % "2.0" % Test withSources(),\r\n'
        '\t"g" % "c" % """3.0""" classifier "tests"\r\n'
        ")\r\n"
        "val sym = 'x'\r\n"
        'libraryDependencies += "g" % "d" % (v + ".1")\r\n'
    )
    parsed = parse_text("build.sbt", text)
    assert rows(parsed) == [
        ("g:a", "1.0", "1.0", R, 4),
        ("g:b", "2.0", "2.0", T, 5),
        ("g:c", "3.0", "3.0", R, 7),
        ("g:d", "1.0.1", "1.0.1", R, 10),  # (v + ".1")
    ]
    assert parsed.problems == ()


@pytest.mark.parametrize("content", [b"\x00\x01binary", b'"g" % "a" % "\xff"'])
def test_unreadable_files(parse_text: Parse, content: bytes) -> None:
    parsed = parse_text("build.sbt", content)
    assert parsed.dependencies == ()
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == (None if content.startswith(b"\x00") else 1)


PIECES = (
    '"g"', '"a"', '"1.0"', "%", "%%", "%%%", "Test", '"test"', "val", "lazy", "=", ":=", "+=",
    "++=", "Seq", "(", ")", "{", "}", ",", "\n", " ", "s", '"$v"', '"${v}"', "scalaVersion",
    "ThisBuild", "/", "object", "v", ".", "addSbtPlugin", "dependencyOverrides", "'", '"""',
    "//", "/*", "*/", "cross", "CrossVersion", "full", "from",
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join))
def test_arbitrary_text_never_crashes(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    for path in ("build.sbt", "project/Dependencies.scala"):

        def read(wanted: str, path: str = path) -> bytes:
            if wanted == path:
                return data
            raise SourceError(f"{wanted}: no such file")

        try:
            parsed = SbtParser().parse(ManifestFile("repo", path, len(data), read))
        except ManifestError as exc:
            assert exc.line is None or exc.line >= 1
            continue
        assert all(d.line is not None and d.line >= 1 for d in parsed.dependencies)
        assert all(p.line is None or p.line >= 1 for p in parsed.problems)
