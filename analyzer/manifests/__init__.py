"""Manifest formats: one parser module per family, all behind ``ManifestParser``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

from analyzer.manifests.cargo import CargoParser
from analyzer.manifests.cargo_lock import CargoLockParser
from analyzer.manifests.composer import ComposerJsonParser
from analyzer.manifests.composer_lock import ComposerLockParser
from analyzer.manifests.conda import CondaParser
from analyzer.manifests.gemfile import GemfileParser, GemspecParser
from analyzer.manifests.gemfile_lock import GemfileLockParser
from analyzer.manifests.go_mod import GoModParser
from analyzer.manifests.gradle_build import GradleBuildParser
from analyzer.manifests.gradle_catalog import GradleCatalogParser
from analyzer.manifests.gradle_lock import GradleLockParser
from analyzer.manifests.interface import ManifestParser, parse_safely
from analyzer.manifests.maven import MavenParser
from analyzer.manifests.npm_lock import NpmLockParser
from analyzer.manifests.package_json import PackageJsonParser
from analyzer.manifests.pdm_lock import PdmLockParser
from analyzer.manifests.pipfile import PipfileParser
from analyzer.manifests.pipfile_lock import PipfileLockParser
from analyzer.manifests.pnpm_lock import PnpmLockParser
from analyzer.manifests.poetry_lock import PoetryLockParser
from analyzer.manifests.pylock import PylockParser
from analyzer.manifests.pyproject import PyprojectParser
from analyzer.manifests.requirements import RequirementsParser
from analyzer.manifests.sbom import SbomParser
from analyzer.manifests.sbt import SbtParser
from analyzer.manifests.setup_cfg import SetupCfgParser
from analyzer.manifests.setup_py import SetupPyParser
from analyzer.manifests.uv_lock import UvLockParser
from analyzer.manifests.yarn_lock import YarnLockParser
from analyzer.model import ManifestFile, ParsedManifest

PARSERS: tuple[ManifestParser, ...] = (
    RequirementsParser(),
    PyprojectParser(),
    SetupCfgParser(),
    SetupPyParser(),
    PackageJsonParser(),
    PoetryLockParser(),
    UvLockParser(),
    PdmLockParser(),
    PylockParser(),
    PipfileParser(),
    PipfileLockParser(),
    CondaParser(),
    SbomParser(),
    CargoParser(),
    CargoLockParser(),
    GoModParser(),
    MavenParser(),
    GemfileParser(),
    GemspecParser(),
    GemfileLockParser(),
    ComposerJsonParser(),
    ComposerLockParser(),
    YarnLockParser(),
    NpmLockParser(),
    PnpmLockParser(),
    GradleBuildParser(),
    GradleCatalogParser(),
    GradleLockParser(),
    SbtParser(),
)


# A walk asks about every file it passes (source code mostly): the parsers that know a file
# by its name alone answer once per name; only the few that look at its directories are
# asked each time. Either way the first parser in PARSERS' order that matches is the one.
_BY_PATH = tuple((i, parser) for i, parser in enumerate(PARSERS) if parser.parent_matters)
_BY_NAME = tuple((i, parser) for i, parser in enumerate(PARSERS) if not parser.parent_matters)
_NONE = (len(PARSERS), None)


@lru_cache(maxsize=65_536)
def _named(name: str) -> tuple[int, ManifestParser | None]:
    """The first parser (and its place) that knows a file called ``name`` by its name."""
    pure = PurePosixPath(name)
    return next(((i, parser) for i, parser in _BY_NAME if parser.matches(pure)), _NONE)


def parser_for(path: str) -> ManifestParser | None:
    """The parser that reads the file at ``path``, if fundscout knows its format."""
    pure = PurePosixPath(path)
    place, found = _named(pure.name)
    for i, parser in _BY_PATH:
        if i > place:
            break
        if parser.matches(pure):
            return parser
    return found


def is_manifest(path: str) -> bool:
    return parser_for(path) is not None


def parse_manifest(file: ManifestFile) -> ParsedManifest:
    """Parse one file; every failure becomes a problem record instead of an exception."""
    parser = parser_for(file.path)
    if parser is None:
        return ParsedManifest(file)
    return parse_safely(file, parser.name, parser.parse)


__all__ = ["PARSERS", "ManifestParser", "is_manifest", "parse_manifest", "parser_for"]
