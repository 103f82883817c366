"""Gradle build scripts (``build.gradle``, ``build.gradle.kts``), read statically, never run.

A small lexer (shared with the sbt reader) turns Groovy or Kotlin source into tokens; a walk
over them tracks blocks (``dependencies``, ``plugins``, ``ext``, ``constraints``, closures) and
reads each declaration ``<configuration> <notation>`` inside ``dependencies`` blocks:
``"g:a:v"`` strings, ``group:/name:/version:`` maps, ``platform(...)``, ``kotlin("x")``,
``libs.…`` version catalog references (resolved against ``gradle/libs.versions.toml`` in the
script's directory or a parent inside the repository) and variables.

Values are resolved from ``ext``/``extra``/``val``/``def`` definitions of the same file, the
``ext``/``extra`` properties of scripts it applies (``apply from:``, inside the repository)
and of build scripts in parent directories (subprojects inherit them), and
``gradle.properties`` files of the same directories. A version that cannot be resolved is kept
in ``spec`` as written (``${versions.x}``) with ``version`` None; a notation naming its module
only at run time (loops, helper functions, ``buildSrc`` constants) becomes a problem naming
its line, never a guess.

Scopes come from configuration names (see gradle_lock); declarations in JVM test suites
(``testing {}``) and test source sets (``commonTest.dependencies {}``) are test.
``project(...)``, ``projects.…``, ``files(...)`` and Gradle's own APIs are skipped: they are
not external modules. Plugins in ``plugins {}`` are recorded as their marker artifacts, scope
build (see gradle_catalog), when they carry a version: a plugin requested without one is a
core plugin (``java``), a convention plugin of the build itself (``buildSrc``,
``build-logic``) or one whose version another script declares (the root project's
``plugins {}`` with ``apply false``, ``buildscript`` classpath), where it is recorded.

The reader is layered, one module each: gradle_lexer (tokens), gradle_script (the script's
state and its definitions), gradle_walk (the statement walk), gradle_tree (files around the
script), gradle_values (value lookups) and gradle_notation (notations as records).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from analyzer.manifests.gradle_notation import ScriptNotations
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.text import decode_text
from analyzer.model import ManifestFile, ParsedManifest


class GradleBuildParser(ManifestParser):
    """``build.gradle`` and ``build.gradle.kts``: declared modules and plugins, statically."""

    name = "gradle-build"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name in ("build.gradle", "build.gradle.kts")

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        script = ScriptNotations(file, text, kotlin=file.path.endswith(".kts"))
        script.walk()
        script.resolve()
        return ParsedManifest(file, tuple(script.deps), tuple(script.problems))
