"""Software bills of materials: CycloneDX JSON (1.2-1.7) here, SPDX 2.2/2.3 JSON in sbom_spdx.

Files named ``bom.json``, ``sbom.json``, ``*.cdx.json``, ``*.cyclonedx.json``,
``*.spdx.json``, ``*.bom.json`` or ``*.sbom.json`` are read by their content: a
``bomFormat: "CycloneDX"`` document, an ``spdxVersion`` document, or GitHub's dependency-graph
export (``{"sbom": {...SPDX...}}``). XML and tag-value SBOMs are not matched. A generic name
(``bom.json``) holding some other JSON is not an SBOM and yields nothing.

CycloneDX: every component with a purl of an ecosystem fundscout reads becomes a record (nested
``components`` too), versioned from the purl or ``version``. ``scope: optional`` is optional;
``scope: excluded`` is dev, since generators mark development dependencies that way (pnpm,
npm with ``cdx:npm:package:development``), as they also do with the npm and Poetry property
taxonomy. ``metadata.component`` is the product itself: published, not a dependency. When the
``dependencies`` graph holds relations, the SBOM lists transitive packages (``lockfile``), its
edges are kept, and the direct dependencies are those the product depends on (or, without a
product entry in the graph, the components nothing depends on). Without a graph nothing tells
direct from transitive, so every record is direct.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests import sbom_spdx
from analyzer.manifests.interface import ManifestParser, parse_safely, scope_hint
from analyzer.manifests.lock_common import best_scope
from analyzer.manifests.sbom_common import (
    BomBuilder,
    JsonPath,
    Package,
    element_offsets,
    load_json,
    text_of,
)
from analyzer.model import ManifestFile, ParsedManifest, Scope

_GENERIC_NAMES = frozenset({"bom.json", "sbom.json"})
_SUFFIXES = (".cdx.json", ".cyclonedx.json", ".spdx.json", ".bom.json", ".sbom.json")
_KNOWN_VERSIONS = frozenset({"1.2", "1.3", "1.4", "1.5", "1.6", "1.7"})
_SCOPES = {"required": Scope.RUNTIME, "optional": Scope.OPTIONAL, "excluded": Scope.DEV}
_NOT_SBOM = "not a CycloneDX or SPDX JSON document"


def sbom_document(data: Any) -> tuple[str, dict[str, Any], JsonPath] | None:
    """("cyclonedx" | "spdx" | "spdx3", the document, its path in ``data``), or None."""
    if not isinstance(data, dict):
        return None
    fmt = data.get("bomFormat")
    if isinstance(fmt, str) and fmt.strip().lower() == "cyclonedx":
        return "cyclonedx", data, ()
    if "spdxVersion" in data:
        return "spdx", data, ()
    wrapped = data.get("sbom")
    if isinstance(wrapped, dict) and "spdxVersion" in wrapped:
        return "spdx", wrapped, ("sbom",)  # GET /repos/{owner}/{repo}/dependency-graph/sbom
    context = data.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and "spdx" in c.lower() for c in contexts):
        return "spdx3", data, ()
    return None


def root_name(data: Any) -> str | None:
    """The name of the product an SBOM describes, if it says (repository names for --sbom)."""
    found = sbom_document(data)
    if found is None:
        return None
    kind, document, _ = found
    if kind == "spdx":
        return sbom_spdx.root_name(document)
    metadata = document.get("metadata")
    root = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(root, dict) or not (name := text_of(root.get("name"))):
        return None
    group = text_of(root.get("group"))
    return f"{group}/{name}" if group and group.startswith("@") else name


def read_sbom(file: ManifestFile, *, required: bool) -> ParsedManifest:
    """Parse an SBOM; a document of another kind is an error only when ``required``."""
    data, index = load_json(file)
    found = sbom_document(data)
    if found is None:
        if required:
            raise ManifestError(_NOT_SBOM, 1)
        return ParsedManifest(file)
    kind, document, base = found
    if kind == "spdx3":
        raise ManifestError("SPDX 3 documents are not supported yet (SPDX 2.2/2.3 JSON are)", 1)
    offsets = element_offsets(index.text, frozenset({"components", "packages"}))
    if kind == "spdx":
        return sbom_spdx.read(BomBuilder(file, index, offsets, "package"), document, base)
    return _read_cyclonedx(BomBuilder(file, index, offsets, "component"), document)


def parse_sbom(file: ManifestFile) -> ParsedManifest:
    """Parse a file given as an SBOM whatever its name; failures become a problem record."""
    return parse_safely(file, "sbom", lambda given: read_sbom(given, required=True))


class SbomParser(ManifestParser):
    """CycloneDX and SPDX JSON documents, told apart by their content."""

    name = "sbom"

    def matches(self, path: PurePosixPath) -> bool:
        lower = path.name.lower()
        return lower in _GENERIC_NAMES or lower.endswith(_SUFFIXES)

    def parse(self, file: ManifestFile) -> ParsedManifest:
        generic = PurePosixPath(file.path).name.lower() in _GENERIC_NAMES
        return read_sbom(file, required=not generic)


# --- CycloneDX --------------------------------------------------------------------------


def _read_cyclonedx(builder: BomBuilder, bom: dict[str, Any]) -> ParsedManifest:
    version = bom.get("specVersion")
    if version is not None and version not in _KNOWN_VERSIONS:
        builder.problem(builder.key_line("specVersion"), f"unknown CycloneDX version {version!r}")
    own_refs = _read_product(builder, bom.get("metadata"))
    packages: dict[str, Package | None] = {}
    entries: list[tuple[str | None, Package, Scope, int | None]] = []
    for path, component in _components(builder, bom.get("components"), ("components",)):
        ref = text_of(component.get("bom-ref"))
        if ref is not None and ref in own_refs:
            continue  # the product listed again among the components
        line = builder.line_at(path)
        what = repr(text_of(component.get("name")) or ref or "?")
        package = builder.package(component.get("purl"), component.get("version"), what, line)
        if ref is not None:
            packages.setdefault(ref, package)
        if package is not None:
            entries.append((ref, package, _scope(component), line))
    packages.update(own_refs)
    children = _graph(builder, bom.get("dependencies"))
    has_graph = any(children.values())
    direct = _direct_refs(children, own_refs, packages) if has_graph else None
    for ref, package, scope, line in entries:
        builder.add(package, scope, direct is None or ref in direct, line)
    for parent, kids in children.items():
        for kid in kids:
            builder.edge(packages.get(parent), packages.get(kid))
    return builder.result(lockfile=has_graph)


def _read_product(builder: BomBuilder, metadata: Any) -> dict[str, Package | None]:
    """Publish ``metadata.component`` and its sub-components; return them by bom-ref."""
    root = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(root, dict):
        return {}
    own: dict[str, Package | None] = {}
    nested = _components(builder, root.get("components"), ("metadata", "component", "components"))
    for _, component in [((), root), *nested]:
        name = repr(text_of(component.get("name")) or "?")
        line = builder.key_line("metadata")
        package = builder.package(
            component.get("purl"), component.get("version"), name, line, count=False
        )
        builder.own(package)
        if ref := text_of(component.get("bom-ref")):
            own[ref] = package
    return own


def _components(
    builder: BomBuilder, items: Any, path: JsonPath
) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Components and their nested components, depth first in document order."""
    pending: list[tuple[JsonPath, dict[str, Any]]] = []
    _push(builder, pending, items, path)
    while pending:
        where, component = pending.pop()
        yield where, component
        _push(builder, pending, component.get("components"), (*where, "components"))


def _push(
    builder: BomBuilder, pending: list[tuple[JsonPath, dict[str, Any]]], items: Any, path: JsonPath
) -> None:
    """Queue the objects of the array ``items`` (at ``path``) so the first comes out first."""
    if items is None:
        return
    line = builder.line_at(path[:-1]) if len(path) > 1 else None
    if not isinstance(items, list):
        builder.problem(line, "components must be an array")
        return
    for position in range(len(items) - 1, -1, -1):
        if isinstance(items[position], dict):
            pending.append(((*path, position), items[position]))
        else:
            shown = repr(items[position])[:40]
            builder.problem(line, f"component {position + 1} is not an object: {shown}")


def _scope(component: dict[str, Any]) -> Scope:
    """The scope the component's ``scope`` and taxonomy properties give it."""
    properties: dict[str, list[str]] = {}
    raw = component.get("properties")
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            properties.setdefault(item["name"], []).append(str(item.get("value", "")).strip())
    if "true" in properties.get("cdx:npm:package:development", ()):
        return Scope.DEV
    if "test" in properties.get("cdx:maven:component_scope", ()):
        return Scope.TEST
    groups = properties.get("cdx:poetry:group", [])
    if groups and "main" not in groups:
        return best_scope(scope_hint(g) or Scope.DEV for g in groups)
    scope = component.get("scope")
    if not isinstance(scope, str):
        return Scope.RUNTIME
    return _SCOPES.get(scope.strip().lower(), Scope.RUNTIME)


def _graph(builder: BomBuilder, dependencies: Any) -> dict[str, list[str]]:
    """``ref`` -> ``dependsOn`` of the dependency graph; malformed entries are problems."""
    children: dict[str, list[str]] = {}
    if dependencies is None:
        return children
    if not isinstance(dependencies, list):
        builder.problem(builder.key_line("dependencies"), "dependencies must be an array")
        return children
    for position, entry in enumerate(dependencies, 1):
        ref = text_of(entry.get("ref")) if isinstance(entry, dict) else None
        kids = entry.get("dependsOn", []) if isinstance(entry, dict) else None
        if ref is None or not isinstance(kids, list):
            builder.problem(None, f"dependencies entry {position} has no valid ref and dependsOn")
            continue
        children.setdefault(ref, []).extend(k for k in kids if isinstance(k, str) and k != ref)
    return children


def _direct_refs(
    children: dict[str, list[str]], own: dict[str, Package | None], known: dict[str, Any]
) -> set[str]:
    """What the product depends on; without it in the graph, what nothing depends on."""
    if own.keys() & children.keys():
        return {kid for ref in own for kid in children.get(ref, ())} - own.keys()
    depended = {kid for kids in children.values() for kid in kids}
    return {ref for ref in known if ref not in depended}


__all__ = ["SbomParser", "parse_sbom", "read_sbom", "root_name", "sbom_document"]
