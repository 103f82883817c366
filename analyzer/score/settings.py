"""The ranking's settings: ``[tool.fundscout.scoring]``, ``.eligibility`` and ``.budget``.

Every table is validated strictly: an unknown key or a value of the wrong type or range is a
ConfigError naming the file and the dotted key, so a typo never falls back to a default. The
defaults here are the ones docs/scoring.md documents and ``fundscout init`` writes out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from analyzer.errors import ConfigError

SCOPES = ("runtime", "optional", "build", "test", "dev")
# criticality input -> (weight αᵢ, threshold Tᵢ): a value at or above Tᵢ scores 1
CRITICALITY = (
    ("dependents", 2.0, 10_000.0),  # packages that depend on it (deps.dev, ecosyste.ms)
    ("dependent_repos", 1.0, 100_000.0),  # repositories that depend on it (ecosyste.ms)
    ("downloads", 1.0, 10_000_000.0),  # downloads in the registry's period (a month)
    ("contributors", 1.0, 500.0),  # people with commits (GitHub)
    ("stars", 0.5, 50_000.0),  # GitHub stars
)
NEED = (  # need component -> weight
    ("maintainers", 1.0),
    ("bus_factor", 1.0),
    ("top_contributor_share", 0.5),
    ("release_staleness", 0.5),
    ("commit_staleness", 0.5),
    ("low_activity", 0.5),
    ("funding_gap", 1.0),
    ("independence", 0.5),
)
# GitHub organizations of large companies; owner_type "Organization" alone is not enough,
# since foundations and volunteer communities (psf, pallets, numpy) are organizations too.
CORPORATE_OWNERS = (
    "adobe", "alibaba", "amzn", "apple", "aws", "aws-samples", "awslabs", "azure", "baidu",
    "boto", "cloudflare", "datadog", "dotnet", "elastic", "facebook", "facebookresearch",
    "getsentry", "github", "google", "googleapis", "googlecloudplatform", "hashicorp", "ibm",
    "intel", "linkedin", "meta-llama", "microsoft", "mongodb", "netflix", "nvidia", "oracle",
    "salesforce", "shopify", "spotify", "stripe", "tencent", "twitter", "uber", "vercel",
)  # fmt: skip
STRATEGIES = ("proportional", "equal", "tiered")
PLATFORM_MINIMUMS = (("github", Decimal(1)), ("open_collective", Decimal(1)))
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ScoringSettings:
    """Weights, thresholds and decay of the model (see docs/scoring.md)."""

    criticality_weight: float = 0.5  # how far criticality can lift priority above reliance
    need_weight: float = 1.0  # how far need can lift it
    centrality_share: float = 0.25  # part of reliance from runtime-graph centrality
    depth_decay: float = 0.5  # weight multiplier per level below a direct dependency
    stale_months: float = 24.0  # months without a release or commit that count as stale
    active_commits: float = 52.0  # commits a year that count as fully active
    funded_sponsors: float = 50.0  # sponsors that count as well funded
    scope_weights: tuple[tuple[str, float], ...] = (
        ("runtime", 1.0),
        ("optional", 0.6),
        ("build", 0.5),
        ("test", 0.25),
        ("dev", 0.25),
    )
    criticality: tuple[tuple[str, float, float], ...] = CRITICALITY
    need: tuple[tuple[str, float], ...] = NEED


@dataclass(frozen=True)
class EligibilitySettings:
    """Who may receive money: corporate owners are excluded, allow/deny lists decide first."""

    corporate_owners: tuple[str, ...] = CORPORATE_OWNERS
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


@dataclass(frozen=True)
class BudgetSettings:
    """How a budget is split; no amount means no allocation."""

    amount: Decimal | None = None
    currency: str = "USD"
    strategy: str = "proportional"
    grants: int = 20  # at most this many recipients, best ranked first
    min_grant: Decimal = Decimal(50)
    max_share: Decimal = Decimal("0.1")  # no grant above this share of the budget
    platform_minimums: tuple[tuple[str, Decimal], ...] = PLATFORM_MINIMUMS


def _keys(value: Any, where: str, known: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table")
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}.{key}: unknown key{hint}")
    return value


def number(value: Any, where: str, low: float = 0.0, high: float | None = None) -> float:
    """A finite int or float within [low, high]."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value == value
    if not ok or value < low or (high is not None and value > high) or value == float("inf"):
        limit = f" and {high:g}" if high is not None else ""
        raise ConfigError(f"{where}: expected a number between {low:g}{limit}")
    return float(value)


def money(value: Any, where: str, positive: bool = False) -> Decimal:
    """An amount as a number or a decimal string ("1000.50"), never a float's binary noise."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigError(f"{where}: expected an amount such as 1000 or 1000.50") from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount > 10**12:
        raise ConfigError(f"{where}: expected an amount between 0 and 10^12")
    return amount


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def key(name: str) -> str:
    """The configuration spelling of an internal name: ``bus_factor`` -> ``bus-factor``."""
    return name.replace("_", "-")


def _weights(value: Any, where: str, defaults: tuple[tuple[str, float], ...]) -> Any:
    table = _keys(value, where, tuple(key(name) for name, _ in defaults))
    return tuple(
        (name, number(table[key(name)], f"{where}.{key(name)}") if key(name) in table else weight)
        for name, weight in defaults
    )


def _criticality(value: Any, where: str) -> tuple[tuple[str, float, float], ...]:
    table = _keys(value, where, tuple(key(name) for name, _, _ in CRITICALITY))
    result = []
    for name, weight, threshold in CRITICALITY:
        at = f"{where}.{key(name)}"
        entry = _keys(table.get(key(name), {}), at, ("weight", "threshold"))
        weight = number(entry["weight"], f"{at}.weight") if "weight" in entry else weight
        if "threshold" in entry:
            threshold = number(entry["threshold"], f"{at}.threshold", low=1.0)
        result.append((name, weight, threshold))
    return tuple(result)


Reader = Callable[[Any, str], Any]
_SCORING: dict[str, tuple[str, Reader]] = {
    "criticality-weight": ("criticality_weight", lambda v, w: number(v, w, 0, 100)),
    "need-weight": ("need_weight", lambda v, w: number(v, w, 0, 100)),
    "centrality-share": ("centrality_share", lambda v, w: number(v, w, 0, 1)),
    "depth-decay": ("depth_decay", lambda v, w: number(v, w, 0, 1)),
    "stale-months": ("stale_months", lambda v, w: number(v, w, 1)),
    "active-commits": ("active_commits", lambda v, w: number(v, w, 1)),
    "funded-sponsors": ("funded_sponsors", lambda v, w: number(v, w, 1)),
    "scope-weights": ("scope_weights", lambda v, w: _weights(v, w, ScoringSettings.scope_weights)),
    "criticality": ("criticality", _criticality),
    "need": ("need", lambda v, w: _weights(v, w, NEED)),
}
_ELIGIBILITY: dict[str, tuple[str, Reader]] = {
    "corporate-owners": ("corporate_owners", lambda v, w: tuple(map(str.lower, _strings(v, w)))),
    "allow": ("allow", _strings),
    "deny": ("deny", _strings),
}


def currency(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value.strip().upper()):
        raise ConfigError(f"{where}: expected a three-letter currency code such as USD or EUR")
    return value.strip().upper()


def strategy(value: Any, where: str) -> str:
    if value not in STRATEGIES:
        raise ConfigError(f"{where}: expected one of {', '.join(STRATEGIES)}")
    return str(value)


def grants(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        raise ConfigError(f"{where}: expected a whole number of grants from 1 to 100000")
    return value


def share(value: Any, where: str) -> Decimal:
    amount = money(value, where, positive=True)
    if amount > 1:
        raise ConfigError(f"{where}: expected a share of the budget between 0 and 1")
    return amount


def _minimums(value: Any, where: str) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table of platform = amount")
    return tuple(sorted((str(k), money(v, f"{where}.{k}")) for k, v in value.items()))


_BUDGET: dict[str, tuple[str, Reader]] = {
    "amount": ("amount", lambda v, w: money(v, w, positive=True)),
    "currency": ("currency", currency),
    "strategy": ("strategy", strategy),
    "grants": ("grants", grants),
    "min-grant": ("min_grant", money),
    "max-share": ("max_share", share),
    "platform-minimums": ("platform_minimums", _minimums),
}


def _read(value: Any, where: str, readers: dict[str, tuple[str, Reader]]) -> dict[str, Any]:
    table = _keys(value, where.rstrip(), tuple(readers))
    return {readers[k][0]: readers[k][1](v, f"{where}.{k}") for k, v in table.items()}


def read_scoring(value: Any, where: str) -> ScoringSettings:
    """``[tool.fundscout.scoring]``; ``where`` is "file: scoring"."""
    return replace(ScoringSettings(), **_read(value, where, _SCORING))


def read_eligibility(value: Any, where: str) -> EligibilitySettings:
    return replace(EligibilitySettings(), **_read(value, where, _ELIGIBILITY))


def read_budget(value: Any, where: str) -> BudgetSettings:
    return replace(BudgetSettings(), **_read(value, where, _BUDGET))


def field_names(settings: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(settings))
