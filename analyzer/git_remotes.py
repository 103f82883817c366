"""Owners of the audited repositories, read from their ``origin`` remote in ``.git/config``.

Only ``origin`` counts: an ``upstream`` remote of a fork names somebody else's project, which
must stay a funding candidate. The file is read as text (never through git, which could run
configured commands), size-bounded, and only when it is a regular file inside the repository.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from analyzer.enrich.repourl import normalize_repo_url, owner_path
from analyzer.model import Repository

MAX_CONFIG = 64 * 1024
_SECTION = re.compile(r'^\s*\[\s*remote\s+"origin"\s*\]\s*$')
_ANY_SECTION = re.compile(r"^\s*\[")
_URL = re.compile(r"^\s*url\s*=\s*(.+?)\s*$", re.IGNORECASE)


def origin_url(config_text: str) -> str | None:
    """The first ``url`` of ``[remote "origin"]`` in a git config file, or None."""
    inside = False
    for line in config_text.splitlines():
        if _SECTION.match(line):
            inside = True
        elif _ANY_SECTION.match(line):
            inside = False
        elif inside and (match := _URL.match(line)):
            return match.group(1).strip('"')
    return None


def _read_config(directory: Path) -> str | None:
    path = directory / ".git" / "config"
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG:
            return None
        if os.path.islink(directory / ".git"):
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def audited_owners(roots: Iterable[str], repositories: Iterable[Repository]) -> set[str]:
    """``host/owner`` of every audited repository whose origin remote is a known forge URL."""
    owners: set[str] = set()
    directories = [Path(root) for root in roots if os.path.isdir(root)]
    for repo in repositories:
        for root in directories:
            text = _read_config(root / repo.path)
            url = normalize_repo_url(origin_url(text)) if text else None
            if url is None:
                continue
            host, path = owner_path(url)
            # The owner is everything but the repository's own name (GitLab groups nest); a
            # repository right under a host names no owner, and a whole host is too broad.
            if len(path) >= 2:
                owners.add("/".join([host, *path[:-1]]))
    return owners
