"""conda environment files: conda package specs and the ``- pip:`` requirement sub-list.

The YAML is only composed into nodes by a SafeLoader (nothing is constructed or executed),
which keeps each entry's line number; a document using many aliases is refused, since a few
lines of anchors can otherwise expand into billions of entries.
"""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

import yaml

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.pep508 import Where, archive_name, pep508_dependency
from analyzer.manifests.requirements import file_scope
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope

_MAX_BYTES = 4 * 1024 * 1024
_MAX_ALIASES = 100
_STR = "tag:yaml.org,2002:str"
_DEPENDENCIES_KEY = re.compile(r"^dependencies[ \t]*:", re.MULTILINE)
_CONDA_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_CONDA_REST = re.compile(r"^[\w.*+!<>=,|~ -]*$")
_BRACKET_VERSION = re.compile(r"""\bversion\s*=\s*['"]?([^'",\]]+)""")
_EXACT = re.compile(r"^[0-9A-Za-z_.+!]+$")
_THREE_PARTS = re.compile(r"^\d+(\.\d+){2,}")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_OPTION_START = re.compile(r"\s+(?=--?[A-Za-z])")
_INCLUDE = frozenset({"-r", "--requirement", "-c", "--constraint"})
_EDITABLE = frozenset({"-e", "--editable"})
# pip options that only say where or how to install: nothing to record.
_IGNORED = frozenset(
    {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
     "--no-index", "--pre", "--prefer-binary", "--no-binary", "--only-binary", "--no-deps",
     "--use-feature", "--config-settings", "--global-option", "--upgrade", "-U"}
)  # fmt: skip


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that counts alias uses and refuses documents with too many of them."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > _MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise ManifestError(f"more than {_MAX_ALIASES} YAML aliases; not read", line)
        return super().compose_node(parent, index)


def compose(text: str) -> yaml.Node | None:
    """The YAML document's node tree (None when empty); errors become ManifestError."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # its reader rejects control characters already
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        reason = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise ManifestError(f"invalid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ManifestError("invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _definite(path: PurePosixPath) -> bool:
    """``environment.yml`` and ``*.environment.yml`` are conda files whatever they hold."""
    stem = path.stem.lower()
    return stem == "environment" or stem.endswith(".environment")


class CondaParser(ManifestParser):
    """``environment.yml`` and its variants; ``conda.yml``/``env.yml`` only with dependencies."""

    name = "conda"

    def matches(self, path: PurePosixPath) -> bool:
        if path.suffix.lower() not in (".yml", ".yaml"):
            return False
        stem = path.stem.lower()
        return (
            stem in ("environment", "conda", "env")
            or stem.startswith(("environment-", "environment_", "environment."))
            or stem.endswith((".environment", "-environment", "_environment"))
        )

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data = file.read()
        if len(data) > _MAX_BYTES:
            raise ManifestError(f"larger than {_MAX_BYTES // (1024 * 1024)} MiB; not read")
        text = decode_text(data)
        definite = _definite(PurePosixPath(file.path))
        # Other names (env.yml, environment-dev.yml) are often not conda files at all.
        if not definite and not _DEPENDENCIES_KEY.search(text):
            return ParsedManifest(file)
        root = compose(text)
        if root is None:
            return ParsedManifest(file)
        if not isinstance(root, yaml.MappingNode):
            if definite:
                raise ManifestError("an environment file must be a YAML mapping", _line(root))
            return ParsedManifest(file)
        reader = _Reader(file, file_scope(file.path_in_repo) or Scope.RUNTIME)
        for key, value in root.value:
            is_dependencies = isinstance(key, yaml.ScalarNode) and key.value == "dependencies"
            if is_dependencies and (definite or isinstance(value, yaml.SequenceNode)):
                reader.read_dependencies(value)
        return ParsedManifest(file, tuple(reader.dependencies), tuple(reader.problems))


class _Reader:
    """Turns the ``dependencies`` nodes into records and problems."""

    def __init__(self, file: ManifestFile, scope: Scope) -> None:
        self.file = file
        self.scope = scope
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def where(self, node: yaml.Node) -> Where:
        return Where(self.file.repo, self.file.path, _line(node), self.scope)

    def read_dependencies(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag != _STR:
            return  # "dependencies:" left empty
        if not isinstance(node, yaml.SequenceNode):
            self.problem(_line(node), "dependencies must be a list")
            return
        for item in node.value:
            try:
                if isinstance(item, yaml.MappingNode):
                    self.read_sub_lists(item)
                else:
                    self.add(conda_dependency(_text(item), self.where(item)))
            except ManifestError as exc:
                self.problem(exc.line or _line(item), exc.message)

    def read_sub_lists(self, node: yaml.MappingNode) -> None:
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.value == "pip"):
                self.problem(_line(key), f"unsupported dependencies entry {_text(key)!r}")
            elif not isinstance(value, yaml.SequenceNode):
                self.problem(_line(value), "the pip entry must be a list")
            else:
                for line_node in value.value:
                    try:
                        self.add(pip_dependency(_text(line_node), self.where(line_node)))
                    except ManifestError as exc:
                        self.problem(exc.line or _line(line_node), exc.message)

    def add(self, dep: Dependency | None) -> None:
        if dep is not None:
            self.dependencies.append(dep)


def _text(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        raise ManifestError("expected a package spec (a string)", _line(node))
    return str(node.value)


def conda_dependency(text: str, where: Where) -> Dependency:
    """A conda MatchSpec such as ``conda-forge::numpy=1.26.4=py311h0`` or ``numpy >=1.8``."""
    spec_text = text.strip().rsplit("::", 1)[-1].strip()  # the channel does not name it
    bracket = None
    if spec_text.endswith("]") and "[" in spec_text:
        spec_text, _, options = spec_text[:-1].partition("[")
        bracket = _BRACKET_VERSION.search(options)
    match = _CONDA_NAME.match(spec_text)
    rest = spec_text[match.end() :].strip() if match else ""
    if match is None or not _CONDA_REST.match(rest):
        raise ManifestError(f"invalid conda package spec {text.strip()!r}", where.line)
    if bracket and not rest:
        rest = bracket.group(1).strip()
    spec = " ".join(rest.split()) or None
    return Dependency(
        Ecosystem.CONDA, match.group().lower(), spec, _conda_pin(spec), where.scope,
        where.direct, where.repo, where.file, where.line,
    )  # fmt: skip


def _conda_pin(rest: str | None) -> str | None:
    """The exact version a spec fixes: ``==1.2``, ``=1.2.3``, ``=1.2=build``, ``1.2 build``."""
    if rest is None:
        return None
    if rest.startswith("=="):
        version = rest[2:]
    elif rest.startswith("="):
        version, _, build = rest[1:].partition("=")
        # "=1.26" means any 1.26.x; a full x.y.z or a build string pins one release.
        if not build and not _THREE_PARTS.match(version):
            return None
    elif rest[0].isalnum():
        version = rest.split(" ", 1)[0]  # "numpy 1.8.1" is an exact match in conda
    else:
        return None
    return version if _EXACT.match(version) else None


def pip_dependency(text: str, where: Where) -> Dependency | None:
    """One line of the ``- pip:`` list, read with pip's requirements-file conventions."""
    text = re.sub(r"(^|\s+)#.*$", "", text).strip()
    if not text.startswith("-"):
        return _pip_requirement(_OPTION_START.split(text, maxsplit=1)[0], where)
    option, value = _pip_option(text, where)
    if option in _INCLUDE:
        raise ManifestError(
            f"pip {option} {value} is not followed from an environment file; "
            "requirements files are audited on their own",
            where.line,
        )
    if option in _EDITABLE:
        return _pip_requirement(value, where)
    if option not in _IGNORED:
        raise ManifestError(f"unknown pip option {option!r}; line ignored", where.line)
    return None


def _pip_option(text: str, where: Where) -> tuple[str, str]:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ManifestError(f"cannot split pip option line: {exc}", where.line) from None
    first, rest = tokens[0], tokens[1:]
    if first.startswith("--"):
        option, _, value = first.partition("=")
    else:
        option, value = first[:2], first[2:]  # "-r file.txt" or "-rfile.txt"
    return option, value or (rest[0] if rest else "")


def _pip_requirement(text: str, where: Where) -> Dependency | None:
    if not text or text.startswith((".", "/", "~", "file:")):
        archive = archive_name(text)
        if archive is None:
            return None  # a local directory: the organization's own code
        # A wheel or sdist kept in a folder is usually someone else's package (vendored).
        return Dependency(
            Ecosystem.PYPI, archive[0], text, archive[1], where.scope, where.direct,
            where.repo, where.file, where.line, source="path",
        )  # fmt: skip
    if "://" not in text.split(" @ ", 1)[0]:
        return pep508_dependency(text, where)
    egg = _EGG.search(text)
    if egg is None:
        raise ManifestError(f"cannot tell the package name of {text!r} (add #egg=NAME)", where.line)
    return pep508_dependency(f"{egg.group(1)} @ {text}", where)
