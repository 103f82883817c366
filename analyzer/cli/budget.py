"""``fundscout audit`` budget options: split an amount over the ranking.

``--grants N`` is the number of recipients (``--top`` already sets the terminal's rows). Flags
win over ``[tool.fundscout.budget]``; giving ``--budget`` (or ``amount`` in the file) turns
the allocation on, and with it ``fundscout-sponsors.csv`` for the grants payable through
GitHub Sponsors when the budget is in USD.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from analyzer.allocate import sponsors_csv
from analyzer.cli.common import ExitCode, err_console, fail
from analyzer.config import Config
from analyzer.errors import ConfigError
from analyzer.report import write_atomic
from analyzer.score import settings as ranking

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

PANEL = "Budget"
SPONSORS_FILE = "fundscout-sponsors.csv"

BudgetOpt = Annotated[
    str | None,
    typer.Option(
        "--budget",
        metavar="AMOUNT",
        rich_help_panel=PANEL,
        help="Split this amount over the ranked projects.",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency",
        metavar="CODE",
        rich_help_panel=PANEL,
        help="ISO 4217 code of the budget (default USD).",
    ),
]
StrategyOpt = Annotated[
    str | None,
    typer.Option(
        "--strategy", rich_help_panel=PANEL, help="proportional (default), equal or tiered."
    ),
]
GrantsOpt = Annotated[
    int | None,
    typer.Option(
        "--grants",
        metavar="N",
        rich_help_panel=PANEL,
        help="At most N recipients, best ranked first (default 20).",
    ),
]
MinGrantOpt = Annotated[
    str | None,
    typer.Option(
        "--min-grant",
        metavar="AMOUNT",
        rich_help_panel=PANEL,
        help="Smallest grant (default 50); platform minimums apply on top.",
    ),
]
MaxShareOpt = Annotated[
    str | None,
    typer.Option(
        "--max-share",
        metavar="SHARE",
        rich_help_panel=PANEL,
        help="Largest share of the budget one project may get (default 0.1).",
    ),
]


def budget_config(
    config: Config,
    *,
    amount: str | None,
    currency: str | None,
    strategy: str | None,
    grants: int | None,
    min_grant: str | None,
    max_share: str | None,
) -> Config:
    """The configuration with the budget flags applied; a bad value is a usage error."""
    readers = (
        ("amount", amount, lambda v, w: ranking.money(v, w, positive=True), "--budget"),
        ("currency", currency, ranking.currency, "--currency"),
        ("strategy", strategy, ranking.strategy, "--strategy"),
        ("grants", grants, ranking.grants, "--grants"),
        ("min_grant", min_grant, ranking.money, "--min-grant"),
        ("max_share", max_share, ranking.share, "--max-share"),
    )
    values: dict[str, Any] = {}
    try:
        for name, value, read, flag in readers:
            if value is not None:
                values[name] = read(value, flag)
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    return replace(config, budget=replace(config.budget, **values))


def write_sponsors(result: AuditResult, out: Path) -> Path | None:
    """Write the GitHub Sponsors bulk CSV when there is anything to pay in USD."""
    allocation = result.allocation
    if allocation is None:
        return None
    text = sponsors_csv(allocation)
    if text is None:
        why = (
            "the budget is not in USD"
            if allocation.currency != "USD"
            else "no grant is payable through GitHub Sponsors"
        )
        err_console.print(f"note: no {SPONSORS_FILE}: {why}", highlight=False, markup=False)
        return None
    path = out / SPONSORS_FILE
    write_atomic(path, text)
    return path


def print_allocation(result: AuditResult, console: Console, top: int) -> None:
    allocation = result.allocation
    if allocation is None:
        return
    console.print(
        f"Budget {allocation.budget:,.2f} {allocation.currency} ({allocation.strategy}): "
        f"{len(allocation.grants)} grants"
        + (f", {allocation.unallocated:,.2f} unallocated" if allocation.unallocated else "")
    )
    for grant in allocation.grants[:top]:
        pay = grant.payee.platform if grant.payee else "reach out first"
        console.print(f"  {grant.rank:>3}. {grant.name}: {grant.amount:,.2f} ({pay})")
