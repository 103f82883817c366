"""Plain-language reasons for a project's position, in the order a committee reads them.

"used by 14 of 20 repositories at runtime; 1 maintainer; last release 26 months ago; accepts
GitHub Sponsors and Open Collective" — each clause comes from one input of the model, and a
clause is only written when its signal is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from analyzer.enrich.funding import platform_name
from analyzer.model import Scope
from analyzer.score.criticality import Factor
from analyzer.score.reliance import Use
from analyzer.score.signals import Evidence, months_between

STALE_REASON_MONTHS = 12  # younger releases are not worth a clause


def and_join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def count(number: float) -> str:
    """12345 -> "12,345"; 8123456 -> "8.1M"."""
    if number >= 10_000_000:
        return f"{number / 1_000_000:.0f}M"
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    return f"{int(number):,}"


def plural(number: float, word: str) -> str:
    return f"{count(number)} {word}{'' if number == 1 else 's'}"


def usage_reasons(uses: Sequence[Use], repositories: int) -> list[str]:
    """ "used by 4 of 11 repositories: 3 at runtime, 1 dev"; "direct in 3, only transitive in 1"."""
    if not uses:
        return ["no repository declares it; reached through other packages at runtime"]
    scopes: dict[Scope, int] = {}
    for use in uses:
        scopes[use.scope] = scopes.get(use.scope, 0) + 1
    head = f"used by {len(uses)} of {repositories} repositories"
    if set(scopes) == {Scope.RUNTIME}:
        reasons = [f"{head} at runtime"]
    else:
        breakdown = ", ".join(
            f"{scopes[s]} {'at runtime' if s is Scope.RUNTIME else s.value}"
            for s in Scope
            if s in scopes
        )
        reasons = [f"{head}: {breakdown}"]
    direct = sum(1 for u in uses if u.direct)
    if direct < len(uses):
        reasons.append(f"direct in {direct}, only transitive in {len(uses) - direct}")
    return reasons


def reach_reasons(criticality: Factor, dependents_in_org: int) -> list[str]:
    reasons = []
    if dependents_in_org:
        verb = "depends" if dependents_in_org == 1 else "depend"
        reasons.append(f"{plural(dependents_in_org, 'other package')} in use {verb} on it")
    dependents = criticality.get("dependents")
    if dependents is not None and dependents.known:
        reasons.append(f"{plural(dependents.value, 'package')} depend on it publicly")
    downloads = criticality.get("downloads")
    if downloads is not None and downloads.known and downloads.value:
        reasons.append(f"{count(downloads.value)} downloads a month")
    return reasons


def need_reasons(evidence: Evidence, today: date) -> list[str]:
    reasons = []
    if (maintainers := evidence.number("maintainer_count")) and maintainers.value >= 1:
        reasons.append(plural(maintainers.value, "maintainer"))
    if (bus := evidence.number("bus_factor")) and 1 <= bus.value <= 2:
        reasons.append(f"bus factor {int(bus.value)}")
    share = evidence.share("top_contributor_share")
    if share is not None and share.value >= 0.5:
        reasons.append(f"top contributor made {share.value:.0%} of the commits")
    for name, what in (("last_release", "last release"), ("last_commit", "last commit")):
        when = evidence.latest(name)
        if when is not None and months_between(when.value, today) >= STALE_REASON_MONTHS:
            reasons.append(f"{what} {months_between(when.value, today)} months ago")
    commits = evidence.number("commits_last_year")
    if commits is not None and commits.value == 0:
        reasons.append("no commits in the last year")
    sponsors = evidence.number("sponsors_count")
    if sponsors is not None:
        has = plural(sponsors.value, "GitHub sponsor") if sponsors.value else "no GitHub sponsors"
        reasons.append(has)
    return reasons


def funding_reason(evidence: Evidence) -> list[str]:
    if not evidence.looked_up:
        return []
    platforms = list(
        dict.fromkeys(
            "donations on its own page"
            if link.platform == "custom"
            else platform_name(link.platform)
            for link in evidence.funding()
        )
    )
    if not platforms:
        return ["no funding channel found"]
    return [f"accepts {and_join(platforms)}"]


def reasons(
    uses: Sequence[Use],
    repositories: int,
    evidence: Evidence,
    criticality: Factor,
    dependents_in_org: int,
    today: date,
) -> tuple[str, ...]:
    return tuple(
        usage_reasons(uses, repositories)
        + reach_reasons(criticality, dependents_in_org)
        + need_reasons(evidence, today)
        + funding_reason(evidence)
    )
