"""Gradle dependency locks: ``gradle.lockfile``, ``buildscript-gradle.lockfile`` and the
per-configuration ``gradle/dependency-locks/*.lockfile`` files of Gradle before 6.

Each line locks ``group:artifact:version=configuration,configuration``; ``empty=...`` names
the locked configurations that resolved to nothing. The old format has one file per
configuration (named after it) and lines without ``=``. A lock lists every resolved module,
direct or not, and no dependency relations, so records are ``direct=False`` without edges.

Scopes come from the configuration names (see ``configuration_scope``), the best one winning.
Two refinements: a module that is only on a ``compileClasspath`` while the matching
``runtimeClasspath`` is locked too is compile-only (annotations, ``compileOnly``), so build;
and a Spring Boot ``developmentOnly`` module missing from ``productionRuntimeClasspath`` is
dev, although Spring Boot adds it to ``runtimeClasspath`` as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import best_scope
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope

_LOCKFILES = frozenset(
    {"gradle.lockfile", "buildscript-gradle.lockfile", "settings-gradle.lockfile"}
)
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
_VERSION = re.compile(r"^[^\s:=,]+$")
_CONFIGURATION = re.compile(r"^[A-Za-z0-9_][\w.-]*$")
_TEST_WORDS = frozenset({"test", "tests", "testing", "e2e", "jmh", "benchmark", "benchmarks"})
_DEV_WORDS = frozenset(
    {"debug", "dev", "development", "lint", "detekt", "ktlint", "checkstyle", "pmd",
     "spotbugs", "codenarc", "jacoco", "dokka", "spotless"}
)  # fmt: skip
# Annotation processors, compiler plugins and the Kotlin compiler's own classpaths.
_BUILD_WORDS = frozenset({"kapt", "ksp", "processor", "compiler", "commonizer", "errorprone"})
_PROVIDED = frozenset({"provided", "classpath"})  # war's providedCompile, buildscript classpath
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def configuration_scope(name: str) -> Scope:
    """The scope a Gradle configuration name suggests.

    ``testImplementation``/``androidTestRuntimeClasspath`` → test; ``debugImplementation``,
    ``developmentOnly`` and linters' configurations → dev; ``annotationProcessor``, ``kapt``,
    ``ksp``, ``compileOnly``, ``provided*`` and the buildscript ``classpath`` → build (not
    shipped with the artifact); everything else (``implementation``, ``api``,
    ``runtimeOnly``, ``compileClasspath``) → runtime.
    """
    words = {word.lower() for word in _WORD.findall(name)}
    if words & _TEST_WORDS:
        return Scope.TEST
    if words & _DEV_WORDS:
        return Scope.DEV
    compile_only = {"compile", "only"} <= words
    if words & _BUILD_WORDS or compile_only or name in _PROVIDED or "provided" in words:
        return Scope.BUILD
    return Scope.RUNTIME


@dataclass
class _Locked:
    """One locked module: where it first appears and every configuration naming it."""

    line: int
    configurations: set[str] = field(default_factory=set)


class GradleLockParser(ManifestParser):
    """Gradle's dependency-locking files, both the single-file and the per-configuration format."""

    name = "gradle.lockfile"
    parent_matters = True

    def matches(self, path: PurePosixPath) -> bool:
        if path.name in _LOCKFILES:
            return True
        parent = path.parent
        return (
            path.suffix == ".lockfile"
            and parent.name == "dependency-locks"
            and (parent.parent.name == "gradle")
        )

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        path = PurePosixPath(file.path)
        # The old format names the configuration in the file name; buildscript locks are build.
        old_format = path.name not in _LOCKFILES
        default = [path.stem] if old_format else []
        buildscript = path.name.startswith(("buildscript-", "settings-"))
        locked: dict[tuple[str, str, str], _Locked] = {}
        configurations: set[str] = set(default)
        problems: list[Problem] = []
        for number, raw in enumerate(_LINE_BREAK.split(text), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            coordinates, equals, listed = line.partition("=")
            names = [n.strip() for n in listed.split(",") if n.strip()] if equals else default
            bad = [n for n in names if not _CONFIGURATION.match(n)]
            if bad:
                message = f"invalid configuration name {bad[0]!r} in {line!r}"
                problems.append(Problem(file.path, number, message, file.repo))
                continue
            configurations.update(names)
            if coordinates.strip() == "empty" and equals:
                continue
            parts = [p.strip() for p in coordinates.split(":")]
            if len(parts) != 3 or not (
                _PART.match(parts[0]) and _PART.match(parts[1]) and _VERSION.match(parts[2])
            ):
                message = f"invalid lockfile line {line!r}: expected group:artifact:version"
                problems.append(Problem(file.path, number, message, file.repo))
                continue
            key = (parts[0], parts[1], parts[2])
            locked.setdefault(key, _Locked(number)).configurations.update(names)
        deps = [
            Dependency(
                Ecosystem.MAVEN, artifact, None, version,
                Scope.BUILD if buildscript else _scope(entry.configurations, configurations),
                False, file.repo, file.path, entry.line, namespace=group,
            )
            for (group, artifact, version), entry in locked.items()
        ]  # fmt: skip
        return ParsedManifest(file, tuple(deps), tuple(problems), lockfile=True)


def _scope(names: set[str], locked: set[str]) -> Scope:
    """The best scope among a module's configurations (see the module docstring)."""
    if "developmentOnly" in names and "productionRuntimeClasspath" not in names:
        return Scope.DEV  # Spring Boot puts development-only modules on runtimeClasspath too
    scopes = []
    for name in names:
        scope = configuration_scope(name)
        if scope is Scope.RUNTIME and _runtime_partner(name) in locked:
            scope = Scope.BUILD  # on the compile classpath only: not shipped
        scopes.append(scope)
    return best_scope(scopes)


def _runtime_partner(name: str) -> str | None:
    """``compileClasspath`` → ``runtimeClasspath``, ``releaseCompileClasspath`` → ``release…``."""
    if name == "compileClasspath":
        return "runtimeClasspath"
    if name.endswith("CompileClasspath"):
        return name.removesuffix("CompileClasspath") + "RuntimeClasspath"
    return None
