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
from analyzer.manifests.pep508 import Where, direct_reference, is_url, pip_requirement
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's rule: "#" starts a comment only after space
_OPTION_START = re.compile(r"\s+(?=--?[A-Za-z])")
_VIA = re.compile(r"^\s+#\s+via\b\s*(.*)$")
_VIA_MORE = re.compile(r"^\s+#\s{2,}(\S.*)$")
_VIA_INLINE = re.compile(r"\s#\s*via\s+(\S.*)$")  # pip-tools < 6: "six==1.15  # via a, b"
_VIA_FILE = re.compile(r"\((?:pyproject\.toml|setup\.cfg|setup\.py)\)$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
     "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary",
     "--only-binary", "--use-feature", "--config-settings", "--global-option", "--hash"}
)  # fmt: skip
_FLAG_OPTIONS = frozenset(
    {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z", "--always-unzip"}
)
PIP_TOOLS_INPUTS = frozenset(
    {"base", "main", "prod", "production", "runtime", "dev", "develop", "development", "test",
     "tests", "testing", "docs", "doc", "lint", "typing", "ci", "local", "build", "constraints"}
)  # fmt: skip
_MAX_INCLUDE_DEPTH = 20


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, content) after joining continuations and removing comments.

    This is pip's ``join_lines``: a line ending in a backslash continues (all its outer
    backslashes removed) unless it is a comment line, which ends the logical line instead.
    """
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        start = start if buffer else number
        comment = _COMMENT.match(raw) is not None
        if raw.endswith("\\") and not comment:
            buffer.append(raw.strip("\\"))
            continue
        buffer.append(f" {raw}" if comment else raw)  # pip: a comment line ends the line
        line, buffer = _COMMENT.sub("", "".join(buffer)).strip(), []
        if line:
            yield start, line
    line = _COMMENT.sub("", "".join(buffer)).strip()
    if line:  # the file ended inside a continuation
        yield start, line


def via_annotations(text: str) -> dict[int, list[str]]:
    """pip-compile's ``# via`` notes: line number of an entry -> what pulled it in."""
    notes: dict[int, list[str]] = {}
    current: list[str] | None = None
    last_entry = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if raw and not raw[0].isspace() and not raw.startswith("#"):
            last_entry, current = number, None  # option lines too: "-e ..." gets its own notes
        if (block := _VIA.match(raw)) and last_entry:
            current = notes.setdefault(last_entry, [])
            current.extend(v.strip() for v in block.group(1).split(",") if v.strip())
        elif current is not None and (more := _VIA_MORE.match(raw)):
            current.append(more.group(1).strip())
        elif (inline := _VIA_INLINE.search(raw)) and last_entry and raw.strip()[0] != "#":
            notes.setdefault(last_entry, []).extend(v.strip() for v in inline.group(1).split(","))
        elif raw.strip():
            current = None
    return notes


def via_meaning(via: list[str] | None) -> tuple[bool, list[str]]:
    """(direct?, parent package names) from a ``# via`` note.

    ``-r requirements.in`` and ``myproject (pyproject.toml)`` mean the entry is declared by
    the project itself; a package name is a parent; ``-c constraints.txt`` only pinned it.
    """
    if not via:
        return True, []
    direct = False
    parents: list[str] = []
    for entry in via:
        if entry.startswith("-r ") or _VIA_FILE.search(entry):
            direct = True
        elif not entry.startswith("-"):
            parents.append(re.split(r"[\s\[]", entry, maxsplit=1)[0])
    return direct, parents


def file_scope(path: str) -> Scope | None:
    """The scope a requirements file's own name (or its directory's) implies."""
    pure = PurePosixPath(path)
    return scope_hint(f"{pure.stem} {pure.parent.name}")


class RequirementsParser(ManifestParser):
    """``-r``/``-c`` includes, continuations, options, hashes, markers, VCS and URL lines."""

    name = "requirements"
    parent_matters = True

    def matches(self, path: PurePosixPath) -> bool:
        lowered = path.name.lower()
        if not lowered.endswith((".txt", ".in")):
            return False
        if "requirements" in lowered or path.parent.name.lower() in ("requirements", "reqs"):
            return True
        # pip-tools inputs are often named after their purpose (dev.in); other *.in files
        # (MANIFEST.in, Makefile.in, config.h.in) are templates, not requirements.
        return lowered.endswith(".in") and lowered[:-3] in PIP_TOOLS_INPUTS

    def parse(self, file: ManifestFile) -> ParsedManifest:
        run = _Run(file)
        scope = file_scope(file.path_in_repo) or Scope.RUNTIME
        run.read_text(file.path, decode_text(file.read()), scope, stack=())
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

    def read_related(self, path: str, parent: str, number: int, what: str) -> str | None:
        """The text of an included file, or None after recording why it cannot be read."""
        try:
            return decode_text(self.file.read_related(path))
        except ManifestError as exc:
            where = f" (line {exc.line})" if exc.line else ""
            self.problem(parent, number, f"cannot read {what} {path}{where}: {exc.message}")
        except SourceError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            self.problem(parent, number, f"cannot read {what} {path}: {reason}")
        return None

    def read_text(self, path: str, text: str, scope: Scope, stack: tuple[str, ...]) -> None:
        if (path, scope) in self.seen:
            return  # included twice (a diamond): its records are already there
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
        direct, parents = via_meaning(via)
        dep = pip_requirement(requirement, Where(self.file.repo, path, number, scope, direct))
        if dep is None:
            return
        self.dependencies.append(dep)
        for parent in parents:
            self.edges.append((purl(Ecosystem.PYPI, canonicalize_name(parent)), dep.purl))

    def read_options(
        self, path: str, number: int, line: str, scope: Scope, stack: tuple[str, ...]
    ) -> None:
        try:
            tokens = shlex.split(line)
        except ValueError as exc:
            raise ManifestError(f"cannot split option line: {exc}", number) from None
        while tokens:
            token = tokens.pop(0)
            if not token.startswith("-"):
                rest = " ".join([token, *tokens])
                raise ManifestError(f"unexpected {rest!r} after pip options; ignored", number)
            option, value = _split_option(token, tokens)
            if option not in _VALUE_OPTIONS | _FLAG_OPTIONS:
                raise ManifestError(f"unknown pip option {option!r}; rest of line ignored", number)
            if option in ("-r", "--requirement", "-c", "--constraint"):
                constraint = option in ("-c", "--constraint")
                self.include(path, number, value, scope, stack, constraint=constraint)
            elif option in ("-e", "--editable") and is_url(value):
                # pip edits only VCS checkouts and local directories; the latter are our own
                dep = direct_reference(value, Where(self.file.repo, path, number, scope))
                if dep is not None:
                    self.dependencies.append(dep)

    def include(
        self, path: str, number: int, target: str, scope: Scope, stack: tuple[str, ...],
        *, constraint: bool,
    ) -> None:  # fmt: skip
        if _URL.match(target):
            self.problem(path, number, f"remote requirements file {target} not fetched")
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if joined.startswith("../") or joined == ".." or target.startswith(("/", "\\")):
            self.problem(path, number, f"include {target} leaves the audited tree; not read")
            return
        if joined in stack:
            # Only the loop itself: it reads the same whichever file of it the audit began
            # with, so the problem is recorded once.
            chain = " -> ".join((*stack[stack.index(joined) :], joined))
            self.problem(path, number, f"include cycle {chain}; not followed again")
            return
        if len(stack) >= _MAX_INCLUDE_DEPTH:
            self.problem(path, number, f"includes nested deeper than {_MAX_INCLUDE_DEPTH}")
            return
        what = "constraints file" if constraint else "included file"
        text = self.read_related(joined, path, number, what)
        if text is None:
            return
        if constraint:
            self.read_constraints(joined, text)
        else:
            own = file_scope(self._in_repo(joined))
            self.read_text(joined, text, own or scope, stack)

    def _in_repo(self, path: str) -> str:
        repo_path = self.file.repo_path.rstrip("/")
        return path if repo_path in ("", ".") else path.removeprefix(repo_path + "/")

    def read_constraints(self, path: str, text: str) -> None:
        """Remember the versions a ``-c`` file pins; it adds no records of its own."""
        for line_number, line in logical_lines(text):
            if line.startswith("-"):
                continue
            where = Where(self.file.repo, path, line_number, Scope.RUNTIME)
            try:
                dep = pip_requirement(_OPTION_START.split(line, maxsplit=1)[0], where)
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
