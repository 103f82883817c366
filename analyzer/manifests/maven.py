"""Maven ``pom.xml``: dependencies, BOM imports, build plugins and profiles, with inheritance.

Scopes: ``compile``, ``runtime`` and ``system`` are runtime; ``provided`` is runtime too,
because the container or JDK supplies the artifact when the code runs and the code cannot
run without it; ``test`` is test; ``<optional>true</optional>`` and dependencies inside
``<profiles>`` (active only on request) are optional. A BOM imported in
``<dependencyManagement>`` (``<scope>import</scope>``) only pins versions of other artifacts
while building, so it is a build dependency; it is not fetched to expand its pins. Build
plugins, build extensions and the plugins' own dependencies are build dependencies.
Entries only in ``<dependencyManagement>`` or ``<pluginManagement>`` are not dependencies:
they supply versions (and scopes) to entries declared without them, here or in child POMs.

Parents are read from the audited tree (``<relativePath>``, by default ``../pom.xml``) when
their coordinates match; their properties and managed versions are inherited. A parent that
is not there is noted once, and only when this POM leaves a version unknown.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.maven_model import Entry, ParentRef, Pom, Section, load_pom
from analyzer.manifests.maven_properties import Interpolator, concrete, model_values, placeholders
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

MAX_PARENTS = 16
MAX_MODULES = 100
PLUGIN_GROUP = "org.apache.maven.plugins"  # Maven's default for a plugin without groupId
SCOPES = {"compile": Scope.RUNTIME, "runtime": Scope.RUNTIME, "provided": Scope.RUNTIME,
          "system": Scope.RUNTIME, "test": Scope.TEST, "import": Scope.BUILD}  # fmt: skip
Key = tuple[str, str, str, str]  # groupId, artifactId, type, classifier: Maven's management key


class MavenParser(ManifestParser):
    """Reads ``pom.xml`` files, with their parents inside the audited tree."""

    name = "maven"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "pom.xml"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        pom = load_pom(file.read())
        lineage, missing = _ancestors(file, pom)
        return _Builder(file, pom, lineage).result(missing)


Missing = tuple[ParentRef, str]  # a parent not found, and the path of the POM naming it


def _ancestors(file: ManifestFile, pom: Pom) -> tuple[list[Pom], Missing | None]:
    """The parent POMs found in the tree, farthest first, and the first one not found."""
    chain: list[Pom] = []
    path, current, seen = file.path, pom, {file.path}
    while (ref := current.parent) is not None:
        where = _parent_path(path, ref)
        parent = _read(file, where) if where not in seen and len(chain) < MAX_PARENTS else None
        if parent is None or not _is_parent(parent, ref):
            return chain[::-1], (ref, path)
        chain.append(parent)
        seen.add(where or "")
        path, current = where or "", parent
    return chain[::-1], None


def _read(file: ManifestFile, path: str | None) -> Pom | None:
    """Another POM of the tree (a parent or a module), or None when it cannot be read."""
    try:
        return load_pom(file.read_related(path)) if path is not None else None
    except (ManifestError, SourceError):
        return None


def _parent_path(path: str, ref: ParentRef) -> str | None:
    relative = "../pom.xml" if ref.relative_path is None else ref.relative_path
    return _pom_path(path, relative)


def _pom_path(path: str, relative: str) -> str | None:
    """Where ``relative`` (a POM or its directory) points from the POM at ``path``."""
    relative = relative.strip().replace("\\", "/")
    if not relative:  # <relativePath/>: the parent comes from a repository only
        return None
    if not relative.endswith(".xml"):
        relative = relative.rstrip("/") + "/pom.xml"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative))
    return None if target == ".." or target.startswith(("../", "/")) else target


def _is_parent(parent: Pom, ref: ParentRef) -> bool:
    group = parent.coordinates.get("groupId") or (parent.parent and parent.parent.group)
    return parent.coordinates.get("artifactId") == ref.artifact and group == ref.group


class _Builder:
    """Turns one POM's entries into records, with its parents' properties and management."""

    def __init__(self, file: ManifestFile, pom: Pom, lineage: list[Pom]) -> None:
        self.file, self.pom = file, pom
        self.values = Interpolator(model_values(pom, [*lineage, pom]))
        self.managed: dict[Key, Entry] = {}
        self.plugins: dict[Key, Entry] = {}
        for each in (*lineage, pom):  # nearer POMs override farther ones
            for entry in each.entries:
                if entry.section is Section.MANAGED:
                    self.managed[self.key(entry)] = entry
                elif entry.section is Section.MANAGED_PLUGIN:
                    self.plugins[self.key(entry)] = entry
        self.problems: list[Problem] = []
        self.unknown_versions = False

    def result(self, missing: Missing | None) -> ParsedManifest:
        records: list[Dependency] = []
        declared: dict[Key, int] = {}  # a repeated <dependency>: Maven uses the last one
        for entry in self.pom.entries:
            dep = self.record(entry)
            if dep is None:
                continue
            if entry.section is Section.DEPENDENCY:
                key = self.key(entry)
                if key in declared:
                    earlier = records[declared[key]]
                    message = f"{dep.display_name} is declared again on line {dep.line}"
                    self.problem(earlier.line, f"{message}; Maven uses the later declaration")
                    records[declared[key]] = dep
                    continue
                declared[key] = len(records)
            records.append(dep)
        records.sort(key=lambda d: d.line or 0)
        if missing is not None and self.unknown_versions and self.pom.parent is not None:
            ref, path = missing
            named = f"parent POM {ref.group}:{ref.artifact}:{ref.version}"
            if path != self.file.path:
                named += f" of {path}"
            message = f"{named} is not in the audited tree; versions it manages are unknown"
            self.problem(self.pom.parent.line, message)
        problems = sorted(self.problems, key=lambda p: p.line or 0)
        return ParsedManifest(self.file, tuple(records), tuple(problems), self.publishes())

    def expand(self, entry: Entry | None, name: str) -> str:
        return self.values.expand(entry.fields.get(name, "")) if entry is not None else ""

    def key(self, entry: Entry) -> Key:
        plugin = entry.section in (Section.PLUGIN, Section.MANAGED_PLUGIN)
        group = self.expand(entry, "groupId") or (PLUGIN_GROUP if plugin else "")
        kind = self.expand(entry, "type") or "jar"
        return group, self.expand(entry, "artifactId"), kind, self.expand(entry, "classifier")

    def record(self, entry: Entry) -> Dependency | None:
        """The record for one entry; None (with a problem when it is wrong) for none."""
        group, artifact, _, _ = key = self.key(entry)
        scope_name = self.expand(entry, "scope")
        if entry.section is Section.MANAGED_PLUGIN or (
            entry.section is Section.MANAGED and scope_name != "import"
        ):
            return None
        what = f"{entry.section.value} {group or '?'}:{artifact or '?'}"
        if not group or not artifact:
            self.problem(entry.line, f"{what}: groupId and artifactId are required")
            return None
        if placeholders(group) or placeholders(artifact):
            self.problem(entry.line, f"{what}: unresolved property in groupId or artifactId")
            return None
        managed = None  # dependencyManagement does not apply to plugins' dependencies
        if entry.section in (Section.DEPENDENCY, Section.PROFILE_DEPENDENCY):
            managed = self.managed.get(key)
        elif entry.section is Section.PLUGIN:
            managed = self.plugins.get(key)
        spec = self.expand(entry, "version") or self.expand(managed, "version") or None
        version = concrete(spec)
        names = placeholders(spec or "")
        if names:
            version = None
            self.unresolved(entry.line, f"{group}:{artifact}", names)
        if (spec is None or names) and entry.section is not Section.PLUGIN:
            self.unknown_versions = True  # a parent outside the tree may define it
        scope = self.scope(entry, scope_name or self.expand(managed, "scope"))
        source = "path" if scope_name == "system" or "systemPath" in entry.fields else "registry"
        return Dependency(
            Ecosystem.MAVEN, artifact, spec, version, scope, True, self.file.repo,
            self.file.path, entry.line, namespace=group, source=source,
        )  # fmt: skip

    def scope(self, entry: Entry, name: str) -> Scope:
        if entry.section not in (Section.DEPENDENCY, Section.PROFILE_DEPENDENCY):
            return Scope.BUILD  # plugins, their dependencies, extensions and BOM imports
        scope = SCOPES.get(name or "compile")
        if scope is None or scope is Scope.BUILD:  # import outside dependencyManagement
            self.problem(entry.line, f"unknown scope {name!r}; read as compile")
            scope = Scope.RUNTIME
        optional = self.expand(entry, "optional").lower() == "true"
        if scope is Scope.RUNTIME and (optional or entry.section is Section.PROFILE_DEPENDENCY):
            return Scope.OPTIONAL
        return scope

    def unresolved(self, line: int, name: str, placeholders: list[str]) -> None:
        for placeholder in placeholders:
            if placeholder.strip("${}") in self.values.cyclic:
                self.problem(line, f"{name}: property {placeholder} refers to itself")
            else:
                self.problem(line, f"{name}: unresolved property {placeholder} in the version")

    def publishes(self) -> tuple[str, ...]:
        """This POM's own artifact and those of its modules: never funding candidates."""
        expand = self.values.expand
        own = [(expand("${project.groupId}"), expand("${project.artifactId}"))]
        for module in self.pom.modules[:MAX_MODULES]:
            if child := _read(self.file, _pom_path(self.file.path, module)):
                group = child.coordinates.get("groupId") or (child.parent and child.parent.group)
                own.append((group or "", child.coordinates.get("artifactId") or ""))
        purls = (
            purl(Ecosystem.MAVEN, artifact, group)
            for group, artifact in own
            if group and artifact and not placeholders(group) and not placeholders(artifact)
        )
        return tuple(dict.fromkeys(purls))

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))
