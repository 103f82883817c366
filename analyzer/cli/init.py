"""``fundscout init``: write a commented ``fundscout.toml`` holding every ranking default.

The file is generated from the defaults in :mod:`analyzer.score.settings`, so it can never
disagree with them; loading it gives back exactly the default configuration.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.common import ExitCode, fail
from analyzer.report import write_atomic
from analyzer.score.settings import BudgetSettings, EligibilitySettings, ScoringSettings, key

HEADER = """\
# fundscout configuration, written by `fundscout init`. Every value below is the default:
# change what you need and delete the rest. The model is described in docs/scoring.md, the
# other keys (exclude, out, formats, top, endpoints...) in the README.
"""


def _num(value: float | Decimal) -> str:
    """TOML for a number: 10000 rather than 10000.0, 0.25 as it is."""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != value.to_integral() else str(int(value))
    return str(int(value)) if float(value).is_integer() else repr(value)


def scoring_toml(s: ScoringSettings) -> list[str]:
    return [
        "[scoring]",
        "# priority = 100 x reliance x (1 + criticality-weight x criticality + need-weight x need)",
        "#            / (1 + criticality-weight + need-weight)",
        f"criticality-weight = {_num(s.criticality_weight)}",
        f"need-weight = {_num(s.need_weight)}",
        "# reliance = (1 - centrality-share) x usage + centrality-share x runtime centrality",
        f"centrality-share = {_num(s.centrality_share)}",
        "# a transitive use counts depth-decay^(depth - 1) of a direct one",
        f"depth-decay = {_num(s.depth_decay)}",
        "# need: months without a release or commit that make a project fully stale, commits a",
        "# year that make it fully active, GitHub sponsors that make it well funded",
        f"stale-months = {_num(s.stale_months)}",
        f"active-commits = {_num(s.active_commits)}",
        f"funded-sponsors = {_num(s.funded_sponsors)}",
        "",
        "[scoring.scope-weights]  # what one repository's use counts, by scope",
        *(f"{name} = {_num(weight)}" for name, weight in s.scope_weights),
        "",
        "[scoring.criticality]  # weight αᵢ and threshold Tᵢ (a value ≥ Tᵢ scores 1) per signal",
        *(
            f"{key(name)} = {{ weight = {_num(weight)}, threshold = {_num(threshold)} }}"
            for name, weight, threshold in s.criticality
        ),
        "",
        "[scoring.need]  # weight of each need component",
        *(f"{key(name)} = {_num(weight)}" for name, weight in s.need),
    ]


def eligibility_toml(e: EligibilitySettings) -> list[str]:
    owners = [f'  "{owner}",' for owner in e.corporate_owners]
    return [
        "[eligibility]",
        "# GitHub owners (or PyPI organizations) of large companies: their projects are",
        "# excluded. A GitHub organization alone is not enough, foundations are ones too.",
        "corporate-owners = [",
        *owners,
        "]",
        "# Shell patterns matched against a project's name, key, repository",
        '# ("github.com/owner/*"), package purls and names. allow overrides the corporate',
        "# list and the migration hold; deny excludes whatever else applies.",
        f"allow = {json.dumps(list(e.allow))}",
        f"deny = {json.dumps(list(e.deny))}",
    ]


def budget_toml(b: BudgetSettings) -> list[str]:
    return [
        "[budget]",
        "# amount = 100000  # uncomment to split a budget on every audit (or give --budget)",
        f'currency = "{b.currency}"',
        f'strategy = "{b.strategy}"  # proportional, equal or tiered',
        f"grants = {b.grants}  # at most this many recipients, best ranked first",
        f"min-grant = {_num(b.min_grant)}",
        f"max-share = {_num(b.max_share)}  # no grant above this share of the budget",
        "",
        "[budget.platform-minimums]  # in the budget's currency",
        *(f"{platform} = {_num(amount)}" for platform, amount in b.platform_minimums),
    ]


def default_toml() -> str:
    parts = [
        scoring_toml(ScoringSettings()),
        eligibility_toml(EligibilitySettings()),
        budget_toml(BudgetSettings()),
    ]
    return HEADER + "\n" + "\n\n".join("\n".join(p) for p in parts) + "\n"


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(help="File to write, or a folder to write fundscout.toml into.")
    ] = Path("fundscout.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented fundscout.toml with every ranking default."""
    target = path / "fundscout.toml" if path.is_dir() else path
    if target.exists() and not force:
        fail(f"{target}: already exists (use --force to overwrite)", ExitCode.USAGE)
    try:
        write_atomic(target, default_toml())
    except OSError as exc:
        fail(f"{target}: cannot write: {exc.strerror or exc}", ExitCode.USAGE)
    typer.echo(f"Wrote {target}")
