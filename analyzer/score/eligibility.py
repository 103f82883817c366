"""Eligibility: which projects may receive money, each decision with its reason.

In order: the organization's own projects are excluded; the deny list excludes; a project
owned by a company on ``corporate-owners`` (its GitHub owner, from the ``owner_login`` signal
or the repository URL, or its PyPI organization) is excluded unless the allow list names it.
The owner type alone is not enough: foundations and volunteer communities are GitHub
organizations too. Archived, deprecated, inactive or removed projects stay ranked but are
flagged "plan a migration" and receive no grant (unless allowed); a project without a known
funding channel stays ranked and fundable, flagged "reach out to maintainers".

Allow and deny entries are case-insensitive shell patterns matched against the project key,
its name, its repository without the scheme (``github.com/psf/*``), and each package's purl
or name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from analyzer.model import Project
from analyzer.score.need import is_corporate
from analyzer.score.settings import EligibilitySettings
from analyzer.score.signals import Evidence

ELIGIBLE, FLAGGED, EXCLUDED = "eligible", "flagged", "excluded"
MIGRATE, REACH_OUT = "plan-migration", "reach-out"


@dataclass(frozen=True)
class Eligibility:
    """``status`` is eligible, flagged or excluded; ``fundable`` says whether grants may go."""

    status: str
    flags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    fundable: bool = True

    def to_record(self) -> dict[str, Any]:
        return {"status": self.status, "flags": list(self.flags), "reasons": list(self.reasons)}


def _names(project: Project, package_names: Iterable[str]) -> list[str]:
    names = [project.key, project.name, *project.packages, *package_names]
    if project.repository:
        names.append(project.repository.split("://", 1)[-1])
    return [n.lower() for n in names]


def listed(patterns: tuple[str, ...], project: Project, package_names: Iterable[str]) -> str | None:
    """The first pattern that matches the project, or None."""
    if not patterns:
        return None
    names = _names(project, package_names)
    for pattern in patterns:
        if any(fnmatchcase(name, pattern.lower()) for name in names):
            return pattern
    return None


def _migration(evidence: Evidence) -> list[str]:
    reasons = []
    if (archived := evidence.flag("archived")) and archived.value:
        reasons.append("archived by its owner: plan a migration")
    if (deprecated := evidence.flag("deprecated")) and deprecated.value:
        note = deprecated.value if isinstance(deprecated.value, str) else ""
        detail = f' ("{" ".join(note.split())[:120]}")' if note else ""
        reasons.append(f"deprecated{detail}: plan a migration")
    if (inactive := evidence.flag("inactive")) and inactive.value:
        reasons.append("marked Inactive by its maintainers: plan a migration")
    if (removed := evidence.flag("removed")) and removed.value:
        reasons.append("removed from its registry: plan a migration")
    return reasons


def _excluded(
    project: Project, evidence: Evidence, settings: EligibilitySettings, names: list[str]
) -> tuple[str | None, str | None]:
    """(reason for exclusion, allow pattern) — the allow list overrides all but own and deny."""
    if project.own:
        return project.own_reason or "the organization's own project", None
    if pattern := listed(settings.deny, project, names):
        return f"on the deny list ({pattern})", None
    allowed = listed(settings.allow, project, names)
    owner = is_corporate(evidence, settings.corporate_owners)
    if owner and not allowed:
        return (
            f"owned by {owner}, a company on the corporate-owners list "
            "(companies fund their own projects)"
        ), None
    return None, allowed


def eligibility(
    project: Project,
    evidence: Evidence,
    settings: EligibilitySettings,
    package_names: Iterable[str] = (),
) -> Eligibility:
    names = list(package_names)
    reason, allowed = _excluded(project, evidence, settings, names)
    if reason is not None:
        return Eligibility(EXCLUDED, (), (reason,), fundable=False)
    flags: list[str] = []
    reasons = [f"on the allow list ({allowed})"] if allowed else []
    if migration := _migration(evidence):
        flags.append(MIGRATE)
        reasons += migration
    if not evidence.looked_up:
        flags.append(REACH_OUT)
        reasons.append("funding channels were not looked up: reach out to maintainers")
    elif not evidence.funding():
        flags.append(REACH_OUT)
        reasons.append("no funding channel found: reach out to maintainers")
    fundable = bool(allowed) or MIGRATE not in flags
    return Eligibility(FLAGGED if flags else ELIGIBLE, tuple(flags), tuple(reasons), fundable)
