"""What every fake API shares: the world's vocabulary, seeded helpers, replies, memo, base."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.fake.world import World

ANCHOR = datetime(2025, 6, 2, tzinfo=UTC)  # "now" of the synthetic world: output is stable
ROLES = ("pypi", "npm", "depsdev", "ecosystems", "osv", "github")
PROVIDER_OF = {  # endpoint label -> the fundscout provider that calls it
    "pypi:project": "pypi",
    "pypi:release": "vulnerabilities",
    "npm:document": "npm",
    "depsdev:package": "depsdev",
    "depsdev:version": "depsdev",
    "depsdev:project": "depsdev",
    "depsdev:versionbatch": "depsdev",
    "depsdev:dependents": "depsdev",
    "ecosystems:bulk_lookup": "ecosystems",
    "osv:querybatch": "vulnerabilities",
    "osv:vuln": "vulnerabilities",
    "github:repo": "github",
    "github:commits": "github",
    "github:contributors": "github",
    "github:contents": "github",
    "github:graphql": "github",
}
WORDS = (
    "http",
    "json",
    "async",
    "data",
    "cache",
    "parse",
    "auth",
    "cloud",
    "test",
    "log",
    "config",
    "stream",
    "image",
    "crypto",
    "xml",
    "yaml",
    "time",
    "path",
    "color",
    "query",
    "graph",
    "task",
    "queue",
    "file",
    "net",
    "mock",
    "lint",
    "format",
    "schema",
    "event",
    "socket",
    "router",
    "plugin",
    "store",
    "token",
    "retry",
    "proxy",
    "table",
    "vector",
    "signal",
    "glob",
    "diff",
    "zip",
    "shell",
    "math",
    "locale",
    "mail",
    "cli",
    "web",
    "orm",
)
SCOPES = (
    "babel",
    "types",
    "aws-sdk",
    "angular",
    "vue",
    "jest",
    "octokit",
    "tanstack",
    "mui",
    "emotion",
    "rollup",
    "vitest",
    "sentry",
    "storybook",
    "radix-ui",
    "smithy",
)
LICENSES = (
    "MIT",
    "MIT",
    "MIT",
    "Apache-2.0",
    "Apache-2.0",
    "BSD-3-Clause",
    "ISC",
    "BSD-2-Clause",
    "MPL-2.0",
    "GPL-3.0-or-later",
    "LGPL-2.1-only",
)
PEOPLE = (
    "alice",
    "bob",
    "carol",
    "dmitri",
    "erin",
    "farid",
    "grace",
    "hiro",
    "ines",
    "jonas",
    "kemal",
    "lena",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tomoko",
)
CHECKS = (
    "Maintained",
    "Code-Review",
    "CII-Best-Practices",
    "License",
    "Signed-Releases",
    "Branch-Protection",
    "Security-Policy",
    "Dangerous-Workflow",
    "Token-Permissions",
    "Binary-Artifacts",
    "Pinned-Dependencies",
    "Fuzzing",
    "Vulnerabilities",
    "SAST",
    "Packaging",
    "Dependency-Update-Tool",
)


def seeded_rng(*parts: object) -> random.Random:
    """An independent generator per document: the same bytes whatever the generation order."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311  (synthetic data only)


def hex_digest(*parts: object, size: int = 20) -> str:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).hexdigest()


def iso_stamp(when: datetime, micro: bool = False) -> str:
    text = when.astimezone(UTC).isoformat(timespec="microseconds" if micro else "seconds")
    return text.replace("+00:00", "Z")


def readme_text(rng: random.Random, title: str) -> str:
    lines = [f"# {title}", "", f"[![PyPI](https://img.shields.io/pypi/v/{title}.svg)]()", ""]
    for _ in range(rng.randint(3, 12)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(25, 80))]
        lines += [" ".join(words).capitalize() + ".", ""]
        if rng.random() < 0.3:
            lines += ["```python", f"import {title.replace('-', '_')}", "```", ""]
    return "\n".join(lines)


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    packed: bytes | None = None  # the gzip form, made once for memoized documents

    @classmethod
    def json(cls, status: int, document: Any, pack: bool = False) -> Reply:
        body = json.dumps(document, separators=(",", ":")).encode()
        reply = cls(status, body, headers={"ETag": f'"{hex_digest(body, size=16)}"'})
        if pack and len(body) > 1400:
            reply.packed = gzip.compress(body, compresslevel=6, mtime=0)
        return reply


NOT_FOUND = Reply(404, b'{"message":"Not Found"}')
GITHUB_NOT_FOUND = Reply(
    404,
    b'{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}',
)


class Memo:
    """Replies built once: the large documents are also gzip-compressed only once."""

    def __init__(self) -> None:
        self._replies: dict[str, Reply] = {}

    def get(self, key: str, build: Callable[[], Any]) -> Reply:
        reply = self._replies.get(key)
        if reply is None:
            document = build()
            reply = NOT_FOUND if document is None else Reply.json(200, document, pack=True)
            self._replies[key] = reply
        return reply


class Api:
    """One fake host: the documents it serves and the route that answers a request."""

    def __init__(self, world: World, memo: Memo) -> None:
        self.world, self.memo = world, memo

    def prepare(self) -> None:
        """Build the large documents before any timing starts (none by default)."""

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        """The endpoint label and the reply for one request."""
        raise NotImplementedError
