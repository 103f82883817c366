"""Manifest formats: one parser module per family, all behind ``ManifestParser``."""

from __future__ import annotations

from pathlib import PurePosixPath

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.conda import CondaParser
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.package_json import PackageJsonParser
from analyzer.manifests.pdm_lock import PdmLockParser
from analyzer.manifests.pipfile import PipfileParser
from analyzer.manifests.pipfile_lock import PipfileLockParser
from analyzer.manifests.poetry_lock import PoetryLockParser
from analyzer.manifests.pylock import PylockParser
from analyzer.manifests.pyproject import PyprojectParser
from analyzer.manifests.requirements import RequirementsParser
from analyzer.manifests.setup_cfg import SetupCfgParser
from analyzer.manifests.setup_py import SetupPyParser
from analyzer.manifests.uv_lock import UvLockParser
from analyzer.model import ManifestFile, ParsedManifest, Problem

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
)


def parser_for(path: str) -> ManifestParser | None:
    """The parser that reads the file at ``path``, if fundscout knows its format."""
    pure = PurePosixPath(path)
    for parser in PARSERS:
        if parser.matches(pure):
            return parser
    return None


def is_manifest(path: str) -> bool:
    return parser_for(path) is not None


def parse_manifest(file: ManifestFile) -> ParsedManifest:
    """Parse one file; every failure becomes a problem record instead of an exception."""
    parser = parser_for(file.path)
    if parser is None:
        return ParsedManifest(file)
    try:
        return parser.parse(file)
    except ManifestError as exc:
        problem = Problem(file.path, exc.line, exc.message, file.repo)
    except SourceError as exc:
        problem = Problem(file.path, None, str(exc).removeprefix(f"{file.path}: "), file.repo)
    except RecursionError:
        problem = Problem(file.path, None, "nested too deeply to read", file.repo)
    except Exception as exc:  # a parser bug must not stop the audit; it is reported instead
        message = f"internal error in the {parser.name} parser ({type(exc).__name__}: {exc})"
        problem = Problem(file.path, None, message, file.repo)
    return ParsedManifest(file, problems=(problem,))


__all__ = ["PARSERS", "ManifestParser", "is_manifest", "parse_manifest", "parser_for"]
