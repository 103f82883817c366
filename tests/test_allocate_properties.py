"""Allocation properties for any ranking and settings: exact sums, floors, caps, minimums."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.allocate import allocate, minor_units
from analyzer.score.priority import Ranking
from analyzer.score.settings import STRATEGIES, BudgetSettings
from tests.test_allocate import link, project

PLATFORMS = ("github", "open_collective", "liberapay", "custom")

rankings = st.lists(
    st.tuples(
        st.floats(0, 100, allow_nan=False), st.sampled_from((None, *PLATFORMS)), st.booleans()
    ),
    max_size=40,
).map(
    lambda rows: Ranking(
        tuple(
            project(i, p, [link(pl, f"acct{i % 5}")] if pl else [], fundable=ok)
            for i, (p, pl, ok) in enumerate(sorted(rows, key=lambda r: -r[0]), 1)
        )
    )
)
cents = st.integers(1, 10**9).map(lambda c: Decimal(c) / 100)
budgets = st.builds(
    BudgetSettings,
    amount=cents,
    currency=st.sampled_from(["USD", "EUR", "JPY"]),
    strategy=st.sampled_from(STRATEGIES),
    grants=st.integers(1, 50),
    min_grant=st.integers(0, 5000).map(Decimal),
    max_share=st.integers(1, 100).map(lambda n: Decimal(n) / 100),
    platform_minimums=st.lists(
        st.tuples(st.sampled_from(PLATFORMS), st.integers(0, 100).map(Decimal)), max_size=3
    ).map(tuple),
)


@settings(max_examples=400, deadline=None)
@given(rankings, budgets)
def test_allocations_sum_to_the_budget_and_respect_floors_caps_and_minimums(ranking, budget):
    result = allocate(ranking, budget)
    assert budget.amount is not None
    granted = sum((g.amount for g in result.grants), Decimal(0))
    assert granted + result.unallocated == budget.amount
    unit = minor_units(budget.currency)
    cap = Decimal(math.floor(budget.max_share * int(budget.amount * unit))) / unit
    minimums = dict(budget.platform_minimums)
    for grant in result.grants:
        platform_minimum = minimums.get(grant.payee.platform, 0) if grant.payee else 0
        assert grant.amount >= max(budget.min_grant, platform_minimum) == grant.minimum
        assert grant.amount <= cap
        assert grant.amount == grant.amount.quantize(Decimal(1) / unit)
    fundable = [p for p in ranking.projects if p.eligibility.fundable]
    assert len(result.grants) <= min(budget.grants, len(fundable))
    assert all(
        p.eligibility.fundable for p in ranking.projects if p.key in {g.key for g in result.grants}
    )
    assert [g.rank for g in result.grants] == sorted(g.rank for g in result.grants)
    if result.unallocated >= Decimal(1) / unit:  # money is only left when caps forbid spending it
        assert not result.grants or all(g.amount == cap for g in result.grants)
    keys = {g.key for g in result.grants} | {key for key, _ in result.skipped}
    assert keys == {p.key for p in ranking.projects}  # every project is accounted for
