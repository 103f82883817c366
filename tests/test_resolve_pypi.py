"""PyPI resolution: version choice, markers and extras, and where Requires-Dist comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from pytest_httpserver import HTTPServer

from analyzer.enrich import Subject
from analyzer.enrich.pypi import PypiProvider
from analyzer.enrich.runner import Runner
from analyzer.resolve.interface import Request, ResolveError
from analyzer.resolve.pypi import PypiResolver, children
from analyzer.resolve.pypi_versions import ProjectView, choose, read_project
from analyzer.resolve.target import Target
from tests.resolve_helpers import API, hits, make_client, serve_registries

LINUX_312 = Target().environment()


def project(name: str, python: str = "3.12") -> ProjectView:
    view = read_project(json.loads((API / "pypi" / f"{name}.json").read_text()), Version(python))
    assert view is not None
    return view


def chosen(view: ProjectView, spec: str) -> str | None:
    release, _ = choose(view.releases, SpecifierSet(spec))
    return release.text if release else None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", "2.32.3"),  # not the release candidate above it
        (">=2.31", "2.32.3"),
        ("<2.32.3", "2.31.0"),  # 2.32.0 in between is yanked
        ("==2.32.0", "2.32.0"),  # PEP 592: an exact pin may still select a yanked release
        ("~=2.30.0", "2.30.0"),
        (">=2.33.0rc1", "2.33.0rc1"),  # the specifier names a pre-release
        ("==2.33.0rc1", "2.33.0rc1"),
        (">2.32.3", "2.33.0rc1"),  # PEP 440: only a pre-release matches, so it is used
        ("!=2.32.3", "2.31.0"),
        ("<2", None),
    ],
)
def test_release_choice(spec: str, expected: str | None) -> None:
    assert chosen(project("requests"), spec) == expected


def test_yanked_only_match_explains_itself() -> None:
    release, why = choose(project("requests").releases, SpecifierSet(">2.31.0,<2.32.3"))
    assert release is None
    assert why == "every release matching <2.32.3,>2.31.0 is yanked"
    assert choose(project("requests").releases, SpecifierSet("<1"))[1] == "no release matches <1"


def test_requires_python_passes_over_releases_for_other_pythons() -> None:
    assert chosen(project("numpy", "3.12"), "") == "2.2.6"  # 2.3.0 requires Python 3.13
    assert chosen(project("numpy", "3.13"), "") == "2.3.0"
    assert chosen(project("numpy", "3.9"), ">=2") == "2.3.0"  # nothing fits: the newest


def test_markers_follow_the_target_environment() -> None:
    requires = project("click").requires_dist
    assert children(requires, (), LINUX_312) == []
    windows = Target(python="3.12", platform="windows").environment()
    assert [c.name for c in children(requires, (), windows)] == ["colorama"]
    old = Target(python="3.7").environment()
    assert [c.name for c in children(requires, (), old)] == ["importlib-metadata"]


def test_extras_add_their_requirements() -> None:
    requires = project("requests").requires_dist
    base = [c.name for c in children(requires, (), LINUX_312)]
    assert base == ["charset-normalizer", "idna", "urllib3", "certifi"]
    socks = children(requires, ("socks",), LINUX_312)
    assert [c.name for c in socks][-1] == "pysocks"
    assert socks[-1].spec == "!=1.5.7,>=1.5.6"
    # PyPI's own extra names are normalized on both sides (PEP 685)
    assert "chardet" in [c.name for c in children(requires, ("use-chardet-on-py3",), LINUX_312)]


def test_child_extras_and_bad_entries() -> None:
    found = children(["Requests[SOCKS]>=2", "not a requirement !!", "x @ https://e.org/x.whl"],
                     (), LINUX_312)  # fmt: skip
    assert [(c.name, c.spec, c.extras) for c in found] == [("requests", ">=2", ("socks",))]


def test_resolver_reads_each_document_it_needs_once(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_registries(httpserver)
    resolver = PypiResolver(make_client(httpserver, tmp_path / "cache"))
    latest, pinned = Request("requests", ">=2.31"), Request("requests", "==2.31.0")
    beta = Request("pydantic", "==2.10.0b1")
    answers = resolver.resolve([latest, pinned, beta])

    assert answers[latest].version == "2.32.3"
    assert [c.name for c in answers[latest].children][:2] == ["charset-normalizer", "idna"]
    assert answers[pinned].version == "2.31.0"
    assert answers[pinned].complete
    assert [c.spec for c in answers[beta].children if c.name == "pydantic-core"] == ["==2.27.0"]
    assert hits(httpserver, "/pypi/requests/json") == 1
    assert hits(httpserver, "/pypi/requests/2.32.3/json") == 0  # the latest: project JSON says
    assert hits(httpserver, "/pypi/requests/2.31.0/json") == 1
    resolver.resolve([latest])  # memoized: asked again, nothing is fetched
    assert hits(httpserver, "/pypi/requests/json") == 1


def test_missing_version_document_falls_back_to_wheel_metadata(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_registries(httpserver)
    resolver = PypiResolver(make_client(httpserver, tmp_path / "cache"))
    django = Request("django", ">=4.2,<5")
    outcome = resolver.resolve([django])[django]
    assert outcome.version == "4.2.17"
    assert outcome.complete
    # backports.zoneinfo is for Python < 3.9 and tzdata for Windows: neither applies here
    assert [(c.name, c.spec) for c in outcome.children] == [
        ("asgiref", "<4,>=3.6.0"), ("sqlparse", ">=0.3.1"),
    ]  # fmt: skip
    assert hits(httpserver, "/pypi/django/4.2.17/json") == 1  # answered 404
    assert hits(httpserver, "/simple/django/") == 1
    assert hits(httpserver, "/files/Django-4.2.17-py3-none-any.whl.metadata") == 1
    simple = next(r for r, _ in httpserver.log if r.path == "/simple/django/")
    assert simple.headers["Accept"] == "application/vnd.pypi.simple.v1+json"


def test_no_metadata_anywhere_keeps_the_version_without_dependencies(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_registries(httpserver)
    resolver = PypiResolver(make_client(httpserver, tmp_path / "cache"))
    old = Request("django", "==4.2.16")
    outcome = resolver.resolve([old])[old]
    assert (outcome.version, outcome.children, outcome.complete) == ("4.2.16", (), False)
    assert (
        outcome.note
        == "django 4.2.16: dependencies unknown (not on the registry, no wheel metadata)"
    )
    # the wheel did not advertise its metadata, but mirrors that strip the key get one try
    assert hits(httpserver, "/files/Django-4.2.16-py3-none-any.whl.metadata") == 1


def test_unknown_project_and_bad_specifier(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_registries(httpserver)
    resolver = PypiResolver(make_client(httpserver, tmp_path / "cache"))
    missing, bad = Request("acme-internal", ""), Request("requests", ">=>2")
    answers = resolver.resolve([missing, bad])
    assert answers[missing].note == "acme-internal: not on the registry"
    assert answers[bad].version is None
    assert answers[bad].note == "requests: invalid version specifier '>=>2'"


def test_offline_answers_from_the_cache_only(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_registries(httpserver)
    request = Request("requests", "==2.31.0")
    cold = PypiResolver(make_client(httpserver, tmp_path / "cache", offline=True))
    assert cold.resolve([request])[request].note == "requests: not in the cache (offline)"
    assert len(httpserver.log) == 0
    online = PypiResolver(make_client(httpserver, tmp_path / "cache"))
    expected = online.resolve([request])[request]
    served = len(httpserver.log)
    warm = PypiResolver(make_client(httpserver, tmp_path / "cache", offline=True))
    assert warm.resolve([request])[request] == expected
    assert len(httpserver.log) == served


def test_a_failing_registry_stops_resolution(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/pypi/requests/json").respond_with_data("busy", status=503)
    resolver = PypiResolver(make_client(httpserver, tmp_path / "cache", retries=0))
    with pytest.raises(ResolveError, match="HTTP 503"):
        resolver.resolve([Request("requests", "")])


def test_enrichment_reuses_what_resolution_fetched(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_registries(httpserver)
    cache = tmp_path / "cache"
    PypiResolver(make_client(httpserver, cache)).resolve([Request("requests", "")])
    client = make_client(httpserver, cache)
    subject = Subject("pkg:pypi/requests", "pypi", "requests", ("2.32.3",))
    result = Runner([PypiProvider()], client).run([subject])
    assert result.value("pkg:pypi/requests", "latest_version") == "2.32.3"
    assert hits(httpserver, "/pypi/requests/json") == 1  # the provider read the cache
    assert result.sources["pypi"].from_cache == 1
