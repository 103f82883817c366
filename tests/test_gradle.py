"""Gradle: version catalogs, dependency locks and build scripts (Groovy and Kotlin DSL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.gradle_build import GradleBuildParser
from analyzer.manifests.gradle_catalog import GradleCatalogParser, exact_version, rich_spec
from analyzer.manifests.gradle_lexer import tokenize
from analyzer.manifests.gradle_lock import GradleLockParser, configuration_scope
from analyzer.merge import merge_lockfiles
from analyzer.model import Ecosystem, ManifestFile, ParsedManifest, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "gradle"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OSV = CORPUS / "peers" / "osv-scanner-v1"
Parse = Callable[..., ParsedManifest]
R, B, T, D = Scope.RUNTIME, Scope.BUILD, Scope.TEST, Scope.DEV
Row = tuple[str, str | None, str | None, Scope, int | None]


def parse_fixture(root: Path, path: str) -> ParsedManifest:
    """Parse ``root/path`` with ``root`` as the repository."""
    source = LocalSource(root, lambda _: True)
    return parse_manifest(ManifestFile("repo", path, (root / path).stat().st_size, source.read))


def rows(parsed: ParsedManifest, *, direct: bool = True) -> list[Row]:
    """(group:artifact, spec, version, scope, line) of each record, in order."""
    assert all(d.ecosystem is Ecosystem.MAVEN for d in parsed.dependencies)
    assert all(d.direct is direct and d.source == "registry" for d in parsed.dependencies)
    return [(d.display_name, d.spec, d.version, d.scope, d.line) for d in parsed.dependencies]


def problems(parsed: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parsed.problems]


# --- which files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parser"),
    [
        ("gradle/libs.versions.toml", GradleCatalogParser),
        ("repo/gradle/testing.versions.toml", GradleCatalogParser),
        ("gradle.lockfile", GradleLockParser),
        ("app/buildscript-gradle.lockfile", GradleLockParser),
        ("settings-gradle.lockfile", GradleLockParser),
        ("gradle/dependency-locks/compileClasspath.lockfile", GradleLockParser),
        ("build.gradle", GradleBuildParser),
        ("app/build.gradle.kts", GradleBuildParser),
    ],
)
def test_matches(path: str, parser: type) -> None:
    assert isinstance(parser_for(path), parser)


@pytest.mark.parametrize(
    "path",
    ["libs.versions.toml", "config/libs.versions.toml", "other.lockfile", "settings.gradle",
     "settings.gradle.kts", "gradle/versions.gradle", "dependency-locks/x.lockfile"],
)  # fmt: skip
def test_does_not_match(path: str) -> None:
    assert parser_for(path) is None


# --- version catalogs -------------------------------------------------------------------------


def test_catalog_every_record() -> None:
    parsed = parse_fixture(FIXTURES / "catalog", "gradle/libs.versions.toml")
    assert parsed.lockfile is False
    assert rows(parsed) == [
        ("com.google.guava:guava", "33.0.0-jre", "33.0.0-jre", R, 12),
        ("org.jetbrains.kotlin:kotlin-stdlib", "1.9.22", "1.9.22", R, 13),
        ("org.jetbrains.kotlinx:kotlinx-coroutines-core", "1.7.3", "1.7.3", R, 14),
        # rich versions: Gradle's short notations, and only a strict or required one pins
        ("org.slf4j:slf4j-api", "[1.7, 1.8[!!1.7.36", None, R, 15),
        ("com.fasterxml.jackson.core:jackson-databind", "2.16.1", "2.16.1", R, 16),
        ("com.fasterxml.jackson:jackson-bom", "2.16.1!!", "2.16.1", R, 17),
        ("org.junit.jupiter:junit-jupiter", "5.10.1!!", "5.10.1", R, 18),
        ("io.netty:netty-all", "{require 4.1.100.Final; reject 4.1.99.Final}", None, R, 19),
        ("com.squareup.okhttp3:okhttp", None, None, R, 20),  # versioned by a BOM
        ("ch.qos.logback:logback-classic", "1.4.+", None, R, 21),  # dynamic
        ("org.assertj:assertj-core", "3.25.1", "3.25.1", R, 22),  # a quoted alias
        ("com.acme:thing", None, None, R, 23),  # its version reference is broken
        # [libraries.spring-boot-starter] as a table of its own
        ("org.springframework.boot:spring-boot-starter-web", "3.2.1", "3.2.1", R, 27),
        # plugins are their marker artifacts, scope build
        ("org.jetbrains.kotlin.jvm:org.jetbrains.kotlin.jvm.gradle.plugin", "1.9.22", "1.9.22",
         B, 36),
        ("com.diffplug.spotless:com.diffplug.spotless.gradle.plugin", "6.23.3", "6.23.3", B, 37),
        ("org.springframework.boot:org.springframework.boot.gradle.plugin", "3.2.1", "3.2.1",
         B, 38),
        # line 39: a plugin without a version (a convention plugin, or versioned elsewhere)
    ]  # fmt: skip
    assert problems(parsed) == [
        (23, "library 'broken-ref': unknown version reference 'missing'"),
        (24, "library 'broken-module': invalid coordinates module 'not-a-module'"),
        (25, "library 'no-name' has no module or name"),
        (33, "bundle 'testing': unknown library 'mockito'"),
    ]
    first = parsed.dependencies[0]
    assert first.purl == "pkg:maven/com.google.guava/guava"
    assert (first.repo, first.file) == ("repo", "gradle/libs.versions.toml")


def test_catalog_crlf_bom_and_tabs(parse_text: Parse) -> None:
    text = (
        '[versions]\r\n\tv = "2.0"\r\n\r\n'
        '[libraries]\r\n\tlib = { module = "g:a", version.ref = "v" }\r\n'
    )
    parsed = parse_text("gradle/libs.versions.toml", b"\xef\xbb\xbf" + text.encode())
    assert rows(parsed) == [("g:a", "2.0", "2.0", R, 5)]
    assert parsed.problems == ()


def test_catalog_wrong_shapes(parse_text: Parse) -> None:
    text = (
        'libraries = ["g:a:1"]\nversions = 3\n'
        '[bundles]\nb = "x"\n[plugins]\np = { version = "1" }\nq = 7\n'
    )
    parsed = parse_text("gradle/libs.versions.toml", text)
    assert parsed.dependencies == ()
    assert problems(parsed) == [
        (2, "[versions] must be a table"),
        (1, "[libraries] must be a table"),
        (6, "plugin 'p' has no id"),
        (7, "plugin 'q' has no id"),
        (4, "bundle 'b' must be an array of aliases"),
    ]


def test_catalog_invalid_toml(parse_text: Parse) -> None:
    parsed = parse_text(
        "gradle/libs.versions.toml", '[libraries]\nguava = "com.google.guava:guava:1"\nx = \n'
    )
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == 3
    assert parsed.problems[0].message.startswith("invalid TOML")


@pytest.mark.parametrize(
    ("table", "spec"),
    [
        ({"strictly": "1.0"}, "1.0!!"),
        ({"strictly": "[1,2[", "prefer": "1.5"}, "[1,2[!!1.5"),
        ({"require": "1.0"}, "1.0"),
        ({"prefer": "1.0"}, "{prefer 1.0}"),
        ({"require": "1.0", "reject": ["1.0.1", "1.0.2"]}, "{require 1.0; reject 1.0.1, 1.0.2}"),
        ({"rejectAll": True}, None),
        ({}, None),
    ],
)
def test_rich_spec(table: dict[str, Any], spec: str | None) -> None:
    assert rich_spec(table) == spec


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("1.2.3", "1.2.3"), ("33.0.0-jre", "33.0.0-jre"), ("4.1.100.Final", "4.1.100.Final"),
        ("1.7!!", "1.7"), ("9+181-r4173-1", "9+181-r4173-1"), ("1.0-SNAPSHOT", "1.0-SNAPSHOT"),
        ("1.+", None), ("+", None), ("latest.release", None), ("[1.0,2.0)", None),
        ("[1.7,1.8[!!1.7.25", None), ("$kotlin_version", None), ("${v}", None), ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_exact_version(spec: str | None, version: str | None) -> None:
    assert exact_version(spec) == version


# --- lockfiles --------------------------------------------------------------------------------


def test_lockfile_every_record() -> None:
    parsed = parse_fixture(FIXTURES / "locks", "gradle.lockfile")
    assert parsed.lockfile is True
    assert parsed.edges == ()
    assert all(d.spec is None for d in parsed.dependencies)
    assert rows(parsed, direct=False) == [
        ("ch.qos.logback:logback-classic", None, "1.4.14", R, 4),
        ("com.google.dagger:dagger-compiler", None, "2.50", B, 5),  # kapt
        ("com.google.errorprone:error_prone_annotations", None, "2.23.0", R, 6),
        ("com.squareup.leakcanary:leakcanary-android", None, "2.12", D, 7),  # debug only
        ("io.gitlab.arturbosch.detekt:detekt-cli", None, "1.23.4", D, 8),  # a linter
        ("org.jetbrains.kotlin:kotlin-compiler-embeddable", None, "1.9.22", B, 9),
        ("org.junit.jupiter:junit-jupiter-api", None, "5.10.1", T, 10),
        # on compileClasspath but not on the locked runtimeClasspath: compile-only
        ("org.projectlombok:lombok", None, "1.18.30", B, 11),
        # Spring Boot's developmentOnly, not in productionRuntimeClasspath
        ("org.springframework.boot:spring-boot-devtools", None, "3.2.1", D, 12),
        ("org.springframework:spring-core", None, "6.1.2", R, 13),  # repeated on line 14
        ("org.slf4j:slf4j-api", None, "2.0.9", R, 15),  # blanks around "=" and ","
        ("org.slf4j:slf4j-api", None, "1.7.36", T, 16),  # another version, tests only
    ]
    assert problems(parsed) == [
        (17, "invalid lockfile line 'not-a-coordinate=compileClasspath': "
             "expected group:artifact:version"),
        (18, "invalid configuration name 'compile Classpath' in "
             "'com.acme:broken:1.0=compile Classpath'"),
    ]  # fmt: skip


def test_buildscript_lockfile_is_build() -> None:
    parsed = parse_fixture(FIXTURES / "locks", "buildscript-gradle.lockfile")
    assert rows(parsed, direct=False) == [
        ("com.diffplug.spotless:com.diffplug.spotless.gradle.plugin", None, "6.23.3", B, 2),
        ("com.diffplug.spotless:spotless-plugin-gradle", None, "6.23.3", B, 3),
    ]
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compileClasspath", [("com.google.guava:guava", None, "28.2-jre", R, 4),
                              ("com.google.guava:failureaccess", None, "1.0.1", R, 5)]),
        ("testRuntimeClasspath", [("junit:junit", None, "4.13.2", T, 1)]),
        ("buildscript-classpath", [("org.jetbrains.kotlin:kotlin-gradle-plugin", None,
                                    "1.3.72", B, 1)]),
    ],
)  # fmt: skip
def test_old_per_configuration_lockfiles(name: str, expected: list[Row]) -> None:
    parsed = parse_fixture(FIXTURES / "locks", f"gradle/dependency-locks/{name}.lockfile")
    assert parsed.lockfile is True
    assert rows(parsed, direct=False) == expected


def test_lockfile_crlf_lone_cr_and_bom(parse_text: Parse) -> None:
    content = b"\xef\xbb\xbf# comment\r\ng:a:1.0=runtimeClasspath\rg:b:2.0=testCompileClasspath\r\n"
    parsed = parse_text("gradle.lockfile", content)
    assert rows(parsed, direct=False) == [("g:a", None, "1.0", R, 2), ("g:b", None, "2.0", T, 3)]


def test_compile_classpath_counts_as_runtime_when_runtime_is_not_locked(parse_text: Parse) -> None:
    parsed = parse_text("gradle.lockfile", "g:a:1=compileClasspath\nempty=\n")
    assert rows(parsed, direct=False) == [("g:a", None, "1", R, 1)]


@pytest.mark.parametrize(
    ("configuration", "scope"),
    [
        ("implementation", R), ("api", R), ("runtimeOnly", R), ("compile", R),
        ("compileClasspath", R), ("releaseRuntimeClasspath", R), ("shadow", R),
        ("testImplementation", T), ("testRuntimeOnly", T), ("androidTestImplementation", T),
        ("integrationTestImplementation", T), ("testFixturesApi", T), ("kaptTest", T),
        ("testAnnotationProcessor", T), ("jmh", T),
        ("debugImplementation", D), ("developmentOnly", D), ("lintChecks", D),
        ("detektPlugins", D), ("checkstyle", D), ("jacocoAgent", D),
        ("compileOnly", B), ("compileOnlyApi", B), ("annotationProcessor", B), ("kapt", B),
        ("ksp", B), ("classpath", B), ("providedCompile", B), ("errorprone", B),
        ("kotlinCompilerPluginClasspath", B),
    ],
)  # fmt: skip
def test_configuration_scope(configuration: str, scope: Scope) -> None:
    assert configuration_scope(configuration) is scope


# --- build scripts ----------------------------------------------------------------------------


def test_kotlin_dsl_every_record() -> None:
    parsed = parse_fixture(FIXTURES / "kotlin-app", "app/build.gradle.kts")
    assert parsed.lockfile is False
    assert rows(parsed) == [
        # plugins: `java-library` is a core plugin; alias() comes from ../gradle/libs.versions.toml
        ("org.jetbrains.kotlin.jvm:org.jetbrains.kotlin.jvm.gradle.plugin", "1.9.22", "1.9.22",
         B, 5),
        ("org.jetbrains.kotlin.plugin.serialization:"
         "org.jetbrains.kotlin.plugin.serialization.gradle.plugin", "1.9.22", "1.9.22", B, 6),
        ("org.springframework.boot:org.springframework.boot.gradle.plugin", "3.2.1", "3.2.1",
         B, 7),
        ("com.google.protobuf:com.google.protobuf.gradle.plugin", "0.9.4", "0.9.4", B, 8),
        ("com.squareup.okhttp3:okhttp-bom", "4.12.0", "4.12.0", R, 17),  # platform(libs.…)
        ("com.squareup.okhttp3:okhttp", None, None, R, 18),
        ("org.jetbrains.kotlinx:kotlinx-serialization-json", "1.6.2", "1.6.2", R, 19),
        ("org.slf4j:slf4j-api", "2.0.9", "2.0.9", R, 20),  # val
        # `by project`: app/gradle.properties overrides the root's
        ("com.fasterxml.jackson.core:jackson-databind", "2.16.1", "2.16.1", R, 21),
        ("io.grpc:grpc-stub", "1.60.0", "1.60.0", R, 22),  # the root gradle.properties
        ("org.jetbrains.exposed:exposed-core", "0.45.0", "0.45.0", R, 23),  # by extra(…)
        ("commons-io:commons-io", "2.15.1", "2.15.1", R, 24),  # named arguments
        ("com.google.guava:guava", "33.0.0-jre", "33.0.0-jre", R, 25),  # positional
        ("io.micrometer:micrometer-core", None, None, R, 26),
        ("org.projectlombok:lombok", "1.18.30", "1.18.30", B, 27),  # compileOnly
        ("org.projectlombok:lombok", "1.18.30", "1.18.30", B, 28),  # annotationProcessor
        ("org.postgresql:postgresql", "42.+", None, R, 29),
        ("com.google.dagger:dagger-compiler", "2.50", "2.50", B, 30),  # "kapt"(…)
        ("io.reactivex.rxjava3:rxjava", "3.1.8", "3.1.8", R, 31),  # add("implementation", …)
        ("org.junit.jupiter:junit-jupiter", "5.10.1", "5.10.1", T, 33),  # a bundle
        ("io.mockk:mockk", "1.13.9", "1.13.9", T, 33),
        ("org.jetbrains.kotlin:kotlin-test", None, None, T, 34),  # kotlin("test")
        ("org.mockito:mockito-core", "5.8.0", "5.8.0", T, 35),  # rootProject.extra["…"]
        ("org.junit.platform:junit-platform-launcher", None, None, T, 36),
        # lines 38-40: project(), projects.…, files(): the organization's own code
        ("com.example:widget", "${Versions.widget}", None, R, 44),  # kept as written
        # lines 46-50: constraints declare no dependency
        ("org.testcontainers:postgresql", "1.19.3", "1.19.3", T, 57),  # a JVM test suite
    ]  # fmt: skip
    assert problems(parsed) == [
        (41, "implementation: cannot read Deps.retrofit: not defined in this file"),
        (42, "implementation: cannot read libs.not.declared: not in the version catalog"),
        (43, 'implementation: cannot read "org.jetbrains.kotlin:kotlin-$it": its group or '
             "artifact is only known when the build runs"),
    ]  # fmt: skip


def test_groovy_dsl_every_record() -> None:
    parsed = parse_fixture(FIXTURES / "groovy-android", "app/build.gradle")
    assert rows(parsed) == [
        # lines 2-4: plugins without a version (the root's buildscript classpath holds the
        # Android plugin), kotlin-android has no dot, org.gradle.x is a core plugin
        ("org.jetbrains.kotlin:kotlin-stdlib", "1.9.22", "1.9.22", R, 24),  # root project ext
        ("com.squareup.retrofit2:retrofit", "2.9.0", "2.9.0", R, 25),  # ${versions.retrofit}
        ("com.squareup.okio:okio", "3.6.0", "3.6.0", R, 26),  # $versions.okio
        ("androidx.lifecycle:lifecycle-runtime-ktx", "2.7.0", "2.7.0", R, 27),  # def
        ("androidx.core:core-ktx", "1.12.0", "1.12.0", R, 28),  # second argument, next line
        ("com.google.code.gson:gson", "2.10.1", "2.10.1", R, 29),  # map notation
        ("log4j:log4j", "${versions.log4j}", None, R, 30),  # concatenation, undefined part
        ("com.airbnb.android:lottie", "6.3.0", "6.3.0", R, 31),  # @aar
        ("com.google.code.findbugs:jsr305", "3.0.2", "3.0.2", R, 33),  # old `compile`
        ("com.google.dagger:dagger-compiler", "2.50", "2.50", B, 34),
        ("com.squareup.leakcanary:leakcanary-android", "2.12", "2.12", D, 35),
        ("com.acme:analytics", "1.4.0", "1.4.0", R, 37),  # inside if (…) { }
        ("junit:junit", "4.13.2", "4.13.2", T, 39),  # ext.libraries.junit
        ("org.hamcrest:hamcrest", "2.2", "2.2", T, 40),  # a map held in ext
        ("androidx.test.espresso:espresso-core", "3.5.1", "3.5.1", T, 41),
        ("com.slack.lint:slack-lint-checks", "0.7.0", "0.7.0", D, 42),
        ("com.acme:private-sdk", "$sdkVersion", None, R, 43),
        # ext properties of gradle/versions.gradle, which the root project applies
        ("com.jakewharton.timber:timber", "5.0.1", "5.0.1", R, 45),  # deps += [timber: …]
        ("com.squareup.okhttp3:okhttp-bom", "4.12.0", "4.12.0", R, 46),  # a nested map
        ("io.coil-kt:coil", "2.5.0", "2.5.0", R, 47),  # deps['coil'] = …
    ]
    assert problems(parsed) == [
        (44, "implementation: cannot read deps.unknown: not defined in this file"),
    ]


def test_groovy_root_buildscript() -> None:
    parsed = parse_fixture(FIXTURES / "groovy-android", "build.gradle")
    assert rows(parsed) == [
        ("com.android.tools.build:gradle", "8.2.0", "8.2.0", B, 16),  # buildscript classpath
        ("org.jetbrains.kotlin:kotlin-gradle-plugin", "1.9.22", "1.9.22", B, 17),
        ("com.github.ben-manes.versions:com.github.ben-manes.versions.gradle.plugin", "0.50.0",
         "0.50.0", B, 22),
    ]  # fmt: skip
    assert parsed.problems == ()


def test_catalog_references_without_a_catalog(parse_text: Parse) -> None:
    text = (
        "plugins {\n  alias(libs.plugins.kotlin)\n}\n"
        "dependencies {\n  implementation(libs.guava)\n}\n"
    )
    parsed = parse_text("build.gradle.kts", text)
    assert parsed.dependencies == ()
    assert problems(parsed) == [
        (5, "implementation: cannot read libs.guava: no version catalog "
            "gradle/libs.versions.toml found"),
        (2, "plugins: cannot read alias(libs.plugins.kotlin): no version catalog "
            "gradle/libs.versions.toml found"),
    ]  # fmt: skip


def test_build_script_quirks(parse_text: Parse) -> None:
    text = (
        "\ufeffdependencies { implementation 'g:one:1.0' }\r\n"  # BOM, one line, CRLF
        "dependencies {\r\n"
        "\timplementation(\r\n"
        '\t\t"g:two:2.0"  // a comment with "quotes" and { braces\r\n'
        "\t)\r\n"
        '\truntimeOnly "g:three:3.0:linux-x86_64"\r\n'  # classifier
        "\timplementation \"g:four:${'$'}{x}\"\r\n"  # an escaped dollar
        "\t/* implementation 'g:hidden:1' */\r\n"
        '\timplementation("""g:five:5.0""")\r\n'
        "}\r\n"
        'val notADependency = "g:six:6.0"\r\n'
    )
    parsed = parse_text("build.gradle.kts", text)
    assert rows(parsed) == [
        ("g:one", "1.0", "1.0", R, 1),
        ("g:two", "2.0", "2.0", R, 4),
        ("g:three", "3.0", "3.0", R, 6),
        ("g:four", "${x}", None, R, 7),  # Kotlin's ${'$'} is a literal dollar
        ("g:five", "5.0", "5.0", R, 9),
    ]
    assert parsed.problems == ()


def test_computed_dependencies_are_problems(parse_text: Parse) -> None:
    text = """dependencies {
    implementation(someHelper("x"))
    implementation "g:" + name() + ":1"
    implementation("a:b:1".replace("1", "2"))
    implementation(group = "g")
    implementation "just-a-name"
    for (lib in libraries) { implementation(lib) }
}
"""
    parsed = parse_text("build.gradle.kts", text)
    assert parsed.dependencies == ()
    assert problems(parsed) == [
        (2, 'implementation: cannot read someHelper("x"): computed when the build runs'),
        (3, 'implementation: cannot read "g:" + name() + ":1": not a literal'),
        (4, 'implementation: cannot read "a:b:1".replace("1", "2"): not a literal'),
        (5, 'implementation: cannot read group = "g": a module needs a group and a name'),
        (6, 'implementation: cannot read "just-a-name": not a group:artifact:version notation'),
        (7, "implementation: cannot read lib: not defined in this file"),
    ]


def test_npm_dependencies_of_kotlin_js(parse_text: Parse) -> None:
    text = (
        'dependencies {\n  implementation(npm("react", "18.2.0"))\n'
        '  implementation(devNpm("@types/node", "^20.0.0"))\n}\n'
    )
    parsed = parse_text("build.gradle.kts", text)
    assert [(d.ecosystem, d.display_name, d.spec, d.version, d.scope, d.line)
            for d in parsed.dependencies] == [
        (Ecosystem.NPM, "react", "18.2.0", "18.2.0", R, 2),
        (Ecosystem.NPM, "@types/node", "^20.0.0", None, D, 3),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02binary", b"dependencies { implementation 'g:a:\xff' }"],
)
@pytest.mark.parametrize(
    "name", ["build.gradle", "build.gradle.kts", "gradle.lockfile", "gradle/libs.versions.toml"]
)
def test_unreadable_files(parse_text: Parse, name: str, content: bytes) -> None:
    parsed = parse_text(name, content)
    assert parsed.dependencies == ()
    assert len(parsed.problems) == 1
    assert parsed.problems[0].file == name
    expected = None if content.startswith(b"\x00") else 1
    assert parsed.problems[0].line == expected


def test_template_nesting_is_bounded(parse_text: Parse) -> None:
    parsed = parse_text("build.gradle.kts", '"' + '${"' * 50)
    assert problems(parsed) == [(1, "string templates nested too deeply")]


def test_lexer_keeps_template_strings_whole() -> None:
    tokens = tokenize('implementation("g:a:${property("v")}") // "x"\n')
    assert [(t.kind, t.text) for t in tokens] == [
        ("id", "implementation"), ("op", "("), ("str", 'g:a:${property("v")}'), ("op", ")"),
        ("nl", "\n"),
    ]  # fmt: skip


def test_merge_with_the_lockfile_beside_the_build_script() -> None:
    root = FIXTURES / "kotlin-app"
    build = parse_fixture(root, "app/build.gradle.kts")
    lock = parse_fixture(root, "app/gradle.lockfile")
    merged_build, merged_lock = merge_lockfiles([build, lock])
    versions = {d.display_name: d.version for d in merged_build.dependencies}
    assert versions["com.squareup.okhttp3:okhttp"] == "4.12.0"  # the lockfile fills it in
    assert versions["io.micrometer:micrometer-core"] == "1.12.1"
    # only what the build script does not declare stays from the lockfile
    assert [(d.display_name, d.version, d.scope, d.direct) for d in merged_lock.dependencies] == [
        ("com.squareup.okio:okio-jvm", "3.6.0", R, False),
    ]


# --- arbitrary input --------------------------------------------------------------------------

PIECES = (
    "dependencies", "plugins", "ext", "extra", "buildscript", "constraints", "testing", "{",
    "}", "(", ")", "[", "]", ",", ":", "=", "+", ".", "val", "def", "by", "implementation",
    "testImplementation", "id", "version", "kotlin", "alias", "platform", "project", "libs",
    "set", "add", "as", "if", '"g:a:1"', "'g:a:$v'", '"${a.b}"', '"$x"', "'''", '"""', "//",
    "/*", "*/", "\\", "`x-y`", "\n", "\r\n", " ", "\t", "$", "${", "group", "name", "[:]",
)  # fmt: skip


def check(parser: Any, path: str, data: bytes) -> None:
    def read(wanted: str) -> bytes:
        if wanted == path:
            return data
        raise SourceError(f"{wanted}: no such file")

    try:
        parsed = parser.parse(ManifestFile("repo", path, len(data), read))
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert all(d.line is None or d.line >= 1 for d in parsed.dependencies)
    assert all(p.line is None or p.line >= 1 for p in parsed.problems)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join))
def test_build_scripts_never_crash(text: str) -> None:
    for path in ("build.gradle", "build.gradle.kts"):
        check(GradleBuildParser(), path, text.encode("utf-8", "surrogatepass"))


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_sections = st.sampled_from(["versions", "libraries", "bundles", "plugins"]) | st.text(max_size=8)


@FUZZ
@given(document=st.dictionaries(_sections, _values, max_size=5))
def test_catalogs_of_the_wrong_shape_never_crash(document: dict[str, Any]) -> None:
    text = "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in document.items())
    check(GradleCatalogParser(), "gradle/libs.versions.toml", text.encode())


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return '""'


LOCK_PIECES = ("g", "a", "1.0", ":", "=", ",", "empty", "#", " ", "compileClasspath")


@FUZZ
@given(
    lines=st.lists(
        st.lists(st.sampled_from(LOCK_PIECES) | st.text(max_size=4), max_size=8).map("".join),
        max_size=10,
    )
)  # fmt: skip
def test_lockfiles_never_crash(lines: list[str]) -> None:
    check(GradleLockParser(), "gradle.lockfile", "\n".join(lines).encode("utf-8", "surrogatepass"))


# --- the osv-scanner corpus -------------------------------------------------------------------


def osv_cases() -> list[dict[str, Any]]:
    if not (OSV / "expected_packages.json").is_file():
        return []
    data = json.loads((OSV / "expected_packages.json").read_text(encoding="utf-8"))
    cases = [case for case in data["cases"] if case["parser"] == "ParseGradleLock"]
    return [case for case in cases if (OSV / case["fixture"]).is_file()]  # not the missing one


@pytest.mark.parametrize("case", osv_cases(), ids=lambda case: case["test"])
def test_osv_scanner_gradle_lockfiles(case: dict[str, Any]) -> None:
    """Same packages and versions as osv-scanner's gradle.lockfile parser.

    osv-scanner skips malformed lines silently; they are problems here, so only the records
    are compared. Its missing-file case has no fixture and is left out.
    """
    data = (OSV / case["fixture"]).read_bytes()
    file = ManifestFile("corpus", "gradle.lockfile", len(data), lambda _: data)
    parsed = GradleLockParser().parse(file)
    found = sorted((d.display_name, d.version) for d in parsed.dependencies)
    expected = sorted((p["name"], p["version"]) for p in case["expected_packages"])
    assert found == expected
    assert not any("internal error" in p.message for p in parsed.problems)


def test_osv_scanner_corpus_is_covered() -> None:
    if not osv_cases():
        pytest.skip(f"corpus not available at {OSV}")
    assert len(osv_cases()) >= 5


def test_test_source_sets_and_suites_are_test(parse_text: Parse) -> None:
    text = """kotlin {
    sourceSets {
        commonMain.dependencies { implementation("g:main:1") }
        commonTest.dependencies { implementation("g:common-test:1") }
        val jvmTest by getting {
            dependencies { implementation("g:jvm-test:1") }
        }
        getByName("androidInstrumentedTest") {
            dependencies { implementation("g:android-test:1") }
        }
        val jvmMain by getting { dependencies { implementation("g:jvm:1") } }
    }
}
"""
    assert rows(parse_text("build.gradle.kts", text)) == [
        ("g:main", "1", "1", R, 3),
        ("g:common-test", "1", "1", T, 4),
        ("g:jvm-test", "1", "1", T, 6),
        ("g:android-test", "1", "1", T, 9),
        ("g:jvm", "1", "1", R, 11),
    ]


def test_versionless_catalog_plugins_are_not_recorded(parse_text: Parse) -> None:
    catalog = (
        '[plugins]\nconvention = { id = "acme.android.library" }\n'
        'ksp = "com.google.devtools.ksp:2.0.0-1.0.21"\n'
    )
    build = "plugins {\n    alias(libs.plugins.convention)\n    alias(libs.plugins.ksp)\n}\n"
    parsed = parse_text("lib/build.gradle.kts", build, {"gradle/libs.versions.toml": catalog})
    assert rows(parsed) == [
        ("com.google.devtools.ksp:com.google.devtools.ksp.gradle.plugin", "2.0.0-1.0.21",
         "2.0.0-1.0.21", B, 3),
    ]  # fmt: skip
    assert parsed.problems == ()


def test_applied_scripts(parse_text: Parse) -> None:
    build = """apply from: 'gradle/a.gradle'
apply(from = rootProject.file("gradle/b.gradle.kts"))
apply from: '../../../outside.gradle'
apply from: 'https://example.com/remote.gradle'
apply plugin: 'java'
dependencies {
    implementation "g:a:$aVersion"
    implementation "g:b:${rootProject.extra["bVersion"]}"
    implementation "g:c:$outsideVersion"
}
"""
    others = {
        "settings.gradle": "rootProject.name = 'x'\n",
        "gradle/a.gradle": "ext { aVersion = '1.0' }\n",
        "gradle/b.gradle.kts": 'extra["bVersion"] = "2.0"\n',
        "../outside.gradle": "ext.outsideVersion = '3.0'\n",
    }
    parsed = parse_text("build.gradle", build, others)
    assert rows(parsed) == [
        ("g:a", "1.0", "1.0", R, 7),
        ("g:b", "2.0", "2.0", R, 8),
        ("g:c", "$outsideVersion", None, R, 9),  # outside the repository: not read
    ]
    assert parsed.problems == ()


def test_scripts_applying_each_other_do_not_loop(parse_text: Parse) -> None:
    others = {"a.gradle": "apply from: 'b.gradle'\n", "b.gradle": "apply from: 'a.gradle'\n"}
    build = "apply from: 'a.gradle'\ndependencies { implementation \"g:a:$v\" }\n"
    parsed = parse_text("build.gradle", build, others)
    assert rows(parsed) == [("g:a", "$v", None, R, 2)]
