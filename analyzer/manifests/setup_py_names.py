"""``setup.py`` name bindings: the values each name receives in a module or function body.

The evaluator in :mod:`setup_py_eval` follows names through these bindings. Rebinding forms
(``+=``, ``append``, ``extend``, ``update``, ``X["key"] = ...``) are recorded as the expression
they amount to, so a name read later sees everything added to it before that point.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator
from dataclasses import dataclass

LATEST = 1 << 62  # an order after every binding: setup() runs once the body has run


@dataclass(frozen=True)
class At:
    """Where an expression is read: in which body, after which of its bindings."""

    names: Names
    order: int


class Names:
    """The values names receive in one body (module or function), in statement order."""

    def __init__(self, body: list[ast.stmt], parent: Names | None) -> None:
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

    def lookup(self, name: str, before: int) -> tuple[ast.expr, At] | None:
        history = self.bindings.get(name, [])
        index = bisect.bisect_left(history, before, key=lambda binding: binding[0])
        if index:
            order, value = history[index - 1]
            return value, At(self, order)
        return self.parent.lookup(name, LATEST) if self.parent else None

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
