"""Acme command-line interface."""

import typer
from rich.console import Console

app = typer.Typer(help="Acme internal tooling")
console = Console()


@app.command()
def whoami() -> None:
    console.print("[bold green]acme[/] cli")
