"""Need: how likely a project is to suffer without support.

A weighted mean (weights in ``[tool.fundscout.scoring.need]``) of component scores in [0, 1]:

- ``maintainers``: 1 / number of registry maintainers (one maintainer scores 1);
- ``bus_factor``: 1 / the fewest people behind over half the commits;
- ``top_contributor_share``: the top contributor's share of commits;
- ``release_staleness`` and ``commit_staleness``: months since the last release, and since
  the last commit on the default branch, / ``stale-months``, at most 1;
- ``low_activity``: 1 - log(1 + commits last year) / log(1 + ``active-commits``), at least 0;
- ``funding_gap``: 1 - log(1 + GitHub sponsors) / log(1 + ``funded-sponsors``), at least 0;
- ``independence``: 1 when a person owns the repository, 0.5 for an organization, 0 for an
  owner on the corporate list (no company or foundation behind it scores highest).

An unknown component scores 0 with its weight kept, and each component reads one signal, so
a missing signal never raises need. (That is why release and commit age are two components:
"the latest of the two" would make a project look staler when one of them is unknown.)
Activity "relative to reliance" is the product reliance x need in the priority: a stale project
matters in proportion to how much the organization relies on it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from analyzer.score.criticality import Factor, Input, log_score, observed, weighted
from analyzer.score.settings import ScoringSettings
from analyzer.score.signals import Evidence, Observation, months_between


def _inverse(found: Observation | None) -> float:
    return 1.0 / found.value if found is not None and found.value >= 1 else 0.0


def _gap(found: Observation | None, enough: float) -> float:
    """How far a count falls short of ``enough``, on the log scale (0 when unknown)."""
    return 1.0 - log_score(found.value, enough) if found is not None else 0.0


def _age(found: Observation | None, today: date, stale_months: float) -> float:
    if found is None:
        return 0.0
    return min(1.0, months_between(found.value, today) / stale_months)


def owner_of(evidence: Evidence) -> str | None:
    """The repository owner: the GitHub login signal, else the URL's first path segment."""
    login = evidence.text("owner_login", limit=100)
    if login is not None:
        return str(login.value).lower()
    for key in evidence.keys:
        if key.startswith(("https://", "http://")):
            parts = key.split("/")
            if len(parts) > 4 and parts[3]:
                return parts[3].lower()
    return None


@lru_cache(maxsize=16)
def _lowered(owners: tuple[str, ...]) -> frozenset[str]:
    return frozenset(owner.lower() for owner in owners)


def is_corporate(evidence: Evidence, corporate_owners: tuple[str, ...]) -> str | None:
    """The corporate owner behind the project, when its owner or PyPI organization is listed."""
    listed = _lowered(corporate_owners)
    owner = owner_of(evidence)
    if owner is not None and owner in listed:
        return owner
    organization = evidence.text("owner_organization", limit=100)
    if organization is not None and str(organization.value).lower() in listed:
        return str(organization.value).lower()
    return None


def independence(evidence: Evidence, corporate_owners: tuple[str, ...], weight: float) -> Input:
    """1 for a person's repository, 0.5 for an organization, 0 for a listed company."""
    kind = evidence.text("owner_type", limit=20)
    organization = evidence.text("owner_organization", limit=100)
    found = kind or organization
    if found is None:
        return Input("independence", None, 0.0, weight)
    if is_corporate(evidence, corporate_owners):
        score = 0.0
    else:
        score = 1.0 if kind is not None and kind.value == "User" else 0.5
    value = kind.value if kind is not None else f"PyPI organization {found.value}"
    return Input("independence", value, score, weight, found.source)


def need(
    evidence: Evidence,
    settings: ScoringSettings,
    today: date,
    corporate_owners: tuple[str, ...] = (),
) -> Factor:
    weights = dict(settings.need)
    maintainers = evidence.number("maintainer_count")
    bus = evidence.number("bus_factor")
    share = evidence.share("top_contributor_share")
    released = evidence.latest("last_release")
    committed = evidence.latest("last_commit")
    commits = evidence.number("commits_last_year")
    sponsors = evidence.number("sponsors_count")
    inputs = [
        observed("maintainers", maintainers, weights["maintainers"], _inverse(maintainers)),
        observed("bus_factor", bus, weights["bus_factor"], _inverse(bus)),
        observed(
            "top_contributor_share",
            share,
            weights["top_contributor_share"],
            share.value if share is not None else 0.0,
        ),
        observed(
            "release_staleness",
            released,
            weights["release_staleness"],
            _age(released, today, settings.stale_months),
        ),
        observed(
            "commit_staleness",
            committed,
            weights["commit_staleness"],
            _age(committed, today, settings.stale_months),
        ),
        observed(
            "low_activity", commits, weights["low_activity"], _gap(commits, settings.active_commits)
        ),
        observed(
            "funding_gap",
            sponsors,
            weights["funding_gap"],
            _gap(sponsors, settings.funded_sponsors),
        ),
        independence(evidence, corporate_owners, weights["independence"]),
    ]
    for i, item in enumerate(inputs):
        if isinstance(item.value, date):  # the report shows the date the staleness counts from
            inputs[i] = Input(
                item.name, item.value.isoformat(), item.score, item.weight, item.source
            )
    return weighted(inputs)
