"""Remembered runs: rerunning the same enrichment is answered whole, and only when it is safe."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.enrich import Client, Endpoints, enrich, memo
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Finding, FundingLink, Provider, Signal, Subject
from analyzer.enrich.runner import Enrichment
from analyzer.graph import DependencyGraph
from analyzer.http import HttpSettings, make_session
from analyzer.model import Dependency, Ecosystem, Scope


class Docs(Provider):
    """One document per package from a local server: its ``stars`` becomes a signal."""

    name = "docs"

    def __init__(self, base: str, note: str | None = None) -> None:
        self.base, self.note = base, note

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "pypi"

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        if self.note:
            client.note(self.name, self.note)
        for item in items:
            document = client.get_json(self.name, f"{self.base}/doc/{item.name}", expire=3600)
            if document is not None:
                signal = Signal("stars", document["stars"], self.name, client.fetched_at)
                link = FundingLink("github", item.name, f"https://github.com/sponsors/{item.name}",
                                   self.name)  # fmt: skip
                yield Finding(item.key, (signal,), (link,), f"https://github.com/o/{item.name}")


def graph(*names: str, version: str = "1.0") -> DependencyGraph:
    built = DependencyGraph()
    for name in names:
        built.add_dependency(Dependency(Ecosystem.PYPI, name, None, version, Scope.RUNTIME,
                                        True, "app", "requirements.txt", 1))  # fmt: skip
    return built


def serve(httpserver: HTTPServer, status: int = 200) -> list[str]:
    asked: list[str] = []

    def answer(request: Request) -> Response:
        asked.append(request.path)
        name = request.path.rsplit("/", 1)[-1]
        return Response(json.dumps({"stars": len(name)}), status, content_type="application/json")

    httpserver.expect_request("/doc/a").respond_with_handler(answer)
    httpserver.expect_request("/doc/bb").respond_with_handler(answer)
    return asked


def run(
    tmp_path: Path,
    base: str,
    built: DependencyGraph,
    offline: bool = False,
    provider: Provider | None = None,
) -> Enrichment:
    settings = HttpSettings(cache_dir=tmp_path / "cache", offline=offline, retries=0, backoff=0)
    session = make_session(settings)
    try:
        return enrich(built, Client(session, Endpoints(), settings), [provider or Docs(base)])
    finally:
        session.close()


def test_the_same_run_again_is_remembered_whole(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = serve(httpserver)
    base = httpserver.url_for("")
    first = run(tmp_path, base, graph("a", "bb"))
    assert len(asked) == 2 and first.sources["docs"].from_cache == 0

    def no_provider(*args: object, **kwargs: object) -> None:
        raise AssertionError("a remembered run runs no provider")

    monkeypatch.setattr("analyzer.enrich.runner.Runner.run", no_provider)
    again = run(tmp_path, base, graph("a", "bb"))
    assert len(asked) == 2
    assert again.signals == first.signals
    assert again.funding == first.funding and again.repository == first.repository
    status = again.sources["docs"]
    assert (status.requests, status.from_cache, status.state) == (2, 2, "ok")


def test_notes_and_states_come_back_with_the_run(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver)
    base = httpserver.url_for("")
    noted = Docs(base, note="no token: public data only")
    first = run(tmp_path, base, graph("a"), provider=noted)
    again = run(tmp_path, base, graph("a"), provider=noted)
    assert again.sources["docs"].notes == first.sources["docs"].notes == [noted.note]
    assert again.rank_of("pkg:pypi/a") == first.rank_of("pkg:pypi/a") == 0


def test_other_packages_or_versions_run_the_providers(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    asked = serve(httpserver)
    base = httpserver.url_for("")
    run(tmp_path, base, graph("a"))
    run(tmp_path, base, graph("a", "bb"))  # a new package: /doc/bb is asked
    assert asked == ["/doc/a", "/doc/bb"]
    other = run(tmp_path, base, graph("a", "bb", version="2.0"))  # from the cache, not remembered
    assert other.sources["docs"].from_cache == 2 and len(asked) == 2


def test_a_run_with_an_answer_the_cache_refuses_is_not_remembered(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    asked = serve(httpserver, status=500)
    base = httpserver.url_for("")
    run(tmp_path, base, graph("a"))
    run(tmp_path, base, graph("a"))
    assert len(asked) == 2  # asked again: a failure is never replayed


def test_a_run_offline_with_misses_is_not_remembered(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    asked = serve(httpserver)
    base = httpserver.url_for("")
    missing = run(tmp_path, base, graph("a"), offline=True)
    assert "not in the cache (offline)" in missing.sources["docs"].notes
    online = run(tmp_path, base, graph("a"))
    assert asked == ["/doc/a"] and online.value("pkg:pypi/a", "stars") == 1


def test_an_expired_run_is_used_offline_only(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(httpserver)
    base = httpserver.url_for("")
    run(tmp_path, base, graph("a"))
    later = time.time() + 2 * 3600  # the answer (and so the run) was fresh for an hour
    monkeypatch.setattr(time, "time", lambda: later)
    calls: list[int] = []
    real = memo.load

    def counted(body: bytes) -> Enrichment | None:
        calls.append(1)
        return real(body)

    monkeypatch.setattr(memo, "load", counted)
    offline = run(tmp_path, base, graph("a"), offline=True)
    assert calls == [1] and offline.value("pkg:pypi/a", "stars") == 1
    httpserver.clear()  # online, the stale run is not used: the provider asks again
    run(tmp_path, base, graph("a"))
    assert calls == [1]


def test_a_token_changes_the_key_and_never_enters_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = HttpSettings(cache_dir=tmp_path)
    client = Client(make_session(settings), Endpoints(), settings)
    subjects = [Subject("pkg:pypi/a", "pypi", "a", ("1.0",))]
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    without = memo.run_key(subjects, [GithubProvider()], client)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_CANARYmemo000000000000000000000000")
    provider = GithubProvider()
    assert "CANARY" not in provider.fingerprint()
    assert memo.run_key(subjects, [provider], client) != without
    other = Client(client.session, Endpoints(pypi="https://mirror.example"), settings)
    assert memo.run_key(subjects, [provider], other) != memo.run_key(subjects, [provider], client)
    client.session.close()


class Huge(Docs):
    """Says a number too large for orjson to write (a provider computing one, say)."""

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        for finding in super().fetch(items, client):
            yield Finding(finding.key, (Signal("downloads", 10**30, self.name, "now"),))


def test_a_value_that_cannot_be_stored_leaves_the_run_unremembered(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    asked = serve(httpserver)
    huge = Huge(httpserver.url_for(""))
    first = run(tmp_path, huge.base, graph("a"), provider=huge)
    assert first.value("pkg:pypi/a", "downloads") == 10**30
    again = run(tmp_path, huge.base, graph("a"), provider=huge)
    assert again.value("pkg:pypi/a", "downloads") == 10**30
    assert again.sources["docs"].from_cache == 1 and len(asked) == 1  # the cache, not a memo


def test_kept_takes_the_earliest_expiry_unless_an_answer_was_lost() -> None:
    kept = memo.Kept()
    assert kept.until() == math.inf
    kept.kept(200.0)
    kept.kept(None)
    kept.kept(100.0)
    assert kept.until() == 100.0
    kept.lost()
    assert kept.until() is None


@given(st.binary(max_size=200) | st.builds(lambda v: json.dumps(v).encode(), st.from_type(dict)))
def test_a_damaged_record_is_ignored(body: bytes) -> None:
    loaded = memo.load(body)
    assert loaded is None or isinstance(loaded, Enrichment)
