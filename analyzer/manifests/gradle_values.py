"""Value lookups for a Gradle build script: its own variables, the ``ext``/``extra``
properties of the scripts it applies and of the build scripts in parent directories,
``gradle.properties`` files and the ``libs`` version catalog; string expressions and
templates (``"g:a:$v"``, ``'g:a:' + v``) are filled in from them.
"""

from __future__ import annotations

import posixpath
import re
from functools import cached_property

from analyzer.errors import ManifestError
from analyzer.manifests.gradle_catalog import Catalog, load_catalog
from analyzer.manifests.gradle_lexer import (
    MAX_NESTING,
    Token,
    ident,
    op,
    template_end,
    tokenize,
    unwrap,
)
from analyzer.manifests.gradle_script import ref_path
from analyzer.manifests.gradle_tree import (
    gradle_root,
    parse_properties,
    read_text,
    script_directories,
)
from analyzer.manifests.gradle_walk import ScriptWalk
from analyzer.model import ManifestFile

_GROOVY_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_KOTLIN_NAME = re.compile(r"[A-Za-z_]\w*")
_ROOT_DIR = re.compile(
    r"\$\{?(?:(?:project|rootProject)\.)?rootDir\}?|\$\{rootProject\.projectDir\}"
)
_PROJECT_DIR = re.compile(r"\$\{?(?:project\.)?projectDir\}?")


class ScriptValues(ScriptWalk):
    """A walked build script whose variables and properties can be looked up."""

    @cached_property
    def properties(self) -> dict[str, str]:
        """``gradle.properties`` of the script's directory and its parents (nearer wins)."""
        values: dict[str, str] = {}
        for directory in reversed(script_directories(self.file)):
            text = read_text(self.file, posixpath.join(directory, "gradle.properties"))
            values.update(parse_properties(text or ""))
        return values

    @cached_property
    def applied(self) -> list[ScriptValues]:
        """The scripts this one applies (``apply from:``), inside the repository."""
        scripts: list[ScriptValues] = []
        self.applying = True  # their paths are looked up without them
        for tokens in self.applied_paths:
            path = self.script_path(tokens)
            text = read_text(self.file, path) if path else None
            if path and text is not None:
                script = self.related(path, text)
                if script is not None:
                    scripts.append(script)
        self.applying = False
        return scripts

    def script_path(self, tokens: list[Token]) -> str | None:
        """The tree path of an applied script: ``"$rootDir/x.gradle"``, ``file("x.gradle")``,
        ``rootProject.file("x.gradle")`` or a path relative to this script."""
        here = posixpath.dirname(self.file.path)
        root = gradle_root(self.file)
        names = [t.text for t in tokens if t.kind == "id"]
        value: str | None
        if len(tokens) >= 4 and names[-1:] == ["file"] and tokens[-2].kind == "str":
            value = posixpath.join(root if "rootProject" in names else here, tokens[-2].text)
        elif (value := self.string(tokens)) is not None:
            if start := _ROOT_DIR.match(value):
                value = posixpath.join(root, value[start.end() :].lstrip("/"))
            elif start := _PROJECT_DIR.match(value):
                value = posixpath.join(here, value[start.end() :].lstrip("/"))
            else:
                value = posixpath.join(here, value)
        if value is None or "$" in value or "://" in value:
            return None
        value = posixpath.normpath(value)
        repo = "" if self.file.repo_path in ("", ".") else self.file.repo_path.strip("/")
        inside = value.startswith(repo + "/") if repo else not value.startswith("../")
        return value if inside and not value.startswith("/") else None

    def related(self, path: str, text: str) -> ScriptValues | None:
        """Another build script of the tree, walked (not resolved) for its properties."""
        file = self.file
        related = ManifestFile(file.repo, path, len(text), file.reader, file.repo_path)
        try:
            script = type(self)(related, text, kotlin=path.endswith(".kts"))
            script.walk()
        except ManifestError:
            return None  # its own parse reports it
        return script

    @cached_property
    def parents(self) -> list[ScriptValues]:
        """Build scripts of the parent directories: their ``ext`` properties are inherited."""
        scripts = []
        for directory in script_directories(self.file)[1:]:
            for name in ("build.gradle", "build.gradle.kts"):
                path = posixpath.join(directory, name)
                text = read_text(self.file, path)
                script = self.related(path, text) if text is not None else None
                if script is not None:
                    scripts.append(script)
        return scripts

    @cached_property
    def catalog(self) -> Catalog | None:
        """The ``libs`` catalog: ``gradle/libs.versions.toml`` nearest the script."""
        for directory in script_directories(self.file):
            path = posixpath.join(directory, "gradle", "libs.versions.toml")
            text = read_text(self.file, path)
            if text is None:
                continue
            try:
                return load_catalog(text)
            except ManifestError as exc:
                self.problem(None, f"version catalog {path} cannot be read: {exc.message}")
                return None
        return None

    def lookup(self, path: str, depth: int) -> str | None:
        """The string value of a variable, project property or catalog version."""
        if path.startswith("libs.versions."):
            catalog = self.catalog
            return catalog.version(path.removeprefix("libs.versions.")) if catalog else None
        if depth > MAX_NESTING:
            return None
        if path in self.variables:
            if path not in self.resolved:
                self.resolved[path] = None  # a definition in terms of itself stays unresolved
                self.resolved[path] = self.string(self.variables[path], depth + 1)
            return self.resolved[path]
        owner = self.owner(path)
        if owner is not None:
            return owner.lookup(path, depth + 1)
        return self.properties.get(path)

    def owner(self, path: str) -> ScriptValues | None:
        """The applied or parent script defining the project property ``path``, if any."""
        for script in (*([] if self.applying else self.applied), *self.parents):
            found = script.provider(path, 0)
            if found is not None:
                return found
        return None

    def provider(self, path: str, depth: int) -> ScriptValues | None:
        """This script or one it applies, when it defines the project property ``path``."""
        if path in self.exported:
            return self
        if depth < 4:  # scripts applying scripts: a few levels, never a cycle
            for script in self.applied:
                found = script.provider(path, depth + 1)
                if found is not None:
                    return found
        return None

    def definition_of(self, path: str) -> list[Token] | None:
        if path in self.variables:
            return self.variables[path]
        owner = self.owner(path)
        return owner.variables[path] if owner is not None else None

    def string(self, tokens: list[Token], depth: int = 0) -> str | None:
        """The value of a string expression (``"a" + x``), unresolved references kept as
        ``${ref}``; None when it is not an expression this reader understands."""
        if depth > MAX_NESTING:
            return None
        values = []
        for part in _split_plus(tokens):
            if len(part) == 1 and part[0].kind == "str":
                token = part[0]
                values.append(self.interpolate(token.text, depth) if token.template else token.text)
                continue
            path = ref_path(part)
            if path is None:
                return None
            value = self.lookup(path, depth)
            values.append(value if value is not None else "${" + path + "}")
        return "".join(values) if values else None

    def interpolate(self, text: str, depth: int) -> str:
        """Fill in ``$name`` and ``${expr}``; what cannot be resolved stays as written."""
        out, j = [], 0
        name = _GROOVY_NAME if not self.kotlin else _KOTLIN_NAME
        while j < len(text):
            if text.startswith("\\", j):
                out.append(text[j : j + 2])
                j += 2
            elif text.startswith("${", j):
                end = template_end(text, j + 2, depth + 1)
                inner = tokenize(text[j + 2 : end - 1])
                path = ref_path(inner)
                value = self.lookup(path, depth + 1) if path else self.string(inner, depth + 1)
                out.append(value if value is not None else text[j:end])
                j = end
            elif (match := name.match(text, j + 1)) and text[j] == "$":
                path = ref_path(tokenize(match.group()))
                value = self.lookup(path, depth + 1) if path else None
                out.append(value if value is not None else text[j : match.end()])
                j = match.end()
            else:
                out.append(text[j])
                j += 1
        return "".join(out)


def _split_plus(tokens: list[Token]) -> list[list[Token]]:
    """Operands of ``+`` at the top level (``'g:a:' + version``), parentheses and casts off."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "nl":
            continue
        depth += op(token, "(", "[", "{") - op(token, ")", "]", "}")
        if depth == 0 and op(token, "+"):
            parts.append([])
        else:
            parts[-1].append(token)
    result = []
    for part in parts:
        part = unwrap(part)
        cast = next((k for k, t in enumerate(part) if ident(t, "as")), len(part))
        result.append(part[:cast])
    return result
