"""The files around a Gradle build script: its directory and the parents up to the
repository's root, the build's root directory (``rootDir``, where the settings script is)
and ``gradle.properties`` files; a file that cannot be read counts as absent.
"""

from __future__ import annotations

import posixpath
import re

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.text import decode_text
from analyzer.model import ManifestFile

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PROPERTY = re.compile(r"([^=:\s]+)\s*[=:\s]\s*(.*)$")


def gradle_root(file: ManifestFile) -> str:
    """``rootDir``: the nearest directory with a settings script, else the repository's."""
    directories = script_directories(file)
    for directory in directories:
        for name in ("settings.gradle", "settings.gradle.kts"):
            if read_text(file, posixpath.join(directory, name)) is not None:
                return directory
    return directories[-1]


def script_directories(file: ManifestFile) -> list[str]:
    """The script's directory and its parents up to the repository's root, nearest first."""
    root = "" if file.repo_path in ("", ".") else file.repo_path.strip("/")
    directory = posixpath.dirname(file.path)
    found: list[str] = []
    while len(found) < 32:
        found.append(directory)
        if directory == root or not directory or (root and not directory.startswith(root + "/")):
            break
        directory = posixpath.dirname(directory)
    return found


def read_text(file: ManifestFile, path: str) -> str | None:
    try:
        return decode_text(file.read_related(path))
    except (SourceError, ManifestError):
        return None


def parse_properties(text: str) -> dict[str, str]:
    """``key=value`` lines of a Java properties file (no continuations or escapes)."""
    values: dict[str, str] = {}
    for raw in _LINE_BREAK.split(text):
        line = raw.strip()
        if line and line[0] not in "#!" and (match := _PROPERTY.match(line)):
            values[match.group(1)] = match.group(2).strip()
    return values
