"""Budget allocation: from the ranking to grants that sum exactly to the budget.

Recipients are the fundable projects (not excluded, no pending migration), best ranked first,
at most ``grants`` of them. Each gets a share by weight — its priority (``proportional``), 1
(``equal``), or 3 / 2 / 1 for the first, second and last third of the recipients
(``tiered``) — capped at ``max-share`` of the budget, with what a cap cuts off shared again
among the others (water-filling). A share below the recipient's minimum — ``min-grant``, or its
payee platform's minimum when higher — drops the lowest-ranked such recipient and the split
starts over, so the money goes to fewer, larger grants rather than below a floor.

Arithmetic is exact (fractions of the currency's minor unit); amounts are then rounded down
to cents and the leftover cents go one each to the largest remainders (ties: better rank
first), so the grants sum exactly to the budget. Only when every recipient hits the cap (too
few recipients for ``max-share``) is part of the budget left ``unallocated``, and the
allocation says so.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from analyzer.report.csv_report import neutralize
from analyzer.score.settings import BudgetSettings

if TYPE_CHECKING:
    from analyzer.enrich.interface import FundingLink
    from analyzer.score.priority import ProjectScore, Ranking

# ISO 4217 currencies without a minor unit: amounts are whole numbers
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
})  # fmt: skip
PAYEE_ORDER = (  # the channel a grant is paid through, when a project has several
    "github", "open_collective", "liberapay", "polar", "thanks_dev", "ko_fi", "patreon",
    "buy_me_a_coffee", "tidelift", "lfx_crowdfunding", "issuehunt",
)  # fmt: skip
SPONSORS_HEADER = ("Maintainer username", "Sponsorship amount in USD")


@dataclass(frozen=True)
class Grant:
    """Money for one project, and where to send it (None: reach out first)."""

    rank: int
    key: str
    name: str
    amount: Decimal
    minimum: Decimal
    payee: FundingLink | None

    def to_record(self) -> dict[str, Any]:
        # JSON numbers: an amount has at most two decimals, which float's shortest repr
        # writes back exactly ("1234.56").
        return {
            "rank": self.rank,
            "project": self.key,
            "name": self.name,
            "amount": float(self.amount),
            "minimum": float(self.minimum),
            "payee": self.payee.to_record() if self.payee else None,
        }


@dataclass(frozen=True)
class Allocation:
    """The split of one budget; ``sum(grants) + unallocated == budget`` always holds."""

    budget: Decimal
    currency: str
    strategy: str
    grants: tuple[Grant, ...]
    skipped: tuple[tuple[str, str], ...]  # (project key, why it received nothing)
    unallocated: Decimal
    settings: BudgetSettings

    def to_record(self) -> dict[str, Any]:
        s = self.settings
        return {
            "budget": float(self.budget),
            "currency": self.currency,
            "strategy": self.strategy,
            "max_grants": s.grants,
            "min_grant": float(s.min_grant),
            "max_share": float(s.max_share),
            "grants": [g.to_record() for g in self.grants],
            "skipped": [{"project": key, "reason": why} for key, why in self.skipped],
            "unallocated": float(self.unallocated),
        }


def minor_units(currency: str) -> int:
    return 1 if currency in ZERO_DECIMAL else 100


def payee(links: tuple[FundingLink, ...]) -> FundingLink | None:
    """The channel to pay through: GitHub Sponsors first, then the platforms in PAYEE_ORDER."""
    order = {platform: i for i, platform in enumerate(PAYEE_ORDER)}
    ranked = sorted(enumerate(links), key=lambda p: (order.get(p[1].platform, len(order)), p[0]))
    return ranked[0][1] if ranked else None


def weights(strategy: str, candidates: list[ProjectScore]) -> list[Fraction]:
    if strategy == "equal":
        return [Fraction(1)] * len(candidates)
    if strategy == "tiered":
        third = math.ceil(len(candidates) / 3)
        return [Fraction(3 - min(i // third, 2)) for i in range(len(candidates))]
    return [Fraction(max(c.priority, 0.0)) for c in candidates]


def water_fill(total: int, weight: list[Fraction], cap: int) -> list[Fraction]:
    """Exact shares of ``total`` by weight, none above ``cap``, the excess shared again."""
    shares = [Fraction(0)] * len(weight)
    free = list(range(len(weight)))
    remaining = Fraction(total)
    while free and remaining > 0:
        mass = sum(weight[i] for i in free)
        part = {i: remaining * weight[i] / mass if mass else remaining / len(free) for i in free}
        over = [i for i in free if part[i] > cap]
        if not over:
            for i in free:
                shares[i] = part[i]
            break
        for i in over:
            shares[i] = Fraction(cap)
            remaining -= cap
        free = [i for i in free if i not in over]
    return shares


def round_cents(shares: list[Fraction]) -> list[int]:
    """Round down, then one unit each to the largest remainders (better rank on ties)."""
    amounts = [math.floor(s) for s in shares]
    leftover = math.floor(sum(shares)) - sum(amounts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - amounts[i]), i))
    for i in order[:leftover]:
        amounts[i] += 1
    return amounts


def _floor(settings: BudgetSettings, link: FundingLink | None, unit: int) -> int:
    minimums = dict(settings.platform_minimums)
    platform = minimums.get(link.platform, Decimal(0)) if link else Decimal(0)
    return math.ceil(max(settings.min_grant, platform) * unit)


def _money(units: int, unit: int) -> Decimal:
    return (Decimal(units) / unit).quantize(Decimal(1) / unit)


def allocate(ranking: Ranking, settings: BudgetSettings) -> Allocation:
    """Split ``settings.amount`` over the ranking (see the module docstring)."""
    assert settings.amount is not None
    unit = minor_units(settings.currency)
    total = int(settings.amount * unit)  # the amount's sub-unit digits are not spendable
    fundable = [p for p in ranking.projects if p.eligibility.fundable]
    candidates = fundable[: settings.grants]
    skipped = [(p.key, f"beyond the {settings.grants} grants") for p in fundable[settings.grants :]]
    skipped += [
        (p.key, "not fundable: plan a migration")
        for p in ranking.projects
        if not p.eligibility.fundable
    ]
    cap = math.floor(settings.max_share * total)
    links = {c.key: payee(c.funding) for c in candidates}
    while True:
        floors = [_floor(settings, links[c.key], unit) for c in candidates]
        shares = water_fill(total, weights(settings.strategy, candidates), cap)
        below = [i for i, share in enumerate(shares) if share < floors[i]]
        if not below:
            break
        last = candidates.pop(below[-1])
        minimum = _money(floors[below[-1]], unit)
        skipped.append(
            (last.key, f"its share is below the minimum grant of {minimum} {settings.currency}")
        )
    amounts = round_cents(shares)
    grants = tuple(
        Grant(c.rank, c.key, c.name, _money(a, unit), _money(f, unit), links[c.key])
        for c, a, f in zip(candidates, amounts, floors, strict=True)
    )
    unallocated = _money(total - sum(amounts), unit) + (settings.amount - Decimal(total) / unit)
    return Allocation(
        settings.amount,
        settings.currency,
        settings.strategy,
        grants,
        tuple(sorted(skipped, key=lambda s: s[0])),
        unallocated,
        settings,
    )


def sponsors_csv(allocation: Allocation) -> str | None:
    """GitHub Sponsors' bulk format, one row per account (several projects add up); None when
    the budget is not in USD (the file's amounts must be dollars) or nobody is on Sponsors."""
    if allocation.currency != "USD":
        return None
    totals: dict[str, tuple[str, Decimal]] = {}
    for grant in allocation.grants:
        link = grant.payee
        if link is None or link.platform != "github" or not link.account:
            continue
        name, amount = totals.get(link.account.lower(), (link.account, Decimal(0)))
        totals[link.account.lower()] = (name, amount + grant.amount)
    if not totals:
        return None
    rows = sorted(totals.values(), key=lambda row: (-row[1], row[0].lower()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SPONSORS_HEADER)
    writer.writerows((neutralize(name), f"{amount:.2f}") for name, amount in rows)
    return out.getvalue()
