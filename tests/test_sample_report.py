"""The sample report in reports/example/ is what the documented command produces today.

``python -m scripts.sample_report`` regenerates it from recorded registry answers; this test
runs the same code into a temporary folder and compares byte for byte, so a change to any
report format or to the ranking fails here until the sample is regenerated and reviewed.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from analyzer.report import ReportFormat

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "reports" / "example"
pytestmark = pytest.mark.skipif(
    not (ROOT / "scripts" / "sample_report.py").exists(), reason="no scripts/ in this checkout"
)


def first_difference(expected: str, actual: str) -> str:
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "committed",
                                "regenerated", n=1, lineterm="")  # fmt: skip
    return "\n".join(list(diff)[:20])


def test_the_committed_sample_is_current(tmp_path: Path) -> None:
    from scripts.sample_report import generate

    written = generate(tmp_path)
    assert sorted(p.name for p in written) == sorted(f.filename for f in ReportFormat)
    stale = []
    for path in written:
        committed = SAMPLE / path.name
        expected = committed.read_bytes() if committed.exists() else b""
        actual = path.read_bytes()  # bytes: line ends and encoding count too
        if expected != actual:
            shown = first_difference(expected.decode(errors="replace"), actual.decode())
            stale.append(f"{committed.relative_to(ROOT)}:\n{shown}")
    assert not stale, (
        "the sample report is stale; run `python -m scripts.sample_report` and review the "
        "diff:\n" + "\n".join(stale)
    )


def test_the_sample_uses_the_recorded_data(tmp_path: Path) -> None:
    """Recorded packages are known, the others unknown; nothing came from the network."""
    from scripts.sample_report import DATA, generate

    generate(tmp_path)
    report = json.loads((tmp_path / "fundscout-report.json").read_text(encoding="utf-8"))
    recorded = json.loads((DATA / "recorded.json").read_text(encoding="utf-8"))
    sources = {s["name"]: s for s in report["sources"]}
    assert set(sources) == {"pypi", "npm"}
    assert all(s["from_cache"] == 0 for s in sources.values())
    known = {p["name"] for p in report["projects"] if p["signals"].get("latest_version")}
    purls = {pkg for p in report["projects"] if p["signals"].get("latest_version")
             for pkg in p["packages"]}  # fmt: skip
    assert "pkg:pypi/requests" in purls and "pkg:npm/react" in purls
    assert 0 < len(known) <= len(recorded["pypi"]) + len(recorded["npm"])
    assert report["generated_at"] == recorded["recorded_at"].replace("+00:00", "Z")
