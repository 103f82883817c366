"""Budget allocation: strategies, floors, caps, platform minimums, rounding and the CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from analyzer.allocate import (
    Allocation,
    allocate,
    payee,
    round_cents,
    sponsors_csv,
    water_fill,
)
from analyzer.enrich.interface import FundingLink
from analyzer.model import Project
from analyzer.score.criticality import Factor
from analyzer.score.eligibility import Eligibility
from analyzer.score.priority import ProjectScore, Ranking
from analyzer.score.settings import BudgetSettings


def link(platform: str, account: str) -> FundingLink:
    return FundingLink(platform, account, f"https://{platform}.example/{account}", "test")


def project(rank: int, priority: float, links=(), fundable: bool = True) -> ProjectScore:
    name = f"p{rank}"
    flags = () if fundable else ("plan-migration",)
    return ProjectScore(
        rank=rank,
        project=Project(name, name, None, (f"pkg:pypi/{name}",)),
        ecosystems=("pypi",),
        priority=priority,
        confidence=1.0,
        reliance=Factor(0.5, ()),
        criticality=Factor(0, ()),
        need=Factor(0, ()),
        eligibility=Eligibility("eligible", flags, (), fundable),
        reasons=(),
        uses=(),
        funding=tuple(links),
        maintainers=(),
        signals=(),
    )


def budget(amount: str, **values) -> BudgetSettings:
    defaults = {"min_grant": Decimal(0), "max_share": Decimal(1)}
    return replace(BudgetSettings(), amount=Decimal(amount), **{**defaults, **values})


def amounts(allocation: Allocation) -> list[Decimal]:
    return [g.amount for g in allocation.grants]


def test_proportional_split_rounds_by_largest_remainder() -> None:
    ranking = Ranking((project(1, 1), project(2, 1), project(3, 1)))
    result = allocate(ranking, budget("100"))
    # 33.333… each: the one leftover cent goes to the best-ranked of the equal remainders
    assert amounts(result) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(amounts(result)) == Decimal(100) and result.unallocated == 0


def test_cap_excess_is_shared_again() -> None:
    ranking = Ranking((project(1, 90), project(2, 5), project(3, 5)))
    result = allocate(ranking, budget("1000", max_share=Decimal("0.5")))
    assert amounts(result) == [Decimal("500.00"), Decimal("250.00"), Decimal("250.00")]


def test_below_the_floor_the_lowest_ranked_is_dropped_and_the_rest_resplit() -> None:
    ranking = Ranking((project(1, 60), project(2, 30), project(3, 10)))
    result = allocate(ranking, budget("200", min_grant=Decimal(50)))
    assert [g.key for g in result.grants] == ["p1", "p2"]
    assert amounts(result) == [Decimal("133.33"), Decimal("66.67")]
    assert result.skipped == (("p3", "its share is below the minimum grant of 50.00 USD"),)


def test_platform_minimum_applies_on_top_of_min_grant() -> None:
    ranking = Ranking(
        (project(1, 95, [link("github", "big")]), project(2, 5, [link("liberapay", "small")]))
    )
    settings = budget("100", platform_minimums=(("liberapay", Decimal(10)),))
    result = allocate(ranking, settings)
    assert [g.key for g in result.grants] == ["p1"] and amounts(result) == [Decimal("100.00")]
    assert allocate(ranking, replace(settings, platform_minimums=())).grants[1].amount == 5


def test_equal_and_tiered_strategies() -> None:
    ranking = Ranking(tuple(project(i, 100 - i) for i in range(1, 7)))
    equal = allocate(ranking, budget("600", strategy="equal"))
    assert amounts(equal) == [Decimal("100.00")] * 6
    tiered = allocate(ranking, budget("1200", strategy="tiered"))
    # thirds of the recipients weigh 3, 2 and 1: 12 shares of 100
    assert amounts(tiered) == [
        Decimal(a) for a in ("300.00", "300.00", "200.00", "200.00", "100.00", "100.00")
    ]


def test_grants_limit_and_unfundable_projects_are_skipped_with_reasons() -> None:
    ranking = Ranking(
        (project(1, 50), project(2, 40, fundable=False), project(3, 30), project(4, 20))
    )
    result = allocate(ranking, budget("100", grants=2))
    assert [g.key for g in result.grants] == ["p1", "p3"]
    assert dict(result.skipped) == {
        "p2": "not fundable: plan a migration",
        "p4": "beyond the 2 grants",
    }


def test_too_few_recipients_for_the_cap_leave_money_unallocated() -> None:
    ranking = Ranking((project(1, 50), project(2, 50)))
    result = allocate(ranking, budget("1000", max_share=Decimal("0.1")))
    assert amounts(result) == [Decimal("100.00")] * 2
    assert result.unallocated == Decimal("800.00")


def test_zero_decimal_currency_and_sub_unit_amounts() -> None:
    ranking = Ranking((project(1, 1), project(2, 1), project(3, 1)))
    yen = allocate(ranking, budget("1000", currency="JPY"))
    assert amounts(yen) == [Decimal(334), Decimal(333), Decimal(333)]
    odd = allocate(ranking, budget("10.005"))
    assert sum(amounts(odd)) + odd.unallocated == Decimal("10.005")


def test_nothing_to_fund() -> None:
    result = allocate(Ranking(), budget("100"))
    assert result.grants == () and result.unallocated == Decimal("100.00")


def test_water_fill_and_rounding_helpers() -> None:
    assert water_fill(100, [Fraction(3), Fraction(1)], 60) == [60, 40]
    assert water_fill(100, [Fraction(0), Fraction(0)], 100) == [50, 50]
    assert round_cents([Fraction(10, 3), Fraction(10, 3), Fraction(10, 3)]) == [4, 3, 3]


def test_payee_prefers_github_sponsors_then_open_collective() -> None:
    links = (link("patreon", "x"), link("open_collective", "y"), link("github", "z"))
    assert payee(links).platform == "github"
    assert payee(links[:2]).platform == "open_collective"
    assert payee(()) is None


def test_sponsors_csv_groups_accounts_and_neutralizes_formulas() -> None:
    ranking = Ranking(
        (
            project(1, 40, [link("github", "Alice")]),
            project(2, 30, [link("github", "alice")]),
            project(3, 20, [link("github", "=HYPERLINK(1)")]),
            project(4, 10, [link("tidelift", "t")]),
        )
    )
    text = sponsors_csv(allocate(ranking, budget("100")))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Maintainer username", "Sponsorship amount in USD"],
        ["Alice", "70.00"],
        ["'=HYPERLINK(1)", "20.00"],
    ]


@pytest.mark.parametrize("currency", ["EUR", "JPY"])
def test_sponsors_csv_only_in_usd(currency: str) -> None:
    ranking = Ranking((project(1, 1, [link("github", "alice")]),))
    assert sponsors_csv(allocate(ranking, budget("100", currency=currency))) is None
