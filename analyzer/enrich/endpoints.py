"""Base URLs of every service fundscout asks, from flags, environment variables or config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import ClassVar


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of every service; change them for mirrors, GitHub Enterprise or tests."""

    pypi: str = "https://pypi.org"  # /pypi/<name>/json lives under it
    npm: str = "https://registry.npmjs.org"
    github_api: str = "https://api.github.com"
    github_graphql: str = "https://api.github.com/graphql"
    depsdev: str = "https://api.deps.dev"
    ecosystems: str = "https://packages.ecosyste.ms/api/v1"
    osv: str = "https://api.osv.dev"

    ENV: ClassVar[dict[str, str]] = {
        "pypi": "FUNDSCOUT_PYPI_URL",
        "npm": "FUNDSCOUT_NPM_URL",
        "github_api": "FUNDSCOUT_GITHUB_API_URL",
        "github_graphql": "FUNDSCOUT_GITHUB_GRAPHQL_URL",
        "depsdev": "FUNDSCOUT_DEPSDEV_URL",
        "ecosystems": "FUNDSCOUT_ECOSYSTEMS_URL",
        "osv": "FUNDSCOUT_OSV_URL",
    }

    @classmethod
    def resolve(
        cls,
        config: Mapping[str, str] | None = None,
        flags: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Endpoints:
        """Flags win over environment variables, which win over the config file."""
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for item in fields(cls):
            env_value = environ.get(cls.ENV[item.name], "").strip()
            chosen = (flags or {}).get(item.name) or env_value or (config or {}).get(item.name)
            if chosen:
                values[item.name] = chosen.rstrip("/")
        return replace(cls(), **values)
