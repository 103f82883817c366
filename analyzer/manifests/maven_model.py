"""Reading one ``pom.xml`` into plain data: coordinates, parent, properties and entries.

The XML goes through defusedxml with DTDs forbidden, so entity expansion (billion laughs) and
external entities cannot happen. ElementTree keeps no positions, so a tree builder records the
line expat is at when each element starts; records point at their ``<artifactId>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from analyzer.errors import ManifestError
from analyzer.manifests.text import decode_text

MAX_POM_BYTES = 4 * 1024 * 1024  # the largest real POMs are a few hundred KiB
_NAMESPACE = "http://maven.apache.org/POM/"  # 4.0.0, and 4.1.0 for Maven 4
_DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z][\w.:-]*)[\"']")
_POSITION = re.compile(r":\s*line \d+, column \d+$")


class Section(Enum):
    """Where in the POM an entry is declared; decides whether and how it becomes a record."""

    DEPENDENCY = "dependency"
    MANAGED = "managed dependency"
    PLUGIN = "build plugin"
    PLUGIN_DEPENDENCY = "plugin dependency"
    MANAGED_PLUGIN = "managed plugin"
    PROFILE_DEPENDENCY = "profile dependency"


@dataclass(frozen=True)
class Entry:
    """One ``<dependency>``, ``<plugin>`` or ``<extension>`` as written (not interpolated)."""

    section: Section
    fields: dict[str, str]  # groupId, artifactId, version, scope, type, classifier, optional...
    line: int  # of <artifactId>, else of the element itself


@dataclass(frozen=True)
class ParentRef:
    """The ``<parent>`` element; ``relative_path`` is None for the default ``../pom.xml``."""

    group: str
    artifact: str
    version: str
    relative_path: str | None
    line: int


@dataclass(frozen=True)
class Pom:
    """What fundscout needs from one POM, values as written."""

    coordinates: dict[str, str]  # groupId, artifactId, version, packaging
    parent: ParentRef | None
    properties: dict[str, str]
    entries: tuple[Entry, ...]
    modules: tuple[str, ...]


class _LineBuilder(TreeBuilder):
    """A tree builder remembering the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.locate: Callable[[], int] = lambda: 1

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.locate()
        return element


def load_pom(data: bytes) -> Pom:
    """Parse POM bytes; ManifestError when they are not a readable Maven POM."""
    if len(data) > MAX_POM_BYTES:
        raise ManifestError(f"POM is {len(data)} bytes, over the {MAX_POM_BYTES} byte limit")
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.locate = lambda: int(parser.parser.CurrentLineNumber)
    try:
        parser.feed(_decode(data))
        root: Element = parser.close()
    except DefusedXmlException:
        raise ManifestError("XML entity/DTD not allowed") from None
    except ParseError as exc:
        message = _POSITION.sub("", str(exc))
        raise ManifestError(f"invalid XML: {message}", exc.position[0] or None) from None
    if _local(root.tag) != "project":
        raise ManifestError(f"not a Maven POM: the root element is <{root.tag}>", 1)
    return _PomReader(builder.lines).read(root)


def _decode(data: bytes) -> str:
    """Text of the document, honouring an XML declaration's encoding (ISO-8859-1 POMs exist)."""
    declared = _DECLARED.match(data)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding.replace("_", "-") in ("utf-8", "utf8", "utf-16", "utf16"):
        return decode_text(data)  # byte order marks; utf-16 without one would fail at "<?xml"
    try:
        return data.decode(encoding)
    except LookupError:  # also codecs that are not text encodings, such as "hex"
        raise ManifestError(f"unknown encoding {encoding!r} in the XML declaration", 1) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ManifestError(f"invalid {encoding} text: {exc.reason}", line) from None


def _local(tag: str) -> str | None:
    """The name of a POM element; None for elements of other namespaces."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return name if namespace.startswith(_NAMESPACE) else None
    return tag


class _PomReader:
    """Walks the few paths of the tree that matter; the rest (plugin configuration) is skipped."""

    def __init__(self, lines: dict[Element, int]) -> None:
        self.lines = lines
        self.entries: list[Entry] = []

    def read(self, root: Element) -> Pom:
        coordinates = {
            key: value
            for key in ("groupId", "artifactId", "version", "packaging")
            if (value := self.text(root, key)) is not None
        }
        properties = {}
        for holder in self.children(root, "properties"):
            for element in holder:
                if (name := _local(element.tag)) is not None:
                    properties[name] = (element.text or "").strip()
        self.read_container(root, Section.DEPENDENCY, Section.PLUGIN)
        for profiles in self.children(root, "profiles"):
            for profile in self.children(profiles, "profile"):
                self.read_container(profile, Section.PROFILE_DEPENDENCY, Section.PLUGIN)
        modules = tuple(
            text
            for holder in self.children(root, "modules")
            for module in self.children(holder, "module")
            if (text := (module.text or "").strip())
        )
        parent = self.parent(root)
        return Pom(coordinates, parent, properties, tuple(self.entries), modules)

    def read_container(self, element: Element, section: Section, plugins: Section) -> None:
        """Dependencies, managed dependencies and build plugins of a project or a profile."""
        self.add_all(element, "dependencies", "dependency", section)
        for management in self.children(element, "dependencyManagement"):
            self.add_all(management, "dependencies", "dependency", Section.MANAGED)
        for build in self.children(element, "build"):
            for plugin in self.add_all(build, "plugins", "plugin", plugins):
                self.add_all(plugin, "dependencies", "dependency", Section.PLUGIN_DEPENDENCY)
            self.add_all(build, "extensions", "extension", plugins)
            for management in self.children(build, "pluginManagement"):
                self.add_all(management, "plugins", "plugin", Section.MANAGED_PLUGIN)

    def add_all(self, parent: Element, holder: str, item: str, section: Section) -> list[Element]:
        found = [e for h in self.children(parent, holder) for e in self.children(h, item)]
        for element in found:
            values = {}
            for child in element:
                name = _local(child.tag)
                if name is not None and len(child) == 0:
                    values[name] = (child.text or "").strip()
            artifact = next(self.children(element, "artifactId"), element)
            self.entries.append(Entry(section, values, self.lines.get(artifact, 1)))
        return found

    def parent(self, root: Element) -> ParentRef | None:
        element = next(self.children(root, "parent"), None)
        if element is None:
            return None
        group, artifact, version = (
            self.text(element, key) or "" for key in ("groupId", "artifactId", "version")
        )
        path = self.text(element, "relativePath")
        line = self.lines.get(next(self.children(element, "artifactId"), element), 1)
        return ParentRef(group, artifact, version, path, line)

    def children(self, element: Element, name: str) -> Iterator[Element]:
        return (child for child in element if _local(child.tag) == name)

    def text(self, element: Element, name: str) -> str | None:
        child = next(self.children(element, name), None)
        return None if child is None else (child.text or "").strip()
