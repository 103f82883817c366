"""The ``fundscout`` command line: one module per command, wired together here."""

from __future__ import annotations

import typer

from analyzer import __version__

app = typer.Typer(
    name="fundscout",
    help="Find the open-source projects your organization depends on most, and fund them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals could hold tokens
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fundscout {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Find the open-source projects your organization depends on most, and fund them."""


# Importing the command modules registers their commands on ``app``.
from analyzer.cli import audit, deps, diff, exiting, explain, init  # noqa: E402

__all__ = ["app", "audit", "deps", "diff", "exiting", "explain", "init", "main"]


def main() -> None:
    """Entry point; typer maps Ctrl-C to exit code 130. A big audit is not freed on the way
    out (``analyzer.cli.exiting``)."""
    exiting.keeping = True
    try:
        app(prog_name="fundscout")
    except SystemExit as done:
        if not exiting.can_exit_quickly():
            raise
        exiting.quick_exit(exiting.exit_status(done.code))
