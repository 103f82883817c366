"""A local PyPI and npm registry for the resolution tests, serving recorded-shape documents.

``tests/fixtures/api/resolve`` holds trimmed documents in the registries' own shapes:

- ``pypi/<name>.json`` at ``/pypi/<name>/json``, ``pypi/<name>@<version>.json`` at
  ``/pypi/<name>/<version>/json`` (only some versions have one, as on some mirrors);
- ``simple/<name>.json`` at ``/simple/<name>/`` (PEP 691 JSON), ``files/<file>`` at
  ``/files/<file>`` (PEP 658 core metadata);
- ``npm/<name>.json`` at ``/<name>``, with ``+`` standing for the ``/`` of a scoped name.

Everything else answers 404, like a registry that does not know the package.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_httpserver import HTTPServer

from analyzer.enrich.client import Client, Endpoints
from analyzer.http import HttpSettings, make_session
from analyzer.resolve.pypi import SIMPLE_JSON

API = Path(__file__).parent / "fixtures" / "api" / "resolve"


def serve_registries(httpserver: HTTPServer) -> None:
    for path in sorted((API / "pypi").glob("*.json")):
        name, _, version = path.stem.partition("@")
        url = f"/pypi/{name}/{version}/json" if version else f"/pypi/{name}/json"
        serve(httpserver, url, path, "application/json")
    for path in sorted((API / "simple").glob("*.json")):
        serve(httpserver, f"/simple/{path.stem}/", path, SIMPLE_JSON)
    for path in sorted((API / "files").iterdir()):
        serve(httpserver, f"/files/{path.name}", path, "application/octet-stream")
    for path in sorted((API / "npm").glob("*.json")):
        serve(httpserver, "/" + path.stem.replace("+", "/"), path, "application/json")
    httpserver.expect_request(re.compile(".*")).respond_with_data("Not Found", status=404)


def serve(httpserver: HTTPServer, url: str, path: Path, content_type: str) -> None:
    httpserver.expect_request(url).respond_with_data(path.read_bytes(), content_type=content_type)


def make_client(
    httpserver: HTTPServer, cache: Path, offline: bool = False, retries: int = 3
) -> Client:
    root = httpserver.url_for("").rstrip("/")
    settings = HttpSettings(cache_dir=cache, offline=offline, backoff=0.0, retries=retries)
    return Client(make_session(settings), Endpoints(pypi=root, npm=root), settings)


def hits(httpserver: HTTPServer, path: str) -> int:
    """How many requests the server received for ``path``."""
    return sum(1 for request, _ in httpserver.log if request.path == path)
