"""SPDX 2.2/2.3 JSON documents, including GitHub's dependency-graph export.

Each package with a ``purl`` external reference (category ``PACKAGE-MANAGER``, or
``PACKAGE_MANAGER`` as SPDX 2.2 spells it) of an ecosystem fundscout reads becomes a record,
versioned from the purl or ``versionInfo``. The packages the document DESCRIBES (or lists in
``documentDescribes``) are the product itself: published, never dependencies; GitHub names
its root package ``com.github.owner/repo``.

Dependency relationships give the edges and scopes: ``A DEPENDS_ON B``, ``B DEPENDENCY_OF A``
and the scoped ``*_DEPENDENCY_OF`` / ``*_TOOL_OF`` forms (dev, test, optional, build). The
direct dependencies are what the product depends on; the others get the most important
scope among the direct dependencies that reach them. Without a product in the relationships,
the packages nothing depends on are direct; without any dependency relationship at all,
nothing tells direct from transitive and every record is direct (and the document is not
treated as a lockfile). ``CONTAINS`` and other relationships are not dependencies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from analyzer.manifests.lock_common import best_scope, propagate_scopes
from analyzer.manifests.sbom_common import BomBuilder, JsonPath, Package, text_of
from analyzer.model import ParsedManifest, Scope

_KNOWN_VERSIONS = frozenset({"SPDX-2.2", "SPDX-2.3"})
_GITHUB_PREFIX = "com.github."
# relationship type -> (is the dependency the spdxElementId?, scope of the dependency)
_RELATIONS = {
    "DEPENDS_ON": (False, Scope.RUNTIME),
    "DEPENDENCY_OF": (True, Scope.RUNTIME),
    "RUNTIME_DEPENDENCY_OF": (True, Scope.RUNTIME),
    "PROVIDED_DEPENDENCY_OF": (True, Scope.RUNTIME),  # needed at run time, supplied by it
    "OPTIONAL_DEPENDENCY_OF": (True, Scope.OPTIONAL),
    "BUILD_DEPENDENCY_OF": (True, Scope.BUILD),
    "BUILD_TOOL_OF": (True, Scope.BUILD),
    "TEST_DEPENDENCY_OF": (True, Scope.TEST),
    "TEST_TOOL_OF": (True, Scope.TEST),
    "DEV_DEPENDENCY_OF": (True, Scope.DEV),
    "DEV_TOOL_OF": (True, Scope.DEV),
}

Relation = tuple[str, str, Scope]  # (dependent SPDXID, dependency SPDXID, scope)


def _relationships(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(type, spdxElementId, relatedSpdxElement) of every well-formed relationship."""
    items = document.get("relationships")
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        kind = text_of(item.get("relationshipType"))
        element = text_of(item.get("spdxElementId"))
        related = text_of(item.get("relatedSpdxElement"))
        if kind and element and related:
            yield kind.upper(), element, related


def root_ids(document: dict[str, Any]) -> set[str]:
    """The SPDXIDs of the packages the document describes."""
    described = document.get("documentDescribes")
    items = described if isinstance(described, list) else []
    roots = {text for item in items if (text := text_of(item))}
    document_id = text_of(document.get("SPDXID")) or "SPDXRef-DOCUMENT"
    for kind, element, related in _relationships(document):
        if kind == "DESCRIBES" and element == document_id:
            roots.add(related)
        elif kind == "DESCRIBED_BY" and related == document_id:
            roots.add(element)
    return roots


def root_name(document: dict[str, Any]) -> str | None:
    """The described package's name (``owner/repo`` for GitHub), else the document's."""
    roots = root_ids(document)
    packages = document.get("packages")
    for item in packages if isinstance(packages, list) else ():
        is_root = isinstance(item, dict) and text_of(item.get("SPDXID")) in roots
        if is_root and (name := text_of(item.get("name"))):
            return _short(name)
    name = text_of(document.get("name"))
    return _short(name) if name else None


def _short(name: str) -> str:
    if name.startswith(_GITHUB_PREFIX) and "/" in name:
        return name[len(_GITHUB_PREFIX) :]
    return name


def _purl(package: dict[str, Any]) -> Any:
    refs = package.get("externalRefs")
    for ref in refs if isinstance(refs, list) else ():
        if isinstance(ref, dict) and str(ref.get("referenceType", "")).strip().lower() == "purl":
            return ref.get("referenceLocator")
    return None


def read(builder: BomBuilder, document: dict[str, Any], base: JsonPath) -> ParsedManifest:
    """Records, edges and the product of one SPDX document at ``base`` in the file."""
    version = document.get("spdxVersion")
    if version not in _KNOWN_VERSIONS:
        builder.problem(builder.key_line("spdxVersion"), f"unknown SPDX version {version!r}")
    roots = root_ids(document)
    found, own = _packages(builder, document, base, roots)
    known: dict[str, Package | None] = {i: package for i, (package, _) in found.items()}
    known.update(own)
    relations = [
        (parent, child, scope)
        for parent, child, scope in _dependencies(document)
        if parent in known and child in known and parent != child
    ]
    direct = _direct(relations, own.keys(), found.keys())
    children: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[Scope]] = defaultdict(list)
    for parent, child, scope in relations:
        children[parent].append(child)
        incoming[child].append(scope)
    reached = propagate_scopes(direct or {}, children)
    for spdx_id, (package, line) in found.items():
        scope = reached.get(spdx_id) or best_scope(incoming.get(spdx_id, ()))
        builder.add(package, scope, direct is None or spdx_id in direct, line)
    for parent, child, _ in relations:
        builder.edge(known[parent], known[child])
    return builder.result(lockfile=bool(relations))


def _packages(
    builder: BomBuilder, document: dict[str, Any], base: JsonPath, roots: set[str]
) -> tuple[dict[str, tuple[Package, int | None]], dict[str, Package | None]]:
    """Packages of known ecosystems by SPDXID (with lines), and the described ones."""
    items = document.get("packages", [])
    if not isinstance(items, list):
        builder.problem(builder.key_line("packages"), "packages must be an array")
        items = []
    found: dict[str, tuple[Package, int | None]] = {}
    own: dict[str, Package | None] = {}
    for position, item in enumerate(items):
        line = builder.line_at((*base, "packages", position))
        if not isinstance(item, dict):
            builder.problem(line, f"package {position + 1} is not an object")
            continue
        spdx_id = text_of(item.get("SPDXID")) or f"#{position}"
        is_root = spdx_id in roots
        what = repr(text_of(item.get("name")) or spdx_id)
        package = builder.package(
            _purl(item), item.get("versionInfo"), what, line, count=not is_root
        )
        if is_root:
            builder.own(package)
            own[spdx_id] = package
        elif package is not None:
            found.setdefault(spdx_id, (package, line))
    return found, own


def _dependencies(document: dict[str, Any]) -> Iterator[Relation]:
    for kind, element, related in _relationships(document):
        meaning = _RELATIONS.get(kind)
        if meaning is not None:
            reverse, scope = meaning
            yield (related, element, scope) if reverse else (element, related, scope)


def _direct(
    relations: list[Relation], own: Collection[str], packages: Iterable[str]
) -> dict[str, Scope] | None:
    """Direct dependencies and their scopes; None when the document has no graph."""
    if not relations:
        return None
    from_product: dict[str, list[Scope]] = defaultdict(list)
    for parent, child, scope in relations:
        if parent in own and child not in own:
            from_product[child].append(scope)
    if any(parent in own for parent, _, _ in relations):
        return {child: best_scope(scopes) for child, scopes in from_product.items()}
    depended = {child for _, child, _ in relations}
    return {spdx_id: Scope.RUNTIME for spdx_id in packages if spdx_id not in depended}
