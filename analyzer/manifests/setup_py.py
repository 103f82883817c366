"""``setup.py``: the arguments of ``setup(...)`` read with :mod:`ast`; the file is never run.

Literal lists, tuples, dicts, string concatenation and names bound to such values (module
constants, locals of the function that calls setup, ``+=``/``append``/``extend``/``update``
on them, also inside ``if``/``try``/``with`` blocks) are followed. Anything computed (calls,
comprehensions, f-strings of unknown values) becomes a problem naming the keyword and line,
because guessing would invent or miss dependencies.
"""

from __future__ import annotations

import ast
import bisect
import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import Where, parse_requirement, requirement_dependency
from analyzer.manifests.requirements import RequirementsParser
from analyzer.manifests.setup_cfg import own_package, requirement_lines
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_KEYWORDS = {
    "install_requires": Scope.RUNTIME,
    "setup_requires": Scope.BUILD,
    "tests_require": Scope.TEST,
}
_MAX_NAMES = 6  # distinct names followed from one value ("a few levels of indirection")
_MAX_WORK = 20_000  # nodes visited per keyword, so mutually doubling constants stay cheap
_LATEST = 1 << 62  # an order after every binding: setup() runs once the body has run
_Item = tuple[str, int]  # a requirement string and its line
_Entries = dict[str, tuple[ast.expr, "_At"]]
_Pair = tuple[ast.expr | None, ast.expr, "_At"]  # dict key (None for **spread), value, where


@dataclass(frozen=True)
class _Str:
    """A string value; ``exact`` when its line breaks are the source's own line breaks."""

    text: str
    line: int
    exact: bool = False

    def items(self) -> list[_Item]:
        return [
            (text, self.line + (offset if self.exact else 0))
            for offset, text, _ in requirement_lines(self.text, split_semicolons=False)
        ]


_Value = _Str | list[_Item] | None


@dataclass(frozen=True)
class _At:
    """Where an expression is read: in which body, after which of its bindings."""

    names: _Names
    order: int


class _Names:
    """The values names receive in one body (module or function), in statement order."""

    def __init__(self, body: list[ast.stmt], parent: _Names | None) -> None:
        self.parent = parent
        self.bindings: dict[str, list[tuple[int, ast.expr]]] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        # id of a bound value -> the ``with`` statement around it (a hint at the file it reads)
        self.opened: dict[int, ast.With | ast.AsyncWith] = {}
        self._count = 0
        self._collect(body, None)

    def _collect(self, body: list[ast.stmt], within: ast.With | ast.AsyncWith | None) -> None:
        # Blocks are read as if they ran once: a dependency appended under
        # ``if sys.version_info < ...`` is still declared (as a marker would declare it), and
        # an append inside a loop over a file shows up as a value that cannot be read.
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[stmt.name] = stmt
                continue
            if isinstance(stmt, ast.ClassDef):
                continue
            for name, value in _bindings(stmt):
                self._count += 1
                self.bindings.setdefault(name, []).append((self._count, value))
                if within is not None:
                    self.opened[id(value)] = within
            inner = stmt if isinstance(stmt, ast.With | ast.AsyncWith) else within
            self._collect(getattr(stmt, "body", []), inner)
            for block in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
                self._collect(block.body, within)
            self._collect(getattr(stmt, "orelse", []), within)
            self._collect(getattr(stmt, "finalbody", []), within)

    def lookup(self, name: str, before: int) -> tuple[ast.expr, _At] | None:
        history = self.bindings.get(name, [])
        index = bisect.bisect_left(history, before, key=lambda binding: binding[0])
        if index:
            order, value = history[index - 1]
            return value, _At(self, order)
        return self.parent.lookup(name, _LATEST) if self.parent else None

    def function(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        found = self.functions.get(name)
        return found if found or not self.parent else self.parent.function(name)


def _bindings(stmt: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    """Names a statement binds, each with an expression for its new value."""
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            yield from _assigned(target, stmt.value, stmt)
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        yield from _assigned(stmt.target, stmt.value, stmt)
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        name = stmt.target.id
        yield name, _at(ast.BinOp(_at(ast.Name(name, ast.Load()), stmt), stmt.op, stmt.value), stmt)
    elif (
        isinstance(stmt, ast.Expr)
        and isinstance(call := stmt.value, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and len(call.args) == 1
    ):
        name, method, arg = call.func.value.id, call.func.attr, call.args[0]
        old = _at(ast.Name(name, ast.Load()), stmt)
        if method == "append":
            yield name, _at(ast.BinOp(old, ast.Add(), _at(ast.List([arg], ast.Load()), stmt)), stmt)
        elif method == "extend":
            yield name, _at(ast.BinOp(old, ast.Add(), arg), stmt)
        elif method == "update":
            yield name, _at(ast.Dict([None, None], [old, arg]), stmt)


def _assigned(target: ast.expr, value: ast.expr, stmt: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
        if len(target.elts) == len(value.elts):
            for part, part_value in zip(target.elts, value.elts, strict=True):
                yield from _assigned(part, part_value, stmt)
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        name = target.value.id  # EXTRAS["all"] = [...] is {**EXTRAS, "all": [...]}
        yield name, _at(ast.Dict([None, target.slice], [_at(ast.Name(name), stmt), value]), stmt)


def _at(node: ast.expr, stmt: ast.stmt) -> ast.expr:
    return ast.copy_location(node, stmt)


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        return repr(node.value)[:40]
    if isinstance(node, ast.Attribute):
        return f"{_callee(node.value)}.{node.attr}"
    return f"{_callee(node.func)}(...)" if isinstance(node, ast.Call) else "(...)"


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return f"call to {_callee(node.func)}"
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return "comprehension"
    if isinstance(node, ast.JoinedStr):
        return "f-string"
    if isinstance(node, ast.IfExp):
        return "conditional expression"
    if isinstance(node, ast.Attribute):
        return f"attribute {_callee(node)}"
    if isinstance(node, ast.Name):
        return f"{node.id} is not a value set in this file"
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return "a list"
    if isinstance(node, ast.Dict):
        return "a dict where a list belongs"
    return f"{type(node).__name__.lower()} expression"


class _Evaluator:
    """Reads one keyword's value statically, noting the parts that cannot be read."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.work = 0
        self.unreadable: list[tuple[ast.expr, _At, str]] = []
        self.invalid: list[tuple[int, str]] = []  # values of the wrong type: (line, message)

    def skip(self, node: ast.expr, at: _At, why: str | None = None) -> None:
        self.unreadable.append((node, at, why or _describe(node)))

    def items(self, node: ast.expr, at: _At) -> list[_Item]:
        return _as_items(self.value(node, at, 0, None))

    def spent(self, node: ast.expr, at: _At) -> bool:
        """Count one step; True (once noted) when this keyword has used its budget."""
        self.work += 1
        if self.work == _MAX_WORK + 1:
            self.skip(node, at, f"more than {_MAX_WORK} values to follow")
        return self.work > _MAX_WORK

    def value(self, node: ast.expr, at: _At, names: int, via: str | None) -> _Value:
        """A string, a list of requirement items, or None when it cannot be read."""
        if self.spent(node, at):
            return None
        if isinstance(node, ast.Constant) and node.value is None:
            return []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            exact = (node.end_lineno or node.lineno) - node.lineno == node.value.count("\n")
            return _Str(node.value, node.lineno, exact)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items: list[_Item] = []
            for element in node.elts:  # nested lists are flattened, as setuptools does
                inner = element.value if isinstance(element, ast.Starred) else element
                items.extend(_as_items(self.value(inner, at, names, via)))
            return items
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.concatenate(node, at, names, via)
        if isinstance(node, ast.Name):
            return self.name(node, at, names, via)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, at, names, via)
        if isinstance(node, ast.Subscript):
            return self.subscript(node, at, names, via)
        if _is_copy(node):  # list(REQUIRES) is REQUIRES
            assert isinstance(node, ast.Call)
            return self.value(node.args[0], at, names, via)
        if isinstance(node, ast.Constant):
            message = f"{self.label}: {node.value!r} is not a requirement string"
            self.invalid.append((node.lineno, message))
        else:
            self.skip(node, at)
        return None

    def subscript(self, node: ast.Subscript, at: _At, names: int, via: str | None) -> _Value:
        """``EXTRAS["test"]``; anything else indexed is noted at the subscript's own line."""
        noted = len(self.unreadable)
        entries = self.mapping(node.value, at, names, via)
        key = self.value(node.slice, at, names, via) if entries is not None else None
        if entries is not None and isinstance(key, _Str) and key.text in entries:
            return self.value(*entries[key.text], names, via)
        inner = [why for _, _, why in self.unreadable[noted:]]
        del self.unreadable[noted:]
        self.skip(node, at, f"subscript of {inner[-1]}" if inner else "subscript")
        return None

    def concatenate(self, node: ast.BinOp, at: _At, names: int, via: str | None) -> _Value:
        left = self.value(node.left, at, names, via)
        right = self.value(node.right, at, names, via)
        if isinstance(left, _Str) and isinstance(right, _Str):
            return _Str(left.text + right.text, left.line)
        if left is None or right is None:
            return right if left is None else left  # keep the part that can be read
        if isinstance(left, list) and isinstance(right, list):
            return left + right
        self.skip(node, at, "a string added to a list")
        return None

    def name(self, node: ast.Name, at: _At, names: int, via: str | None) -> _Value:
        found = at.names.lookup(node.id, at.order)
        names += node.id != via  # REQUIRES += [...] refers to itself, not to another name
        if found is None:
            self.skip(node, at)
        elif names > _MAX_NAMES:
            self.skip(node, at, f"more than {_MAX_NAMES} names deep")
        else:
            return self.value(found[0], found[1], names, node.id)
        return None

    def fstring(self, node: ast.JoinedStr, at: _At, names: int, via: str | None) -> _Str | None:
        parts: list[str] = []
        for part in node.values:
            value: _Value = None
            if isinstance(part, ast.Constant):
                value = _Str(str(part.value), node.lineno)
            elif isinstance(part, ast.FormattedValue) and not part.format_spec:
                value = self.value(part.value, at, names, via) if part.conversion == -1 else None
            if not isinstance(value, _Str):
                self.skip(node, at, "f-string")
                return None
            parts.append(value.text)
        return _Str("".join(parts), node.lineno)

    def mapping(
        self, node: ast.expr, at: _At, names: int = 0, via: str | None = None
    ) -> _Entries | None:
        """The literal entries of a dict expression (``{...}``, ``dict(...)``, ``a | b``)."""
        if self.spent(node, at):
            return None
        if isinstance(node, ast.Name):
            found = at.names.lookup(node.id, at.order)
            names += node.id != via
            if found is not None and names <= _MAX_NAMES:
                return self.mapping(found[0], found[1], names, node.id)
            deep = found is not None
            self.skip(node, at, f"more than {_MAX_NAMES} names deep" if deep else None)
            return None
        pairs: list[_Pair] = []
        if isinstance(node, ast.Dict):
            pairs = [(key, value, at) for key, value in zip(node.keys, node.values, strict=True)]
        elif isinstance(node, ast.Call) and _callee(node.func) == "dict" and len(node.args) <= 1:
            pairs = [(None, arg, at) for arg in node.args] + _keyword_pairs(node, at)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pairs = [(None, node.left, at), (None, node.right, at)]
        elif not (isinstance(node, ast.Constant) and node.value is None):
            self.skip(node, at)
            return None
        return self.merge(pairs, at, names, via)

    def merge(self, pairs: list[_Pair], at: _At, names: int, via: str | None) -> _Entries:
        """Entries of ``{key: value, **other}`` pairs; later keys win, as in Python."""
        entries: _Entries = {}
        for key, value, where in pairs:
            if key is None:
                entries.update(self.mapping(value, where, names, via) or {})
                continue
            if isinstance(key, ast.Constant) and not isinstance(key.value, str):
                self.invalid.append(
                    (key.lineno, f"{self.label}: key {key.value!r} is not a string")
                )
                continue
            text = self.value(key, at, names, via)
            if isinstance(text, _Str):
                entries[text.text] = (value, where)
            elif text is not None:
                self.skip(key, at, "a key that is not a string")
        return entries


def _as_items(value: _Value) -> list[_Item]:
    return value.items() if isinstance(value, _Str) else value or []


def _is_copy(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and _callee(node.func) in ("list", "tuple", "sorted")
        and len(node.args) == 1
        and not node.keywords
    )


def _keyword_pairs(call: ast.Call, at: _At) -> list[_Pair]:
    """``f(a=1, **b)`` as dict pairs: (Constant("a"), 1), (None, b)."""
    return [
        (None if k.arg is None else ast.copy_location(ast.Constant(k.arg), k), k.value, at)
        for k in call.keywords
    ]


def _setup_calls(tree: ast.Module) -> list[tuple[ast.Call, tuple[ast.AST, ...]]]:
    """Calls of ``setup`` (setuptools, distutils, scikit-build...) and the functions around them.

    The arguments of a call inside ``def main():`` may use that function's local names.
    """
    names, modules = {"setup"}, set[str]()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.name == "setup" and a.asname)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names)
    calls: list[tuple[ast.Call, tuple[ast.AST, ...]]] = []
    stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(tree, ())]
    while stack:
        node, around = stack.pop()
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id in names) or (
                isinstance(func, ast.Attribute)
                and func.attr == "setup"
                and _callee(func.value).split(".")[0] in {m.split(".")[0] for m in modules}
            ):
                calls.append((node, around))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            around = (*around, node)
        stack.extend((child, around) for child in ast.iter_child_nodes(node))
    return sorted(calls, key=lambda pair: (pair[0].lineno, pair[0].col_offset))


def _requirement_files(roots: Sequence[ast.AST], loose: bool) -> list[str]:
    """String constants naming requirements files (``loose``: any ``.txt``/``.in`` name)."""
    audited = RequirementsParser()
    found: list[tuple[int, int, str]] = []
    for node in (node for root in roots for node in ast.walk(root)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.strip()
            if "\n" in name or len(name) > 200:
                continue
            if (loose and name.endswith((".txt", ".in"))) or audited.matches(PurePosixPath(name)):
                found.append((node.lineno, node.col_offset, name))
    return list(dict.fromkeys(name for _, _, name in sorted(found)))


class SetupPyParser(ManifestParser):
    """Keywords of every ``setup(...)`` call, read from the syntax tree without running it."""

    name = "setup.py"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "setup.py"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        try:
            return _Reader(file, _syntax_tree(text, file.path)).read()
        except RecursionError:
            raise ManifestError("nested too deeply to read statically") from None


def _syntax_tree(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise ManifestError(f"not valid Python 3: {exc.msg}", exc.lineno) from None
    except (ValueError, MemoryError) as exc:  # NUL bytes, parser stack exhausted
        raise ManifestError(f"not valid Python 3: {exc}") from None


class _Reader:
    """Turns the setup() calls of one syntax tree into records and problems."""

    def __init__(self, file: ManifestFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.module = _Names(tree.body, None)
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []
        self.publishes: list[str] = []

    def read(self) -> ParsedManifest:
        calls = _setup_calls(self.tree)
        if not calls:
            self.problem(None, "no setup() call found; no dependencies read")
        for call, around in calls:
            names = self.module
            for function in around:
                assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
                names = _Names(function.body, names)
            self.read_call(call, _At(names, _LATEST))
        return ParsedManifest(
            self.file,
            tuple(dict.fromkeys(self.dependencies)),
            tuple(dict.fromkeys(self.problems)),
            publishes=tuple(dict.fromkeys(self.publishes)),
        )

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def read_call(self, call: ast.Call, at: _At) -> None:
        spread = _Evaluator("setup(**...)")
        arguments = spread.merge(_keyword_pairs(call, at), at, 0, None)
        self.report(spread)
        own = None
        if "name" in arguments:
            name = _Evaluator("name").value(*arguments["name"], 0, None)
            own = own_package(name.text) if isinstance(name, _Str) else None
            if own:
                self.publishes.append(purl(Ecosystem.PYPI, own))
        for keyword, scope in _KEYWORDS.items():
            if keyword in arguments:
                self.read_list(keyword, *arguments[keyword], scope, own)
        if "extras_require" in arguments:
            extras = _Evaluator("extras_require")
            entries = extras.mapping(*arguments["extras_require"])
            self.report(extras)
            for extra, (node, where) in (entries or {}).items():
                # "name:marker" keys are conditional extras; ":marker" alone is a runtime need
                base = extra.partition(":")[0].strip()
                scope = (scope_hint(base) or Scope.OPTIONAL) if base else Scope.RUNTIME
                self.read_list(f"extras_require[{extra!r}]", node, where, scope, own)

    def read_list(self, label: str, node: ast.expr, at: _At, scope: Scope, own: str | None) -> None:
        evaluator = _Evaluator(label)
        try:
            items = evaluator.items(node, at)
        except RecursionError:  # hundreds of appends to one list; the other keywords still count
            items = []
            evaluator.skip(node, at, "nested too deeply")
        self.report(evaluator)
        for text, line in items:
            try:
                requirement = parse_requirement(text)
            except ManifestError as exc:
                self.problem(line, exc.message)
                continue
            if own and canonicalize_name(requirement.name) == own:
                continue  # "pkg[extra]" in pkg's own extras points at itself
            where = Where(self.file.repo, self.file.path, line, scope)
            self.dependencies.append(requirement_dependency(requirement, text, where))

    def report(self, evaluator: _Evaluator) -> None:
        # One problem per keyword and line; the outermost reason (recorded last) names the
        # construct the reader sees, e.g. the f-string rather than a value inside it.
        last = {node.lineno: (node, at, why) for node, at, why in evaluator.unreadable}
        found = list(evaluator.invalid)
        for line, (node, at, why) in last.items():
            files = self.hint(node, at)
            hint = f" (it seems to read {', '.join(files)})" if files else ""
            message = f"{evaluator.label} is computed at line {line} ({why}); "
            found.append((line, f"{message}cannot be read statically{hint}"))
        for line, message in sorted(found):
            self.problem(line, message)

    def hint(self, node: ast.expr, at: _At) -> list[str]:
        """Requirements files the computed value probably reads, to say where the list is."""
        if not isinstance(node, ast.Call):
            return []
        files = _requirement_files([node], loose=True)
        function = at.names.function(node.func.id) if isinstance(node.func, ast.Name) else None
        if not files and function is not None:
            files = _requirement_files([function], loose=True)
        if not files and id(node) in at.names.opened:  # with open("requirements.txt") as f:
            files = _requirement_files(at.names.opened[id(node)].items, loose=True)
        if files or hasattr(builtins, _callee(node.func)):
            return files  # sum(), sorted()... combine other values; they read no file
        return _requirement_files([self.tree], loose=False)[:3]
