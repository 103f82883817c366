"""GitHub provider (REST and GraphQL) against a local server replaying recorded answers."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich import github_graphql as gql
from analyzer.enrich.client import Client as ClientType
from analyzer.enrich.concurrency import Feed
from analyzer.enrich.github import NO_TOKEN, GithubProvider, slug_of, web_host
from analyzer.enrich.github_rest import (
    contributor_counts,
    contributor_signals,
    funding_yml,
    link,
    repo_signals,
)
from analyzer.enrich.interface import (
    BadResponseError,
    Finding,
    Provider,
    SourceUnavailableError,
)
from analyzer.enrich.pypi import PypiProvider
from analyzer.enrich.runner import Enrichment, Runner
from analyzer.http import HttpSettings, make_session

API = Path(__file__).parent / "fixtures" / "api"
GITHUB = API / "github"
CANARY = "ghp_CANARY0000fundscout0000token0000xyz"
FLASK = "https://github.com/pallets/flask"
SQLITE_UTILS = "https://github.com/simonw/sqlite-utils"
REQUEST = "https://github.com/request/request"
MISSING = "https://github.com/ghost/missing"


@pytest.fixture(autouse=True)
def _no_ambient_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def root_of(httpserver: HTTPServer) -> str:
    return httpserver.url_for("").rstrip("/")


def make_client(
    httpserver: HTTPServer, cache: Path, offline: bool = False, api: str = "", graphql: str = ""
) -> Client:
    root = root_of(httpserver)
    http = HttpSettings(cache_dir=cache, backoff=0.0, max_wait=60.0, offline=offline)
    endpoints = Endpoints(
        github_api=api or root, github_graphql=graphql or f"{root}/graphql", pypi=root
    )
    client = Client(make_session(http), endpoints, http)
    client.fetched_at = "2026-01-01T00:00:00Z"
    return client


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    return make_client(httpserver, tmp_path / "cache")


def replay(httpserver: HTTPServer, fixture: str, prefix: str = "") -> None:
    """Serve a recording: each interaction's path (and query, when recorded) → its answer."""
    root = root_of(httpserver)
    for entry in json.loads((GITHUB / fixture).read_text(encoding="utf-8"))["interactions"]:
        headers = {k: v.replace("{root}", root + prefix) for k, v in entry["headers"].items()}
        httpserver.expect_request(
            prefix + entry["path"], method=entry["method"], query_string=entry.get("query")
        ).respond_with_data(
            json.dumps(entry["body"]),
            status=entry["status"],
            headers=headers,
            content_type="application/json; charset=utf-8",
        )


class Repositories(Provider):
    """A package provider that points each package (named by its URL) at that repository."""

    name = "stub"
    needs_network = False

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "generic"

    def fetch(self, items: Sequence[Subject], client: ClientType) -> Iterator[Finding]:
        for item in items:
            yield Finding(item.key, repository=item.name)


def run(
    client: Client, urls: Sequence[str], *providers: Provider, pypi: Sequence[str] = ()
) -> Enrichment:
    subjects = [Subject(f"pkg:generic/r{i}", "generic", url) for i, url in enumerate(urls)]
    subjects += [Subject(f"pkg:pypi/{name}", "pypi", name) for name in pypi]
    chosen = providers or (GithubProvider(host="github.com"),)
    return Runner([Repositories(), *chosen], client).run(subjects)


def values(result: Enrichment, key: str) -> dict[str, object]:
    return {s.name: s.value for s in result.signals[key] if s.source == "github"}


def payees(result: Enrichment, key: str) -> list[tuple[str, str | None, str]]:
    return [(f.platform, f.account, f.url) for f in result.funding.get(key, [])]


def requests_to(httpserver: HTTPServer, method: str = "", path: str = "") -> list[Request]:
    return [
        request
        for request, _ in httpserver.log
        if (not method or request.method == method) and (not path or request.path == path)
    ]


FLASK_COMMON = {
    "stars": 70412,
    "forks": 16611,
    "owner_type": "Organization",
    "owner_login": "pallets",
    "created_at": "2010-04-06",
    "pushed_at": "2025-12-20",
    "last_commit": "2025-12-20",
    "commits_last_year": 187,
    "license": "BSD-3-Clause",
    "archived": False,
    # humans only (bots dropped), over two pages: 1900 1600 150 120 100 30 of 3900 commits
    "contributors": 6,
    "bus_factor": 2,
    "top_contributor_share": 0.4872,
}
PALLETS_FUNDING = [
    ("github", "pallets", "https://github.com/sponsors/pallets"),
    ("custom", None, "https://palletsprojects.com/donate"),
]


def test_rest_only_mode(httpserver: HTTPServer, client: Client) -> None:
    for fixture in ("rest_pallets_flask", "rest_simonw_sqlite-utils", "rest_request_request"):
        replay(httpserver, f"{fixture}.json")
    httpserver.expect_request("/repos/ghost/missing").respond_with_json(
        {"message": "Not Found"}, status=404
    )
    urls = [FLASK, SQLITE_UTILS, REQUEST, MISSING, "https://gitlab.com/inkscape/inkscape"]
    result = run(client, urls)

    assert values(result, FLASK) == {**FLASK_COMMON, "open_issues": 7}
    assert payees(result, FLASK) == PALLETS_FUNDING  # from the owner's .github repository
    assert values(result, SQLITE_UTILS) == {
        "stars": 1901, "forks": 128, "open_issues": 121, "owner_type": "User",
        "owner_login": "simonw", "created_at": "2018-07-14", "pushed_at": "2025-11-28",
        "last_commit": "2025-11-28", "commits_last_year": 96, "license": "Apache-2.0",
        "archived": False, "contributors": 3, "bus_factor": 1, "top_contributor_share": 0.9852,
    }  # fmt: skip
    assert payees(result, SQLITE_UTILS) == [
        ("github", "simonw", "https://github.com/sponsors/simonw")
    ]
    request = values(result, REQUEST)
    assert request["archived"] is True
    assert request["commits_last_year"] == 0  # no commit in the year: zero, known
    assert "last_commit" not in request and "contributors" not in request  # 202: unknown
    assert REQUEST not in result.funding
    assert MISSING not in result.signals
    status = result.sources["github"]
    assert status.notes == [NO_TOKEN]
    assert (status.state, status.reason, status.unknown) == ("partial", NO_TOKEN, 2)
    assert all("Authorization" not in r.headers for r, _ in httpserver.log)
    assert not requests_to(httpserver, "POST")  # GraphQL needs a token
    assert not [r for r, _ in httpserver.log if "gitlab" in r.url or "inkscape" in r.path]


def graphql_fixture(request: Request) -> Response:
    return Response((GITHUB / "graphql_batch.json").read_bytes(), content_type="application/json")


def test_graphql_mode(
    httpserver: HTTPServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GH_TOKEN", CANARY)  # the fallback variable
    httpserver.expect_request("/graphql", method="POST").respond_with_handler(graphql_fixture)
    for fixture in ("rest_pallets_flask", "rest_simonw_sqlite-utils"):
        replay(httpserver, f"{fixture}.json")
    serve_missing(httpserver)
    result = run(client, [FLASK, SQLITE_UTILS, MISSING])

    assert values(result, FLASK) == {
        **FLASK_COMMON, "open_issues": 7, "sponsors_listing": False, "sponsors_count": 0
    }  # fmt: skip
    assert payees(result, FLASK) == PALLETS_FUNDING  # fallback from alias g1
    simonw = values(result, SQLITE_UTILS)
    assert (simonw["open_issues"], simonw["sponsors_listing"], simonw["sponsors_count"]) == (
        121, True, 28
    )  # fmt: skip
    assert payees(result, SQLITE_UTILS) == [
        ("github", "simonw", "https://github.com/sponsors/simonw")
    ]  # the FUNDING.yml entry and the sponsors listing are one payee
    assert MISSING not in result.signals
    status = result.sources["github"]
    assert (status.state, status.unknown, status.notes) == ("ok", 1, [])

    (post,) = requests_to(httpserver, "POST")
    body = json.loads(post.get_data())
    assert body["variables"] == {"since": "2025-01-01T00:00:00Z"}
    assert 'r1: repository(owner: "pallets", name: "flask")' in body["query"]
    assert 'g1: repository(owner: "pallets", name: ".github")' in body["query"]
    assert not requests_to(httpserver, "GET", "/repos/pallets/flask")  # GraphQL had it
    assert {r.headers.get("Authorization") for r, _ in httpserver.log} == {f"Bearer {CANARY}"}


def test_repositories_are_looked_up_as_they_arrive(
    httpserver: HTTPServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay(httpserver, "rest_pallets_flask.json")
    feed: Feed[Subject] = Feed()
    feed.put(Subject(FLASK, "repository", "pallets/flask"))
    findings = GithubProvider(host="github.com").fetch_stream(feed, client)
    first = next(findings)  # answered while more repositories may still come
    assert first.key == FLASK and {s.name for s in first.signals} >= {"stars", "contributors"}
    feed.put(Subject("https://gitlab.com/a/b", "repository", "a/b"))  # not GitHub: skipped
    feed.close()
    assert list(findings) == []


def test_with_a_token_graphql_waits_for_every_repository(
    httpserver: HTTPServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    httpserver.expect_request("/graphql", method="POST").respond_with_handler(batch_answer)
    httpserver.expect_request(re.compile(r"^/repos/o/[^/]+/contributors$")).respond_with_json([])
    feed: Feed[Subject] = Feed()
    for name in ("c", "a", "b"):  # arrival order; batches go in sorted order
        feed.put(Subject(f"https://github.com/o/{name}", "repository", f"o/{name}"))
    feed.close()
    provider = GithubProvider(host="github.com", batch_size=2)
    found = [finding.key for finding in provider.fetch_stream(feed, client)]
    assert found == [f"https://github.com/o/{name}" for name in "abc"]
    queries = [json.loads(r.get_data())["query"] for r in requests_to(httpserver, "POST")]
    assert sorted(re.findall(r'name: "(\w)"', query) for query in queries) == [["a", "b"], ["c"]]


def serve_missing(httpserver: HTTPServer) -> None:
    """GitHub's 404 for the contributors of MISSING: they are asked while GraphQL waits for
    every repository, and the 404 leaves it unknown as GraphQL's NOT_FOUND does."""
    httpserver.expect_request("/repos/ghost/missing/contributors").respond_with_json(
        {"message": "Not Found"}, status=404
    )


def batch_answer(request: Request) -> Response:
    """Answer any batch: every ``rN`` alias is a small repository."""
    aliases = re.findall(r"\b(r\d+): repository", json.loads(request.get_data())["query"])
    node = {"stargazerCount": 5, "isArchived": False}
    return Response(json.dumps({"data": dict.fromkeys(aliases, node)}), 200,
                    content_type="application/json")  # fmt: skip


def test_graphql_batches(
    httpserver: HTTPServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    httpserver.expect_request("/graphql", method="POST").respond_with_handler(batch_answer)
    httpserver.expect_request(re.compile(r"^/repos/[^/]+/[^/]+/contributors$")).respond_with_json(
        []
    )
    urls = [f"https://github.com/owner{i % 7}/repo{i}" for i in range(120)]
    provider = GithubProvider(host="github.com", batch_size=50)
    result = run(client, urls, provider)
    assert len(requests_to(httpserver, "POST", "/graphql")) == 3
    assert all(values(result, url) == {"stars": 5, "archived": False} for url in urls)
    assert result.sources["github"].state == "ok"


def test_an_unusable_graphql_batch_leaves_only_that_batch_unknown(
    httpserver: HTTPServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    forbidden = {"data": None, "errors": [{"type": "FORBIDDEN", "message": "SAML enforced"}]}

    def answer(request: Request) -> Response:  # batches go out together: answer by content
        query = json.loads(request.get_data())["query"]
        if 'name: "r0"' in query:
            return Response("<html>unicorn</html>", content_type="text/html")
        if 'name: "r1"' in query:
            return Response(json.dumps(forbidden), content_type="application/json")
        return batch_answer(request)

    httpserver.expect_request("/graphql", method="POST").respond_with_handler(answer)
    httpserver.expect_request(re.compile(r"^/repos/a/[^/]+/contributors$")).respond_with_json([])
    urls = [f"https://github.com/a/r{i}" for i in range(3)]
    result = run(client, urls, GithubProvider(host="github.com", batch_size=1))
    assert [url in result.signals for url in urls] == [False, False, True]
    status = result.sources["github"]
    assert (status.state, status.unknown) == ("partial", 2)
    notes = " | ".join(status.notes)
    assert "HTML page" in notes and "FORBIDDEN: SAML enforced" in notes


def test_contributor_pages_are_bounded_and_stay_on_the_api_host(
    httpserver: HTTPServer, client: Client
) -> None:
    root = root_of(httpserver)
    other = root.replace("localhost", "127.0.0.1")
    person = [{"login": "someone", "type": "User", "contributions": 10}]
    for page in range(1, 6):  # an endless chain of pages
        httpserver.expect_request(
            "/repos/a/endless/contributors" if page == 1 else "/repositories/9/contributors",
            query_string="per_page=100" if page == 1 else f"per_page=100&page={page}",
        ).respond_with_json(
            person, headers={"Link": f'<{root}/repositories/9/contributors?per_page=100'
                                     f'&page={page + 1}>; rel="next"'},
        )  # fmt: skip
    httpserver.expect_request("/repos/a/away/contributors").respond_with_json(
        person, headers={"Link": f'<{other}/elsewhere?page=2>; rel="next"'}
    )
    for name in ("endless", "away"):
        httpserver.expect_request(f"/repos/a/{name}").respond_with_json({"stargazers_count": 1})
    httpserver.expect_request(re.compile(r"^/repos/a/[^/]+/(commits|contents/.*)$")).respond_with_json(
        {}, status=404
    )  # fmt: skip
    httpserver.expect_request(re.compile(r"^/repos/a/\.github/.*$")).respond_with_json(
        {}, status=404
    )
    provider = GithubProvider(host="github.com", max_pages=3)
    result = run(client, ["https://github.com/a/endless", "https://github.com/a/away"], provider)
    assert values(result, "https://github.com/a/endless")["contributors"] == 3  # 3 pages read
    assert len(requests_to(httpserver, path="/repositories/9/contributors")) == 2
    assert values(result, "https://github.com/a/away")["contributors"] == 1
    assert not requests_to(httpserver, path="/elsewhere")


def test_server_errors_make_the_source_unavailable_once(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/repos/a/b").respond_with_data("down", status=503)
    result = run(client, ["https://github.com/a/b"])
    status = result.sources["github"]
    assert status.state == "unavailable"
    assert "HTTP 503" in (status.reason or "")


def test_invalid_json_and_html_pages_leave_that_repository_unknown(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/repos/a/broken").respond_with_data("{not json", status=200)
    httpserver.expect_request("/repos/a/portal").respond_with_data(
        "<html>sign in</html>", content_type="text/html"
    )
    result = run(client, ["https://github.com/a/broken", "https://github.com/a/portal"])
    status = result.sources["github"]
    assert result.signals.keys() <= {"pkg:generic/r0", "pkg:generic/r1"}  # only the stub's
    assert (status.state, status.unknown) == ("partial", 2)
    notes = " ".join(status.notes)
    assert "a/broken: " in notes and "invalid JSON" in notes and "HTML page" in notes


def rate_limited(reset_in: float) -> dict[str, str]:
    return {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time() + reset_in))}


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_rate_limit_within_max_wait_waits_then_succeeds(
    httpserver: HTTPServer, client: Client, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request("/repos/simonw/sqlite-utils").respond_with_json(
        {"message": "API rate limit exceeded"}, status=403, headers=rate_limited(30)
    )
    replay(httpserver, "rest_simonw_sqlite-utils.json")
    result = run(client, [SQLITE_UTILS])
    assert values(result, SQLITE_UTILS)["stars"] == 1901
    assert sleeps and 20 < max(sleeps) <= 31
    assert result.sources["github"].state == "partial"  # only the no-token note


def test_rate_limit_beyond_max_wait_stops_github_only(
    httpserver: HTTPServer, client: Client, sleeps: list[float]
) -> None:
    httpserver.expect_request("/pypi/attrs/json").respond_with_data(
        (API / "pypi" / "attrs.json").read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/repos/python-attrs/attrs").respond_with_json(
        {"message": "API rate limit exceeded"}, status=403, headers=rate_limited(3600)
    )
    replay(httpserver, "rest_pallets_flask.json")
    result = run(client, [FLASK], PypiProvider(), GithubProvider(host="github.com"), pypi=["attrs"])
    status = result.sources["github"]
    assert status.state == "unavailable"
    assert "rate limit exhausted" in (status.reason or "")
    assert values(result, FLASK)["stars"] == 70412  # answered before the limit
    assert "https://github.com/python-attrs/attrs" not in result.signals
    assert result.sources["pypi"].state == "ok"
    assert result.value("pkg:pypi/attrs", "latest_version") == "26.1.0"
    assert not sleeps


def test_graphql_rate_limited_answer_waits_and_retries(
    httpserver: HTTPServer, client: Client, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
    httpserver.expect_oneshot_request("/graphql", method="POST").respond_with_json(
        limited, headers=rate_limited(10)
    )
    httpserver.expect_request("/graphql", method="POST").respond_with_handler(batch_answer)
    httpserver.expect_request("/repos/a/b/contributors").respond_with_json([])
    result = run(client, ["https://github.com/a/b"])
    assert values(result, "https://github.com/a/b")["stars"] == 5
    assert len(requests_to(httpserver, "POST")) == 2  # the limited answer was not cached
    assert sleeps and max(sleeps) <= 11


def test_graphql_rate_limit_beyond_max_wait_is_unavailable(
    httpserver: HTTPServer, client: Client, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
    httpserver.expect_request("/graphql", method="POST").respond_with_json(
        limited, headers=rate_limited(3600)
    )
    httpserver.expect_request("/repos/a/b/contributors").respond_with_json([])
    result = run(client, ["https://github.com/a/b"])
    status = result.sources["github"]
    assert (status.state, status.unknown) == ("unavailable", 1)
    assert "GraphQL rate limit exhausted" in (status.reason or "")
    assert not sleeps


def test_github_enterprise_base_urls(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert web_host("https://api.github.com") == "github.com"
    assert web_host("https://ghe.example.com/api/v3") == "ghe.example.com"
    assert web_host("https://api.acme.ghe.com") == "acme.ghe.com"
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    root = root_of(httpserver)
    client = make_client(httpserver, tmp_path / "c", api=f"{root}/api/v3",
                         graphql=f"{root}/api/graphql")  # fmt: skip
    httpserver.expect_request("/api/graphql", method="POST").respond_with_handler(batch_answer)
    replay(httpserver, "rest_pallets_flask.json", prefix="/api/v3")
    ghe = "https://localhost/pallets/flask"  # the server's host: an Enterprise repository
    result = run(client, [ghe, FLASK], GithubProvider())
    assert values(result, ghe) == {"stars": 5, "archived": False, "contributors": 6,
                                   "bus_factor": 2, "top_contributor_share": 0.4872}  # fmt: skip
    assert FLASK not in result.signals  # github.com is another host: skipped
    assert len(requests_to(httpserver, "POST", "/api/graphql")) == 1
    assert requests_to(httpserver, path="/api/v3/repositories/596892/contributors")


def test_token_canary_never_leaks(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    cache = tmp_path / "cache"
    httpserver.expect_request("/graphql", method="POST").respond_with_handler(graphql_fixture)
    for fixture in ("rest_pallets_flask", "rest_simonw_sqlite-utils"):
        replay(httpserver, f"{fixture}.json")
    serve_missing(httpserver)
    first = run(make_client(httpserver, cache), [FLASK, SQLITE_UTILS, MISSING])
    httpserver.clear()
    httpserver.expect_request("/graphql", method="POST").respond_with_json(
        {"message": "Bad credentials"}, status=401
    )
    second = run(make_client(httpserver, cache), ["https://github.com/other/repo"])
    assert second.sources["github"].state == "unavailable"
    with pytest.raises(SourceUnavailableError) as raised:
        list(GithubProvider(host="github.com").fetch(
            [Subject("https://github.com/x/y", "repository", "x/y")],
            make_client(httpserver, cache),
        ))  # fmt: skip

    assert any(r.headers.get("Authorization") == f"Bearer {CANARY}" for r, _ in httpserver.log)
    texts = ["".join(traceback.format_exception(raised.value)), repr(raised.value)]
    for result in (first, second):
        texts += [json.dumps([s.to_record() for ss in result.signals.values() for s in ss])]
        texts += [json.dumps([f.to_record() for fs in result.funding.values() for f in fs])]
        for status in result.sources.values():
            texts += [json.dumps(status.to_record()), *status.notes]
    assert all(CANARY not in text for text in texts)
    stored = [path.read_bytes() for path in cache.rglob("*") if path.is_file()]
    assert any(b"palletsprojects.com/donate" in data for data in stored)  # answers were kept
    assert all(CANARY.encode() not in data for data in stored)


def test_offline_answers_only_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    replay(httpserver, "rest_simonw_sqlite-utils.json")
    online = run(make_client(httpserver, tmp_path / "c"), [SQLITE_UTILS])
    httpserver.clear()  # the server forgets everything: offline must not ask it
    offline = make_client(httpserver, tmp_path / "c", offline=True)
    result = run(offline, [SQLITE_UTILS, FLASK])
    assert values(result, SQLITE_UTILS) == values(online, SQLITE_UTILS)
    assert payees(result, SQLITE_UTILS) == payees(online, SQLITE_UTILS)
    assert FLASK not in result.signals
    assert result.sources["github"].unknown == 1
    assert httpserver.log == []


def test_token_variable_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_GH", "  ghp_abc  ")
    monkeypatch.setenv("GH_TOKEN", "ghp_fallback")
    assert GithubProvider("ACME_GH")._token() == ("ghp_abc", "ACME_GH")
    assert GithubProvider()._token() == ("ghp_fallback", "GH_TOKEN")
    monkeypatch.setenv("GITHUB_TOKEN", "bad\ntoken")
    assert GithubProvider()._token() == (None, "GITHUB_TOKEN")  # never sent as a header


def test_slugs_and_links() -> None:
    assert slug_of(FLASK, "github.com") == ("pallets", "flask")
    assert slug_of("https://github.com/pallets", "github.com") is None
    assert slug_of("https://github.com/a/../b", "github.com") is None
    assert slug_of("https://gitlab.com/a/b", "github.com") is None
    header = '<https://api.github.com/x?page=2>; rel="next", <https://evil.test/y>; rel="last"'
    assert link(header, "next", "https://api.github.com") == "https://api.github.com/x?page=2"
    assert link(header, "last", "https://api.github.com") is None


def test_bus_factor_needs_over_half_of_the_commits() -> None:
    assert contributor_signals([50, 50])["bus_factor"] == 2
    assert contributor_signals([60, 40])["bus_factor"] == 1
    assert contributor_signals([10, 10, 10, 10])["bus_factor"] == 3
    assert contributor_signals([]) == {}


def test_funding_yml_contents() -> None:
    def answer(text: str, **extra: Any) -> dict[str, Any]:
        encoded = base64.b64encode(text.encode()).decode()
        return {"type": "file", "encoding": "base64", "content": encoded, **extra}

    links = funding_yml(answer("ko_fi: someone\ncustom: ['javascript:alert(1)']\n"), "github")
    assert [(f.platform, f.account) for f in links] == [("ko_fi", "someone")]
    hostile = [{"platform": "CUSTOM", "url": "http://[oops"}, {"platform": "GITHUB", "url": 3}]
    assert gql.links_of({"fundingLinks": hostile}, "github") == []
    assert slug_of("https://[oops/a/b", "github.com") is None
    assert link('<http://[oops>; rel="next"', "next", "http://[oops") is None
    assert funding_yml(answer("custom: http://[oops"), "github") == []  # dropped, not fatal
    for bad in (
        answer("github: [unclosed"),
        answer("x", size=10**7),
        {"type": "dir"},
        {"type": "file", "encoding": "none", "content": "github: a"},
        {"type": "file", "encoding": "base64", "content": "@@@"},
    ):
        with pytest.raises(BadResponseError):
            funding_yml(bad, "github")


FIELDS = st.sampled_from(
    ["isArchived", "stargazerCount", "owner", "fundingLinks", "defaultBranchRef", "issues",
     "archived", "stargazers_count", "license", "created_at", "data", "errors", "type",
     "content", "encoding", "login", "contributions", "licenseInfo", "pullRequests",
     "url", "platform", "committedDate", "history", "totalCount", "hasSponsorsListing"]
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["http://[x", "https://github.com/sponsors/a", "2025-01-01T00:00:00Z",
                       "GITHUB", "CUSTOM", "RATE_LIMITED", "NOT_FOUND", "Bot", "file", "base64",
                       "Z2l0aHViOiBb", "Y3VzdG9tOiBodHRwOi8vW3g="]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(FIELDS | st.text(max_size=10), inner, max_size=5),
    max_leaves=15,
)  # fmt: skip
DOCUMENTS = JSON | st.dictionaries(FIELDS, JSON, max_size=8)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DOCUMENTS)
@example({"owner": {"type": [], "__typename": {}}})  # unhashable where a name was expected
def test_readers_survive_arbitrary_json(document: Any) -> None:
    """Only results or BadResponseError; every signal value JSON-serializable."""
    if isinstance(document, dict):
        signals, links = gql.facts(document, "github")
        json.dumps([signals, repo_signals(document), [f.to_record() for f in links]])
        gql.sponsor_links(signals, "github")
        with contextlib.suppress(BadResponseError):
            gql.read_batch(document)
    with contextlib.suppress(BadResponseError):
        contributor_counts(document)
    with contextlib.suppress(BadResponseError):
        funding_yml(document, "github")
