"""deps.dev provider against a local server replaying recorded-shape API v3 / v3alpha answers."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich.depsdev import (
    DepsdevProvider,
    Plan,
    project_signals,
    read,
    read_batch,
    read_package,
    version_facts,
)
from analyzer.enrich.interface import BadResponseError
from analyzer.enrich.runner import Enrichment, Runner
from analyzer.http import HttpSettings, make_session

FIXTURES = Path(__file__).parent / "fixtures" / "api" / "depsdev"
CANARY = "ghp_CANARY0000fundscout0000token0000xyz"
LODASH, DJANGO = "pkg:npm/lodash", "pkg:pypi/django"
SLF4J, CONFIG = "pkg:maven/org.slf4j/slf4j-api", "pkg:npm/%40humanwhocodes/config-array"
SUBJECTS = [
    Subject(LODASH, "npm", "lodash", ("4.17.20", "4.17.21")),
    Subject(DJANGO, "pypi", "django", ("4.2.17", "9.9")),  # 9.9: unknown to deps.dev, ignored
    Subject(SLF4J, "maven", "org.slf4j:slf4j-api"),
    Subject(CONFIG, "npm", "@humanwhocodes/config-array", ("0.11.14",)),
    Subject("pkg:npm/acme-internal", "npm", "acme-internal"),
    Subject("pkg:composer/acme/x", "composer", "acme/x"),  # not a deps.dev system
]
PACKAGES = {
    "NPM/packages/lodash": "package_npm_lodash",
    "PYPI/packages/django": "package_pypi_django",
    "MAVEN/packages/org.slf4j:slf4j-api": "package_maven_slf4j-api",
    "NPM/packages/@humanwhocodes/config-array": "package_npm_humanwhocodes-config-array",
}
VERSIONS = {
    ("NPM", "lodash", "4.17.20"): "version_npm_lodash_4.17.20",
    ("NPM", "lodash", "4.17.21"): "version_npm_lodash_4.17.21",
    ("PYPI", "django", "4.2.17"): "version_pypi_django_4.2.17",
    ("PYPI", "django", "5.1.4"): "version_pypi_django_5.1.4",
    ("MAVEN", "org.slf4j:slf4j-api", "2.0.16"): "version_maven_slf4j-api_2.0.16",
    ("NPM", "@humanwhocodes/config-array", "0.11.14"):
        "version_npm_humanwhocodes-config-array_0.11.14",
    ("NPM", "@humanwhocodes/config-array", "0.13.0"):
        "version_npm_humanwhocodes-config-array_0.13.0",
}  # fmt: skip
LODASH_SIGNALS = {
    "repository": "https://github.com/lodash/lodash",
    "license": "MIT",
    "latest_version": "4.17.21",
    "first_release": "2012-04-23",
    "last_release": "2021-02-20",
    "release_count": 6,
    "releases_last_year": 0,
    "advisories": ["GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-f23m-r3pf-42rh",
                   "GHSA-r5fr-rjxr-66jc", "GHSA-xxjr-mmjv-4gpg"],
    "stars": 60512,
    "forks": 7089,
    "open_issues": 96,
    "scorecard": {"score": 6.4, "date": "2025-12-15",
                  "checks": {"Maintained": 10, "Code-Review": 3, "Binary-Artifacts": 10,
                             "License": 10, "Security-Policy": 10}},  # Packaging did not run
}  # fmt: skip


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def make_client(httpserver: HTTPServer, cache: Path, offline: bool = False) -> Client:
    httpserver.no_handler_status_code = 404  # deps.dev's answer for anything it does not know
    http = HttpSettings(cache_dir=cache, backoff=0.0, offline=offline)
    client = Client(make_session(http), Endpoints(depsdev=httpserver.url_for("").rstrip("/")), http)
    client.fetched_at = "2026-01-01T00:00:00Z"
    return client


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    return make_client(httpserver, tmp_path / "cache")


def serve(httpserver: HTTPServer, path: str, body: Any) -> None:
    httpserver.expect_request(path, method="GET").respond_with_json(body)


def serve_stable(httpserver: HTTPServer, versions: bool = True) -> None:
    """GetPackage, GetProject (and GetVersion) answers; everything else is a 404."""
    for path, fixture in PACKAGES.items():
        serve(httpserver, f"/v3/systems/{path}", load(fixture))
    if versions:
        for (system, name, version), fixture in VERSIONS.items():
            serve(
                httpserver,
                f"/v3/systems/{system}/packages/{name}/versions/{version}",
                load(fixture),
            )
    serve(httpserver, "/v3/projects/github.com/lodash/lodash", load("project_lodash"))
    serve(httpserver, "/v3/projects/github.com/django/django", load("project_django"))


def serve_alpha(httpserver: HTTPServer) -> None:
    """GetVersionBatch in two pages, and :dependents (django's is unknown)."""
    httpserver.expect_request("/v3alpha/versionbatch", method="POST").respond_with_handler(batch)
    base = "/v3alpha/systems"
    serve(httpserver, f"{base}/NPM/packages/lodash/versions/4.17.21:dependents",
          load("dependents_npm_lodash_4.17.21"))  # fmt: skip
    serve(httpserver, f"{base}/MAVEN/packages/org.slf4j:slf4j-api/versions/2.0.16:dependents",
          load("dependents_maven_slf4j-api_2.0.16"))  # fmt: skip
    serve(
        httpserver,
        f"{base}/NPM/packages/@humanwhocodes/config-array/versions/0.13.0:dependents",
        {},
    )  # fmt: skip  (proto3 JSON: no dependents at all)


def batch(request: Request) -> Response:
    """Answers the asked versions, three a page, as GetVersionBatch does."""
    body = json.loads(request.get_data())
    asked = [r["versionKey"] for r in body["requests"]]
    start = int(body.get("pageToken", "0") or 0)
    page = []
    for key in asked[start : start + 3]:
        fixture = VERSIONS.get((key["system"], key["name"], key["version"]))
        page.append(
            {"request": {"versionKey": key}, **({"version": load(fixture)} if fixture else {})}
        )
    answer: dict[str, Any] = {"responses": page}
    if start + 3 < len(asked):
        answer["nextPageToken"] = str(start + 3)
    return Response(json.dumps(answer), content_type="application/json")


def run(client: Client, provider: DepsdevProvider | None = None) -> Enrichment:
    return Runner([provider or DepsdevProvider()], client).run(SUBJECTS)


def values(result: Enrichment, key: str) -> dict[str, Any]:
    return {s.name: s.value for s in result.signals[key]}


def requests_to(httpserver: HTTPServer, prefix: str) -> list[Request]:
    return [r for r, _ in httpserver.log if r.path.startswith(prefix)]


def test_batch_and_dependents_from_v3alpha(httpserver: HTTPServer, client: Client) -> None:
    serve_stable(httpserver, versions=False)
    serve_alpha(httpserver)
    result = run(client)

    assert values(result, LODASH) == {**LODASH_SIGNALS, "dependents": 183467,
                                      "direct_dependents": 67891}  # fmt: skip
    django = values(result, DJANGO)
    assert django["advisories"] == [
        "GHSA-m9g8-fxxm-xg86",
        "GHSA-qcgg-j2x8-h9g8",
        "PYSEC-2025-1",
        "PYSEC-2025-13",
    ]  # 4.2.17, the one in use
    assert (django["latest_version"], django["license"]) == ("5.1.4", "BSD-3-Clause")
    assert (django["releases_last_year"], django["release_count"]) == (1, 5)  # 6.0a1 in 2025
    assert django["scorecard"]["checks"] == {"Maintained": 10, "Code-Review": 10, "Fuzzing": 0}
    assert "dependents" not in django  # its :dependents answer was a 404
    slf4j = values(result, SLF4J)
    assert slf4j["repository"] == "https://github.com/qos-ch/slf4j"
    assert slf4j["advisories"] == []  # the default version's answer lists none
    assert (slf4j["dependents"], slf4j["direct_dependents"]) == (91234, 60123)
    assert "stars" not in slf4j  # GetProject said 404
    config = values(result, CONFIG)
    assert config["deprecated"] == "Use @eslint/config-array instead"
    assert config["yanked_in_use"] == ["0.11.14"]
    assert "last_release" not in config  # deprecated versions are not live releases
    assert (config["dependents"], config["direct_dependents"]) == (0, 0)
    assert "pkg:npm/acme-internal" not in result.signals
    assert result.repository[LODASH] == "https://github.com/lodash/lodash"
    assert {s.source for ss in result.signals.values() for s in ss} == {"depsdev"}

    status = result.sources["depsdev"]
    assert (status.state, status.unknown) == ("ok", 1)
    posts = requests_to(httpserver, "/v3alpha/versionbatch")
    assert len(posts) == 3  # 7 versions, three a page
    assert [json.loads(p.get_data()).get("pageToken") for p in posts] == [None, "3", "6"]
    assert not requests_to(httpserver, "/v3/systems/NPM/packages/lodash/versions")
    assert len(requests_to(httpserver, "/v3/projects/")) == 4  # once per project


def test_package_without_default_or_used_versions(httpserver: HTTPServer, client: Client) -> None:
    answer = load("package_npm_lodash")
    for entry in answer["versions"]:
        entry["isDefault"] = False
    serve(httpserver, "/v3/systems/NPM/packages/lodash", answer)
    result = Runner([DepsdevProvider()], client).run([Subject(LODASH, "npm", "lodash", ("9",))])
    assert values(result, LODASH) == {"first_release": "2012-04-23", "last_release": "2021-02-20",
                                      "release_count": 6, "releases_last_year": 0}  # fmt: skip
    assert [r.path for r, _ in httpserver.log] == ["/v3/systems/NPM/packages/lodash"]


def test_names_are_percent_encoded(httpserver: HTTPServer, client: Client) -> None:
    serve_stable(httpserver)
    run(client, DepsdevProvider(alpha=False))
    raw = {r.environ["REQUEST_URI"] for r, _ in httpserver.log}
    assert "/v3/systems/NPM/packages/%40humanwhocodes%2Fconfig-array" in raw
    assert "/v3/systems/MAVEN/packages/org.slf4j%3Aslf4j-api/versions/2.0.16" in raw
    assert "/v3/projects/github.com%2Flodash%2Flodash" in raw


def test_stable_api_only(httpserver: HTTPServer, client: Client) -> None:
    serve_stable(httpserver)
    result = run(client, DepsdevProvider(alpha=False))
    assert values(result, LODASH) == LODASH_SIGNALS
    assert not requests_to(httpserver, "/v3alpha")
    assert result.sources["depsdev"].state == "ok"


def test_missing_v3alpha_falls_back_to_v3_once(httpserver: HTTPServer, client: Client) -> None:
    serve_stable(httpserver)  # a mirror without v3alpha: every v3alpha path is a 404
    result = run(client)
    assert values(result, LODASH) == LODASH_SIGNALS
    status = result.sources["depsdev"]
    assert status.state == "partial"
    assert len(status.notes) == 1 and "v3alpha unusable" in status.notes[0]
    assert len(requests_to(httpserver, "/v3alpha")) == 1  # the batch; no :dependents after it


def test_v3alpha_error_page_disables_dependents(httpserver: HTTPServer, client: Client) -> None:
    serve_stable(httpserver, versions=False)
    httpserver.expect_request("/v3alpha/versionbatch", method="POST").respond_with_handler(batch)
    httpserver.expect_request(
        "/v3alpha/systems/NPM/packages/lodash/versions/4.17.21:dependents"
    ).respond_with_data("<html>gateway</html>", content_type="text/html")
    result = Runner([DepsdevProvider()], client).run(SUBJECTS[:1])
    assert values(result, LODASH) == LODASH_SIGNALS  # versions came from the batch
    status = result.sources["depsdev"]
    assert (status.state, status.unknown) == ("partial", 0)
    assert "v3alpha unusable" in status.notes[0] and "HTML page" in status.notes[0]


def test_invalid_json_and_html_leave_that_package_unknown(
    httpserver: HTTPServer, client: Client
) -> None:
    serve_stable(httpserver)
    httpserver.expect_request("/v3/systems/NPM/packages/broken").respond_with_data("{not json")
    httpserver.expect_request("/v3/systems/NPM/packages/portal").respond_with_data(
        "<html>sign in</html>", content_type="text/html"
    )
    subjects = [Subject(f"pkg:npm/{n}", "npm", n) for n in ("broken", "portal", "lodash")]
    result = Runner([DepsdevProvider(alpha=False)], client).run(subjects)
    assert set(result.signals) == {LODASH}
    status = result.sources["depsdev"]
    assert (status.state, status.unknown) == ("partial", 2)
    notes = " ".join(status.notes)
    assert "invalid JSON" in notes and "HTML page" in notes


def test_server_errors_make_the_source_unavailable_once(
    httpserver: HTTPServer, client: Client
) -> None:
    httpserver.expect_request("/v3/systems/NPM/packages/lodash").respond_with_data(
        "unavailable", status=503
    )
    result = run(client)
    status = result.sources["depsdev"]
    assert (status.state, status.unknown) == ("unavailable", 5)
    assert "HTTP 503" in (status.reason or "")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_retry_after_is_honored(
    httpserver: HTTPServer, client: Client, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request("/v3/systems/NPM/packages/lodash").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )
    serve_stable(httpserver)
    result = Runner([DepsdevProvider(alpha=False)], client).run(SUBJECTS[:1])
    assert values(result, LODASH) == LODASH_SIGNALS
    assert 2 in sleeps


def test_offline_answers_only_from_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_stable(httpserver, versions=False)
    serve_alpha(httpserver)
    online = run(make_client(httpserver, tmp_path / "c"))
    httpserver.clear()  # the server forgets everything: offline must not ask it
    offline = run(make_client(httpserver, tmp_path / "c", offline=True))
    assert offline.signals.keys() == online.signals.keys()
    assert values(offline, LODASH) == values(online, LODASH)
    assert not any("v3alpha" in note for note in offline.sources["depsdev"].notes)
    assert httpserver.log == []


def test_no_credential_is_sent_or_stored(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("GITHUB_TOKEN", "GH_TOKEN", "ECOSYSTEMS_API_KEY"):
        monkeypatch.setenv(variable, CANARY)
    serve_stable(httpserver, versions=False)
    serve_alpha(httpserver)
    result = run(make_client(httpserver, tmp_path / "cache"))
    assert all(CANARY not in str(dict(r.headers)) for r, _ in httpserver.log)
    texts = [json.dumps([s.to_record() for ss in result.signals.values() for s in ss])]
    texts += [json.dumps(s.to_record()) + " ".join(s.notes) for s in result.sources.values()]
    assert all(CANARY not in text for text in texts)
    stored = [p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert stored and all(CANARY.encode() not in data for data in stored)


def serve_slowly(httpserver: HTTPServer, delays: dict[str, float]) -> None:
    """GetPackage answers, each after its own delay, so that they arrive out of order."""
    for path, fixture in PACKAGES.items():

        def answer(request: Request, fixture: str = fixture, path: str = path) -> Response:
            time.sleep(delays.get(path, 0.0))
            return Response(json.dumps(load(fixture)), content_type="application/json")

        httpserver.expect_request(f"/v3/systems/{path}").respond_with_handler(answer)


def batch_keys(httpserver: HTTPServer) -> list[list[str]]:
    """The versions each GetVersionBatch asked for (its first page), sorted."""
    posts = requests_to(httpserver, "/v3alpha/versionbatch")
    bodies = [json.loads(post.get_data()) for post in posts if b"pageToken" not in post.get_data()]
    keys = [[r["versionKey"] for r in body["requests"]] for body in bodies]
    return sorted(sorted(f"{k['name']}@{k['version']}" for k in group) for group in keys)


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    """A server answering requests at once, so that slow answers arrive after later ones."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_batches_follow_the_input_order_whatever_order_answers_come_in(
    threaded: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("analyzer.enrich.depsdev.BATCH", 3)  # versions per GetVersionBatch
    groups = []
    for run_number, delays in enumerate(({"NPM/packages/lodash": 0.5},
                                         {"MAVEN/packages/org.slf4j:slf4j-api": 0.5})):  # fmt: skip
        serve_alpha(threaded)
        serve_slowly(threaded, delays)
        result = run(make_client(threaded, tmp_path / f"cache{run_number}"))
        assert values(result, LODASH)["dependents"] == 183467
        groups.append(batch_keys(threaded))
        threaded.clear()
    # lodash (2 versions), then django (2) with slf4j (1), then config-array (2): cut in input
    # order, so every run sends the same bodies and a rerun finds them in the cache.
    assert (
        groups[0]
        == groups[1]
        == [
            ["@humanwhocodes/config-array@0.11.14", "@humanwhocodes/config-array@0.13.0"],
            ["django@4.2.17", "django@5.1.4", "org.slf4j:slf4j-api@2.0.16"],
            ["lodash@4.17.20", "lodash@4.17.21"],
        ]
    )


def test_dependents_do_not_wait_for_every_package(
    threaded: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("analyzer.enrich.depsdev.BATCH", 3)
    serve_alpha(threaded)
    serve_slowly(threaded, {"NPM/packages/@humanwhocodes/config-array": 1.0})
    result = run(make_client(threaded, tmp_path / "cache"))
    assert values(result, CONFIG)["dependents"] == 0
    answered = [request.path for request, _ in threaded.log]  # in the order answered
    slow = answered.index("/v3/systems/NPM/packages/@humanwhocodes/config-array")
    assert any(path.endswith(":dependents") for path in answered[:slow])


def test_readers_on_recorded_shapes() -> None:
    item = Subject(LODASH, "npm", "lodash", ("4.17.20",))
    plan = read_package(item, load("package_npm_lodash"))
    assert plan is not None
    assert (plan.default, plan.used) == ("4.17.21", ["4.17.20"])
    assert plan.lookups()[-1] == ("NPM", "lodash", "4.17.21")  # the version described
    facts = version_facts(load("version_npm_lodash_4.17.20"))
    assert facts["project"] == "github.com/lodash/lodash"
    only_link = {"links": [{"label": "SOURCE_REPO", "url": "https://gitlab.com/a/b/-/tree/main"}]}
    assert version_facts(only_link) == {"repository": "https://gitlab.com/a/b",
                                        "project": "gitlab.com/a/b", "advisories": []}  # fmt: skip
    assert version_facts({"links": [{"label": "SOURCE_REPO", "url": "https://x.org/a"}]}) == {
        "repository": "https://x.org/a", "project": None, "advisories": []}  # fmt: skip
    assert project_signals({"scorecard": {"overallScore": 11}, "starsCount": -1}) == {}
    with pytest.raises(BadResponseError):
        read_batch({"responses": "none"})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=15,
)  # fmt: skip
FIELDS = st.sampled_from(
    ["versions", "versionKey", "version", "publishedAt", "isDefault", "isDeprecated",
     "deprecatedReason", "links", "label", "url", "relatedProjects", "projectKey", "id",
     "relationType", "licenses", "advisoryKeys", "scorecard", "overallScore", "checks", "name",
     "score", "date", "starsCount", "dependentCount", "responses", "request", "nextPageToken"]
)  # fmt: skip
DOCUMENTS = JSON | st.dictionaries(FIELDS, JSON, max_size=8)
ENTRIES = st.dictionaries(FIELDS, JSON | st.fixed_dictionaries({"version": JSON}), max_size=5)
PACKAGES_ = st.fixed_dictionaries({"versions": st.lists(ENTRIES, max_size=4)}) | DOCUMENTS


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(PACKAGES_, DOCUMENTS)
def test_readers_survive_arbitrary_json(package: Any, other: Any) -> None:
    """Only results or BadResponseError; every signal value JSON-serializable."""
    item = Subject(LODASH, "npm", "lodash", ("1.0.0",))
    plan = read_package(item, package) or Plan(item)
    versions = dict.fromkeys(plan.lookups(), other)  # one document answers every call
    finding = read(plan, versions, other, other, "2026-01-01T00:00:00Z")
    json.dumps([s.to_record() for s in finding.signals])
    with contextlib.suppress(BadResponseError):
        read_batch(other)
