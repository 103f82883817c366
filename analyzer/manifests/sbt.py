"""sbt builds: ``*.sbt`` files and ``project/Dependencies.scala``-style objects, read statically.

Every module expression ``"group" % "artifact" % "version"`` (``%%`` for Scala libraries,
``%%%`` for Scala.js/Native ones) is a record, wherever it stands: in ``libraryDependencies``,
in a ``Seq(...)``, in a ``val``. ``dependencyOverrides``, ``excludeDependencies`` and
``libraryDependencySchemes`` declare no dependency and are skipped. A ``% Test``/``% "test"``
configuration gives the scope (``Provided`` → build, ``Optional`` → optional);
``addSbtPlugin``/``addCompilerPlugin`` and everything in ``project/*.sbt`` (the build's own
build) are build.

``%%`` appends the Scala binary version to the artifact (``cats-core_2.13``) when the file (or,
for ``project/*.scala``, the ``build.sbt`` beside the ``project`` folder) sets
``scalaVersion``; otherwise the artifact is kept as written and one problem notes it. sbt
plugins and ``%%%`` artifacts carry platform suffixes that cannot be known statically, so they
are kept as written. Versions from ``val x = "1.0"`` of the same file are resolved; others are
kept in ``spec`` as written (``Versions.akka``) with ``version`` None.

sbt_values reads a file's vals and string expressions, sbt_modules its module expressions; the
tokens come from gradle_lexer.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.gradle_catalog import exact_version
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.sbt_modules import SbtBuild
from analyzer.manifests.text import decode_text
from analyzer.model import ManifestFile, ParsedManifest, Scope

_DEPENDENCY_OBJECTS = frozenset(
    {"Dependencies.scala", "Deps.scala", "Libs.scala", "Libraries.scala"}
)


class SbtParser(ManifestParser):
    """``*.sbt`` build definitions and ``project/Dependencies.scala``-style objects."""

    name = "sbt"
    parent_matters = True

    def matches(self, path: PurePosixPath) -> bool:
        if path.suffix == ".sbt":
            return True
        return path.parent.name == "project" and path.name in _DEPENDENCY_OBJECTS

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        build = SbtBuild(file, text)
        path = PurePosixPath(file.path)
        in_project = path.parent.name == "project"
        scala = build.scala_version()
        if scala is None and path.name in _DEPENDENCY_OBJECTS:
            scala = _build_sbt_scala(file, posixpath.dirname(posixpath.dirname(file.path)))
        if scala is not None and exact_version(scala) is None:
            scala = None
        # project/*.sbt is the build's own build (plugins); Dependencies.scala is the project's.
        default = Scope.BUILD if in_project and path.suffix == ".sbt" else Scope.RUNTIME
        build.read(scala, default)
        return ParsedManifest(file, tuple(build.deps), tuple(build.problems))


def _build_sbt_scala(file: ManifestFile, directory: str) -> str | None:
    """The scalaVersion set by the ``build.sbt`` next to the ``project`` folder, if any."""
    path = posixpath.join(directory, "build.sbt")
    try:
        text = decode_text(file.read_related(path))
    except (SourceError, ManifestError):
        return None
    related = ManifestFile(file.repo, path, len(text), file.reader, file.repo_path)
    return SbtBuild(related, text).scala_version()
