"""``setup.py`` static evaluation: the value of one ``setup()`` keyword, read from the tree.

Strings, lists, tuples, sets, ``+``, f-strings of known parts, ``dict(...)``/``{...}``/``|``
mappings, ``EXTRAS["key"]`` and ``list(X)`` copies are followed through the names of
:mod:`setup_py_names`. Anything else is noted as unreadable, with a description of the
construct, instead of being guessed. The work per keyword is bounded (names followed, nodes
visited) so that adversarial files stay cheap.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from analyzer.manifests.setup_cfg import requirement_lines
from analyzer.manifests.setup_py_names import At

_MAX_NAMES = 6  # distinct names followed from one value ("a few levels of indirection")
_MAX_WORK = 20_000  # nodes visited per keyword, so mutually doubling constants stay cheap
_Item = tuple[str, int]  # a requirement string and its line
_Entries = dict[str, tuple[ast.expr, At]]
_Pair = tuple[ast.expr | None, ast.expr, At]  # dict key (None for **spread), value, where


@dataclass(frozen=True)
class Str:
    """A string value; ``exact`` when its line breaks are the source's own line breaks."""

    text: str
    line: int
    exact: bool = False

    def items(self) -> list[_Item]:
        return [
            (text, self.line + (offset if self.exact else 0))
            for offset, text, _ in requirement_lines(self.text, split_semicolons=False)
        ]


_Value = Str | list[_Item] | None


def callee(node: ast.expr) -> str:
    """The dotted name an expression spells (``setuptools.setup``), shortened for messages."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        return repr(node.value)[:40]
    if isinstance(node, ast.Attribute):
        return f"{callee(node.value)}.{node.attr}"
    return f"{callee(node.func)}(...)" if isinstance(node, ast.Call) else "(...)"


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return f"call to {callee(node.func)}"
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return "comprehension"
    if isinstance(node, ast.JoinedStr):
        return "f-string"
    if isinstance(node, ast.IfExp):
        return "conditional expression"
    if isinstance(node, ast.Attribute):
        return f"attribute {callee(node)}"
    if isinstance(node, ast.Name):
        return f"{node.id} is not a value set in this file"
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return "a list"
    if isinstance(node, ast.Dict):
        return "a dict where a list belongs"
    return f"{type(node).__name__.lower()} expression"


class Evaluator:
    """Reads one keyword's value statically, noting the parts that cannot be read."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.work = 0
        self.unreadable: list[tuple[ast.expr, At, str]] = []
        self.invalid: list[tuple[int, str]] = []  # values of the wrong type: (line, message)

    def skip(self, node: ast.expr, at: At, why: str | None = None) -> None:
        self.unreadable.append((node, at, why or _describe(node)))

    def items(self, node: ast.expr, at: At) -> list[_Item]:
        return _as_items(self.value(node, at, 0, None))

    def spent(self, node: ast.expr, at: At) -> bool:
        """Count one step; True (once noted) when this keyword has used its budget."""
        self.work += 1
        if self.work == _MAX_WORK + 1:
            self.skip(node, at, f"more than {_MAX_WORK} values to follow")
        return self.work > _MAX_WORK

    def value(self, node: ast.expr, at: At, names: int, via: str | None) -> _Value:
        """A string, a list of requirement items, or None when it cannot be read."""
        if self.spent(node, at):
            return None
        if isinstance(node, ast.Constant) and node.value is None:
            return []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            exact = (node.end_lineno or node.lineno) - node.lineno == node.value.count("\n")
            return Str(node.value, node.lineno, exact)
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

    def subscript(self, node: ast.Subscript, at: At, names: int, via: str | None) -> _Value:
        """``EXTRAS["test"]``; anything else indexed is noted at the subscript's own line."""
        noted = len(self.unreadable)
        entries = self.mapping(node.value, at, names, via)
        key = self.value(node.slice, at, names, via) if entries is not None else None
        if entries is not None and isinstance(key, Str) and key.text in entries:
            return self.value(*entries[key.text], names, via)
        inner = [why for _, _, why in self.unreadable[noted:]]
        del self.unreadable[noted:]
        self.skip(node, at, f"subscript of {inner[-1]}" if inner else "subscript")
        return None

    def concatenate(self, node: ast.BinOp, at: At, names: int, via: str | None) -> _Value:
        left = self.value(node.left, at, names, via)
        right = self.value(node.right, at, names, via)
        if isinstance(left, Str) and isinstance(right, Str):
            return Str(left.text + right.text, left.line)
        if left is None or right is None:
            return right if left is None else left  # keep the part that can be read
        if isinstance(left, list) and isinstance(right, list):
            return left + right
        self.skip(node, at, "a string added to a list")
        return None

    def name(self, node: ast.Name, at: At, names: int, via: str | None) -> _Value:
        found = at.names.lookup(node.id, at.order)
        names += node.id != via  # REQUIRES += [...] refers to itself, not to another name
        if found is None:
            self.skip(node, at)
        elif names > _MAX_NAMES:
            self.skip(node, at, f"more than {_MAX_NAMES} names deep")
        else:
            return self.value(found[0], found[1], names, node.id)
        return None

    def fstring(self, node: ast.JoinedStr, at: At, names: int, via: str | None) -> Str | None:
        parts: list[str] = []
        for part in node.values:
            value: _Value = None
            if isinstance(part, ast.Constant):
                value = Str(str(part.value), node.lineno)
            elif isinstance(part, ast.FormattedValue) and not part.format_spec:
                value = self.value(part.value, at, names, via) if part.conversion == -1 else None
            if not isinstance(value, Str):
                self.skip(node, at, "f-string")
                return None
            parts.append(value.text)
        return Str("".join(parts), node.lineno)

    def mapping(
        self, node: ast.expr, at: At, names: int = 0, via: str | None = None
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
        elif isinstance(node, ast.Call) and callee(node.func) == "dict" and len(node.args) <= 1:
            pairs = [(None, arg, at) for arg in node.args] + keyword_pairs(node, at)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pairs = [(None, node.left, at), (None, node.right, at)]
        elif not (isinstance(node, ast.Constant) and node.value is None):
            self.skip(node, at)
            return None
        return self.merge(pairs, at, names, via)

    def merge(self, pairs: list[_Pair], at: At, names: int, via: str | None) -> _Entries:
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
            if isinstance(text, Str):
                entries[text.text] = (value, where)
            elif text is not None:
                self.skip(key, at, "a key that is not a string")
        return entries


def _as_items(value: _Value) -> list[_Item]:
    return value.items() if isinstance(value, Str) else value or []


def _is_copy(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and callee(node.func) in ("list", "tuple", "sorted")
        and len(node.args) == 1
        and not node.keywords
    )


def keyword_pairs(call: ast.Call, at: At) -> list[_Pair]:
    """``f(a=1, **b)`` as dict pairs: (Constant("a"), 1), (None, b)."""
    return [
        (None if k.arg is None else ast.copy_location(ast.Constant(k.arg), k), k.value, at)
        for k in call.keywords
    ]
