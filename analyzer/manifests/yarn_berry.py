"""Yarn Berry (v2+) ``yarn.lock``, read into the ``YarnLock`` of ``yarn_common``.

Berry writes YAML: ``__metadata`` (lockfile ``version``, ``cacheKey``) and one mapping per
entry, keyed by the descriptors it satisfies (``"lodash@npm:^4.17.20, lodash@npm:^4.17.21"``),
with its ``resolution`` (``lodash@npm:4.17.21``), ``version``, ``dependencies`` and
``peerDependencies``. The resolution's protocol says where the package comes from: ``npm:`` a
registry; ``patch:`` another package with a patch applied (that package is recorded);
``workspace:`` the repository's own code, whose dependencies are the direct ones;
``file:``/``portal:``/``link:`` a folder or archive; anything else git or a URL.

Yarn reads this YAML with the failsafe schema, where every scalar is a string, so values are
taken as written from the composed nodes (``version: 1.10`` stays ``1.10``).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qs, unquote

import yaml

from analyzer.errors import ManifestError
from analyzer.manifests.conda import compose
from analyzer.manifests.yarn_common import (
    Pairs,
    YarnLock,
    YarnPackage,
    remote_source,
    split_descriptor,
)

_MAX_BYTES = 16 * 1024 * 1024
_VERSIONS = range(2, 9)  # Yarn 2 wrote 4, Yarn 3 writes 6, Yarn 4 writes 8
_SYNTHETIC_ROOT = re.compile(r"^root-workspace-[0-9a-f]{6}$")  # an unnamed root workspace
_DEEP = re.compile(r"^(?:[ \t]*[-?]|[ \t]{48})", re.MULTILINE)  # sequences, ?-keys, nesting
_ALIAS = re.compile(r"(?:^[ \t]*|:[ \t]+)\*", re.MULTILINE)  # where an alias can start then


def read_berry(text: str, size: int, lock: YarnLock) -> None:
    """Read a Berry lockfile's entries into ``lock``; ManifestError when it is not YAML."""
    if size > _MAX_BYTES:
        raise ManifestError(f"larger than {_MAX_BYTES // (1024 * 1024)} MiB; not read")
    root = _compose(text)
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        raise ManifestError("a Yarn lockfile must be a YAML mapping", _line(root))
    for key, value in root.value:
        name = _scalar(key)
        if name == "__metadata":
            _metadata(lock, value, _line(key))
        elif name is None:
            lock.problem(_line(key), "an entry's key must be a string")
        else:
            _entry(lock, name, _line(key), value)


def _compose(text: str) -> yaml.Node | None:
    """The node tree; through libyaml when that is safe, else through conda's bounded loader.

    libyaml is five times faster, but it recurses in C (a deeply nested document crashes it)
    and cannot count aliases (a few can make the walk over the nodes multiply). Lockfiles Yarn
    writes have no flow collections, sequences or aliases, and little indentation.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None or "[" in text or "{" in text or _DEEP.search(text) or _ALIAS.search(text):
        return compose(text)
    try:
        return yaml.compose(text, Loader=fast)
    except yaml.YAMLError:
        return compose(text)  # the careful loader reports the error, with its line


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _fields(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _metadata(lock: YarnLock, node: yaml.Node, line: int) -> None:
    version = _fields(node).get("version") if isinstance(node, yaml.MappingNode) else None
    value = _scalar(version)
    if version is None or value is None:
        lock.problem(line, "__metadata has no lockfile version")
    elif not value.isdigit() or int(value) not in _VERSIONS:
        lock.problem(_line(version), f"unknown lockfile version {value}")


def _entry(lock: YarnLock, key: str, line: int, node: yaml.Node) -> None:
    if not isinstance(node, yaml.MappingNode):
        lock.problem(line, f"entry {key!r} must be a mapping")
        return
    fields = _fields(node)
    resolution = _scalar(fields.get("resolution"))
    locator = split_descriptor(resolution) if resolution else None
    if locator is None:
        lock.problem(line, f"entry {key!r} has no valid resolution")
        return
    what = f"entry {resolution!r}"
    kind, path = reference_kind(locator[1])
    optional_peers = _flagged(fields.get("peerDependenciesMeta"))
    package = YarnPackage(
        locator[0], _scalar(fields.get("version")), line, kind if kind != "workspace" else "path",
        _pairs(lock, fields.get("dependencies"), what),
        optional=_flagged(fields.get("dependenciesMeta")),
        peers=[p for p in _pairs(lock, fields.get("peerDependencies"), what)
               if p[0] not in optional_peers],
        spec=path or locator[1],
    )  # fmt: skip
    if kind == "workspace" and path is not None:
        package.own_dir = posixpath.normpath(path)
        package.published = not _SYNTHETIC_ROOT.match(package.name)
    elif kind == "path" and path is not None:
        package.own_dir = lock.own_dir(path)
        package.published = False
    if package.version is None and package.own_dir is None:
        lock.problem(line, f"{what} has no version")
        return
    lock.add(package, [part.strip() for part in key.split(",") if part.strip()])


def _pairs(lock: YarnLock, node: yaml.Node | None, what: str) -> Pairs:
    """``name: range`` pairs of a dependencies mapping (an empty value is no mapping)."""
    if node is None or (isinstance(node, yaml.ScalarNode) and not node.value):
        return []
    if not isinstance(node, yaml.MappingNode):
        lock.problem(_line(node), f"{what}: dependencies must be a mapping")
        return []
    pairs = []
    for key, value in node.value:
        name, spec = _scalar(key), _scalar(value)
        if name is None or spec is None:
            lock.problem(_line(key), f"{what}: dependency {name or '?'!r} is not 'name: range'")
        else:
            pairs.append((name, spec))
    return pairs


def _flagged(node: yaml.Node | None) -> set[str]:
    """Names whose ``dependenciesMeta``/``peerDependenciesMeta`` entry says ``optional: true``."""
    if not isinstance(node, yaml.MappingNode):
        return set()
    return {
        str(key.value)
        for key, meta in node.value
        if isinstance(key, yaml.ScalarNode) and isinstance(meta, yaml.MappingNode)
        and _scalar(_fields(meta).get("optional")) == "true"
    }  # fmt: skip


def reference_kind(reference: str, depth: int = 0) -> tuple[str, str | None]:
    """(registry|vcs|url|path|workspace, the folder or file for path and workspace)."""
    protocol, _, body = reference.partition(":")
    protocol = protocol.lower()
    if protocol == "npm":
        return "registry", None
    if protocol == "workspace":
        return "workspace", body or "."
    if protocol == "patch" and depth < 4:
        # patch:<package locator, URL-encoded>#<patch files>::<parameters>
        inner = split_descriptor(unquote(body.split("#", 1)[0]))
        return reference_kind(inner[1], depth + 1) if inner else ("url", None)
    if protocol in ("file", "link", "portal", "exec"):
        location, _, params = body.partition("::")
        base = _locator_base(params)
        return "path", posixpath.normpath(posixpath.join(base, location.split("#", 1)[0]))
    return remote_source(reference), None


def _locator_base(params: str) -> str:
    """The folder a relative path starts from: the workspace in the ``locator`` parameter."""
    for locator in parse_qs(params).get("locator", []):
        parts = split_descriptor(locator)
        if parts and parts[1].startswith("workspace:"):
            return parts[1][len("workspace:") :] or "."
    return "."
