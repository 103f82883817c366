"""Criticality: how much the world leans on a project, from public reach signals.

The OpenSSF criticality_score form, a weighted mean of log-normalized signals::

    criticality = Σ αᵢ · log(1 + Sᵢ) / log(1 + max(Sᵢ, Tᵢ)) / Σ αᵢ

with the weights αᵢ and thresholds Tᵢ of ``[tool.fundscout.scoring.criticality]``. Unlike
criticality_score (its issue #404), an unknown Sᵢ contributes 0 while its αᵢ stays in the
denominator: a missing signal lowers the score and the confidence, it never raises either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from analyzer.score.settings import ScoringSettings
from analyzer.score.signals import Evidence, Observation


@dataclass(frozen=True)
class Input:
    """One input of a factor: the raw signal (None when unknown), its 0-1 score and weight."""

    name: str
    value: Any
    score: float
    weight: float
    source: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_record(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "score": round(self.score, 4),
            "weight": self.weight,
            "source": self.source,
        }


@dataclass(frozen=True)
class Factor:
    """A factor's value in [0, 1] and every input behind it."""

    value: float
    inputs: tuple[Input, ...]

    @cached_property  # shared by every project no signal speaks about: asked 20,000 times
    def missing(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if not i.known and i.weight > 0)

    def get(self, name: str) -> Input | None:
        return next((i for i in self.inputs if i.name == name), None)

    def to_record(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 4),
            "inputs": {i.name: i.to_record() for i in self.inputs},
            "missing": list(self.missing),
        }


class FactorRecords:
    """Each factor's ``to_record()``, made once: every project no signal speaks about shares
    one criticality and one need (``analyzer.score.priority``), and 20,000 projects would
    otherwise make the same two records 20,000 times. The records are shared: not to be
    changed."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[Factor, dict[str, Any]]] = {}  # the factor kept: ids stay

    def __call__(self, factor: Factor) -> dict[str, Any]:
        found = self._made.get(id(factor))
        if found is None:
            found = self._made[id(factor)] = (factor, factor.to_record())
        return found[1]


def weighted(inputs: list[Input]) -> Factor:
    """The weighted mean of the inputs' scores; unknown inputs count as 0."""
    total = sum(i.weight for i in inputs)
    value = sum(i.weight * i.score for i in inputs) / total if total > 0 else 0.0
    return Factor(min(max(value, 0.0), 1.0), tuple(inputs))


def log_score(value: float, threshold: float) -> float:
    """``log(1 + S) / log(1 + max(S, T))``: 0 at 0, 1 from the threshold on."""
    return math.log1p(value) / math.log1p(max(value, threshold)) if value > 0 else 0.0


def observed(name: str, found: Observation | None, weight: float, score: float) -> Input:
    if found is None:
        return Input(name, None, 0.0, weight)
    value = found.value
    shown = int(value) if isinstance(value, float) and value.is_integer() else value
    return Input(name, shown, score, weight, found.source)


def criticality(evidence: Evidence, settings: ScoringSettings) -> Factor:
    inputs = []
    for name, weight, threshold in settings.criticality:
        found = evidence.number(name)
        score = log_score(found.value, threshold) if found is not None else 0.0
        inputs.append(observed(name, found, weight, score))
    return weighted(inputs)
