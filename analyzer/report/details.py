"""The parts of a project only its detail view shows, read from the document when first shown.

A report lists every project in the CSV and the HTML table, but the HTML page details only
the first few hundred: the inputs of each factor and how each repository uses the project
are read for those alone (``view.Factor.inputs``, ``view.Usage.how``). They are read with the
same checks as the rest of the view: a value of the wrong type reads as unknown.
"""

from __future__ import annotations

from typing import Any

from analyzer.report.values import fmt, mapping, number, text, texts, value_text

MAX_INPUTS = 40


def factor_inputs(raw: Any) -> tuple[tuple[str, str], ...]:
    """(name, shown value) of each input of a v2 factor's ``inputs``."""
    inputs = mapping(raw)
    return tuple((text(k, 80), _input(v)) for k, v in list(inputs.items())[:MAX_INPUTS])


def _input(raw: Any) -> str:
    """One input of a factor: v2 says ``{value, score, weight, source}``; else its value."""
    item = mapping(raw)
    if "value" not in item:
        return value_text(raw, 120)
    shown = "unknown" if item["value"] is None else value_text(item["value"], 60)
    details = [f"{key} {fmt(found)}" for key in ("score", "weight")
               if (found := number(item.get(key))) is not None]  # fmt: skip
    if text(item.get("source"), 40):
        details.append(f"from {text(item.get('source'), 40)}")
    return f"{shown} ({', '.join(details)})" if details else shown


def usage_how(raw: Any) -> str:
    """A v2 use ``{scope, direct, depth, files}`` in words; ``""`` for a v1 name."""
    item = mapping(raw)
    scope = text(item.get("scope"), 20)
    parts = [scope] if scope else []
    if isinstance(item.get("direct"), bool):
        parts.append("direct" if item["direct"] else "transitive")
    depth = number(item.get("depth"))
    if depth is not None and depth > 1:
        parts.append(f"depth {int(depth)}")
    files = texts(item.get("files"), 20)
    return ", ".join(parts) + (f" in {', '.join(files)}" if files else "")


def usage_runtime(raw: Any) -> bool | None:
    """Whether a use is at runtime; None when the document does not say."""
    scope = text(mapping(raw).get("scope"), 20)
    return (scope == "runtime") if scope else None
