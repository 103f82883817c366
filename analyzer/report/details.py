"""The parts of a project only its detail view shows, read from the document when first shown.

A report lists every project in the CSV and the HTML table, but the HTML page details only
the first few hundred: the inputs of each factor, how each repository uses the project and its
signals are read for those alone (``view.Factor.inputs``, ``view.Usage.how``,
``view.ProjectView.signals``). They are read with the
same checks as the rest of the view: a value of the wrong type reads as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analyzer.report.values import fmt, mapping, number, text, texts, value_text

MAX_INPUTS = 40
MAX_SIGNALS = 200


@dataclass(frozen=True)
class SignalRow:
    """One signal as shown: its value on one line, who said it and when."""

    name: str
    value: str
    source: str
    fetched_at: str


def signal_rows(raw: Any) -> tuple[SignalRow, ...]:
    """A project's ``signals`` (name -> ``{value, source, fetched_at}``), by name."""
    rows = []
    for name, record in sorted(mapping(raw).items())[:MAX_SIGNALS]:
        item = mapping(record)
        value = item.get("value", record)
        rows.append(SignalRow(text(name, 80), value_text(value), text(item.get("source"), 60),
                              text(item.get("fetched_at"), 40)))  # fmt: skip
    return tuple(rows)


def critical_flag(raw: Any) -> str | None:
    """The value ``signal_rows`` shows for the first ``critical`` signal, without reading
    the others (every project's flag is counted; only the first projects show signals)."""
    for name, record in sorted(mapping(raw).items())[:MAX_SIGNALS]:
        if text(name, 80) == "critical":
            return value_text(mapping(record).get("value", record))
    return None


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
