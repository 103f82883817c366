"""Maven's ``${property}`` interpolation, and what a version string pins.

Maven interpolates the effective model: a parent's ``${project.version}`` means the child's
version, and a property defined in both takes the child's value. Expansion is bounded:
references to references at most ``MAX_DEPTH`` deep, cycles detected, results capped in
length (``${a}${a}`` nested ten times would otherwise grow past memory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer.manifests.maven_model import Pom

MAX_DEPTH = 32  # properties referring to properties, this deep at most
MAX_LENGTH = 4096  # an expanded value longer than this is treated as unresolvable
_REF = re.compile(r"\$\{([^${}]*)\}")
_PLACEHOLDER = re.compile(r"\$\{[^${}]*\}|^@[\w.-]+@$")  # @x@: maven-invoker filtering
_HARD = re.compile(r"^\[([^,\[\]()]+)\]$")  # [1.2.3] requires exactly 1.2.3
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+~-]*$")


@dataclass
class Interpolator:
    """Expands ``${name}`` references the way Maven does, bounded against cycles and blow-up.

    ``values`` holds properties and the model values (``project.version`` ...). A reference
    that cannot be expanded stays in the text as written; ``cyclic`` collects the names found
    to refer to themselves, so that messages can say so.
    """

    values: dict[str, str]
    cyclic: set[str] = field(default_factory=set)
    _cache: dict[str, str | None] = field(default_factory=dict)

    def expand(self, text: str) -> str:
        return self._expand(text, ())

    def _expand(self, text: str, stack: tuple[str, ...]) -> str:
        if "${" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            value = self._lookup(match.group(1), stack)
            return match.group(0) if value is None else value

        return _REF.sub(replace, text)

    def _lookup(self, name: str, stack: tuple[str, ...]) -> str | None:
        if name in self._cache:
            return self._cache[name]
        if name in stack:
            self.cyclic.add(name)
            return None
        raw = self.values.get(name)
        if raw is None or len(stack) >= MAX_DEPTH:
            return None
        value: str | None = self._expand(raw, (*stack, name))
        if value is not None and len(value) > MAX_LENGTH:
            value = None
        self._cache[name] = value
        return value


def model_values(pom: Pom, lineage: list[Pom]) -> dict[str, str]:
    """Properties (nearer POMs override) and the model values ``${project.*}`` refers to."""
    values: dict[str, str] = {}
    for each in lineage:
        values.update(each.properties)
    model = dict(pom.coordinates)
    if pom.parent is not None:
        model.setdefault("groupId", pom.parent.group)
        model.setdefault("version", pom.parent.version)
        ref = pom.parent
        model.update(
            {"parent.groupId": ref.group, "parent.artifactId": ref.artifact,
             "parent.version": ref.version}
        )  # fmt: skip
    for key, value in model.items():
        if value:
            values[f"project.{key}"] = values[f"pom.{key}"] = value
            values.setdefault(key, value)  # ${version}: deprecated, but still in use
    return values


def placeholders(text: str) -> list[str]:
    """``${name}`` references left after interpolation, and ``@name@`` filtering tokens."""
    return list(dict.fromkeys(match.group() for match in _PLACEHOLDER.finditer(text)))


def concrete(spec: str | None) -> str | None:
    """The version a spec pins: ``1.2``, ``[1.2]``; None for ranges, LATEST and the like."""
    if spec is None:
        return None
    hard = _HARD.match(spec)
    version = hard.group(1).strip() if hard else spec
    if version.upper() in ("LATEST", "RELEASE") or not _PLAIN.match(version):
        return None
    return version
