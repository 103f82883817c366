"""``setup.cfg``: setuptools' declarative configuration (requirements in ``[options]``, extras).

configparser reads the values exactly as setuptools does; it keeps no positions, so a second
pass over the raw lines (mirroring configparser's rules for sections, keys, comments and
indented continuations) finds the line of every requirement.
"""

from __future__ import annotations

import configparser
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import Where, parse_requirement, requirement_dependency
from analyzer.manifests.requirements import RequirementsParser
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the same line numbering as TextIndex
_SECTION = re.compile(r"\[(?P<header>.+)\]")  # configparser.SECTCRE
_OPTION = re.compile(r"(?P<option>.*?)\s*[=:]\s*(?P<value>.*)$")  # configparser.OPTCRE
_PROJECT_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_OPTION_KEYS = {
    "install_requires": Scope.RUNTIME,
    "setup_requires": Scope.BUILD,
    "tests_require": Scope.TEST,
}
# pbr projects declare extras in a top-level [extras] section with the same syntax.
_EXTRAS_SECTIONS = ("options.extras_require", "extras")
# [DEFAULT] would leak its keys into every section (and so into the extras); no real
# setup.cfg relies on that, so it is read as an ordinary section.
_NO_DEFAULT_SECTION = "\x00no default section"


def own_package(name: str) -> str | None:
    """The canonical name of the package a project builds, if ``name`` is a valid one."""
    name = name.strip()
    return canonicalize_name(name) if _PROJECT_NAME.match(name) else None


def requirement_lines(value: str, *, split_semicolons: bool) -> list[tuple[int, str, str]]:
    """The requirements of a setuptools list value: (line offset, requirement, first text).

    As setuptools does: a multi-line value has one requirement per line, a one-line value in
    setup.cfg is split at ``;``; ``#`` lines and `` #`` comments are dropped and a trailing
    backslash joins the next line (the first text is what the first physical line holds).
    """
    if split_semicolons and "\n" not in value:
        chunks = [(0, chunk) for chunk in value.split(";")]
    else:
        chunks = list(enumerate(value.splitlines()))
    items: list[tuple[int, str, str]] = []
    pending: tuple[int, str, str] | None = None
    for offset, chunk in chunks:
        text = chunk.strip()
        if not text or text.startswith("#"):
            continue
        text = text.partition(" #")[0].strip()
        if pending is not None:
            offset, text, first = pending[0], pending[1] + text, pending[2]
        else:
            first = text.removesuffix("\\").strip()
        if text.endswith("\\"):
            pending = (offset, text[:-1].strip(), first)
            continue
        pending = None
        items.append((offset, text, first))
    return items  # a dangling backslash at the end drops its line, as in setuptools


@dataclass
class _Option:
    """One ``key = value`` of the raw text, with the line of each of its value lines."""

    key: str
    line: int
    values: list[tuple[int, str]] = field(default_factory=list)
    _cursor: tuple[int, int] = (0, 0)

    def locate(self, text: str) -> int:
        """The line of ``text``, searching after the previous find (items share lines)."""
        index, column = self._cursor
        for position in range(index, len(self.values)):
            number, content = self.values[position]
            found = content.find(text, column if position == index else 0)
            if found != -1:
                self._cursor = (position, found + len(text))
                return number
        return self.line


def scan_options(lines: list[str]) -> dict[str, list[_Option]]:
    """Section name -> its keys in file order, found the way configparser finds them."""
    sections: dict[str, list[_Option]] = {}
    current: list[_Option] | None = None
    option: _Option | None = None
    indent = 0
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue  # neither ends a multi-line value
        level = len(raw) - len(raw.lstrip())
        if option is not None and level > indent:
            option.values.append((number, stripped))
            continue
        indent = level
        option = None
        if header := _SECTION.match(stripped):
            current = sections.setdefault(header.group("header"), [])
        elif current is not None and (match := _OPTION.match(stripped)):
            key = match.group("option").rstrip().lower()
            option = _Option(key, number, [(number, match.group("value"))])
            current.append(option)
    return sections


def load_config(lines: list[str]) -> configparser.ConfigParser:
    """Parse the lines with configparser, turning its errors into a ManifestError."""
    config = configparser.ConfigParser(
        interpolation=None, strict=False, default_section=_NO_DEFAULT_SECTION
    )
    try:
        config.read_file(lines, source="setup.cfg")
    except configparser.MissingSectionHeaderError as exc:
        raise ManifestError(
            "invalid setup.cfg: a key comes before any [section]", exc.lineno
        ) from None
    except configparser.ParsingError as exc:
        number = exc.errors[0][0] if exc.errors else None
        text = lines[number - 1].strip() if number and number <= len(lines) else ""
        message = f"invalid setup.cfg: {text!r} is not a section, key or value line"
        raise ManifestError(message, number) from None
    except configparser.Error as exc:  # pragma: no cover - strict=False leaves no other kind
        raise ManifestError(f"invalid setup.cfg: {exc.message}") from None
    return config


class SetupCfgParser(ManifestParser):
    """``[options]`` install/setup/tests requirements, extras sections and the project name."""

    name = "setup.cfg"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "setup.cfg"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        lines = _LINE_BREAK.split(decode_text(file.read()))
        config = load_config(lines)
        reader = _Reader(file, config, scan_options(lines))
        own_name = reader.own_name()
        for key, scope in _OPTION_KEYS.items():
            reader.read_key("options", key, key, scope, own_name)
        for section in _EXTRAS_SECTIONS:
            for extra in reader.keys(section):
                scope = scope_hint(extra) or Scope.OPTIONAL
                reader.read_key(section, extra, f"extra {extra!r}", scope, own_name)
        publishes = (purl(Ecosystem.PYPI, own_name),) if own_name else ()
        return ParsedManifest(
            file, tuple(reader.dependencies), tuple(reader.problems), publishes=publishes
        )


class _Reader:
    """Turns the values of one parsed setup.cfg into records and problems."""

    def __init__(
        self, file: ManifestFile, config: configparser.ConfigParser, raw: dict[str, list[_Option]]
    ) -> None:
        self.file = file
        self.config = config
        self.raw = raw
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def own_name(self) -> str | None:
        return own_package(self.config.get("metadata", "name", fallback=""))

    def keys(self, section: str) -> list[str]:
        return list(self.config[section]) if self.config.has_section(section) else []

    def option(self, section: str, key: str) -> tuple[str, _Option] | None:
        """The configparser key spelled ``key`` (or with dashes) and its last raw occurrence.

        setuptools accepts ``install-requires`` for ``install_requires``; a key given twice is
        an error to setuptools, so it is reported, and the last one is read as configparser does.
        """
        spelled = [k for k in self.keys(section) if k.replace("-", "_") == key.replace("-", "_")]
        raw = [o for o in self.raw.get(section, []) if o.key in spelled]
        if not spelled or not raw:
            return None
        for earlier in raw[:-1]:
            self.problem(
                raw[-1].line,
                f"{raw[-1].key} is set again in [{section}] (first at line {earlier.line}); "
                "setuptools rejects this, fundscout reads the last one",
            )
        return raw[-1].key, raw[-1]

    def read_key(self, section: str, key: str, label: str, scope: Scope, own: str | None) -> None:
        found = self.option(section, key)
        if found is None:
            return
        spelled, option = found
        value = self.config.get(section, spelled) or ""
        if value.strip().startswith("file:"):
            self.file_reference(label, value.strip()[5:], option.line)
            return
        items = requirement_lines(value, split_semicolons=True)
        one_line = "\n" not in value and len(items) > 1
        for _, text, first in items:
            line = option.locate(first)
            if one_line and _is_marker(text):
                self.problem(
                    line,
                    f"{label}: {text!r} looks like an environment marker that ';' split off "
                    "a one-line list; put each requirement on its own line",
                )
                continue
            self.add(text, line, scope, own)

    def add(self, text: str, line: int, scope: Scope, own: str | None) -> None:
        try:
            requirement = parse_requirement(text)
        except ManifestError as exc:
            self.problem(line, exc.message)
            return
        if own and canonicalize_name(requirement.name) == own:
            return  # "pkg[extra]" in pkg's own extras points at itself
        where = Where(self.file.repo, self.file.path, line, scope)
        self.dependencies.append(requirement_dependency(requirement, text, where))

    def file_reference(self, label: str, targets: str, line: int) -> None:
        base = posixpath.dirname(self.file.path)
        paths = [posixpath.normpath(posixpath.join(base, t.strip())) for t in targets.split(",")]
        paths = [p for p in paths if p != "."]
        audited = RequirementsParser()
        named = ", ".join(paths) or "(no file named)"
        if paths and all(audited.matches(PurePosixPath(p)) for p in paths):
            note = "it is audited from that file, not from setup.cfg"
        else:
            note = "fundscout does not read it, because its name is not a requirements file's"
        self.problem(line, f"{label} is declared in {named} (file: directive); {note}")


def _is_marker(text: str) -> bool:
    try:
        Marker(text)
    except InvalidMarker:
        return False
    return True
