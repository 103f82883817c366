"""What every command shares: exit codes, error output, options and input checks."""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from analyzer.config import Config, load_config, parse_size
from analyzer.errors import ConfigError


class ExitCode(IntEnum):
    """Documented in the README; scripts rely on them."""

    OK = 0
    POLICY = 1  # a --fail-on policy was violated (reserved)
    USAGE = 2  # bad flag, missing or unusable path, invalid configuration
    NOTHING = 3  # no repository or no manifest could be audited
    PARTIAL = 4  # with --strict: some files could not be read
    INTERRUPTED = 130


err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print a one-line error and exit with ``code``."""
    err_console.print(f"[bold red]fundscout: error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(int(code))


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Repositories, or directories of repositories. Default: the current directory.",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Configuration file (fundscout.toml or pyproject.toml)."),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Glob of paths to skip; repeatable (adds to the config)."),
]
MaxSizeOpt = Annotated[
    str | None,
    typer.Option("--max-file-size", help="Skip larger files, e.g. 10MB (default 10MB)."),
]


def check_paths(paths: list[Path] | None) -> list[Path]:
    """The roots to audit; a missing, non-directory or unreadable path is a usage error."""
    roots = paths or [Path(".")]
    for root in roots:
        if not root.exists():
            fail(f"{root}: no such file or directory", ExitCode.USAGE)
        if not root.is_dir():
            fail(f"{root}: not a directory (give a repository or a folder of repositories)",
                 ExitCode.USAGE)  # fmt: skip
        if not os.access(root, os.R_OK | os.X_OK):
            fail(f"{root}: permission denied", ExitCode.USAGE)
    return roots


def make_config(
    config_path: Path | None, exclude: list[str] | None, max_file_size: str | None
) -> Config:
    try:
        config = load_config(config_path)
        size = parse_size(max_file_size, "--max-file-size") if max_file_size else None
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    extra = tuple(exclude or ())
    return config.with_overrides(exclude=config.exclude + extra, max_file_size=size)
