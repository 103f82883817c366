"""Source repository URLs to one canonical form, so packages roll up to one project.

``git+ssh://git@github.com/Owner/Repo.git``, ``git@github.com:owner/repo``,
``github:owner/repo``, ``https://www.github.com/owner/repo/tree/main/packages/x`` all become
``https://github.com/owner/repo``. Forge hosts keep ``owner/repo`` only (GitLab keeps
subgroups); other hosts keep their path without ``.git``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

FORGES = {
    "github.com": "github.com",
    "gitlab.com": "gitlab.com",
    "bitbucket.org": "bitbucket.org",
    "codeberg.org": "codeberg.org",
}
SHORTHANDS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
# Path segments after which a forge URL points inside the repository, not at another one.
_INNER = frozenset(
    {"tree", "blob", "issues", "pulls", "pull", "wiki", "releases", "tags", "commits",
     "commit", "actions", "discussions", "src", "-", "merge_requests", "packages", "raw"}
)  # fmt: skip
_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+\.[a-z]{2,}):(?!//)(.+)$", re.IGNORECASE)
_SHORT = re.compile(r"^(github|gitlab|bitbucket):([\w.-]+/[\w.-]+)$")
_BARE = re.compile(r"^[\w.-]+/[\w.-]+$")


def _parts(url: str) -> tuple[str, str] | None:
    """(host, path) of any spelling of a repository URL, or None."""
    url = url.strip()
    if short := _SHORT.match(url):
        return SHORTHANDS[short.group(1)], short.group(2)
    if _BARE.match(url):  # npm's "owner/repo" shorthand means GitHub
        return "github.com", url
    url = re.sub(r"^git\+", "", url)
    if "://" not in url and (scp := _SCP.match(url)):
        return scp.group(1), scp.group(2)
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # "http://[x" and other hostile spellings
        return None
    if parts.scheme not in ("http", "https", "git", "ssh", "git+ssh") or not hostname:
        return None
    return hostname, parts.path


def normalize_repo_url(url: object) -> str | None:
    """The canonical https URL of a source repository, or None when ``url`` is not one."""
    if not isinstance(url, str) or not url.strip() or len(url) > 2000:
        return None
    found = _parts(url)
    if found is None:
        return None
    host, path = found
    host = host.lower().removeprefix("www.")
    path = path.split("#", 1)[0].split("?", 1)[0]
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    segments[-1] = segments[-1].removesuffix(".git")
    if host in FORGES:
        kept: list[str] = []
        for segment in segments:
            if segment in _INNER:
                break
            kept.append(segment)
        limit = len(kept) if host == "gitlab.com" else 2
        segments = kept[:limit]
        if len(segments) < 2:
            return None
        return f"https://{host}/" + "/".join(s.lower() for s in segments)
    return f"https://{host}/" + "/".join(segments)


def repo_slug(url: str) -> str | None:
    """``owner/repo`` for a canonical GitHub URL, else None."""
    prefix = "https://github.com/"
    return url[len(prefix) :] if url.startswith(prefix) and url.count("/") == 4 else None
