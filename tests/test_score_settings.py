"""``[tool.fundscout.scoring]``, ``.eligibility`` and ``.budget``: strict, named errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from analyzer.config import Config, load_config
from analyzer.errors import ConfigError

TABLES = """\
[tool.fundscout.scoring]
need-weight = 2
depth-decay = 0.25
[tool.fundscout.scoring.scope-weights]
dev = 0.1
[tool.fundscout.scoring.criticality]
dependent-repos = { weight = 3, threshold = 50 }
[tool.fundscout.scoring.need]
bus-factor = 0

[tool.fundscout.eligibility]
corporate-owners = ["Initech"]
allow = ["github.com/initech/*"]

[tool.fundscout.budget]
amount = "2500.50"
currency = "eur"
strategy = "tiered"
grants = 5
min-grant = 10
max-share = 0.3
platform-minimums = { liberapay = 2 }
"""


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_tables_override_only_what_they_name(tmp_path: Path) -> None:
    config = load(tmp_path, TABLES)
    defaults = Config()
    assert config.scoring.need_weight == 2.0
    assert config.scoring.depth_decay == 0.25
    assert config.scoring.criticality_weight == defaults.scoring.criticality_weight
    assert dict(config.scoring.scope_weights)["dev"] == 0.1
    assert dict(config.scoring.scope_weights)["runtime"] == 1.0
    critical = {name: (w, t) for name, w, t in config.scoring.criticality}
    assert critical["dependent_repos"] == (3.0, 50.0)
    assert critical["dependents"] == next(
        (w, t) for n, w, t in defaults.scoring.criticality if n == "dependents"
    )
    assert dict(config.scoring.need)["bus_factor"] == 0.0
    assert config.eligibility.corporate_owners == ("initech",)
    assert config.eligibility.allow == ("github.com/initech/*",)
    budget = config.budget
    assert (budget.amount, budget.currency, budget.strategy) == (
        Decimal("2500.50"),
        "EUR",
        "tiered",
    )
    assert (budget.grants, budget.min_grant, budget.max_share) == (5, 10, Decimal("0.3"))
    assert budget.platform_minimums == (("liberapay", Decimal(2)),)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[tool.fundscout.scoring]\nneed-wieght = 1\n",
            r"scoring\.need-wieght: unknown key \(did you mean 'need-weight'\?\)$",
        ),
        (
            "[tool.fundscout.scoring]\ndepth-decay = 2\n",
            r"scoring\.depth-decay: expected a number between 0 and 1$",
        ),
        (
            "[tool.fundscout.scoring]\nneed-weight = true\n",
            r"scoring\.need-weight: expected a number",
        ),
        (
            "[tool.fundscout.scoring.criticality]\nstars = { weight = 1, treshold = 5 }\n",
            r"scoring\.criticality\.stars\.treshold: unknown key",
        ),
        (
            "[tool.fundscout.scoring.criticality]\nstars = { threshold = 0 }\n",
            r"scoring\.criticality\.stars\.threshold: expected a number between 1",
        ),
        (
            "[tool.fundscout.scoring.need]\nbus_factor = 1\n",
            r"scoring\.need\.bus_factor: unknown key \(did you mean 'bus-factor'\?\)",
        ),
        (
            "[tool.fundscout.scoring.scope-weights]\nruntime = -1\n",
            r"scoring\.scope-weights\.runtime: expected a number between 0",
        ),
        (
            '[tool.fundscout.eligibility]\nallow = "x"\n',
            r"eligibility\.allow: expected a list of non-empty strings$",
        ),
        ("[tool.fundscout.budget]\namount = 0\n", r"budget\.amount: expected an amount between"),
        ('[tool.fundscout.budget]\namount = "lots"\n', r"budget\.amount: expected an amount"),
        ('[tool.fundscout.budget]\ncurrency = "euro"\n', r"budget\.currency: expected a three"),
        (
            '[tool.fundscout.budget]\nstrategy = "random"\n',
            r"budget\.strategy: expected one of proportional, equal, tiered$",
        ),
        ("[tool.fundscout.budget]\nmax-share = 1.5\n", r"budget\.max-share: expected a share"),
        ("[tool.fundscout.budget]\ngrants = 0\n", r"budget\.grants: expected a whole number"),
        (
            "[tool.fundscout.budget]\nplatform-minimums = 5\n",
            r"budget\.platform-minimums: expected a table",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_dotted_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"^.*pyproject\.toml: " + message):
        load(tmp_path, table)
