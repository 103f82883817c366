"""Interrupted and concurrent audits, as real processes against a slow local API.

Ctrl-C (SIGINT) during the lookups must end the audit promptly with exit code 130, leave no
report (not even half of one) and a cache SQLite still calls sound; the next run resumes,
asking only for what the first did not get. Two audits sharing one cache at the same time
must both succeed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.enrich.client import Endpoints
from analyzer.report import write_atomic
from tests import faults
from tests.faults import FaultServer

PACKAGES = [f"pkg{n:03}" for n in range(120)]
DELAY = 0.5  # seconds per PyPI answer: eight at a time, the lookups take 7.5 seconds


def pypi_document(path: str) -> dict[str, object]:
    name = path.split("/")[2]
    return {"info": {"name": name, "version": "1.0", "license": "MIT"},
            "releases": {"1.0": [{"upload_time_iso_8601": "2024-01-02T03:04:05Z"}]}}  # fmt: skip


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with faults.fault_server() as running:
        running.route("/pypi/*/json", faults.by_path(pypi_document, DELAY))
        yield running


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    repo = tmp_path / "org" / "api"
    repo.mkdir(parents=True)
    (repo / "requirements.txt").write_text("".join(f"{name}==1.0\n" for name in PACKAGES))
    return tmp_path / "org"


def audit(server: FaultServer, tree: Path, out: Path, cache: Path) -> subprocess.Popen[bytes]:
    """``python -m analyzer audit`` in a child process whose every API is the fault server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUNDSCOUT_", "GITHUB_"))}
    env.pop("GH_TOKEN", None)
    env.update({variable: server.url() for variable in Endpoints.ENV.values()})
    env["FUNDSCOUT_CACHE_DIR"] = str(cache)
    command = [sys.executable, "-m", "analyzer", "audit", str(tree), "--out", str(out),
               "--providers", "pypi", "--no-resolve", "--format", "md,json"]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def sound(cache: Path) -> list[Path]:
    """Every SQLite database in the cache, each passing its own integrity check."""
    databases = sorted(p for p in cache.rglob("*") if p.suffix in (".sqlite", ".db"))
    for database in databases:
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",), database
    return databases


def wait_for(condition: object, seconds: float) -> None:
    ends = time.monotonic() + seconds
    while not condition() and time.monotonic() < ends:  # type: ignore[operator]
        time.sleep(0.02)


def test_ctrl_c_during_lookups_leaves_no_report_and_the_next_run_resumes(
    server: FaultServer, tree: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    child = audit(server, tree, out, cache)
    wait_for(lambda: len(server.answered) >= 8, 30)
    assert len(server.answered) >= 8, child.stderr.read1().decode()  # type: ignore[union-attr]
    time.sleep(DELAY + 0.2)  # the first answers are in the cache by now
    interrupted_at = time.monotonic()
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    # In-flight requests may finish; the queued ones must not be sent.
    assert time.monotonic() - interrupted_at < 3, "Ctrl-C was not acted on promptly"
    assert child.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert not out.exists() or not list(out.iterdir())  # no report, no temporary file
    assert sound(cache)
    # Answers received well before the interrupt are in the cache: the rerun skips them.
    settled = {p for p, at in server.answered.items() if at < interrupted_at - DELAY}
    asked = dict(server.hits)
    server.route("/pypi/*/json", faults.by_path(pypi_document))  # no delay: a quick rerun
    rerun = audit(server, tree, out, cache)
    _, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == [
        "fundscout-report.json", "fundscout-report.md"
    ]  # fmt: skip
    again = {path for path, hits in server.hits.items() if hits > asked.get(path, 0)}
    assert settled and not again & settled
    assert len(again) < len(PACKAGES)
    sound(cache)


def test_two_audits_sharing_one_cache_both_succeed(
    server: FaultServer, tree: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    server.route("/pypi/*/json", faults.by_path(pypi_document, 0.02))
    children = [audit(server, tree, tmp_path / f"out{n}", cache) for n in (1, 2)]
    for child in children:
        _, stderr = child.communicate(timeout=90)
        assert child.returncode == 0, stderr.decode()
    reports = [(tmp_path / f"out{n}" / "fundscout-report.json").read_text() for n in (1, 2)]
    assert all('"pkg:pypi/pkg119"' in report for report in reports)
    assert sound(cache)


def test_an_interrupted_report_write_leaves_the_previous_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "fundscout-report.md"
    report.write_text("the previous report\n")
    real_replace = os.replace

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C between writing the new text and renaming it

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(report, "a new report that never lands\n")
    monkeypatch.setattr(os, "replace", real_replace)
    assert report.read_text() == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fundscout-report.md"]  # no temporary
