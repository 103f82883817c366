"""``setup.py``: the arguments of ``setup(...)`` read with :mod:`ast`; the file is never run.

Literal lists, tuples, dicts, string concatenation and names bound to such values (module
constants, locals of the function that calls setup, ``+=``/``append``/``extend``/``update``
on them, also inside ``if``/``try``/``with`` blocks) are followed. Anything computed (calls,
comprehensions, f-strings of unknown values) becomes a problem naming the keyword and line,
because guessing would invent or miss dependencies.

This module finds the ``setup()`` calls and turns their keywords into records and problems;
:mod:`setup_py_eval` reads a keyword's value and :mod:`setup_py_names` tracks what names hold.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Sequence
from pathlib import PurePosixPath

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import Where, pep508_dependency
from analyzer.manifests.requirements import RequirementsParser
from analyzer.manifests.setup_cfg import own_package
from analyzer.manifests.setup_py_eval import Evaluator, Str, callee, keyword_pairs
from analyzer.manifests.setup_py_names import LATEST, At, Names
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_KEYWORDS = {
    "install_requires": Scope.RUNTIME,
    "setup_requires": Scope.BUILD,
    "tests_require": Scope.TEST,
}


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
                and callee(func.value).split(".")[0] in {m.split(".")[0] for m in modules}
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
        self.module = Names(tree.body, None)
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
                names = Names(function.body, names)
            self.read_call(call, At(names, LATEST))
        return ParsedManifest(
            self.file,
            tuple(dict.fromkeys(self.dependencies)),
            tuple(dict.fromkeys(self.problems)),
            publishes=tuple(dict.fromkeys(self.publishes)),
        )

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def read_call(self, call: ast.Call, at: At) -> None:
        spread = Evaluator("setup(**...)")
        arguments = spread.merge(keyword_pairs(call, at), at, 0, None)
        self.report(spread)
        own = None
        if "name" in arguments:
            name = Evaluator("name").value(*arguments["name"], 0, None)
            own = own_package(name.text) if isinstance(name, Str) else None
            if own:
                self.publishes.append(purl(Ecosystem.PYPI, own))
        for keyword, scope in _KEYWORDS.items():
            if keyword in arguments:
                self.read_list(keyword, *arguments[keyword], scope, own)
        if "extras_require" in arguments:
            extras = Evaluator("extras_require")
            entries = extras.mapping(*arguments["extras_require"])
            self.report(extras)
            for extra, (node, where) in (entries or {}).items():
                # "name:marker" keys are conditional extras; ":marker" alone is a runtime need
                base = extra.partition(":")[0].strip()
                scope = (scope_hint(base) or Scope.OPTIONAL) if base else Scope.RUNTIME
                self.read_list(f"extras_require[{extra!r}]", node, where, scope, own)

    def read_list(self, label: str, node: ast.expr, at: At, scope: Scope, own: str | None) -> None:
        evaluator = Evaluator(label)
        try:
            items = evaluator.items(node, at)
        except RecursionError:  # hundreds of appends to one list; the other keywords still count
            items = []
            evaluator.skip(node, at, "nested too deeply")
        self.report(evaluator)
        for text, line in items:
            try:
                dep = pep508_dependency(text, Where(self.file.repo, self.file.path, line, scope))
            except ManifestError as exc:
                self.problem(exc.line, exc.message)
                continue
            if dep.name != own:  # "pkg[extra]" in pkg's own extras points at itself
                self.dependencies.append(dep)

    def report(self, evaluator: Evaluator) -> None:
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

    def hint(self, node: ast.expr, at: At) -> list[str]:
        """Requirements files the computed value probably reads, to say where the list is."""
        if not isinstance(node, ast.Call):
            return []
        files = _requirement_files([node], loose=True)
        function = at.names.function(node.func.id) if isinstance(node.func, ast.Name) else None
        if not files and function is not None:
            files = _requirement_files([function], loose=True)
        if not files and id(node) in at.names.opened:  # with open("requirements.txt") as f:
            files = _requirement_files(at.names.opened[id(node)].items, loose=True)
        if files or hasattr(builtins, callee(node.func)):
            return files  # sum(), sorted()... combine other values; they read no file
        return _requirement_files([self.tree], loose=False)[:3]
