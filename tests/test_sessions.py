"""Sessions read the environment (proxies, CA bundle) once per host, and still honor it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer

from analyzer.http import HttpSettings, make_session
from analyzer.sessions import CachingSession, PlainSession

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def test_settings_are_read_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    session = PlainSession()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/first.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    first = session.merge_environment_settings("https://pypi.invalid/a", {}, None, None, None)
    assert first["verify"] == "/etc/first.pem"
    assert first["proxies"]["https"] == "http://127.0.0.1:3128"
    first["proxies"]["https"] = "http://changed.invalid"  # callers may change what they get

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/second.pem")
    monkeypatch.delenv("HTTPS_PROXY")
    again = session.merge_environment_settings("https://PyPI.invalid/b", {}, None, None, None)
    assert again["verify"] == "/etc/first.pem"
    assert again["proxies"]["https"] == "http://127.0.0.1:3128"
    other = session.merge_environment_settings("https://npm.invalid/c", {}, None, None, None)
    assert other["verify"] == "/etc/second.pem"
    assert "https" not in other["proxies"]


def test_settings_of_the_call_are_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    session = PlainSession()
    own = session.merge_environment_settings(
        "https://pypi.invalid/", {"https": "http://127.0.0.1:1"}, None, False, None
    )
    assert own["proxies"]["https"] == "http://127.0.0.1:1"
    assert own["verify"] is False
    plain = session.merge_environment_settings("https://pypi.invalid/", {}, None, None, None)
    assert plain["proxies"] == {}
    assert plain["verify"] is True


def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/doc").respond_with_json({"via": "proxy"})
    monkeypatch.setenv("HTTP_PROXY", httpserver.url_for("/").rstrip("/"))
    session = make_session(HttpSettings(cache_dir=tmp_path, retries=0))
    assert isinstance(session, CachingSession)
    assert session.get("http://registry.invalid/doc").json() == {"via": "proxy"}
    assert httpserver.log[0][0].headers["Host"] == "registry.invalid"

    # the host already asked keeps its proxy; a new host reads the environment as it is now
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert session.get("http://registry.invalid/doc?again=1").json() == {"via": "proxy"}
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get("http://other.invalid/doc")
    assert len(httpserver.log) == 2


def test_a_plain_session_honors_the_proxy_too(
    monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/doc").respond_with_json({"via": "proxy"})
    monkeypatch.setenv("http_proxy", httpserver.url_for("/").rstrip("/"))
    session = make_session(HttpSettings(cache_dir=tmp_path, use_cache=False, retries=0))
    assert isinstance(session, PlainSession)
    assert session.get("http://registry.invalid/doc").json() == {"via": "proxy"}
