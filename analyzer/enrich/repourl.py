"""Source repository URLs to one canonical form, so packages roll up to one project.

``git+ssh://git@github.com/Owner/Repo.git``, ``git@github.com:owner/repo``,
``github:owner/repo``, ``scm:git:https://github.com/owner/repo``, ``github.com/owner/repo`` and
``https://www.github.com/owner/repo/tree/main/packages/x`` all become
``https://github.com/owner/repo``.

- GitHub-like forges (GitHub, Bitbucket, Codeberg, Gitea, Gitee) keep ``owner/repo``, lowercased.
- GitLab (gitlab.com, well-known instances, any ``gitlab.*`` host) keeps nested groups and stops at
  ``/-/`` or another page inside the project.
- sourcehut (``git.sr.ht``, ``hg.sr.ht``) keeps ``~owner/repo``.
- Other hosts keep their path, without ``.git`` and without pages inside the repository.

Pages that are not repositories (GitHub Sponsors, documentation sites, registry pages,
``*.github.io`` homepages, ``.html`` files) are None. The result is idempotent: normalizing a
normalized URL gives it back.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

OWNER_REPO = frozenset({"github.com", "bitbucket.org", "codeberg.org", "gitea.com", "gitee.com"})
GITLABS = frozenset({"gitlab.com", "salsa.debian.org", "gitlab.gnome.org", "invent.kde.org",
                     "gitlab.freedesktop.org", "framagit.org", "foss.heptapod.net"})  # fmt: skip
SOURCEHUT = frozenset({"git.sr.ht", "hg.sr.ht"})
SHORTHANDS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
# Path segments after which a URL points inside the repository, not at another one.
_INNER = frozenset(
    {"tree", "blob", "issues", "pulls", "pull", "wiki", "releases", "tags", "commits",
     "commit", "actions", "discussions", "src", "-", "merge_requests", "packages", "raw",
     "blame", "log", "refs", "branches", "compare", "security", "pipelines"}
)  # fmt: skip
# First path segments that are forge pages rather than owners.
_NOT_OWNERS = frozenset(
    {"sponsors", "orgs", "users", "settings", "marketplace", "topics", "features", "apps",
     "about", "login", "join", "site", "collections", "explore", "notifications", "search",
     "pricing", "enterprise", "trending", "new", "organizations", "groups", "dashboard",
     "help", "-", "account", "contact", "readme", "customer-stories", "codespaces"}
)  # fmt: skip
# Hosts of documentation, homepages and package registries: never a source repository.
_NOT_REPO_HOSTS = re.compile(
    r"(^|\.)(readthedocs\.(io|org)|rtfd\.io|github\.io|gitlab\.io|pypi\.(org|python\.org)"
    r"|npmjs\.(com|org)|docs\.rs|crates\.io|rubygems\.org|packagist\.org|pkg\.go\.dev"
    r"|githubusercontent\.com)$"
)
_NOT_REPO_LABELS = frozenset({"docs", "doc", "documentation", "blog", "wiki", "api", "gist",
                              "pages", "readthedocs"})  # fmt: skip
_NOT_REPO_PATHS = frozenset({"docs", "doc", "documentation", "wiki", "blog", "project",
                             "projects", "package", "packages"})  # fmt: skip
_PAGE = re.compile(r"\.(html?|php|aspx?|pdf|md|txt)$", re.IGNORECASE)
_HOST = re.compile(
    r"^(?=.{4,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
)
_SEGMENT = re.compile(r"^[A-Za-z0-9._~+-]{1,200}$")
_SCP = re.compile(r"^(?:[\w.+-]+@)?([\w.-]+\.[a-z]{2,}):(?!//)(.+)$", re.IGNORECASE)
_SHORT = re.compile(r"^(github|gitlab|bitbucket):(.+)$", re.IGNORECASE)
_BARE = re.compile(r"^[A-Za-z0-9-]+/[\w.-]+$")  # GitHub owners never contain dots
_HOST_PATH = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?/", re.IGNORECASE)
_SCHEMES = ("http", "https", "git", "ssh")
_SCM = re.compile(r"^scm:[a-z]+:", re.IGNORECASE)  # Maven <scm> connections
_GIT_PLUS = re.compile(r"^git\+", re.IGNORECASE)
_WWW = re.compile(r"^(www\.)+")
_DOT_GIT = re.compile(r"(\.git)+$", re.IGNORECASE)


def _parts(url: str) -> tuple[str, str] | None:
    """(host with an https port when there is one, path) of any spelling, or None."""
    url = _SCM.sub("", url)
    if short := _SHORT.match(url):
        return SHORTHANDS[short.group(1).lower()], short.group(2)
    if _BARE.match(url):  # npm's "owner/repo" shorthand means GitHub
        return "github.com", url
    url = _GIT_PLUS.sub("", url)
    if "://" not in url:
        if scp := _SCP.match(url):
            return scp.group(1), scp.group(2)
        if not _HOST_PATH.match(url):
            return None
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:  # "http://[x", "http://host:99999" and other hostile spellings
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not hostname:
        return None
    # An ssh or git port says nothing about the web address; an https port does.
    if scheme in ("http", "https") and port not in (None, 80, 443):
        hostname = f"{hostname}:{port}"
    return hostname, parts.path


def _is_forge(name: str) -> bool:
    return name in OWNER_REPO or name in GITLABS or name in SOURCEHUT or name.startswith("gitlab.")


def _clean_host(host: str) -> str | None:
    """The lowercase host (and https port), or None for a website rather than a code host."""
    lowered = host.lower().rstrip(".")
    host = _WWW.sub("", lowered)
    name, _, port = host.partition(":")
    if not _HOST.match(name) or _NOT_REPO_HOSTS.search(name) or (port and not port.isdigit()):
        return None
    # "www.github.com" is GitHub; "www.example.org" is somebody's homepage.
    return host if host == lowered or _is_forge(name) else None


def _cut(segments: list[str], keep: int) -> list[str]:
    """The segments before the first page inside a repository, at least ``keep`` of them."""
    for index in range(keep, len(segments)):
        if segments[index] in _INNER:
            return segments[:index]
    return segments


def _forge_path(host: str, segments: list[str]) -> list[str] | None:
    """The repository's path segments on ``host``, or None when it is not a repository."""
    name = host.partition(":")[0]
    lowered = [s.lower() for s in segments]
    if name in OWNER_REPO:
        if len(lowered) < 2 or lowered[0] in _NOT_OWNERS:
            return None
        return lowered[:2]
    if name in GITLABS or name.startswith("gitlab."):
        kept = _cut(lowered, 1)
        return kept if len(kept) >= 2 and kept[0] not in _NOT_OWNERS else None
    if name in SOURCEHUT:
        return lowered[:2] if len(lowered) >= 2 and lowered[0].startswith("~") else None
    if name.split(".")[0] in _NOT_REPO_LABELS or lowered[0] in _NOT_REPO_PATHS:
        return None
    return _cut(segments, 1)


def normalize_repo_url(url: object) -> str | None:
    """The canonical https URL of a source repository, or None when ``url`` is not one."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    return _normalize(url)


@lru_cache(maxsize=1 << 14)
def _normalize(url: str) -> str | None:
    """Cached: every version of a package tends to name the same repository, and reading
    a warm cache normalizes a hundred thousand such links."""
    url = url.strip().split("#", 1)[0].split("?", 1)[0]
    found = _parts(url) if url else None
    host = _clean_host(found[0]) if found else None
    if found is None or host is None:
        return None
    # ".git" goes from every segment, so a path cut after "repo.git/tree/x" loses it too.
    segments = [_DOT_GIT.sub("", s) for s in found[1].split("/")]
    segments = [s for s in segments if s]
    if not segments or not all(_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None
    path = _forge_path(host, segments)
    if not path or _PAGE.search(path[-1]):
        return None
    return f"https://{host}/" + "/".join(path)


def repo_slug(url: str) -> str | None:
    """``owner/repo`` for a canonical GitHub URL, else None."""
    prefix = "https://github.com/"
    return url[len(prefix) :] if url.startswith(prefix) and url.count("/") == 4 else None


def repo_name(url: str) -> str:
    """A short name for a canonical repository URL: ``owner/repo`` on GitHub, else
    ``host/path`` so that equal paths on two hosts never share a name."""
    return repo_slug(url) or url.removeprefix("https://")


def owner_path(url: str) -> tuple[str, tuple[str, ...]]:
    """(host, path segments) of a canonical repository URL, lowercased, for owner matching."""
    rest = url.removeprefix("https://").lower()
    host, _, path = rest.partition("/")
    return host, tuple(s for s in path.split("/") if s)
