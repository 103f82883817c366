"""The command starts without the HTTP stack when it makes no lookups: requests,
requests-cache and redis are a third of its start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "acme"
HEAVY = ("requests", "requests_cache", "redis", "urllib3", "analyzer.http")

_SCRIPT = """
import sys
from typer.testing import CliRunner
from analyzer.cli import app
args = sys.argv[1:]
if args:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(heavy=HEAVY), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [name for name in done.stdout.strip().split(",") if name]


def test_the_command_loads_no_http_stack_to_start() -> None:
    assert _loaded() == []


def test_an_audit_without_lookups_loads_no_http_stack(tmp_path: Path) -> None:
    args = ["audit", str(EXAMPLE), "--no-enrich", "--quiet", "--out", str(tmp_path / "out"),
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    assert _loaded(*args) == []
    assert (tmp_path / "out" / "fundscout-report.md").exists()


def test_an_audit_with_lookups_loads_it(tmp_path: Path) -> None:
    args = ["audit", str(EXAMPLE), "--offline", "--quiet", "--out", str(tmp_path / "out"),
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    assert set(_loaded(*args)) == set(HEAVY)  # the check above can tell
