"""Edge depths of the dependency graph: one breadth-first walk per repository.

A repository's walk starts at the packages it declares directly and follows package ->
package edges, but only into packages that repository uses (an edge another repository's
lockfile added leads nowhere here). A uses edge's depth is the level its package is reached
at in its repository's walk; a package -> package edge's depth is the shallowest level any
walk takes it to its child at — the parent's level plus one, in a walk that reaches both ends.

At organization scale a popular package collects children from every repository's lockfile,
and each repository uses hundreds of packages with thousands of edges between them, so both
are computed with sets as bits of Python integers: a walk's level is the union of its parents'
children masks, cut to the repository's packages; an edge's depth compares, level by level,
the repositories reaching its parent with those reaching its child.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Adjacency = Mapping[str, dict[str, dict[str, Any]]]


def mask(bits: list[int]) -> int:
    """The integer with exactly ``bits`` set."""
    if not bits:
        return 0
    buffer = bytearray((max(bits) >> 3) + 1)
    for bit in bits:
        buffer[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(buffer, "little")


def members(bits: int) -> list[int]:
    """The positions of the bits set in ``bits`` (non-negative), lowest first."""
    text = bin(bits)[:1:-1]  # bit i is character i
    found = []
    position = text.find("1")
    while position >= 0:
        found.append(position)
        position = text.find("1", position + 1)
    return found


def compute_depths(succ: Adjacency, repos: list[str], packages: list[str]) -> None:
    """Set ``depth`` on the edges of ``repos`` (their uses) and of ``packages`` (their
    dependencies, keeping an existing shallower depth). ``succ``: node -> child -> edge data."""
    index = {purl: i for i, purl in enumerate(packages)}
    children: dict[int, int] = {}  # package bit -> mask of its children, built when reached
    reached: dict[str, dict[int, int]] = {}  # purl -> level -> mask of repositories
    for number, repo in enumerate(repos):
        used = succ[repo]
        for data in used.values():
            data["depth"] = None  # unless the walk reaches it
        scope = mask([index[purl] for purl in used])
        level = mask(
            [index[p] for p, data in used.items() if any(d.direct for d in data["declarations"])]
        )
        seen, depth, bit = level, 1, 1 << number
        while level:
            below = 0
            for position in members(level):
                purl = packages[position]
                used[purl]["depth"] = depth
                levels = reached.setdefault(purl, {})
                levels[depth] = levels.get(depth, 0) | bit
                found = children.get(position)
                if found is None:
                    found = children[position] = mask([index[c] for c in succ[purl]])
                below |= found
            level = below & scope & ~seen
            seen |= level
            depth += 1
    _package_edges(succ, reached)


def _package_edges(succ: Adjacency, reached: dict[str, dict[int, int]]) -> None:
    """A walk takes an edge when it reaches both ends: at the shallowest level of the parent
    whose repositories meet the child's."""
    anywhere: dict[str, int] = {}
    for purl, levels in reached.items():
        combined = 0
        for repos in levels.values():
            combined |= repos
        anywhere[purl] = combined
    for parent, levels in reached.items():
        ordered = sorted(levels.items())
        for child, data in succ[parent].items():
            repos = anywhere.get(child, 0)
            for level, here in ordered:
                if here & repos:
                    if data.get("depth") is None or level + 1 < data["depth"]:
                        data["depth"] = level + 1
                    break
