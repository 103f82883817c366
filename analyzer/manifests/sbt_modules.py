"""Module expressions of an sbt file as records: ``"group" % "artifact" % "version"``
(``%%``, ``%%%``), the setting or call each stands in (``libraryDependencies``,
``addSbtPlugin``…) and its configuration (``% Test``) as the scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.manifests.gradle_catalog import exact_version
from analyzer.manifests.gradle_lexer import Token, ident, matching, op
from analyzer.manifests.lock_common import best_scope
from analyzer.manifests.sbt_values import MODULE_OPS, SbtValues, dotted_path
from analyzer.model import Dependency, Ecosystem, Scope

_ASSIGN = ("=", ":=", "+=", "++=")
_SKIPPED_KEYS = frozenset(
    {"dependencyOverrides", "excludeDependencies", "libraryDependencySchemes"}
)
_BUILD_CALLS = frozenset({"addSbtPlugin", "addCompilerPlugin", "compilerPlugin"})
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
_NO_SCALA_VERSION = (
    "scalaVersion is not set in this file: artifacts declared with %% are recorded without "
    "their Scala suffix (_2.13, _3)"
)
_PLATFORM_SUFFIX = (
    "artifacts declared with %%% are recorded without their Scala.js/Native platform and "
    "Scala suffix"
)
_CONFIGURATIONS = {
    "test": Scope.TEST, "it": Scope.TEST, "integrationtest": Scope.TEST,
    "provided": Scope.BUILD, "plugin": Scope.BUILD, "optional": Scope.OPTIONAL,
    "compile": Scope.RUNTIME, "runtime": Scope.RUNTIME, "default": Scope.RUNTIME,
}  # fmt: skip


@dataclass(frozen=True)
class _Module:
    """One ``group % artifact % version [% configuration]`` expression."""

    start: int  # token index of the group
    operands: list[list[Token]]
    operators: list[str]
    modifiers: list[Token]


class SbtBuild(SbtValues):
    """One sbt file: its vals, its Scala version and its module expressions."""

    def modules(self) -> list[_Module]:
        tokens, found, k = self.tokens, [], 0
        while k < len(tokens):
            operand = _operand(tokens, k, grouped=False)  # a group is a string or a name
            if not operand or (k > 0 and op(tokens[k - 1], *MODULE_OPS)):
                k += 1
                continue
            end = k + len(operand)
            if end >= len(tokens) or not op(tokens[end], *MODULE_OPS):
                # Not a module, nor is any tail of this dotted name: skip it whole, or a long
                # a.b.c... chain is rescanned from each of its names (quadratic time).
                k = end
                continue
            operands, operators, j = [operand], [], end
            while j < len(tokens) and op(tokens[j], *MODULE_OPS):
                start = j + 1
                while start < len(tokens) and tokens[start].kind == "nl":
                    start += 1  # a line ending in an operator goes on
                following = _operand(tokens, start)
                if not following:
                    break
                operators.append(tokens[j].text)
                operands.append(following)
                j = start + len(following)
            stop = self.expression_end(j)
            found.append(_Module(k, operands, operators, tokens[j:stop]))
            k = j
        return found

    def settings(self) -> list[tuple[str | None, str | None]]:
        """For each token: the setting key (or val) it is assigned to and the nearest call
        around it, such as ``("libraryDependencies", "Seq")`` or ``(None, "addSbtPlugin")``."""
        tokens = self.tokens
        frames: list[list[str | None]] = [[None, None, None]]  # key here, key outside, call
        found: list[tuple[str | None, str | None]] = []
        for k, token in enumerate(tokens):
            frame = frames[-1]
            found.append((frame[0] or frame[1], frame[2]))
            if op(token, *_ASSIGN):
                frame[0] = tokens[k - 1].text if k > 0 and ident(tokens[k - 1]) else None
            elif op(token, "(", "[", "{"):
                call = tokens[k - 1].text if k > 0 and ident(tokens[k - 1]) else None
                frames.append([None, frame[0] or frame[1], call or frame[2]])
            elif op(token, ")", "]", "}") and len(frames) > 1:
                frames.pop()
        return found

    def read(self, scala: str | None, default: Scope) -> None:
        """Record every module expression with a version."""
        settings = self.settings()
        for module in self.modules():
            if len(module.operands) < 3 or module.operators[1] != "%":
                continue  # an exclusion rule or a partial expression: names no version
            key, call = settings[module.start]
            if key not in _SKIPPED_KEYS:
                self.record(module, scala, Scope.BUILD if call in _BUILD_CALLS else default, call)

    def record(self, module: _Module, scala: str | None, scope: Scope, call: str | None) -> None:
        first, version_operand = module.operands[0][0], module.operands[2]
        group, artifact = (self.string(operand) for operand in module.operands[:2])
        if not (group and artifact and _PART.match(group) and _PART.match(artifact)):
            shown = self.snippet(first, version_operand[-1])
            self.problem(first, f"cannot read the module {shown}: not a literal")
            return
        spec = self.string(version_operand)
        if dotted_path(version_operand) in ("scalaVersion.value", "scalaVersion"):
            spec = scala  # scala-compiler, scala-reflect: the build's own Scala version
        version = exact_version(spec)
        if spec is None:  # kept as written, like Gradle's unresolved versions
            spec = self.snippet(version_operand[0], version_operand[-1])
        if len(module.operands) > 3 and scope is not Scope.BUILD:
            scope = _configuration_scope(module.operands[3])
        texts = [token.text for token in module.modifiers]
        if module.operators[0] == "%%" and call != "addSbtPlugin":
            if scala:
                full = "CrossVersion" in texts and "full" in texts
                artifact += "_" + (scala if full else _binary(scala))
            else:
                self.note("%%", first, _NO_SCALA_VERSION)
        elif module.operators[0] == "%%%":
            self.note("%%%", first, _PLATFORM_SUFFIX)
        self.deps.append(
            Dependency(
                Ecosystem.MAVEN, artifact, spec or None, version, scope, True, self.file.repo,
                self.file.path, self.index.line_of(first.offset), namespace=group,
                source="url" if "from" in texts else "registry",
            )
        )  # fmt: skip

    def note(self, key: str, token: Token, message: str) -> None:
        """A problem reported once per file, where it first applies."""
        if key not in self.noted:
            self.noted.add(key)
            self.problem(token, message)

    def snippet(self, first: Token, last: Token) -> str:
        shown = " ".join(self.text[first.offset : last.end].split())
        return shown if len(shown) <= 60 else shown[:57] + "..."


def _operand(tokens: list[Token], k: int, *, grouped: bool = True) -> list[Token]:
    """The string, dotted name or parenthesized expression at ``k`` (``"g"``,
    ``Versions.akka``, ``(v + ".1")``), or []."""
    if k >= len(tokens):
        return []
    if tokens[k].kind == "str":
        return [tokens[k]]
    if grouped and op(tokens[k], "("):
        close = matching(tokens, k)
        return tokens[k : close + 1] if close < len(tokens) else []
    end = k
    while end < len(tokens) and ident(tokens[end]):
        end += 1
        if end + 1 < len(tokens) and op(tokens[end], ".") and ident(tokens[end + 1]):
            end += 1
        else:
            break
    return tokens[k:end]


def _configuration_scope(operand: list[Token]) -> Scope:
    """``Test``, ``"test"``, ``"it,test"``, ``"test->compile;compile->compile"``."""
    if len(operand) == 1 and operand[0].kind == "str":
        value = operand[0].text
    else:
        value = operand[-1].text if operand else ""
    scopes = []
    for mapping in re.split(r"[;,]", value):
        name = mapping.split("->")[0].strip().lower()
        scopes.append(_CONFIGURATIONS.get(name, Scope.RUNTIME))
    return best_scope(scopes)


def _binary(version: str) -> str:
    """The Scala binary version: ``2.13.12`` → ``2.13``, ``3.3.1`` → ``3``."""
    parts = version.split(".")
    if parts[0] == "3":
        return "3"
    if len(parts) < 3 or "-" in parts[2]:
        return version  # a milestone such as 2.13.0-M5 is its own binary version
    return f"{parts[0]}.{parts[1]}"
