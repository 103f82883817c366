"""Inline SVG charts for the HTML report, drawn in Python so the page needs no library.

Every text that reaches a chart (project names, platforms) is escaped by ``el``; coordinates
are rounded to one decimal so the output is byte-for-byte reproducible. Colors are attributes
(readable when a chart is copied out of the page) and dark enough to print.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup, escape

from analyzer.enrich.funding import platform_name
from analyzer.report.values import fmt
from analyzer.report.view import ProjectView

WIDTH = 640
LABEL = 190  # room for the names left of the bars
INK, MUTED, ACCENT, WARN = "#1f4e79", "#6b7280", "#2b7a78", "#b45309"


def el(tag: str, attrs: dict[str, object] | None = None, *children: str) -> Markup:
    """One element; attribute values and plain-string children are escaped."""
    parts = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in (attrs or {}).items()
        if value is not None
    )
    body = "".join(escape(child) for child in children)
    # Safe: the tag and attribute names are ours, every value and plain child is escaped.
    return Markup(f"<{tag}{parts}>{body}</{tag}>")  # noqa: S704


def num(value: float) -> str:
    return f"{value:.1f}"


def short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg(height: float, title: str, *children: str, width: float = WIDTH) -> Markup:
    """A responsive chart: scales to its container, keeps its aspect ratio."""
    return el(
        "svg",
        {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {num(width)} {num(height)}",
         "width": num(width), "height": num(height), "role": "img", "aria-label": title,
         "class": "chart"},
        el("title", None, title), *children,
    )  # fmt: skip


def message(title: str, note: str) -> Markup:
    """A chart that has nothing to show says why, at the same place."""
    return svg(60, title, el("text", {"x": 10, "y": 35, "fill": MUTED}, note))


def _bars(rows: Sequence[tuple[str, float, str, str | None]], title: str, unit: str) -> Markup:
    """Horizontal bars: (label, value, tooltip, link target)."""
    top = max((value for _, value, _, _ in rows), default=0.0) or 1.0
    span, height = WIDTH - LABEL - 60, 22
    shapes = []
    for index, (label, value, tip, target) in enumerate(rows):
        y = 8 + index * height
        length = max(value / top * span, 1.0)
        bar = el(
            "g", {"class": "bar"},
            el("title", None, tip),
            el("text", {"x": LABEL - 6, "y": num(y + 14), "text-anchor": "end",
                        "fill": "#111827"}, short(label)),
            el("rect", {"x": LABEL, "y": y + 3, "width": num(length), "height": height - 6,
                        "fill": INK, "rx": 2}),
            el("text", {"x": num(LABEL + length + 5), "y": num(y + 14), "fill": MUTED},
               f"{fmt(value, 1)}{unit}"),
        )  # fmt: skip
        shapes.append(el("a", {"href": target}, bar) if target else bar)
    return svg(16 + len(rows) * height, title, *shapes)


def priority_bars(projects: Sequence[ProjectView], top: int = 15) -> Markup:
    title = f"Top {min(top, len(projects))} projects by priority"
    rows = [
        (p.name, p.priority, f"#{p.rank} {p.name}: priority {fmt(p.priority, 1)}",
         f"#project-{p.rank}")
        for p in projects[:top] if p.priority is not None
    ]  # fmt: skip
    if not rows:
        return message(title, "No project has a priority yet.")
    return _bars(rows, title, "")


def coverage(projects: Sequence[ProjectView], looked_up: bool) -> Markup:
    """How many ranked projects accept each platform, and how many have no known channel."""
    title = "Funding channels by platform (ranked projects)"
    if not projects:
        return message(title, "No projects.")
    if not looked_up:
        return message(title, "Funding is unknown: public API lookups were turned off.")
    counts = Counter(
        name for p in projects for name in {platform_name(link.platform) for link in p.funding}
    )
    none = sum(1 for p in projects if not p.funding)
    total = len(projects)
    rows = [
        (name, count / total * 100, f"{name}: {count} of {total} projects", None)
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    rows.append(("no known channel", none / total * 100, f"{none} of {total} projects", None))
    return _bars(rows, title, " %")


def _axes(pad: float, size: float, scale: float) -> list[Markup]:
    """The frame, grid lines at quarters and the axis names of the scatter plot."""
    shapes = [el("rect", {"x": pad, "y": pad, "width": size, "height": size, "fill": "none",
                          "stroke": MUTED})]  # fmt: skip
    for tick in (0.25, 0.5, 0.75):  # quarters of the axis
        across = num(pad + tick * size)
        shapes.append(el("line", {"x1": across, "y1": pad, "x2": across, "y2": pad + size,
                                  "stroke": "#e5e7eb"}))  # fmt: skip
        shapes.append(el("line", {"x1": pad, "y1": across, "x2": pad + size, "y2": across,
                                  "stroke": "#e5e7eb"}))  # fmt: skip
    middle = num(pad + size / 2)
    shapes.append(el("text", {"x": middle, "y": num(pad + size + 30), "text-anchor": "middle",
                              "fill": MUTED}, f"reliance → (0 to {fmt(scale, 1)})"))  # fmt: skip
    shapes.append(el("text", {"x": 14, "y": middle, "fill": MUTED, "text-anchor": "middle",
                              "transform": f"rotate(-90 14 {middle})"},
                     f"need → (0 to {fmt(scale, 1)})"))  # fmt: skip
    return shapes


def scatter(projects: Sequence[ProjectView], labels: int = 6) -> Markup:
    """Reliance (how much we lean on it) against need (how much it needs support)."""
    title = "Reliance versus need"
    points = []
    for p in projects:
        reliance, need = p.factor("reliance"), p.factor("need")
        if reliance is not None and need is not None:
            points.append((p, reliance, need))
    if not points:
        return message(title, "Need is not known for any project yet.")
    size, pad = 380.0, 44.0
    scale = nice_ceiling(max(max(r, n) for _, r, n in points))
    top = max((p.priority or 0.0) for p, _, _ in points) or 1.0
    shapes = _axes(pad, size, scale)
    placed: list[tuple[float, float]] = []
    # Highest rank drawn last, so the most important points stay on top.
    for project, reliance, need in sorted(points, key=lambda item: -item[0].rank):
        x, y = pad + reliance / scale * size, pad + size - need / scale * size
        radius = 3 + 7 * (project.priority or 0.0) / top
        color = WARN if project.status == "flagged" else ACCENT
        tip = f"#{project.rank} {project.name}: reliance {fmt(reliance)}, need {fmt(need)}"
        dot = el("circle", {"cx": num(x), "cy": num(y), "r": num(radius), "fill": color,
                            "fill-opacity": "0.75"}, el("title", None, tip))  # fmt: skip
        shapes.append(el("a", {"href": f"#project-{project.rank}"}, dot))
    # Labels for the best ranked, skipping any that would overlap one already placed.
    for project, reliance, need in sorted(points, key=lambda item: item[0].rank)[:labels]:
        x, y = pad + reliance / scale * size + 9, pad + size - need / scale * size + 4
        if all(abs(y - oy) > 12 or abs(x - ox) > 110 for ox, oy in placed):
            placed.append((x, y))
            shapes.append(el("text", {"x": num(x), "y": num(y), "font-size": 11},
                             short(project.name, 20)))  # fmt: skip
    return svg(size + 2 * pad + 10, title, *shapes, width=size + 2 * pad + 120)


def nice_ceiling(value: float) -> float:
    """The smallest of 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10… at or above ``value``."""
    magnitude = 10 ** math.floor(math.log10(value)) if value > 0 else 1.0
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude
