"""Dependency notations of a Gradle build script as records: ``"g:a:v"`` strings,
``group:/name:/version:`` maps, lists, ``platform(...)``, ``kotlin("x")``, Kotlin/JS
``npm(...)``, version catalog references and plugin requests; the configuration a declaration
names gives the scope (see gradle_lock), test suites and test source sets make it test.
"""

from __future__ import annotations

import re

from analyzer.errors import ManifestError
from analyzer.manifests.gradle_catalog import exact_version
from analyzer.manifests.gradle_catalog import plugin_coordinates as marker
from analyzer.manifests.gradle_lexer import MAX_NESTING, Token, matching, op, split_args, unwrap
from analyzer.manifests.gradle_lock import configuration_scope
from analyzer.manifests.gradle_script import ref_path
from analyzer.manifests.gradle_values import ScriptValues
from analyzer.manifests.package_json import npm_source, split_npm_name
from analyzer.model import Dependency, Ecosystem, Scope

_OWN_CODE = frozenset(
    {"project", "files", "fileTree", "gradleApi", "localGroovy", "gradleTestKit",
     "gradleKotlinDsl", "kotlinDslPlugin"}
)  # fmt: skip
_WRAPPERS = frozenset({"platform", "enforcedPlatform", "testFixtures", "variantOf", "create"})
_NPM = {"npm": Scope.RUNTIME, "devNpm": Scope.DEV, "optionalNpm": Scope.OPTIONAL,
        "peerNpm": Scope.RUNTIME}  # fmt: skip
_COORDINATE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
_NPM_EXACT = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_MAP_KEYS = ("group", "name", "version")
_CORE_PLUGIN = re.compile(r"^org\.gradle\.[\w-]+$")


class _Unreadable(Exception):
    """A notation that names its module only when the build runs."""


class ScriptNotations(ScriptValues):
    """A build script read to the end: its declarations and plugin requests as records."""

    def resolve(self) -> None:
        for declaration in self.declarations:
            scope = configuration_scope(declaration.configuration)
            scope = Scope.TEST if declaration.test else scope
            self.arguments(declaration.configuration, declaration.args, scope, 0)
        for statement, target, version in self.plugin_requests:
            try:
                self.plugin_record(statement[0], target, version)
            except _Unreadable as exc:
                shown = self.snippet(statement)
                self.problem(self.line(statement[0]), f"plugins: cannot read {shown}: {exc}")
        self.deps.sort(key=lambda dep: dep.line or 0)

    def arguments(self, conf: str, args: list[list[Token]], scope: Scope, depth: int) -> None:
        """Record what a declaration's arguments name; each unreadable one is a problem."""
        if any(len(a) > 1 and a[0].kind in ("id", "str") and op(a[1], ":", "=") for a in args):
            start, end = args[0][0].offset, args[-1][-1].end  # brackets around the arguments
            args = [[Token("op", "[", start, start), *_join(args), Token("op", "]", end, end)]]
        elif 2 <= len(args) <= 3 and all(
            len(a) == 1 and a[0].kind == "str" and ":" not in a[0].text for a in args
        ):  # Kotlin's implementation("group", "name", "1.0")
            values = [self.string(a, depth) or "" for a in args]
            args = [[Token("str", ":".join(values), args[0][0].offset, args[0][0].end)]]
        for arg in args:
            line = self.line(arg[0])
            try:
                self.argument(arg, scope, line, depth)
            except _Unreadable as exc:
                self.problem(line, f"{conf}: cannot read {self.snippet(arg)}: {exc}")

    def argument(self, arg: list[Token], scope: Scope, line: int | None, depth: int) -> None:
        """Record the modules one notation names."""
        if depth > MAX_NESTING:
            raise _Unreadable("defined in terms of itself")
        arg = unwrap(arg)
        if not arg or op(arg[0], "{"):
            return  # a configuration closure
        if op(arg[0], "[") and matching(arg, 0) == len(arg) - 1:
            self.collection(split_args(arg[1:-1]), scope, line, depth)
            return
        if arg[0].kind == "id" and len(arg) > 1 and op(arg[1], "(") and ref_path(arg) is None:
            self.call(arg, scope, line, depth)
            return
        path = ref_path(arg)
        defined = self.definition_of(path) if path is not None else None
        if defined is not None:  # also a `libs` map in ext, as older builds have
            self.argument(defined, scope, line, depth + 1)
            return
        if path is not None and path.split(".")[0] in ("libs", "projects"):
            if path.startswith("libs."):
                self.catalog_reference(path, scope, line)
            return  # projects.x: the organization's own code
        value = self.string(arg, depth)
        if value is None or value == "${" + str(path) + "}":
            reason = "not defined in this file" if path else "not a literal"
            raise _Unreadable(reason)
        self.coordinates(value, scope, line)

    def collection(
        self, items: list[list[Token]], scope: Scope, line: int | None, depth: int
    ) -> None:
        """A Groovy list of notations, or a map ``[group: 'g', name: 'a', version: '1']``."""
        pairs = {
            item[0].text: item[2:]
            for item in items
            if len(item) > 2 and item[0].kind in ("id", "str") and op(item[1], ":", "=")
        }
        if not pairs:
            for item in items:
                self.argument(item, scope, line, depth + 1)
            return
        group, name, version = (self.string(pairs.get(key, []), depth) for key in _MAP_KEYS)
        if not group or not name:
            raise _Unreadable("a module needs a group and a name")
        self.coordinates(f"{group}:{name}" + (f":{version}" if version else ""), scope, line)

    def call(self, arg: list[Token], scope: Scope, line: int | None, depth: int) -> None:
        """``platform(...)``, ``kotlin("x")``, ``npm("x", "1")``, ``project(...)``…"""
        name, close = arg[0].text, matching(arg, 1)
        if name in _OWN_CODE:
            return  # also project(':x').sourceSets.test.output
        rest = arg[close + 1 :]
        if rest and not (op(rest[0], "{") and matching(rest, 0) == len(rest) - 1):
            raise _Unreadable("computed when the build runs")
        inner = split_args(arg[2:close])
        if name in _WRAPPERS and inner:
            self.argument(inner[0], scope, line, depth + 1)
        elif name == "kotlin" and inner:
            values = [self.string(item, depth) for item in inner[:2]]
            if values[0] is None:
                raise _Unreadable("computed when the build runs")
            version = f":{values[1]}" if len(values) > 1 and values[1] else ""
            self.coordinates(f"org.jetbrains.kotlin:kotlin-{values[0]}{version}", scope, line)
        elif name in _NPM and inner:
            self.npm(inner, _NPM[name] if scope is Scope.RUNTIME else scope, line, depth)
        else:
            raise _Unreadable("computed when the build runs")

    def npm(self, inner: list[list[Token]], scope: Scope, line: int | None, depth: int) -> None:
        """Kotlin/JS ``npm("name", "version")``: an npm dependency."""
        name = self.string(inner[0], depth)
        spec = self.string(inner[1], depth) if len(inner) > 1 else None
        if name is None or "$" in name:
            raise _Unreadable("computed when the build runs")
        try:
            namespace, short = split_npm_name(name)
        except ManifestError as exc:
            raise _Unreadable(exc.message) from None
        exact = spec if spec and _NPM_EXACT.match(spec) else None
        self.deps.append(
            Dependency(
                Ecosystem.NPM, short, spec or None, exact, scope, True, self.file.repo,
                self.file.path, line, namespace=namespace, source=npm_source(spec or ""),
            )
        )  # fmt: skip

    def catalog_reference(self, path: str, scope: Scope, line: int | None) -> None:
        catalog = self.catalog
        if catalog is None:
            raise _Unreadable("no version catalog gradle/libs.versions.toml found")
        rest = path.removeprefix("libs.")
        if rest.startswith("bundles."):
            entries = catalog.bundles.get(rest.removeprefix("bundles."))
        elif rest.startswith("plugins."):
            plugin = catalog.plugins.get(rest.removeprefix("plugins."))
            entries = [plugin] if plugin else None
        else:
            library = catalog.libraries.get(rest)
            entries = [library] if library else None
        if entries is None:
            raise _Unreadable("not in the version catalog")
        for entry in entries:
            if entry in catalog.plugins.values() and entry.spec is None:
                continue  # a versionless plugin: see plugin_record
            self.record(entry.group, entry.artifact, entry.spec, scope, line)

    def coordinates(self, value: str, scope: Scope, line: int | None) -> None:
        """``group:artifact[:version[:classifier]][@extension]``."""
        parts = value.strip().split("@")[0].split(":")
        if not 2 <= len(parts) <= 4:
            raise _Unreadable("not a group:artifact:version notation")
        group, artifact = parts[0].strip(), parts[1].strip()
        if "$" in group or "$" in artifact:
            raise _Unreadable("its group or artifact is only known when the build runs")
        if not (_COORDINATE_PART.match(group) and _COORDINATE_PART.match(artifact)):
            raise _Unreadable("invalid group or artifact")
        self.record(group, artifact, parts[2].strip() if len(parts) > 2 else None, scope, line)

    def record(
        self, group: str, artifact: str, spec: str | None, scope: Scope, line: int | None
    ) -> None:
        self.deps.append(
            Dependency(
                Ecosystem.MAVEN, artifact, spec or None, exact_version(spec), scope, True,
                self.file.repo, self.file.path, line, namespace=group,
            )
        )  # fmt: skip

    def plugin_record(self, keyword: Token, target: list[Token], version: list[Token]) -> None:
        line = self.line(keyword)
        if keyword.text == "alias":
            path = ref_path(target)
            if not path or not path.startswith("libs.plugins."):
                raise _Unreadable("not a version catalog plugin")
            self.catalog_reference(path, Scope.BUILD, line)
            return
        value = self.string(target) if target else None
        if value is None or "$" in value:
            raise _Unreadable("computed when the build runs")
        plugin_id = f"org.jetbrains.kotlin.{value}" if keyword.text == "kotlin" else value
        if "." not in plugin_id or _CORE_PLUGIN.match(plugin_id):
            return  # a core plugin ships with Gradle
        if not _COORDINATE_PART.match(plugin_id):
            raise _Unreadable("invalid plugin id")
        spec = self.string(version) if version else None
        if spec:  # versionless: a convention plugin of the build itself, or versioned elsewhere
            self.record(*marker(plugin_id), spec, Scope.BUILD, line)


def _join(args: list[list[Token]]) -> list[Token]:
    joined: list[Token] = []
    for arg in args:
        if joined:
            joined.append(Token("op", ",", arg[0].offset, arg[0].offset))
        joined.extend(arg)
    return joined
