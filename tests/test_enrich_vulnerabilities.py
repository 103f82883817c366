"""The vulnerabilities provider: PyPI per-version documents and OSV querybatch, served locally."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich.interface import BadResponseError
from analyzer.enrich.osv import Advisory, Record, query, read_batch, read_record
from analyzer.enrich.runner import Enrichment, Runner
from analyzer.enrich.vulnerabilities import VulnerabilitiesProvider, read_release, summarize
from analyzer.http import HttpSettings, make_session

API = Path(__file__).parent / "fixtures" / "api" / "vulns"
BATCH = "/v1/querybatch"


def load(name: str) -> Any:
    return json.loads((API / name).read_text(encoding="utf-8"))


def serve(httpserver: HTTPServer, path: str, fixture: str) -> None:
    httpserver.expect_request(path, method="GET").respond_with_data(
        (API / fixture).read_bytes(), content_type="application/json"
    )


def serve_records(httpserver: HTTPServer) -> None:
    """Every recorded OSV record; any other id answers 404, as OSV does for unknown ids."""
    for path in sorted((API / "osv_vulns").glob("*.json")):
        serve(httpserver, f"/v1/vulns/{path.stem}", f"osv_vulns/{path.name}")
    httpserver.expect_request(re.compile("^/v1/vulns/")).respond_with_json(
        {"code": 5, "message": "Bug not found."}, status=404
    )


def make_client(httpserver: HTTPServer, cache: Path, offline: bool = False) -> Client:
    root = httpserver.url_for("").rstrip("/")
    settings = HttpSettings(cache_dir=cache, backoff=0.0, retries=0, offline=offline)
    client = Client(make_session(settings), Endpoints(pypi=root, osv=root), settings)
    client.fetched_at = "2026-01-01T00:00:00Z"
    return client


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    return make_client(httpserver, tmp_path / "cache")


def run(client: Client, subjects: list[Subject], **options: Any) -> Enrichment:
    return Runner([VulnerabilitiesProvider(**options)], client).run(subjects)


def values(result: Enrichment, key: str) -> dict[str, Any]:
    return {s.name: s.value for s in result.signals[key]}


def batch_queries(httpserver: HTTPServer) -> list[list[dict[str, Any]]]:
    return [r.get_json()["queries"] for r, _ in httpserver.log if r.path == BATCH]


REQUESTS_VULNS = [
    {
        "id": "GHSA-9hjg-9r4m-mvj7",
        "aliases": ["CVE-2024-47081"],
        "fixed_in": ["2.32.4"],
        "versions": ["2.25.1"],
        "summary": "Requests vulnerable to .netrc credentials leak via malicious URLs",
    },
    {
        "id": "GHSA-9wx4-h78v-vm56",
        "aliases": ["CVE-2024-35195"],
        "fixed_in": ["2.32.0"],
        "versions": ["2.25.1"],
        "summary": "Requests `Session` object does not verify requests after making first "
        "request with verify=False",
    },
    {  # GHSA-j8r2-6x86-q33q names the same CVE: reported once, under the PYSEC id
        "id": "PYSEC-2023-74",
        "aliases": ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
        "fixed_in": ["2.31.0"],
        "versions": ["2.25.1"],
        "summary": "Requests is a HTTP library. Since Requests 2.3.0, Requests has been leaking "
        "Proxy-Authorization headers to destination servers when redirected to an HTTPS endpoint.",
    },
]


def test_pypi_per_version_documents(httpserver: HTTPServer, client: Client) -> None:
    serve(httpserver, "/pypi/requests/2.25.1/json", "pypi_requests_2.25.1.json")
    serve(httpserver, "/pypi/requests/2.32.4/json", "pypi_requests_2.32.4.json")
    serve(httpserver, "/pypi/django/3.0.2/json", "pypi_django_3.0.2.json")
    subjects = [
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.25.1", "2.32.4")),
        Subject("pkg:pypi/django", "pypi", "Django", ("3.0.2",)),
        Subject("pkg:pypi/attrs", "pypi", "attrs"),  # no version in use: not asked
    ]
    result = run(client, subjects)

    requests_ = values(result, "pkg:pypi/requests")
    assert requests_["vulnerabilities"] == REQUESTS_VULNS  # the withdrawn PYSEC-2022-999 is gone
    assert requests_["vulnerable_versions"] == ["2.25.1"]  # 2.32.4 is clean
    assert requests_["vulnerability_count"] == 3
    django = values(result, "pkg:pypi/django")["vulnerabilities"]
    assert [(v["id"], v["fixed_in"]) for v in django] == [
        ("GHSA-2m34-jcjv-45xf", ["2.2.13", "3.0.7"]),
        ("PYSEC-2021-9", ["2.2.18", "3.0.12", "3.1.6"]),  # sorted as versions
    ]
    assert "pkg:pypi/attrs" not in result.signals
    status = result.sources["vulnerabilities"]
    assert (status.state, status.requests, status.unknown) == ("partial", 3, 1)
    assert status.notes == ["1 packages without a version in use: unknown"]
    assert not batch_queries(httpserver)  # nothing went to OSV
    assert {s.source for s in result.signals["pkg:pypi/requests"]} == {"vulnerabilities"}


def test_a_clean_package_has_known_empty_signals(httpserver: HTTPServer, client: Client) -> None:
    serve(httpserver, "/pypi/requests/2.32.4/json", "pypi_requests_2.32.4.json")
    result = run(client, [Subject("pkg:pypi/requests", "pypi", "requests", ("2.32.4",))])
    assert values(result, "pkg:pypi/requests") == {
        "vulnerabilities": [],
        "vulnerable_versions": [],
        "vulnerability_count": 0,
    }
    assert result.sources["vulnerabilities"].state == "ok"


OSV_SUBJECTS = [
    Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",)),
    Subject(
        "pkg:maven/org.apache.logging.log4j/log4j-core",
        "maven",
        "org.apache.logging.log4j:log4j-core",
        ("2.14.1",),
    ),
    Subject("pkg:golang/golang.org/x/text", "golang", "golang.org/x/text", ("v0.3.5",)),
    Subject("pkg:cargo/serde", "cargo", "serde", ("1.0.200",)),
    Subject("pkg:conda/numpy", "conda", "numpy", ("1.26.4",)),  # OSV has no conda ecosystem
]
OSV_QUERIES = [
    {"package": {"name": "lodash", "ecosystem": "npm"}, "version": "4.17.20"},
    {
        "package": {"name": "org.apache.logging.log4j:log4j-core", "ecosystem": "Maven"},
        "version": "2.14.1",
    },
    {"package": {"name": "golang.org/x/text", "ecosystem": "Go"}, "version": "0.3.5"},
    {"package": {"name": "serde", "ecosystem": "crates.io"}, "version": "1.0.200"},
]


def test_osv_querybatch_and_records(httpserver: HTTPServer, client: Client) -> None:
    httpserver.expect_request(
        BATCH, method="POST", json={"queries": OSV_QUERIES}
    ).respond_with_data((API / "osv_querybatch.json").read_bytes(), content_type="application/json")
    serve_records(httpserver)
    result = run(client, OSV_SUBJECTS)

    lodash = values(result, "pkg:npm/lodash")
    assert lodash["vulnerabilities"] == [
        {
            "id": "GHSA-29mw-wpgm-hmr9",
            "aliases": ["CVE-2020-28500"],
            "fixed_in": ["4.17.21"],
            "versions": ["4.17.20"],
            "summary": "Regular Expression Denial of Service (ReDoS) in lodash",
            "severity": "MODERATE",
        },
        {  # the GIT range's commit is not a version
            "id": "GHSA-35jh-r3h4-6jhm",
            "aliases": ["CVE-2021-23337"],
            "fixed_in": ["4.17.21"],
            "versions": ["4.17.20"],
            "summary": "Command Injection in lodash",
            "severity": "HIGH",
        },
    ]
    log4j = values(result, "pkg:maven/org.apache.logging.log4j/log4j-core")
    assert [(v["id"], v.get("fixed_in")) for v in log4j["vulnerabilities"]] == [
        ("GHSA-7rjr-3q55-vv33", ["2.12.2", "2.16.0"]),
        ("GHSA-8489-44mv-ggj8", None),  # record answered 404: only the id is known
        ("GHSA-jfh8-c2jp-5v3q", ["2.3.1", "2.12.2", "2.15.0"]),  # log4j-core's, not pax's
        ("GHSA-p6xc-xr62-6r2g", None),
    ]
    assert log4j["vulnerabilities"][1] == {"id": "GHSA-8489-44mv-ggj8", "versions": ["2.14.1"]}
    assert log4j["vulnerability_count"] == 4
    text = values(result, "pkg:golang/golang.org/x/text")
    assert text["vulnerabilities"] == [
        {  # GO-2021-0113 is the same vulnerability (alias), merged into the first id
            "id": "GHSA-ppp9-7jff-5vj2",
            "aliases": ["CVE-2021-38561", "GO-2021-0113"],
            "fixed_in": ["0.3.7"],
            "versions": ["v0.3.5"],
            "summary": "golang.org/x/text/language Out-of-bounds Read vulnerability",
            "severity": "HIGH",
        }
    ]
    assert text["vulnerable_versions"] == ["v0.3.5"]
    assert values(result, "pkg:cargo/serde")["vulnerability_count"] == 0
    assert "pkg:conda/numpy" not in result.signals
    status = result.sources["vulnerabilities"]
    assert (status.state, status.unknown, status.requests) == ("ok", 0, 1 + 8)


def test_records_are_bounded(httpserver: HTTPServer, client: Client) -> None:
    httpserver.expect_request(BATCH, method="POST").respond_with_data(
        (API / "osv_querybatch.json").read_bytes(), content_type="application/json"
    )
    serve_records(httpserver)
    result = run(client, OSV_SUBJECTS, max_records=1)
    lodash = values(result, "pkg:npm/lodash")["vulnerabilities"]
    assert [sorted(v) for v in lodash] == [
        ["aliases", "fixed_in", "id", "severity", "summary", "versions"],  # GHSA-29mw: read
        ["id", "versions"],
    ]
    assert result.sources["vulnerabilities"].notes == ["read 1 of 8 vulnerability records"]


def test_querybatch_takes_at_most_1000_queries(httpserver: HTTPServer, client: Client) -> None:
    def answer(request: Request) -> Response:
        queries = request.get_json()["queries"]
        body: dict[str, Any] = {"results": [{} for _ in queries]}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(BATCH, method="POST").respond_with_handler(answer)
    subjects = [Subject(f"pkg:npm/p{i}", "npm", f"p{i}", ("1.0.0",)) for i in range(1500)]
    result = run(client, subjects)
    assert [len(q) for q in batch_queries(httpserver)] == [1000, 500]
    assert batch_queries(httpserver)[1][0]["package"]["name"] == "p1000"
    assert len(result.signals) == 1500
    assert values(result, "pkg:npm/p1499")["vulnerabilities"] == []


def test_next_page_token_is_followed(httpserver: HTTPServer, client: Client) -> None:
    pages = {
        (None, "lodash"): {
            "vulns": [{"id": "GHSA-35jh-r3h4-6jhm", "modified": "2024-02-13T09:17:51Z"}],
            "next_page_token": "CiBsb2Rhc2g",
        },
        (None, "chalk"): {},
        ("CiBsb2Rhc2g", "lodash"): {
            "vulns": [{"id": "GHSA-29mw-wpgm-hmr9", "modified": "2024-02-13T09:17:18Z"}]
        },
    }

    def answer(request: Request) -> Response:
        queries = request.get_json()["queries"]
        results = [pages[(q.get("page_token"), q["package"]["name"])] for q in queries]
        return Response(json.dumps({"results": results}), content_type="application/json")

    httpserver.expect_request(BATCH, method="POST").respond_with_handler(answer)
    serve_records(httpserver)
    subjects = [
        Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",)),
        Subject("pkg:npm/chalk", "npm", "chalk", ("5.3.0",)),
    ]
    result = run(client, subjects)
    first, second = batch_queries(httpserver)
    assert len(first) == 2
    assert second == [{**OSV_QUERIES[0], "page_token": "CiBsb2Rhc2g"}]  # only the unfinished
    lodash = values(result, "pkg:npm/lodash")
    assert [v["id"] for v in lodash["vulnerabilities"]] == [
        "GHSA-29mw-wpgm-hmr9",
        "GHSA-35jh-r3h4-6jhm",
    ]
    assert values(result, "pkg:npm/chalk")["vulnerabilities"] == []


def test_pypi_404_and_mirror_documents_fall_back_to_osv(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/jinja2/2.11.2/json").respond_with_data("", status=404)
    mirror = {"info": {"name": "requests", "version": "2.25.1"}, "urls": []}  # no vulns key
    httpserver.expect_request("/pypi/requests/2.25.1/json").respond_with_json(mirror)
    serve(httpserver, "/pypi/requests/2.32.4/json", "pypi_requests_2.32.4.json")
    answer = {"results": [*load("osv_querybatch_jinja2.json")["results"], {}]}
    httpserver.expect_request(BATCH, method="POST").respond_with_json(answer)
    serve_records(httpserver)
    subjects = [
        Subject("pkg:pypi/jinja2", "pypi", "Jinja2", ("2.11.2",)),
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.25.1", "2.32.4")),
    ]
    result = run(client, subjects)

    assert batch_queries(httpserver) == [
        [
            {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.11.2"},
            {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.25.1"},
        ]
    ]
    jinja2 = values(result, "pkg:pypi/jinja2")["vulnerabilities"]
    assert len(jinja2) == 1
    assert jinja2[0]["id"] == "PYSEC-2021-66"
    assert jinja2[0]["aliases"] == [
        "CVE-2020-28493",
        "GHSA-g3rq-g295-4j3m",
        "SNYK-PYTHON-JINJA2-1012994",
    ]
    assert (jinja2[0]["fixed_in"], jinja2[0]["severity"]) == (["2.11.3"], "MODERATE")
    assert values(result, "pkg:pypi/requests")["vulnerabilities"] == []
    notes = result.sources["vulnerabilities"].notes
    assert len(notes) == 1
    assert "no vulnerability data for 2 PyPI versions" in notes[0]
    assert "asked OSV instead" in notes[0]


def test_invalid_json_and_html_leave_those_packages_unknown(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/broken/1.0/json").respond_with_data("{not json")
    serve(httpserver, "/pypi/requests/2.32.4/json", "pypi_requests_2.32.4.json")
    httpserver.expect_request(BATCH, method="POST").respond_with_data(
        "<html>Service maintenance</html>", content_type="text/html"
    )
    subjects = [
        Subject("pkg:pypi/broken", "pypi", "broken", ("1.0",)),
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.32.4",)),
        Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",)),
    ]
    result = run(client, subjects)
    assert set(result.signals) == {"pkg:pypi/requests"}
    status = result.sources["vulnerabilities"]
    assert (status.state, status.unknown) == ("partial", 2)
    assert status.notes[0].endswith("/pypi/broken/1.0/json: invalid JSON")
    assert status.notes[1].endswith("/v1/querybatch: an HTML page instead of JSON")


def test_a_pypi_document_of_the_wrong_shape_is_a_bad_answer(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/odd/1.0/json").respond_with_json({"vulnerabilities": {}})
    result = run(client, [Subject("pkg:pypi/odd", "pypi", "odd", ("1.0",))])
    assert result.signals == {}
    assert (
        result.sources["vulnerabilities"]
        .notes[0]
        .endswith("/pypi/odd/1.0/json: 'vulnerabilities' is not a list")
    )


def test_pypi_server_errors_make_the_source_unavailable(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/pypi/a/1.0/json").respond_with_data("down", status=503)
    result = run(client, [Subject("pkg:pypi/a", "pypi", "a", ("1.0",))])
    status = result.sources["vulnerabilities"]
    assert (status.state, status.unknown) == ("unavailable", 1)
    assert "HTTP 503" in (status.reason or "")


def test_osv_server_errors_keep_what_pypi_said(httpserver: HTTPServer, client: Client) -> None:
    serve(httpserver, "/pypi/requests/2.32.4/json", "pypi_requests_2.32.4.json")
    httpserver.expect_request(BATCH, method="POST").respond_with_data("oops", status=500)
    subjects = [
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.32.4",)),
        Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",)),
    ]
    result = run(client, subjects)
    assert set(result.signals) == {"pkg:pypi/requests"}
    status = result.sources["vulnerabilities"]
    assert (status.state, status.unknown) == ("unavailable", 1)
    assert "/v1/querybatch: HTTP 500" in (status.reason or "")


def test_offline_answers_only_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, "/pypi/requests/2.25.1/json", "pypi_requests_2.25.1.json")
    httpserver.expect_request(BATCH, method="POST").respond_with_data(
        (API / "osv_querybatch.json").read_bytes(), content_type="application/json"
    )
    serve_records(httpserver)
    requests_ = Subject("pkg:pypi/requests", "pypi", "requests", ("2.25.1",))
    run(make_client(httpserver, tmp_path / "c"), [requests_, *OSV_SUBJECTS])
    httpserver.clear()  # the server forgets everything: offline must not ask it
    offline = make_client(httpserver, tmp_path / "c", offline=True)
    result = run(offline, [requests_, *OSV_SUBJECTS])
    assert values(result, "pkg:pypi/requests")["vulnerabilities"] == REQUESTS_VULNS
    lodash = values(result, "pkg:npm/lodash")["vulnerabilities"]
    assert lodash[0]["severity"] == "MODERATE"  # the records came from the cache too
    assert result.sources["vulnerabilities"].state == "ok"

    # A package never fetched is unknown, not clean; it also changes the OSV batch (cached
    # as a whole), so the other OSV packages are unknown too while PyPI's answers stay.
    newcomer = Subject("pkg:pypi/x", "pypi", "x", ("1",))
    offline = make_client(httpserver, tmp_path / "c", offline=True)
    result = run(offline, [requests_, newcomer, *OSV_SUBJECTS])
    assert set(result.signals) == {"pkg:pypi/requests"}
    assert result.sources["vulnerabilities"].unknown == 5
    assert httpserver.log == []


def test_tokens_in_the_environment_never_travel(
    httpserver: HTTPServer, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "ghp_CANARY0123456789abcdefCANARY"
    monkeypatch.setenv("GITHUB_TOKEN", canary)
    serve(httpserver, "/pypi/requests/2.25.1/json", "pypi_requests_2.25.1.json")
    httpserver.expect_request(BATCH, method="POST").respond_with_json({"results": [{}]})
    subjects = [
        Subject("pkg:pypi/requests", "pypi", "requests", ("2.25.1",)),
        Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",)),
    ]
    result = run(client, subjects)
    assert len(result.signals) == 2
    for request, _ in httpserver.log:
        assert canary not in str(request.headers)
    texts = json.dumps([[s.to_record() for s in v] for v in result.signals.values()])
    assert canary not in texts + str(result.sources["vulnerabilities"].notes)
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes()


def test_supported_ecosystems_and_query_forms() -> None:
    provider = VulnerabilitiesProvider()
    for ecosystem in ("pypi", "npm", "maven", "cargo", "golang", "gem", "composer"):
        assert provider.supports(ecosystem)
    assert not provider.supports("conda")
    assert query("gem", "rails", "7.0.0")["package"]["ecosystem"] == "RubyGems"
    assert query("composer", "laravel/framework", "v10.0.0") == {
        "package": {"name": "laravel/framework", "ecosystem": "Packagist"},
        "version": "v10.0.0",  # only Go drops the "v"
    }
    assert query("pypi", "Zope.Interface", "5.0")["package"]["name"] == "zope-interface"


def test_withdrawn_osv_records_are_dropped(httpserver: HTTPServer, client: Client) -> None:
    record = {**load("osv_vulns/GHSA-29mw-wpgm-hmr9.json"), "withdrawn": "2024-05-01T00:00:00Z"}
    httpserver.expect_request("/v1/vulns/GHSA-29mw-wpgm-hmr9").respond_with_json(record)
    answer = {"results": [{"vulns": [{"id": "GHSA-29mw-wpgm-hmr9"}]}]}
    httpserver.expect_request(BATCH, method="POST").respond_with_json(answer)
    result = run(client, [Subject("pkg:npm/lodash", "npm", "lodash", ("4.17.20",))])
    assert values(result, "pkg:npm/lodash")["vulnerabilities"] == []


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Arbitrary JSON documents: the readers answer their own types or BadResponseError, nothing else.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
VULNISH = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=12) | JSON,
        "aliases": st.lists(st.text(max_size=12) | JSON, max_size=4) | JSON,
        "fixed_in": st.lists(st.text(max_size=8) | JSON, max_size=4) | JSON,
        "withdrawn": JSON,
        "summary": JSON,
    },
)


@FUZZ
@given(JSON | st.fixed_dictionaries({"vulnerabilities": st.lists(VULNISH, max_size=4) | JSON}))
def test_read_release_on_arbitrary_json(document: Any) -> None:
    try:
        found = read_release(document)
    except BadResponseError:
        return
    assert found is None or all(isinstance(a, Advisory) for a in found)
    if found:
        summarize({"1.0": found})


@FUZZ
@given(
    JSON
    | st.fixed_dictionaries(
        {
            "results": st.lists(
                JSON | st.fixed_dictionaries({}, optional={"vulns": JSON}), max_size=3
            )
        }
    ),
    st.integers(0, 3),
)
def test_read_batch_on_arbitrary_json(document: Any, count: int) -> None:
    try:
        results = read_batch(document, count)
    except BadResponseError:
        return
    assert len(results) == count
    for ids, token in results:
        assert all(isinstance(i, str) for i in ids)
        assert token is None or isinstance(token, str)


@FUZZ
@given(
    JSON
    | st.fixed_dictionaries(
        {"id": st.just("GHSA-x")},
        optional={
            "affected": JSON | st.lists(JSON, max_size=3),
            "aliases": JSON,
            "database_specific": JSON,
            "withdrawn": JSON,
        },
    )
)
def test_read_record_on_arbitrary_json(document: Any) -> None:
    try:
        record = read_record(document)
    except BadResponseError:
        return
    assert isinstance(record, Record)
    advisory = record.advisory("npm", "lodash")
    json.dumps(summarize({"1.0": [advisory]}))


def test_recorded_documents_are_json_objects() -> None:
    for path in API.rglob("*.json"):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path
