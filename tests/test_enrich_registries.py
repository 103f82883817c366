"""PyPI and npm providers against a local server serving recorded registry documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich.npm import NpmProvider
from analyzer.enrich.pypi import PypiProvider, normalize_label
from analyzer.enrich.runner import Enrichment, Runner
from analyzer.http import HttpSettings, make_session

API = Path(__file__).parent / "fixtures" / "api"


def serve(httpserver: HTTPServer, path: str, fixture: str) -> None:
    httpserver.expect_request(path).respond_with_data(
        (API / fixture).read_bytes(), content_type="application/json"
    )


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    root = httpserver.url_for("").rstrip("/")
    settings = HttpSettings(cache_dir=tmp_path / "cache", backoff=0.0)
    client = Client(make_session(settings), Endpoints(pypi=root, npm=root), settings)
    client.fetched_at = "2026-01-01T00:00:00Z"
    return client


def values(result: Enrichment, key: str) -> dict[str, object]:
    return {s.name: s.value for s in result.signals[key]}


def test_pypi_project_document(httpserver: HTTPServer, client: Client) -> None:
    serve(httpserver, "/pypi/attrs/json", "pypi/attrs.json")
    serve(httpserver, "/pypi/requests/json", "pypi/requests.json")
    httpserver.expect_request("/pypi/acme-internal/json").respond_with_data("", status=404)
    subjects = [
        Subject("pkg:pypi/attrs", "pypi", "attrs", ("25.1.0",)),
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.32.0", "2.32.3")),
        Subject("pkg:pypi/acme-internal", "pypi", "acme-internal"),
    ]
    result = Runner([PypiProvider()], client).run(subjects)

    attrs = values(result, "pkg:pypi/attrs")
    assert attrs["repository"] == "https://github.com/python-attrs/attrs"
    assert attrs["owner_organization"] == "attrs"
    assert "maintainers" not in attrs  # no roles listed: unknown, not zero
    assert (attrs["first_release"], attrs["last_release"]) == ("2015-04-15", "2025-10-06")
    assert attrs["release_count"] == 7
    assert attrs["releases_last_year"] == 3  # 25.1.0, 25.3.0, 25.4.0 (24.3.0 is too old)
    assert attrs["latest_version"] == "26.1.0"
    assert [(f.platform, f.account) for f in result.funding["pkg:pypi/attrs"]] == [
        ("github", "hynek"),
        ("tidelift", "pypi-attrs"),
    ]
    requests_ = values(result, "pkg:pypi/requests")
    assert requests_["maintainers"] == ["Lukasa", "graffatcolmingov", "nateprewitt"]
    assert requests_["maintainer_count"] == 3
    assert requests_["repository"] == "https://github.com/psf/requests"
    assert requests_["yanked_in_use"] == ["2.32.0"]
    assert requests_["release_count"] == 6  # the yanked 2.32.0 does not count
    assert "pkg:pypi/requests" not in result.funding
    assert "pkg:pypi/acme-internal" not in result.signals
    status = result.sources["pypi"]
    assert (status.state, status.requests, status.unknown) == ("ok", 3, 1)
    assert {s.source for s in result.signals["pkg:pypi/attrs"]} == {"pypi"}
    assert result.repository["pkg:pypi/requests"] == "https://github.com/psf/requests"


def test_npm_documents(httpserver: HTTPServer, client: Client) -> None:
    serve(httpserver, "/chalk", "npm/chalk.json")
    serve(httpserver, "/@tanstack/react-query", "npm/@tanstack__react-query.json")
    serve(httpserver, "/left-pad", "npm/left-pad.json")
    subjects = [
        Subject("pkg:npm/chalk", "npm", "chalk"),
        Subject("pkg:npm/%40tanstack/react-query", "npm", "@tanstack/react-query"),
        Subject("pkg:npm/left-pad", "npm", "left-pad", ("1.3.0",)),
    ]
    result = Runner([NpmProvider()], client).run(subjects)
    chalk = values(result, "pkg:npm/chalk")
    assert chalk["latest_version"] == "6.0.1"
    assert chalk["repository"] == "https://github.com/chalk/chalk"
    assert "maintainers" not in chalk
    assert [(f.platform, f.account) for f in result.funding["pkg:npm/chalk"]] == [("github", None)]
    query = values(result, "pkg:npm/%40tanstack/react-query")
    assert query["repository"] == "https://github.com/tanstack/query"
    assert query["last_release"] == "2026-11-17"
    assert [f.account for f in result.funding["pkg:npm/%40tanstack/react-query"]] == [
        "tannerlinsley"
    ]
    pad = values(result, "pkg:npm/left-pad")
    assert pad["deprecated"] == "use String.prototype.padStart()"
    assert pad["maintainers"] == ["azer", "stevemao"]
    assert pad["repository"] == "https://github.com/stevemao/left-pad"
    assert pad["yanked_in_use"] == ["1.3.0"]  # every version is deprecated
    assert "last_release" not in pad  # deprecated versions are not live releases
    assert "pkg:npm/left-pad" not in result.funding  # a javascript: URL is dropped


def test_invalid_json_and_html_pages_leave_signals_unknown(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/broken/json").respond_with_data("{not json", status=200)
    httpserver.expect_request("/pypi/portal/json").respond_with_data(
        "<html>login</html>", content_type="text/html"
    )
    subjects = [Subject(f"pkg:pypi/{n}", "pypi", n) for n in ("broken", "portal")]
    result = Runner([PypiProvider()], client).run(subjects)
    status = result.sources["pypi"]
    assert result.signals == {}
    assert (status.state, status.unknown) == ("partial", 2)
    assert "invalid JSON" in (status.reason or "") or "HTML" in (status.reason or "")


def test_server_errors_make_the_source_unavailable_once(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/a/json").respond_with_data("down", status=503)
    result = Runner([PypiProvider()], client).run([Subject("pkg:pypi/a", "pypi", "a")])
    status = result.sources["pypi"]
    assert status.state == "unavailable"
    assert "HTTP 503" in (status.reason or "")


def test_offline_answers_only_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, "/pypi/attrs/json", "pypi/attrs.json")
    root = httpserver.url_for("").rstrip("/")
    online = HttpSettings(cache_dir=tmp_path / "c")
    first = Client(make_session(online), Endpoints(pypi=root), online)
    subjects = [Subject("pkg:pypi/attrs", "pypi", "attrs"), Subject("pkg:pypi/x", "pypi", "x")]
    Runner([PypiProvider()], first).run(subjects[:1])
    httpserver.clear()  # the server forgets everything: offline must not ask it
    offline = HttpSettings(cache_dir=tmp_path / "c", offline=True)
    second = Client(make_session(offline), Endpoints(pypi=root), offline)
    result = Runner([PypiProvider()], second).run(subjects)
    assert values(result, "pkg:pypi/attrs")["repository"] == "https://github.com/python-attrs/attrs"
    assert "pkg:pypi/x" not in result.signals
    assert result.sources["pypi"].unknown == 1
    assert httpserver.log == []


def test_pep753_label_normalization() -> None:
    assert normalize_label("Source Code") == "sourcecode"
    assert normalize_label("Fund-ing!") == "funding"


def test_recorded_registry_documents_are_json_objects() -> None:
    for path in [*API.glob("pypi/*.json"), *API.glob("npm/*.json")]:
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path
