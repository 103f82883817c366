"""What every command shares: exit codes, error output, options and input checks."""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from analyzer.config import Config, load_config, parse_size
from analyzer.errors import ConfigError

if TYPE_CHECKING:
    from analyzer.pipeline import Collection


class ExitCode(IntEnum):
    """Documented in the README; scripts rely on them."""

    OK = 0
    POLICY = 1  # a --fail-on policy was violated (reserved)
    USAGE = 2  # bad flag, missing or unusable path, invalid configuration
    NOTHING = 3  # no repository or no manifest could be audited
    PARTIAL = 4  # with --strict: some files could not be read
    INTERRUPTED = 130


err_console = Console(stderr=True, highlight=False, soft_wrap=True)
_NOT_CI = ("", "0", "false", "no", "off")


def in_ci() -> bool:
    """True when the ``CI`` variable says so (GitHub Actions, GitLab and others set it)."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def set_color(enabled: bool) -> None:
    """Color on stderr only when enabled and ``NO_COLOR`` is unset (https://no-color.org).

    Set per command, since the console outlives one invocation (tests run many in-process).
    """
    err_console.no_color = not enabled or bool(os.environ.get("NO_COLOR"))


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print a one-line error and exit with ``code``."""
    # Messages quote paths and TOML ("[tool.fundscout]") that must not be read as markup.
    err_console.print(f"[bold red]fundscout: error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(int(code))


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Repositories, or directories of repositories. "
        "Default: the current directory, unless --sbom is given.",
        show_default=False,
        readable=False,  # checked by check_paths, which names the path in a one-line error
    ),
]
SbomOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--sbom",
        metavar="FILE",
        help="A CycloneDX or SPDX JSON SBOM to audit as one repository; repeatable.",
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
    typer.Option("--max-file-size", help="Skip larger files, e.g. 10MB (default 10 MiB)."),
]


def check_paths(
    paths: list[Path] | None, *, sboms: list[Path] | None = None, org: str | None = None
) -> list[Path]:
    """The roots to audit; a missing, non-directory or unreadable path is a usage error.

    No PATH means the current directory, unless SBOM files or a GitHub organization are
    given: then only they are audited.
    """
    roots: list[Path] = []
    seen: set[str] = set()
    for root in paths or ([] if sboms or org else [Path(".")]):
        # The same directory given twice would count its repositories twice.
        if (real := os.path.realpath(root)) not in seen:
            seen.add(real)
            roots.append(root)
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


def finish(collection: Collection, strict: bool) -> None:
    """Exit with the code the outcome deserves (3 or 4); return only when it is 0."""
    if not collection.repositories:
        where = ", ".join(collection.roots)
        fail(f"nothing to audit: {where} holds no repositories", ExitCode.NOTHING)
    if not collection.manifests:
        count, where = len(collection.repositories), ", ".join(collection.roots)
        fail(f"nothing to audit: no dependency manifests in {count} repositories under {where}",
             ExitCode.NOTHING)  # fmt: skip
    broken = {(p.repo, p.file) for p in collection.problems}
    unreadable = all((m.repo, m.path) in broken for m in collection.manifests)
    if unreadable and not collection.dependencies:
        fail(f"nothing could be audited: all {len(collection.manifests)} manifests had problems",
             ExitCode.NOTHING)  # fmt: skip
    if strict and collection.problems:
        fail(f"{len(collection.problems)} problems while reading manifests (--strict)",
             ExitCode.PARTIAL)  # fmt: skip
