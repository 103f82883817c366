"""The interface every manifest format implements, and helpers they share."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import ClassVar

from analyzer.errors import ManifestError, SourceError
from analyzer.model import ManifestFile, ParsedManifest, Problem, Scope


class ManifestParser(ABC):
    """Reads one family of manifest formats; never executes anything it reads."""

    name: ClassVar[str]
    # Whether ``matches`` looks at the directories a file is in, not only at its name: most
    # formats are known by name alone, and an audit asks about every file it walks past.
    parent_matters: ClassVar[bool] = False

    @abstractmethod
    def matches(self, path: PurePosixPath) -> bool:
        """True when this parser reads the file at ``path`` (relative to the audited root)."""

    @abstractmethod
    def parse(self, file: ManifestFile) -> ParsedManifest:
        """Read the file; raise ManifestError when nothing of it can be read."""


_TEST_WORDS = frozenset({"test", "tests", "testing", "pytest", "tox", "nox", "e2e", "qa"})
_DEV_WORDS = frozenset(
    {"dev", "develop", "development", "lint", "linting", "docs", "doc", "style", "typing",
     "mypy", "types", "format", "local", "debug", "ci", "check", "checks", "pre-commit"}
)  # fmt: skip
_BUILD_WORDS = frozenset({"build", "setup", "packaging", "release", "dist"})
_OPTIONAL_WORDS = frozenset({"optional", "extra", "extras"})


def scope_hint(name: str) -> Scope | None:
    """The scope a name such as ``requirements-dev`` or an extra called ``tests`` suggests."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    for vocabulary, scope in (
        (_TEST_WORDS, Scope.TEST),
        (_DEV_WORDS, Scope.DEV),
        (_BUILD_WORDS, Scope.BUILD),
        (_OPTIONAL_WORDS, Scope.OPTIONAL),
    ):
        if words & vocabulary:
            return scope
    return None


def parse_safely(
    file: ManifestFile, label: str, read: Callable[[ManifestFile], ParsedManifest]
) -> ParsedManifest:
    """Run ``read``; every failure becomes one problem record instead of an exception."""
    try:
        return read(file)
    except ManifestError as exc:
        problem = Problem(file.path, exc.line, exc.message, file.repo)
    except SourceError as exc:
        problem = Problem(file.path, None, str(exc).removeprefix(f"{file.path}: "), file.repo)
    except RecursionError:
        problem = Problem(file.path, None, "nested too deeply to read", file.repo)
    except Exception as exc:  # a parser bug must not stop the audit; it is reported instead
        message = f"internal error in the {label} parser ({type(exc).__name__}: {exc})"
        problem = Problem(file.path, None, message, file.repo)
    return ParsedManifest(file, problems=(problem,))
