"""A shared Redis HTTP cache (``--cache-url``), against a real redis-server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analyzer.config import ConfigError, from_table
from analyzer.enrich.client import Client
from analyzer.http import HttpSettings, make_session

redis = pytest.importorskip("redis")
SERVER = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if SERVER is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def runner(tmp_path: Path, name: str, url: str) -> Client:
    """One CI runner: its own folder (for the local answer store), the shared Redis cache."""
    settings = HttpSettings(cache_dir=tmp_path / name, cache_url=url, backoff=0.0)
    return Client(make_session(settings), settings=settings)


def test_two_runners_share_one_cache(
    redis_url: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    httpserver.expect_request("/pypi/attrs/json").respond_with_json({"info": {"name": "attrs"}})
    url = httpserver.url_for("/pypi/attrs/json")
    first = runner(tmp_path, "a", redis_url)
    assert first.get_json("pypi", url, expire=3600) == {"info": {"name": "attrs"}}
    first.session.close()
    second = runner(tmp_path, "b", redis_url)  # another machine: nothing cached locally
    assert second.get_json("pypi", url, expire=3600) == {"info": {"name": "attrs"}}
    assert len(httpserver.log) == 1  # the second runner was answered by Redis
    assert second.status("pypi").from_cache == 1
    assert redis.Redis.from_url(redis_url).dbsize() > 0
    assert not (tmp_path / "b" / "http-cache.sqlite").exists()  # no SQLite cache beside it


def test_cache_urls_are_checked(tmp_path: Path) -> None:
    assert (
        from_table({"cache-url": "redis://cache:6379/1"}, "f").cache_url == "redis://cache:6379/1"
    )
    with pytest.raises(ConfigError, match="cache-url: expected a redis://"):
        from_table({"cache-url": "http://cache"}, "f")
    settings = HttpSettings(cache_dir=tmp_path, cache_url="memcached://x")
    with pytest.raises(ConfigError, match="expected redis://"):
        make_session(settings)
