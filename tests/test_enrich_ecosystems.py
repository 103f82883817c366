"""ecosyste.ms provider against a local server emulating POST /packages/bulk_lookup."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packageurl import PackageURL
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich.ecosystems import EcosystemsProvider, index, pypi_variants, read
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError
from analyzer.enrich.runner import Enrichment, Runner
from analyzer.http import HttpSettings, make_session

FIXTURES = Path(__file__).parent / "fixtures" / "api" / "ecosystems"
CANARY = "ecosystems_CANARY0000fundscout0000key0000xyz"
PATH = "/api/v1/packages/bulk_lookup"
LODASH, DJANGO, SLF4J = "pkg:npm/lodash", "pkg:pypi/django", "pkg:maven/org.slf4j/slf4j-api"
MUX, REQUEST = "pkg:golang/github.com/gorilla/mux", "pkg:npm/request"
TYPING, ZOPE = "pkg:pypi/typing-extensions", "pkg:pypi/zope-interface"
SUBJECTS = [
    Subject(LODASH, "npm", "lodash"),
    Subject(DJANGO, "pypi", "django"),
    Subject(SLF4J, "maven", "org.slf4j:slf4j-api"),
    Subject(MUX, "golang", "github.com/gorilla/mux"),
    Subject(REQUEST, "npm", "request"),
    Subject(TYPING, "pypi", "typing-extensions"),
    Subject(ZOPE, "pypi", "zope-interface"),  # unknown under every spelling
]
# purl type -> ecosyste.ms ecosystem, as its Ecosystem classes declare (golang → go, ...)
SERVER_ECOSYSTEMS = {"golang": "go", "gem": "rubygems", "composer": "packagist"}
SEPARATORS = {"maven": ":"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


KNOWN = load("bulk_lookup") + load("bulk_lookup_variants")


def bulk_lookup(request: Request) -> Response:
    """What the server does: packages with exactly the ecosystem and name each purl names (its
    purl parser, like packageurl-python, lowercases PyPI names and turns ``_`` into ``-``), or
    with one of ``names`` in ``ecosystem``."""
    body = json.loads(request.get_data())
    if len(body.get("purls", [])) > 100:
        return Response(json.dumps({"error": "Maximum 100 PURLs allowed per request"}), 400)
    wanted = {(body.get("ecosystem"), name) for name in body.get("names", [])}
    for text in body.get("purls", []):
        purl = PackageURL.from_string(text)
        name = SEPARATORS.get(purl.type, "/").join(filter(None, [purl.namespace, purl.name]))
        wanted.add((SERVER_ECOSYSTEMS.get(purl.type, purl.type), name))
    found = [p for p in KNOWN if (p["ecosystem"], p["name"]) in wanted]
    return Response(json.dumps(found), content_type="application/json")


def make_client(httpserver: HTTPServer, cache: Path, offline: bool = False) -> Client:
    http = HttpSettings(cache_dir=cache, backoff=0.0, offline=offline, max_wait=60.0)
    endpoints = Endpoints(ecosystems=httpserver.url_for("/api/v1"))
    client = Client(make_session(http), endpoints, http)
    client.fetched_at = "2026-01-01T00:00:00Z"
    return client


@pytest.fixture(autouse=True)
def _no_ambient_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECOSYSTEMS_API_KEY", raising=False)


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    return make_client(httpserver, tmp_path / "cache")


def run(client: Client, subjects: list[Subject] = SUBJECTS) -> Enrichment:
    return Runner([EcosystemsProvider()], client).run(subjects)


def values(result: Enrichment, key: str) -> dict[str, Any]:
    return {s.name: s.value for s in result.signals[key]}


def posted(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == PATH]


def test_bulk_lookup(httpserver: HTTPServer, client: Client) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_handler(bulk_lookup)
    result = run(client)

    assert values(result, LODASH) == {
        "repository": "https://github.com/lodash/lodash",
        "downloads": 262315806,
        "downloads_period": "last-month",
        "dependents": 171239,
        "dependent_repos": 4127688,
        "docker_dependents": 41244,
        "critical": True,
        "maintainers": ["bnjmnt4n", "jdalton", "mathias"],
        "maintainer_count": 3,
        "latest_version": "4.17.21",
        "first_release": "2012-04-23",
        "last_release": "2021-02-20",
        "license": "MIT",
    }
    assert [(f.platform, f.account, f.source) for f in result.funding[LODASH]] == [
        ("open_collective", "lodash", "ecosystems"),
        ("github", "jdalton", "ecosystems"),
    ]
    django = values(result, DJANGO)
    assert django["maintainers"] == ["Django Software Foundation", "jacobtylerwalls", "nessita"]
    assert "docker_dependents" not in django  # a zero docker count is unknown
    assert [f.platform for f in result.funding[DJANGO]] == ["custom", "github"]
    slf4j = values(result, SLF4J)  # the default registry's record, not the mirror's
    assert (slf4j["dependents"], slf4j["latest_version"]) == (70218, "2.0.17")
    assert slf4j["repository"] == "https://github.com/qos-ch/slf4j"
    assert "downloads" not in slf4j and "maintainers" not in slf4j  # unknown, not zero
    mux = values(result, MUX)
    assert (mux["dependents"], mux["docker_dependents"]) == (21045, 2217)
    assert "downloads" not in mux  # 0 without a period: not measured
    request = values(result, REQUEST)
    assert (request["registry_status"], request["deprecated"]) == ("deprecated", True)
    typing = values(result, TYPING)  # found by name as "typing_extensions" on the second request
    assert typing["repository"] == "https://github.com/python/typing_extensions"
    assert ZOPE not in result.signals
    assert result.repository[MUX] == "https://github.com/gorilla/mux"

    first, second = posted(httpserver)
    assert first == {"purls": sorted(s.key for s in SUBJECTS)}
    assert second == {"names": ["typing_extensions", "typing.extensions", "zope_interface",
                                "zope.interface"], "ecosystem": "pypi"}  # fmt: skip
    status = result.sources["ecosystems"]
    assert (status.state, status.requests, status.unknown) == ("ok", 2, 1)


def test_batches_of_at_most_100_purls(httpserver: HTTPServer, client: Client) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_handler(bulk_lookup)
    subjects = [Subject(f"pkg:npm/pkg-{i:03d}", "npm", f"pkg-{i:03d}") for i in range(230)]
    result = run(client, [*subjects, SUBJECTS[0]])
    sizes = sorted(len(body["purls"]) for body in posted(httpserver))
    assert sizes == [31, 100, 100]
    assert set(result.signals) == {LODASH}
    assert result.sources["ecosystems"].unknown == 230


def test_unsupported_ecosystems_are_skipped(httpserver: HTTPServer, client: Client) -> None:
    provider = EcosystemsProvider()
    assert provider.supports("golang") and provider.supports("composer")
    assert not provider.supports("repository") and not provider.supports("generic")


def test_invalid_json_and_html_leave_that_batch_unknown(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data("{not json")
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "<html>maintenance</html>", content_type="text/html"
    )
    subjects = [Subject(LODASH, "npm", "lodash"), Subject(TYPING, "pypi", "typing-extensions")]
    result = run(client, subjects)  # the second request asks typing-extensions' spellings
    assert result.signals == {}
    status = result.sources["ecosystems"]
    assert (status.state, status.unknown) == ("partial", 2)
    notes = " ".join(status.notes)
    assert "invalid JSON" in notes and "HTML page" in notes


def test_404_means_unknown(httpserver: HTTPServer, client: Client) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("", status=404)
    result = run(client, SUBJECTS[:2])
    assert result.signals == {}
    assert (result.sources["ecosystems"].state, result.sources["ecosystems"].unknown) == ("ok", 2)


def test_server_errors_make_the_source_unavailable_once(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("bad gateway", status=502)
    result = run(client)
    status = result.sources["ecosystems"]
    assert (status.state, status.unknown) == ("unavailable", 7)
    assert "HTTP 502" in (status.reason or "") and status.notes == []


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_rate_limit_waits_then_succeeds(
    httpserver: HTTPServer, client: Client, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"error": "Too many requests"}, status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_request(PATH, method="POST").respond_with_handler(bulk_lookup)
    result = run(client, SUBJECTS[:1])
    assert values(result, LODASH)["dependents"] == 171239
    assert 3 in sleeps


def test_rate_limit_beyond_max_wait_is_unavailable(
    httpserver: HTTPServer, client: Client, sleeps: list[float]
) -> None:
    reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time() + 3600))}
    httpserver.expect_request(PATH, method="POST").respond_with_json(
        {"error": "Too many requests"}, status=429, headers=reset
    )
    result = run(client, SUBJECTS[:1])
    status = result.sources["ecosystems"]
    assert status.state == "unavailable"
    assert "rate limit exhausted" in (status.reason or "")


def test_offline_answers_only_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_handler(bulk_lookup)
    online = run(make_client(httpserver, tmp_path / "c"))
    httpserver.clear()  # the server forgets everything: offline must not ask it
    shuffled = list(reversed(SUBJECTS))  # same set, other order: the same cached bodies
    offline = run(make_client(httpserver, tmp_path / "c", offline=True), shuffled)
    assert offline.signals.keys() == online.signals.keys()
    assert values(offline, LODASH) == values(online, LODASH)
    assert httpserver.log == []


def test_api_key_travels_only_in_its_header(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOSYSTEMS_API_KEY", CANARY)
    cache = tmp_path / "cache"
    httpserver.expect_request(PATH, method="POST").respond_with_handler(bulk_lookup)
    first = run(make_client(httpserver, cache))
    assert {r.headers.get("X-API-Key") for r, _ in httpserver.log} == {CANARY}
    httpserver.clear()
    httpserver.expect_request(PATH, method="POST").respond_with_json({"error": "bad key"}, 401)
    second = run(make_client(httpserver, cache), [Subject("pkg:npm/other", "npm", "other")])
    assert second.sources["ecosystems"].state == "unavailable"
    with pytest.raises(SourceUnavailableError) as raised:
        list(EcosystemsProvider().fetch([Subject("pkg:npm/x", "npm", "x")],
                                        make_client(httpserver, cache)))  # fmt: skip
    texts = [str(raised.value), repr(raised.value)]
    for result in (first, second):
        texts += [json.dumps([s.to_record() for ss in result.signals.values() for s in ss])]
        texts += [json.dumps([f.to_record() for fs in result.funding.values() for f in fs])]
        texts += [json.dumps(s.to_record()) + " ".join(s.notes) for s in result.sources.values()]
    assert all(CANARY not in text for text in texts)
    stored = [p.read_bytes() for p in cache.rglob("*") if p.is_file()]
    assert stored and all(CANARY.encode() not in data for data in stored)


def test_key_with_control_characters_is_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_ECOSYSTEMS", "  abc  ")
    assert EcosystemsProvider("ACME_ECOSYSTEMS")._headers() == {"X-API-Key": "abc"}
    monkeypatch.setenv("ECOSYSTEMS_API_KEY", "bad\nkey")
    assert EcosystemsProvider()._headers() == {}


def test_readers() -> None:
    assert pypi_variants("zope-interface") == ["zope_interface", "zope.interface"]
    assert pypi_variants("django") == []
    found = index(load("bulk_lookup"))
    assert found[("maven", "org.slf4j:slf4j-api")]["registry"]["default"] is True
    assert ("pypi", "typing-extensions") in index(load("bulk_lookup_variants"))
    assert index(None) == {}
    with pytest.raises(BadResponseError):
        index({"error": "Maximum 100 PURLs allowed per request"})
    item = Subject(LODASH, "npm", "lodash")
    hostile = {"downloads": True, "dependent_packages_count": -4, "critical": "yes",
               "funding_links": ["javascript:alert(1)", 5], "maintainers": [{"login": ""}, 3],
               "status": "removed", "latest_release_published_at": "yesterday"}  # fmt: skip
    finding = read(item, hostile, "2026-01-01T00:00:00Z")
    assert {s.name: s.value for s in finding.signals} == {"registry_status": "removed",
                                                          "removed": True}  # fmt: skip
    assert finding.funding == () and finding.repository is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=15,
)  # fmt: skip
FIELDS = st.sampled_from(
    ["name", "ecosystem", "registry", "default", "repository_url", "downloads",
     "downloads_period", "dependent_packages_count", "dependent_repos_count",
     "docker_dependents_count", "maintainers", "login", "funding_links", "critical", "status",
     "latest_release_number", "latest_release_published_at", "normalized_licenses"]
)  # fmt: skip
PACKAGE = st.dictionaries(FIELDS, JSON, max_size=10)
DOCUMENTS = JSON | st.lists(PACKAGE | JSON, max_size=4)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DOCUMENTS, PACKAGE)
def test_readers_survive_arbitrary_json(answer: Any, package: dict[str, Any]) -> None:
    """Only results or BadResponseError; every signal value JSON-serializable."""
    with contextlib.suppress(BadResponseError):
        index(answer)
    finding = read(Subject(LODASH, "npm", "lodash"), package, "2026-01-01T00:00:00Z")
    json.dumps([s.to_record() for s in finding.signals])
    json.dumps([f.to_record() for f in finding.funding])
