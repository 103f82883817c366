"""The dependency graph around the top projects, as an inline SVG.

Top projects sit on an inner ring, the organization's repositories that use them on an outer
ring; each edge is one repository using one project (solid when used at runtime, dashed
otherwise, plain when the report does not say). Repositories are placed at the mean angle of
the projects they use, which keeps most edges short without a layout library, and the
result is the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from analyzer.report.charts import ACCENT, INK, MUTED, el, message, num, short, svg
from analyzer.report.view import ProjectView

SIZE = 620.0  # height; the width leaves room for labels outside the outer ring
BREADTH = 900.0
INNER, OUTER = 140.0, 265.0
MAX_PROJECTS, MAX_REPOS = 8, 24


def _angle(index: int, count: int) -> float:
    return -math.pi / 2 + 2 * math.pi * index / max(count, 1)


def _point(angle: float, radius: float) -> tuple[float, float]:
    return BREADTH / 2 + radius * math.cos(angle), SIZE / 2 + radius * math.sin(angle)


def _mean_angle(angles: Sequence[float]) -> float:
    return math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))


def graph_view(projects: Sequence[ProjectView], top: int = MAX_PROJECTS) -> Markup:
    chosen = list(projects[:top])
    title = f"Which repositories use the top {len(chosen)} projects"
    if not chosen:
        return message(title, "No projects.")
    angles = {p.rank: _angle(i, len(chosen)) for i, p in enumerate(chosen)}
    uses: dict[str, list[tuple[ProjectView, bool | None]]] = {}
    for project in chosen:
        for usage in project.used_by:
            uses.setdefault(usage.repo, []).append((project, usage.runtime))
    # The busiest repositories when there are too many to draw; the rest are counted.
    repos = sorted(uses, key=lambda repo: (-len(uses[repo]), repo))[:MAX_REPOS]
    hidden = len(uses) - len(repos)
    order = sorted(repos, key=lambda r: (_mean_angle([angles[p.rank] for p, _ in uses[r]]), r))
    repo_at = {repo: _point(_angle(i, len(order)), OUTER) for i, repo in enumerate(order)}
    project_at = {rank: _point(angle, INNER) for rank, angle in angles.items()}
    shapes = []
    for repo in order:
        for project, runtime in uses[repo]:
            (x1, y1), (x2, y2) = repo_at[repo], project_at[project.rank]
            shapes.append(el("line", {
                "x1": num(x1), "y1": num(y1), "x2": num(x2), "y2": num(y2), "stroke": MUTED,
                "stroke-width": "1.2", "stroke-dasharray": "4 3" if runtime is False else None,
                "class": "edge",
            }))  # fmt: skip
    for repo, (x, y) in repo_at.items():
        shapes.append(_node(x, y, 5, "#9ca3af", repo, f"{repo}: uses {len(uses[repo])}"))
    top_priority = max((p.priority or 0.0) for p in chosen) or 1.0
    for project in chosen:
        x, y = project_at[project.rank]
        radius = 7 + 9 * (project.priority or 0.0) / top_priority
        tip = f"#{project.rank} {project.name}: used by {len(project.users)} repositories"
        node = _node(x, y, radius, ACCENT, project.name, tip, bold=True)
        shapes.append(el("a", {"href": f"#project-{project.rank}"}, node))
    if hidden:
        shapes.append(el("text", {"x": 10, "y": SIZE - 8, "fill": MUTED},
                         f"and {hidden} more repositories not drawn"))  # fmt: skip
    return svg(SIZE, title, *shapes, width=BREADTH)


def _node(x: float, y: float, radius: float, color: str, label: str, tip: str,
          bold: bool = False) -> Markup:  # fmt: skip
    """A circle and its label: repositories' beside them, away from the centre; projects'
    (``bold``) centred below, haloed in white so edges passing under stay legible."""
    if bold:
        place = {"x": num(x), "y": num(y + radius + 12), "text-anchor": "middle",
                 "font-weight": "bold", "stroke": "#ffffff", "stroke-width": 3,
                 "paint-order": "stroke"}  # fmt: skip
    else:
        right = x >= BREADTH / 2
        place = {"x": num(x + (radius + 3 if right else -(radius + 3))), "y": num(y + 4),
                 "text-anchor": "start" if right else "end"}  # fmt: skip
    return el(
        "g", {"class": "node"},
        el("title", None, tip),
        el("circle", {"cx": num(x), "cy": num(y), "r": num(radius), "fill": color,
                      "stroke": INK if bold else "none"}),
        el("text", {**place, "font-size": 11}, short(label, 22)),
    )  # fmt: skip
