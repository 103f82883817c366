"""What a pnpm package key and its ``resolution`` say: name, version and origin.

Keys are ``/name/1.2.3_peer@1`` (lockfile 5), ``/name@1.2.3(peer@1)`` (6) or ``name@1.2.3``
(9), sometimes with a registry or git host in front; peer suffixes do not change the version.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.npm_common import clean_url, resolved_source, text_or_none
from analyzer.manifests.package_json import split_npm_name

_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$")


def split_key(key: str) -> tuple[str | None, str | None]:
    """(name, version) from a package key: ``/@s/a/1.0.0_p@1``, ``/a@1.0.0(p@1)``,
    ``a@1.0.0``, ``registry.npmjs.org/a/1.0.0``; None for what the key does not say."""
    body = key.removeprefix("/")
    at = body.find("@", 1)
    if at > 0 and _valid_name(body[:at]):
        rest = body[at + 1 :]
        if ":" in rest or _version(rest):  # name@1.0.0, name@https://..., name@file:...
            return body[:at], _version(rest)
    parts = body.split("/")
    if ":" in parts[0]:
        return None, None  # file:, link: or an scp-style git host
    if not key.startswith("/") and len(parts) > 2 and "." in parts[0] and parts[0][0] != "@":
        parts = parts[1:]  # a registry or git host in front: example.com/a/1.0.0
    size = 2 if parts[0].startswith("@") else 1
    if len(parts) <= size or not _valid_name("/".join(parts[:size])):
        return None, None
    return "/".join(parts[:size]), _version("/".join(parts[size:]))  # 5.0: _@babel/core@7


def _valid_name(name: str) -> bool:
    try:
        split_npm_name(name)
    except ManifestError:
        return False
    return True


def _version(text: str) -> str | None:
    """The version without pnpm's peer suffix (``_peer@1`` in 5, ``(peer@1)`` since 6)."""
    version = re.split(r"[_(]", text, maxsplit=1)[0]
    return version if _VERSION.match(version) else None


def package_origin(key: str, entry: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(source, spec, folder) of a package from its ``resolution``."""
    found = entry.get("resolution")
    resolution = found if isinstance(found, dict) else {}
    folder = text_or_none(resolution.get("directory"))
    if folder is not None or resolution.get("type") == "directory":
        folder = folder or key.removeprefix("file:")
        return "path", f"file:{folder}", folder
    if resolution.get("type") == "git" or "commit" in resolution:
        repo, commit = resolution.get("repo"), resolution.get("commit")
        spec = clean_url(repo) if isinstance(repo, str) else key
        return "vcs", f"{spec}#{commit}" if isinstance(commit, str) else spec, None
    tarball = text_or_none(resolution.get("tarball"))
    if tarball is not None:
        source = resolved_source(tarball)
        return source, None if source == "registry" else clean_url(tarball), None
    if key.startswith("file:"):
        return "path", key, key.removeprefix("file:")
    return "registry", None, None
