"""pip requirements files (``requirements*.txt``, ``*.in``) read the way pip reads them."""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import Where, pep508_dependency, url_source
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION_START = re.compile(r"\s+(?=--?[A-Za-z])")
_VIA = re.compile(r"^\s+#\s+via\b\s*(.*)$")
_VIA_MORE = re.compile(r"^\s+#\s{2,}(\S.*)$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._]*?)-\d[^/]*\.(?:whl|tar\.gz|tar\.bz2|zip|tgz)$")
_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
     "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary",
     "--only-binary", "--use-feature", "--config-settings", "--global-option", "--hash"}
)  # fmt: skip
_FLAG_OPTIONS = frozenset(
    {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z", "--always-unzip"}
)
_MAX_INCLUDE_DEPTH = 20


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, content) after joining continuations and removing comments."""
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        if raw.endswith("\\") and not raw.lstrip().startswith("#"):
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        line = _COMMENT.sub("", "".join(buffer)).strip()
        buffer = []
        if line:
            yield start, line
    if buffer:
        line = _COMMENT.sub("", "".join(buffer)).strip()
        if line:
            yield start, line


def via_annotations(text: str) -> dict[int, list[str]]:
    """pip-compile's ``# via`` notes: requirement line number -> what pulled it in."""
    notes: dict[int, list[str]] = {}
    current: list[str] | None = None
    last_requirement = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if raw and not raw[0].isspace() and not raw.startswith(("#", "-")):
            last_requirement, current = number, None
        elif (match := _VIA.match(raw)) and last_requirement:
            current = notes.setdefault(last_requirement, [])
            if match.group(1):
                current.append(match.group(1).strip())
        elif current is not None and (match := _VIA_MORE.match(raw)):
            current.append(match.group(1).strip())
        elif raw.strip():
            current = None
    return notes


def file_scope(path: str) -> Scope | None:
    """The scope a requirements file's own name (or its directory's) implies."""
    pure = PurePosixPath(path)
    return scope_hint(f"{pure.stem} {pure.parent.name}")


class RequirementsParser(ManifestParser):
    """``-r``/``-c`` includes, continuations, options, hashes, markers, VCS and URL lines."""

    name = "requirements"

    def matches(self, path: PurePosixPath) -> bool:
        lowered = path.name.lower()
        if not lowered.endswith((".txt", ".in")):
            return False
        return "requirements" in lowered or path.parent.name.lower() in ("requirements", "reqs")

    def parse(self, file: ManifestFile) -> ParsedManifest:
        run = _Run(file)
        scope = file_scope(file.path_in_repo) or Scope.RUNTIME
        run.read_file(file.path, scope, stack=(), top=True)
        return run.result()


class _Run:
    """State of one top-level parse: records, problems, constraints and package edges."""

    def __init__(self, file: ManifestFile) -> None:
        self.file = file
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []
        self.constraints: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        self.seen: set[tuple[str, Scope]] = set()

    def result(self) -> ParsedManifest:
        deps = [
            dataclasses.replace(d, version=self.constraints[d.name])
            if d.version is None and d.source == "registry" and d.name in self.constraints
            else d
            for d in self.dependencies
        ]
        return ParsedManifest(
            self.file, tuple(deps), tuple(self.problems), edges=tuple(dict.fromkeys(self.edges))
        )

    def problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message, self.file.repo))

    def read_file(
        self, path: str, scope: Scope, stack: tuple[str, ...], *, top: bool = False
    ) -> None:
        if top:
            text = decode_text(self.file.read())
        else:
            try:
                text = decode_text(self.file.read_related(path))
            except (ManifestError, SourceError) as exc:
                self.problem(stack[-1], None, f"cannot read included file {path}: {exc}")
                return
        if (path, scope) in self.seen:
            return
        self.seen.add((path, scope))
        via = via_annotations(text)
        for number, line in logical_lines(text):
            try:
                self.read_line(path, number, line, scope, (*stack, path), via.get(number))
            except ManifestError as exc:
                self.problem(path, exc.line or number, exc.message)

    def read_line(
        self, path: str, number: int, line: str, scope: Scope, stack: tuple[str, ...],
        via: list[str] | None,
    ) -> None:  # fmt: skip
        if line.startswith("-"):
            self.read_options(path, number, line, scope, stack)
            return
        requirement = _OPTION_START.split(line, maxsplit=1)[0]
        direct = via is None or any(v.startswith(("-r ", "-c ")) for v in via)
        dep = self.requirement(requirement, Where(self.file.repo, path, number, scope, direct))
        if dep is None:
            return
        self.dependencies.append(dep)
        for parent in via or ():
            if not parent.startswith("-"):
                parent_purl = purl(Ecosystem.PYPI, canonicalize_name(parent.split()[0]))
                self.edges.append((parent_purl, dep.purl))

    def requirement(self, text: str, where: Where) -> Dependency | None:
        """A record for a requirement, or None for a local directory (the repository's own)."""
        if "://" in text.split(" @ ", 1)[0] or text.startswith((".", "/", "file:", "~")):
            return self.direct_reference(text, where)
        return pep508_dependency(text, where)

    def direct_reference(self, text: str, where: Where) -> Dependency | None:
        egg = _EGG.search(text)
        archive = _ARCHIVE.search(text.split("#", 1)[0])
        name = egg.group(1) if egg else archive.group(1) if archive else None
        if name is None:
            if "://" in text and not text.startswith("file:"):
                raise ManifestError(f"cannot tell the package name of {text!r} (add #egg=NAME)")
            return None  # a local directory: the organization's own code
        source = "path" if text.startswith((".", "/", "~")) else url_source(text)
        return Dependency(
            Ecosystem.PYPI, canonicalize_name(name), text, None, where.scope, where.direct,
            where.repo, where.file, where.line, source=source,
        )  # fmt: skip

    def read_options(
        self, path: str, number: int, line: str, scope: Scope, stack: tuple[str, ...]
    ) -> None:
        try:
            tokens = shlex.split(line)
        except ValueError as exc:
            raise ManifestError(f"cannot split option line: {exc}", number) from None
        while tokens:
            token = tokens.pop(0)
            option, value = _split_option(token, tokens)
            if option not in _VALUE_OPTIONS | _FLAG_OPTIONS:
                raise ManifestError(f"unknown pip option {option!r}; line ignored", number)
            if option in ("-r", "--requirement", "-c", "--constraint"):
                constraint = option in ("-c", "--constraint")
                self.include(path, number, value, scope, stack, constraint=constraint)
            elif option in ("-e", "--editable"):
                where = Where(self.file.repo, path, number, scope)
                dep = self.requirement(value, where)
                if dep is not None:
                    self.dependencies.append(dep)

    def include(
        self, path: str, number: int, target: str, scope: Scope, stack: tuple[str, ...],
        *, constraint: bool,
    ) -> None:  # fmt: skip
        if "://" in target:
            self.problem(path, number, f"remote requirements file {target} not fetched")
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if joined.startswith("../") or joined == ".." or target.startswith("/"):
            self.problem(path, number, f"include {target} leaves the audited tree; not read")
            return
        if joined in stack:
            chain = " -> ".join((*stack, joined))
            self.problem(path, number, f"include cycle {chain}; not followed again")
            return
        if len(stack) >= _MAX_INCLUDE_DEPTH:
            self.problem(path, number, f"includes nested deeper than {_MAX_INCLUDE_DEPTH}")
            return
        if constraint:
            self.read_constraints(joined, path, number)
        else:
            self.read_file(joined, file_scope(joined) or scope, stack)

    def read_constraints(self, path: str, parent: str, number: int) -> None:
        try:
            text = decode_text(self.file.read_related(path))
        except (ManifestError, SourceError) as exc:
            self.problem(parent, number, f"cannot read constraints file {path}: {exc}")
            return
        for line_number, line in logical_lines(text):
            if line.startswith("-"):
                continue
            where = Where(self.file.repo, path, line_number, Scope.RUNTIME)
            try:
                dep = self.requirement(_OPTION_START.split(line, maxsplit=1)[0], where)
            except ManifestError as exc:
                self.problem(path, line_number, exc.message)
                continue
            if dep is not None and dep.version is not None:
                self.constraints.setdefault(dep.name, dep.version)


def _split_option(token: str, rest: list[str]) -> tuple[str, str]:
    """Split ``--opt=value``, ``--opt value``, ``-rfile`` and ``-r file`` forms."""
    if token.startswith("--"):
        option, sep, value = token.partition("=")
        if not sep and option in _VALUE_OPTIONS:
            value = rest.pop(0) if rest else ""
    else:
        option, value = token[:2], token[2:]
        if option in _VALUE_OPTIONS and not value:
            value = rest.pop(0) if rest else ""
    if option in _VALUE_OPTIONS and not value:
        raise ManifestError(f"option {option} needs a value")
    return option, value
