"""A canary GitHub token must never leave the Authorization header of GitHub API requests.

Every command runs in a child process with all loggers at DEBUG (fundscout has no verbosity
flag of its own; this is the most any library will say), the token in GITHUB_TOKEN, and every
API served by the fault server, answering with rate limits, 5xx, invalid JSON and HTML pages.
The token (and its base64 form) must appear in no output stream, report, cache file, or
traceback, and the server must see it only on GitHub paths.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.enrich.client import Endpoints
from tests import faults
from tests.faults import FaultServer

TOKEN = "ghp_CanaryToken0fundscout0MustNeverLeak0042"
FORMS = [TOKEN.encode(), base64.b64encode(TOKEN.encode()), base64.b64encode(f"x:{TOKEN}".encode())]
DEBUG_RUN = (
    "import logging, runpy, socket, sys\n"
    "real_getaddrinfo = socket.getaddrinfo\n"
    "def loopback_only(host, *args, **kwargs):\n"  # api.github.com is the fault server
    "    host = '127.0.0.1' if host == 'api.github.com' else host\n"
    "    if host not in ('127.0.0.1', 'localhost'):\n"
    "        raise OSError(f'this test reaches loopback only, not {host}')\n"
    "    return real_getaddrinfo(host, *args, **kwargs)\n"
    "socket.getaddrinfo = loopback_only\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
    "sys.argv = ['fundscout', *sys.argv[1:]]\n"
    "if sys.argv[1] == 'crash':\n"  # an internal error where the token is a local
    "    import analyzer.enrich.github_graphql as gql\n"
    "    def crash(client, source, slugs, headers): raise RuntimeError('injected failure')\n"
    "    gql.fetch_batch = crash\n"
    "    sys.argv[1] = 'audit'\n"
    "runpy.run_module('analyzer', run_name='__main__')\n"
)
GITHUB_PATHS = ("/graphql", "/repos/", "/orgs/", "/users/")


def pypi_document(path: str) -> dict[str, object]:
    name = path.split("/")[2]
    return {"info": {"name": name, "version": "1.0",
                     "project_urls": {"Source": f"https://github.com/example/{name}"}},
            "releases": {}}  # fmt: skip


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with faults.fault_server() as running:
        running.route("/pypi/flask/json", faults.raw(b"{not json"))
        running.route("/pypi/flask/*/json", faults.status(500), faults.status(404))
        running.route("/pypi/*/json", faults.by_path(pypi_document))
        running.route("/left-pad", faults.raw(b"<html>Bad gateway</html>", "text/html"))
        running.route("/graphql", faults.status(502), faults.raw(b'{"data": {"r0": '))
        running.route(
            "/repos/example/requests", faults.github_rate_limit(1),
            faults.ok({"archived": False, "stargazers_count": 5}),
        )  # fmt: skip
        running.route("/repos/*/contributors", faults.status(503), faults.ok([]))
        running.route(
            "/orgs/acme/repos",
            faults.status(502),
            faults.github_rate_limit(1),
            faults.ok([{"name": "svc", "default_branch": "main", "size": 1}]),
        )
        running.route("/repos/acme/svc/git/trees/*", faults.raw(b"not json"))
        yield running


def run(
    server: FaultServer, cwd: Path, *args: str, cache: str = "cache"
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUNDSCOUT_", "GH_"))}
    env.update({variable: server.url() for variable in Endpoints.ENV.values()})
    # The child resolves api.github.com to the fault server, so github.com is looked up.
    env["FUNDSCOUT_GITHUB_API_URL"] = server.url().replace("127.0.0.1", "api.github.com")
    env["FUNDSCOUT_GITHUB_GRAPHQL_URL"] = env["FUNDSCOUT_GITHUB_API_URL"] + "/graphql"
    env.update(GITHUB_TOKEN=TOKEN, FUNDSCOUT_CACHE_DIR=str(cwd / cache), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-c", DEBUG_RUN, *args], cwd=cwd, env=env, capture_output=True,
        timeout=120, check=False,
    )  # fmt: skip


def leaks(data: bytes) -> list[bytes]:
    return [form for form in FORMS if form in data]


def test_the_token_leaks_nowhere(server: FaultServer, tmp_path: Path) -> None:
    from analyzer.cli import app  # the CLI loads every report format: only here

    tree = tmp_path / "org" / "api"
    tree.mkdir(parents=True)
    (tree / "requirements.txt").write_text("requests==2.31.0\nflask==3.0.0\n")
    (tree / "package.json").write_text('{"dependencies": {"left-pad": "^1.3.0"}}\n')
    org = str(tmp_path / "org")
    runs = {
        "audit": ["audit", org, "--out", "a", "--format", "md,json,html,csv", "--graph", "json",
                  "--budget", "1000", "--max-wait", "2"],
        "audit --offline": ["audit", org, "--out", "b", "--offline"],
        "audit --github-org": ["audit", "--github-org", "acme", "--out", "c", "--max-wait", "2"],
        "deps": ["deps", org, "--format", "table"],
        "explain": ["explain", "requests", "--report", "a/fundscout-report.json"],
        "explain (live)": ["explain", "requests", org],
        "diff": ["diff", "a/fundscout-report.json", "b/fundscout-report.json"],
        "init": ["init", "fresh"],
        "crash": ["crash", org, "--out", "d"],
    }  # fmt: skip
    commands = {args[0] for args in runs.values()} - {"crash"}
    assert commands >= {c.name or c.callback.__name__ for c in app.registered_commands}  # type: ignore[union-attr]
    found: list[str] = []
    for label, args in runs.items():
        # The crash needs the GitHub lookups to happen: a cache of its own.
        child = run(server, tmp_path, *args, cache="crash-cache" if label == "crash" else "cache")
        found += [f"{label}: {stream}" for stream, data in
                  (("stdout", child.stdout), ("stderr", child.stderr)) if leaks(data)]  # fmt: skip
        if label == "crash":  # the injected error did surface, as a traceback
            said = [line for line in child.stderr.splitlines() if not line.startswith(b"DEBUG")]
            assert b"injected failure" in child.stderr and child.returncode != 0, said[-30:]
        elif label != "audit --github-org":
            assert child.returncode in (0, 4), (label, child.stderr.decode()[-3000:])
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file() and leaks(path.read_bytes()):
            found.append(str(path.relative_to(tmp_path)))
    assert not found, f"the token leaked into: {found}"
    assert list((tmp_path / "cache").iterdir()), "nothing was cached: the check is empty"
    # It travelled, but only to the GitHub API.
    carried = {path for path, headers in zip(server.paths, server.headers, strict=True)
               if TOKEN in json.dumps(headers)}  # fmt: skip
    assert carried and all(path.startswith(GITHUB_PATHS) for path in carried), carried
