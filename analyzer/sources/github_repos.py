"""The repositories of a GitHub organization (or user) that an audit reads.

``GET /orgs/ORG/repos?type=all`` lists an organization's repositories, 100 a page; when ORG is
not an organization, ``GET /users/ORG/repos`` lists what that user owns. Without a token only
public repositories are listed. Forks and archived repositories are left out unless asked for;
disabled ones always are (GitHub refuses to serve them). ``--repo-filter`` globs keep only the
names they match, and the exclude globs drop the names they match, as for local folders.
Every repository left out is counted in a note, so nothing disappears unexplained.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from analyzer.errors import SourceError
from analyzer.globs import GlobSet

if TYPE_CHECKING:  # the HTTP stack: loaded only by a crawl
    from analyzer.sources.github_api import GithubApi

# GitHub's own rules are stricter; this only keeps names safe in URLs, paths and reports.
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def check_owner(name: str) -> str:
    """The organization or user name, stripped; SourceError when it cannot be one."""
    name = name.strip()
    if not _OWNER.match(name) or ".." in name:
        raise SourceError(f"{name!r}: not a valid GitHub organization or user name")
    return name


@dataclass(frozen=True)
class RepoInfo:
    """What the listing says about one repository."""

    name: str
    default_branch: str | None  # None: the repository has no commits yet
    fork: bool = False
    archived: bool = False
    disabled: bool = False


@dataclass(frozen=True)
class RepoFilter:
    """Which listed repositories to audit."""

    include_forks: bool = False
    include_archived: bool = False
    patterns: tuple[str, ...] = ()  # --repo-filter globs; empty keeps every name
    exclude: tuple[str, ...] = ()

    def wanted(self, name: str) -> bool:
        lower = name.lower()  # GitHub names are case-insensitive
        return any(fnmatch.fnmatchcase(lower, p.lower()) for p in self.patterns)


@dataclass
class Listing:
    """The repositories to audit, in name order, and why others were left out."""

    repositories: list[RepoInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_repo(raw: Any) -> RepoInfo | None:
    """One entry of the repository list, or None when it is malformed."""
    if not isinstance(raw, Mapping):
        return None
    name, branch = raw.get("name"), raw.get("default_branch")
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        return None
    usable = isinstance(branch, str) and 0 < len(branch) <= 255 and "\0" not in branch
    flags = {key: raw.get(key) is True for key in ("fork", "archived", "disabled")}
    return RepoInfo(name, branch if usable else None, **flags)


def fetch_listing(api: GithubApi, owner: str, label: str) -> list[Any]:
    """Every entry of the owner's repository list; SourceError naming ``label`` otherwise."""
    from analyzer.sources.github_api import CrawlStoppedError, RepositoryError

    where = quote(owner)
    try:
        found = api.pages(f"/orgs/{where}/repos?per_page=100&type=all&sort=full_name")
        if found is None:
            found = api.pages(f"/users/{where}/repos?per_page=100&type=owner&sort=full_name")
    except (RepositoryError, CrawlStoppedError) as exc:
        raise SourceError(f"{label}: cannot list repositories: {exc}") from None
    if found is None and api.offline:
        raise SourceError(f"{label}: the repository list is not in the cache (offline)")
    if found is None:
        raise SourceError(
            f"{label}: no such GitHub organization or user (HTTP 404 from {api.root})"
        )
    return found


def select(entries: Iterable[Any], rules: RepoFilter) -> Listing:
    """The repositories ``rules`` keep, with a note per reason others were dropped."""
    listing, seen = Listing(), set()
    dropped = {"malformed": 0, "fork": 0, "archived": 0, "disabled": 0, "filter": 0,
               "exclude": 0}  # fmt: skip
    exclude = GlobSet(rules.exclude)
    for raw in entries:
        info = parse_repo(raw)
        if info is None:
            dropped["malformed"] += 1
            continue
        if info.name.lower() in seen:  # a page boundary shifted by a new repository
            continue
        seen.add(info.name.lower())
        reason = (
            "disabled" if info.disabled
            else "fork" if info.fork and not rules.include_forks
            else "archived" if info.archived and not rules.include_archived
            else "filter" if rules.patterns and not rules.wanted(info.name)
            else "exclude" if exclude.matches(info.name)
            else None
        )  # fmt: skip
        if reason:
            dropped[reason] += 1
        else:
            listing.repositories.append(info)
    listing.repositories.sort(key=lambda r: r.name.lower())
    listing.notes.extend(_notes(dropped))
    return listing


def _notes(dropped: Mapping[str, int]) -> list[str]:
    texts = {
        "fork": "{} forks left out (add --include-forks)",
        "archived": "{} archived repositories left out (add --include-archived)",
        "disabled": "{} disabled repositories left out",
        "filter": "{} repositories not matching --repo-filter left out",
        "exclude": "{} repositories matching the exclude globs left out",
        "malformed": "{} malformed entries of the repository list ignored",
    }
    return [texts[key].format(count) for key, count in dropped.items() if count]
