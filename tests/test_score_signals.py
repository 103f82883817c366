"""The model with signals: criticality, need, eligibility, confidence and the reasons."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from analyzer.config import Config
from analyzer.enrich.interface import FundingLink, Signal
from analyzer.enrich.runner import Enrichment
from analyzer.graph import DependencyGraph
from analyzer.model import Project, Repository
from analyzer.score.criticality import FactorRecords, criticality, log_score
from analyzer.score.need import need
from analyzer.score.priority import ProjectScore, Ranking, score
from analyzer.score.settings import EligibilitySettings
from analyzer.score.signals import Evidence, months_between
from tests.helpers import dep, purl

TODAY = date(2026, 1, 1)
REPO = "https://github.com/alice/tiny"
AT = "2025-12-31T00:00:00Z"
INPUTS = 2 + len(Config().scoring.criticality) + len(Config().scoring.need)  # 2 from the graph


def enrichment(
    signals: dict[str, dict[str, Any]],
    funding: dict[str, list[str]] | None = None,
    repository: dict[str, str] | None = None,
) -> Enrichment:
    found = Enrichment()
    for key, values in signals.items():
        found.signals[key] = [Signal(name, value, "test", AT) for name, value in values.items()]
    for key, platforms in (funding or {}).items():
        found.funding[key] = [
            FundingLink(p, "alice", f"https://{p}.example/alice", "test") for p in platforms
        ]
    found.repository.update(repository or {})
    return found


def graph(*names: str, repos: int = 2) -> DependencyGraph:
    built = DependencyGraph()
    for i in range(repos):
        built.add_repository(Repository(f"r{i}", f"r{i}"))
    for name in names:
        built.add_dependency(dep(name, repo="r0"))
    return built


def project(name: str = "tiny", repository: str | None = REPO) -> Project:
    return Project(repository or purl(name), name, repository, (purl(name),))


def run(
    found: Enrichment | None,
    config: Config | None = None,
    *projects: Project,
    names: tuple[str, ...] = ("tiny",),
) -> Ranking:
    chosen = list(projects) or [project()]
    return score(graph(*names), chosen, found, config or Config(), TODAY)


def only(ranking: Ranking) -> ProjectScore:
    (found,) = ranking.projects
    return found


def test_criticality_is_the_weighted_log_normalization() -> None:
    found = enrichment(
        {purl("tiny"): {"dependents": 500, "downloads": 20_000_000}, REPO: {"stars": 120}}
    )
    scored = only(run(found))
    weights = {n: (w, t) for n, w, t in Config().scoring.criticality}
    expected = (
        weights["dependents"][0] * math.log1p(500) / math.log1p(weights["dependents"][1])
        + weights["downloads"][0] * 1.0  # above its threshold
        + weights["stars"][0] * math.log1p(120) / math.log1p(weights["stars"][1])
    ) / sum(w for w, _ in weights.values())
    assert scored.criticality.value == pytest.approx(expected)
    assert scored.criticality.missing == ("dependent_repos", "contributors")
    assert scored.criticality.get("stars").source == "test"


def test_log_score_bounds() -> None:
    assert log_score(0, 100) == 0.0
    assert log_score(100, 100) == 1.0
    assert log_score(10**9, 100) == 1.0
    assert 0 < log_score(10, 100) < 1


def test_need_of_a_lone_stale_maintainer_and_its_reasons() -> None:
    found = enrichment(
        {
            purl("tiny"): {"maintainer_count": 1, "last_release": "2023-10-15"},
            REPO: {
                "bus_factor": 1,
                "top_contributor_share": 0.9,
                "commits_last_year": 0,
                "sponsors_count": 0,
                "owner_type": "User",
                "owner_login": "alice",
            },
        },
        funding={REPO: ["github", "open_collective"]},
    )
    scored = only(run(found))
    inputs = {i.name: i.score for i in scored.need.inputs}
    assert inputs == {
        "maintainers": 1.0,
        "bus_factor": 1.0,
        "top_contributor_share": 0.9,
        "release_staleness": min(1.0, 26 / 24),
        "commit_staleness": 0.0,
        "low_activity": 1.0,
        "funding_gap": 1.0,
        "independence": 1.0,
    }
    assert scored.need.value == pytest.approx(
        sum(w * inputs[n] for n, w in Config().scoring.need)
        / sum(w for _, w in Config().scoring.need)
    )
    assert scored.reasons == (
        "used by 1 of 2 repositories at runtime",
        "1 maintainer",
        "bus factor 1",
        "top contributor made 90% of the commits",
        "last release 26 months ago",
        "no commits in the last year",
        "no GitHub sponsors",
        "accepts GitHub Sponsors and Open Collective",
    )
    assert scored.eligibility.status == "eligible"


def test_today_comes_from_the_caller_not_the_clock() -> None:
    found = enrichment({purl("tiny"): {"last_release": "2025-01-01"}})
    early = score(graph("tiny"), [project()], found, Config(), date(2025, 7, 1))
    late = score(graph("tiny"), [project()], found, Config(), date(2027, 1, 1))
    assert only(early).need.get("release_staleness").score == pytest.approx(6 / 24)
    assert only(late).need.get("release_staleness").score == 1.0
    assert months_between(date(2025, 1, 31), date(2025, 2, 28)) == 0


def test_confidence_is_the_share_of_known_inputs() -> None:
    found = enrichment({purl("tiny"): {"maintainer_count": 2, "dependents": 3}})
    scored = only(run(found))
    assert scored.confidence == round((2 + 2) / INPUTS, 2)
    assert "maintainers" not in scored.missing and "bus_factor" in scored.missing


def test_signals_of_the_wrong_type_are_unknown() -> None:
    found = enrichment(
        {
            purl("tiny"): {
                "maintainer_count": "many",
                "dependents": True,
                "last_release": "yesterday",
                "bus_factor": -1,
            }
        }
    )
    scored = only(run(found))
    assert scored.confidence == round(2 / INPUTS, 2)
    assert scored.priority == only(run(None)).priority


def test_corporate_owner_is_excluded_but_an_organization_alone_is_not() -> None:
    corp = project("sdk", "https://github.com/Google/sdk")
    org = project("lib", "https://github.com/pallets/lib")
    found = enrichment(
        {
            org.repository: {"owner_type": "Organization"},
            corp.repository: {"owner_type": "Organization"},
        }
    )
    ranking = run(found, None, corp, org, names=("sdk", "lib"))
    assert [p.name for p in ranking.projects] == ["lib"]
    assert ranking.projects[0].need.get("independence").score == 0.5
    (excluded,) = ranking.excluded
    assert excluded.name == "sdk" and excluded.reason.startswith("owned by google, a company")


def test_allow_overrides_corporate_and_deny_excludes() -> None:
    corp = project("sdk", "https://github.com/google/sdk")
    other = project("lib", "https://github.com/pallets/lib")
    config = replace(
        Config(), eligibility=EligibilitySettings(allow=("github.com/google/*",), deny=("LIB",))
    )
    ranking = run(enrichment({}), config, corp, other, names=("sdk", "lib"))
    assert [p.name for p in ranking.projects] == ["sdk"]
    assert ranking.projects[0].eligibility.reasons[0] == "on the allow list (github.com/google/*)"
    assert [(e.name, e.reason) for e in ranking.excluded] == [("lib", "on the deny list (LIB)")]


def test_pypi_organization_on_the_list_counts_as_corporate() -> None:
    found = enrichment({purl("tiny"): {"owner_organization": "Microsoft"}})
    ranking = run(found, None, project(repository=None))
    assert ranking.projects == () and "microsoft" in ranking.excluded[0].reason


@pytest.mark.parametrize(
    ("signals", "reason"),
    [
        ({REPO: {"archived": True}}, "archived by its owner: plan a migration"),
        (
            {purl("tiny"): {"deprecated": "use  huge\ninstead"}},
            'deprecated ("use huge instead"): plan a migration',
        ),
        (
            {purl("tiny"): {"inactive": True}},
            "marked Inactive by its maintainers: plan a migration",
        ),
    ],
)
def test_archived_or_deprecated_projects_are_ranked_but_not_fundable(signals, reason) -> None:
    scored = only(run(enrichment(signals, funding={REPO: ["github"]})))
    assert scored.eligibility.status == "flagged"
    assert scored.eligibility.flags == ("plan-migration",)
    assert scored.eligibility.reasons == (reason,)
    assert not scored.eligibility.fundable


def test_no_funding_channel_means_reach_out_but_still_fundable() -> None:
    scored = only(run(enrichment({REPO: {"archived": False}})))
    assert scored.eligibility.flags == ("reach-out",)
    assert scored.eligibility.reasons == ("no funding channel found: reach out to maintainers",)
    assert scored.eligibility.fundable
    assert scored.reasons[-1] == "no funding channel found"


def test_a_custom_funding_page_reads_as_donations() -> None:
    scored = only(run(enrichment({}, funding={REPO: ["custom", "liberapay"]})))
    assert scored.reasons[-1] == "accepts donations on its own page and Liberapay"


def test_repository_from_enrichment_feeds_a_per_package_project() -> None:
    found = enrichment({REPO: {"stars": 50_000}}, repository={purl("tiny"): REPO})
    scored = only(score(graph("tiny"), None, found, Config(), TODAY))
    assert scored.project.repository == REPO
    assert scored.criticality.get("stars").score == 1.0
    assert [s.name for s in scored.signals] == ["stars"]


def test_projects_without_signals_share_factors_and_the_others_keep_theirs() -> None:
    found = enrichment({REPO: {"stars": 40_000, "maintainer_count": 1, "owner_type": "User"}})
    chosen = [project("tiny"), project("quiet", None), project("mute", "https://x.org/a/mute")]
    config = Config()
    ranking = run(found, config, *chosen, names=("tiny", "quiet", "mute"))
    by_key = {p.key: p for p in ranking.projects}
    for item in chosen:
        evidence = Evidence(found, item)
        scored = by_key[item.key]
        assert evidence.silent == (item.repository != REPO)
        assert scored.criticality == criticality(evidence, config.scoring)
        corporate = config.eligibility.corporate_owners
        assert scored.need == need(evidence, config.scoring, TODAY, corporate)
    assert by_key[REPO].criticality.value > by_key[purl("quiet")].criticality.value
    assert by_key[purl("quiet")].need is by_key["https://x.org/a/mute"].need


def test_factor_records_are_made_once_per_factor_and_equal_to_record() -> None:
    found = enrichment({REPO: {"stars": 40_000}})
    chosen = [project("tiny"), project("quiet", None), project("mute", "https://x.org/a/mute")]
    ranking = run(found, Config(), *chosen, names=("tiny", "quiet", "mute"))
    records = FactorRecords()
    for scored in ranking.projects:
        for factor in (scored.reliance, scored.criticality, scored.need):
            assert records(factor) == factor.to_record()
    quiet, mute = (next(p for p in ranking.projects if p.key == k)
                   for k in (purl("quiet"), "https://x.org/a/mute"))  # fmt: skip
    assert records(quiet.need) is records(mute.need)  # one shared factor, one record
    tiny = next(p for p in ranking.projects if p.key == REPO)
    assert records(tiny.criticality) is not records(quiet.criticality)
    assert records(tiny.criticality)["missing"] == list(tiny.criticality.missing)
