"""The installed command ends without freeing a big audit, and loses nothing by it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.cli import exiting

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme"

# Runs the entry point with a sentinel kept next to the audit: its __del__ says "freed" when
# the process frees what the command kept, which the quick exit must not do.
AUDIT = textwrap.dedent(
    """
    import atexit, sys
    from analyzer.cli import exiting, main

    class Sentinel:
        def __del__(self):
            print("freed", flush=True)

    keep = exiting.keep_until_exit
    exiting.keep_until_exit = lambda *values: keep(*values, Sentinel())
    atexit.register(lambda: print("exit handler ran", flush=True))
    sys.argv = ["fundscout", *sys.argv[1:]]
    main()
    """
)


def run_audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", AUDIT, *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def reset() -> Iterator[None]:
    yield
    exiting.keeping = False
    exiting._kept.clear()


def test_an_audit_ends_without_freeing_what_it_kept_and_writes_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_audit("audit", str(EXAMPLE), "--no-enrich", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "exit handler ran" in done.stdout
    assert "freed" not in done.stdout
    document = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    assert document["projects"]
    assert (out / "fundscout-report.md").read_text(encoding="utf-8").startswith("#")


def test_the_exit_status_survives_the_quick_exit(tmp_path: Path) -> None:
    """--strict on a tree with an unreadable manifest exits 4 after writing the reports."""
    tree = tmp_path / "org" / "repo"
    tree.mkdir(parents=True)
    (tree / "requirements.txt").write_text("requests==2.31.0\n", encoding="utf-8")
    (tree / "package.json").write_text("{not json", encoding="utf-8")
    out = tmp_path / "out"
    done = run_audit("audit", str(tmp_path / "org"), "--no-enrich", "--strict", "--out", str(out))
    assert done.returncode == 4, done.stderr
    assert "freed" not in done.stdout
    assert "problems while reading manifests" in done.stderr
    assert (out / "fundscout-report.md").exists()


def test_nothing_kept_exits_as_usual(tmp_path: Path) -> None:
    """Nothing to audit: the command exits 3 before keeping anything, the usual way."""
    done = run_audit("audit", str(tmp_path), "--no-enrich", "--out", str(tmp_path / "out"))
    assert done.returncode == 3
    assert "nothing to audit" in done.stderr


def test_in_process_commands_keep_nothing(reset: None) -> None:
    exiting.keep_until_exit(object())
    assert exiting._kept == []
    assert not exiting.can_exit_quickly()


def test_another_thread_running_means_the_usual_exit(
    reset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick exit would cut another thread short (other tests may leave server threads
    running, so the count of threads is set here)."""
    exiting.keeping = True
    exiting.keep_until_exit(object())
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert exiting.can_exit_quickly()
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not exiting.can_exit_quickly()


@pytest.mark.parametrize(
    ("code", "status", "printed"),
    [(None, 0, ""), (0, 0, ""), (4, 4, ""), ("no good", 1, "no good\n")],
)
def test_exit_status_as_system_exit_gives_it(
    capsys: pytest.CaptureFixture[str], code: object, status: int, printed: str
) -> None:
    assert exiting.exit_status(code) == status
    assert capsys.readouterr().err == printed
