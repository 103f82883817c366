"""The packages a synthetic organization can depend on, and how popular each one is.

Real dependency popularity is long-tailed: a few packages (requests, react, serde) are in
almost every repository, most appear once. Picks follow a Zipf law over a fixed universe per
ecosystem, so the same handful of names recurs across repositories and lockfiles while the
tail keeps the number of unique packages realistic.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field

ECOSYSTEMS = ("pypi", "npm", "cargo", "golang", "gem", "composer", "maven")
# Unique packages per ecosystem in the universe, at 1,000 repositories; scaled with the org.
BASE_SIZES = {"pypi": 6000, "npm": 9000, "cargo": 1500, "golang": 1200, "gem": 900,
              "composer": 900, "maven": 1200}  # fmt: skip


def package_name(ecosystem: str, index: int) -> str:
    """A stable, registry-valid name for the ``index``-th package of an ecosystem."""
    if ecosystem == "npm":
        return f"@scope{index % 40}/lib-{index:05d}" if index % 4 == 0 else f"lib-{index:05d}"
    if ecosystem == "golang":
        return f"github.com/owner{index % 300}/mod{index:05d}"
    if ecosystem == "composer":
        return f"vendor{index % 200}/package-{index:05d}"
    if ecosystem == "maven":
        return f"org.example{index % 150}:artifact-{index:05d}"
    if ecosystem == "cargo":
        return f"crate_{index:05d}"
    return f"pkg-{index:05d}"  # pypi, gem


@dataclass
class Pool:
    """One ecosystem's packages with Zipf weights (cumulative, for O(log n) picks)."""

    ecosystem: str
    size: int
    exponent: float = 1.1
    _cumulative: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        weights = (1.0 / (rank**self.exponent) for rank in range(1, self.size + 1))
        self._cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        point = rng.random() * self._cumulative[-1]
        return package_name(self.ecosystem, bisect.bisect_left(self._cumulative, point))

    def sample(self, rng: random.Random, count: int, avoid: set[str] | None = None) -> list[str]:
        """``count`` distinct popular-biased names (fewer when the pool is too small)."""
        chosen: dict[str, None] = {}
        avoid = avoid or set()
        tries = 0
        while len(chosen) < min(count, self.size - len(avoid)) and tries < count * 20:
            tries += 1
            name = self.pick(rng)
            if name not in avoid:
                chosen[name] = None
        return list(chosen)


def version(rng: random.Random) -> str:
    """A plausible release number, weighted toward small majors."""
    major = min(int(rng.expovariate(0.6)), 30)
    return f"{major}.{rng.randrange(0, 25)}.{rng.randrange(0, 15)}"


class Universe:
    """Every ecosystem's pool, sized for an organization of ``repositories``."""

    def __init__(self, repositories: int) -> None:
        scale = max(repositories / 1000, 0.05)
        self.pools = {
            eco: Pool(eco, max(50, int(size * min(scale, 3.0)))) for eco, size in BASE_SIZES.items()
        }

    def __getitem__(self, ecosystem: str) -> Pool:
        return self.pools[ecosystem]
