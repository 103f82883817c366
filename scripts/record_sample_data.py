"""Record the registry documents behind the sample report (``python -m scripts.sample_report
--record``): one live request per package listed here, 40 at most, each document trimmed to
the fields fundscout's PyPI and npm providers read, so the recording stays small and a
reviewer can see every fact the sample report rests on.

The packages are the ones the example organization relies on most; the others stay unknown in
the sample, which also shows how the reports present missing data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from analyzer.http import USER_AGENT

MAX_REQUESTS = 40
PYPI = (
    "pydantic", "requests", "pyyaml", "sentry-sdk", "structlog", "boto3", "psycopg",
    "sqlalchemy", "numpy", "python-dateutil", "httpx", "jinja2", "pandas", "pyarrow",
    "scikit-learn", "tomli", "pytest", "pytest-cov", "certifi", "urllib3", "mypy", "mkdocs",
    "mkdocs-material", "ruff", "setuptools", "attrs", "click",
)  # fmt: skip
NPM = (
    "axios", "react", "react-dom", "zod", "@radix-ui/react-dialog", "@tanstack/react-query",
    "clsx", "date-fns", "express",
)  # fmt: skip
PYPI_INFO = ("name", "version", "project_urls", "home_page", "classifiers", "license",
             "license_expression")  # fmt: skip
NPM_LATEST = ("license", "repository", "funding", "deprecated")


def trim_pypi(document: Mapping[str, Any]) -> dict[str, Any]:
    """``info`` fields, ``ownership``, and per release its earliest file and whether every
    file is yanked: exactly what the provider's release signals are computed from."""
    info = document.get("info") or {}
    releases = {}
    for version, files in (document.get("releases") or {}).items():
        stamps = [f for f in files or [] if f.get("upload_time_iso_8601")]
        if stamps:
            first = min(stamps, key=lambda f: f["upload_time_iso_8601"])
            yanked = all(bool(f.get("yanked")) for f in files)
            releases[version] = [{"upload_time_iso_8601": first["upload_time_iso_8601"],
                                  "yanked": yanked}]  # fmt: skip
    trimmed: dict[str, Any] = {"info": {k: info[k] for k in PYPI_INFO if k in info}}
    if isinstance(document.get("ownership"), Mapping):
        trimmed["ownership"] = document["ownership"]
    trimmed["releases"] = releases
    return trimmed


def trim_npm(document: Mapping[str, Any]) -> dict[str, Any]:
    """``dist-tags``, ``time``, ``maintainers``, the latest version's metadata, and for the
    other versions only whether they are deprecated."""
    latest = (document.get("dist-tags") or {}).get("latest")
    versions = {}
    for version, meta in (document.get("versions") or {}).items():
        keep = NPM_LATEST if version == latest else ("deprecated",)
        versions[version] = {k: meta[k] for k in keep if isinstance(meta, Mapping) and k in meta}
    kept = ("name", "dist-tags", "time", "maintainers", "repository", "license", "funding")
    trimmed = {k: document[k] for k in kept if k in document}
    trimmed["versions"] = versions
    return trimmed


def write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def record(data: Path) -> None:
    """Fetch, trim and store every listed document; a failure stops before anything is kept
    half-updated (the files already written are complete documents)."""
    assert len(PYPI) + len(NPM) <= MAX_REQUESTS, "keep the recording small"
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for name in PYPI:
        response = session.get(f"https://pypi.org/pypi/{quote(name)}/json", timeout=30)
        response.raise_for_status()
        write(data / "pypi" / f"{name}.json", trim_pypi(response.json()))
    for name in NPM:
        response = session.get(f"https://registry.npmjs.org/{quote(name, safe='@')}", timeout=30)
        response.raise_for_status()
        write(data / "npm" / (name.replace("/", "+") + ".json"), trim_npm(response.json()))
    write(data / "recorded.json", {"source_date_epoch": int(now.timestamp()),
                                   "recorded_at": now.isoformat(), "pypi": list(PYPI),
                                   "npm": list(NPM)})  # fmt: skip
