"""``fundscout audit --budget``: the options, the allocation in the reports, the Sponsors CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.cli.common import ExitCode

API = Path(__file__).parent / "fixtures" / "api"


@pytest.fixture
def org(write_tree) -> Path:  # type: ignore[no-untyped-def]
    return write_tree(  # type: ignore[no-any-return]
        {"svc/requirements.txt": "attrs==25.1.0\nrequests>=2\n", "web/requirements.txt": "attrs\n"}
    )


def audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_budget_splits_and_writes_the_sponsors_csv(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    httpserver.expect_request("/pypi/attrs/json").respond_with_data(
        (API / "pypi" / "attrs.json").read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/pypi/requests/json").respond_with_data("{}", status=404)
    out = tmp_path / "out"
    code, output = audit(
        str(org),
        "--out",
        str(out),
        "-f",
        "json,md",
        "--providers",
        "pypi",
        "--pypi-url",
        httpserver.url_for("").rstrip("/"),
        "--cache-dir",
        str(tmp_path / "c"),
        "--budget",
        "1000",
        "--min-grant",
        "0",
        "--max-share",
        "1",
        "--grants",
        "5",
    )
    assert code == 0, output
    assert "Budget 1,000.00 USD (proportional): 2 grants" in output
    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    grants = {g["name"]: g for g in report["allocation"]["grants"]}
    assert set(grants) == {"python-attrs/attrs", "requests"}
    assert sum(g["amount"] for g in grants.values()) == 1000
    assert grants["python-attrs/attrs"]["payee"]["account"] == "hynek"
    assert grants["requests"]["payee"] is None
    rows = list(csv.reader(io.StringIO((out / "fundscout-sponsors.csv").read_text("utf-8"))))
    assert rows == [
        ["Maintainer username", "Sponsorship amount in USD"],
        ["hynek", f"{grants['python-attrs/attrs']['amount']:.2f}"],
    ]
    assert "## Budget: 1,000.00 USD, proportional" in (out / "fundscout-report.md").read_text(
        encoding="utf-8"
    )


def test_no_sponsors_csv_outside_usd(org: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = audit(
        str(org),
        "--out",
        str(out),
        "-f",
        "json",
        "--no-enrich",
        "--budget",
        "500",
        "--currency",
        "eur",
        "--strategy",
        "equal",
    )
    assert code == 0, output
    allocation = json.loads((out / "fundscout-report.json").read_text("utf-8"))["allocation"]
    assert (allocation["currency"], allocation["strategy"]) == ("EUR", "equal")
    assert not (out / "fundscout-sponsors.csv").exists()


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--budget", "-5", "--budget: expected an amount between 0 and 10^12"),
        ("--currency", "dollars", "--currency: expected a three-letter currency code"),
        ("--strategy", "lottery", "--strategy: expected one of proportional, equal, tiered"),
        ("--max-share", "2", "--max-share: expected a share of the budget between 0 and 1"),
        ("--grants", "0", "--grants: expected a whole number of grants from 1 to 100000"),
    ],
)
def test_bad_budget_flags_are_usage_errors(org: Path, tmp_path: Path, flag, value, message) -> None:
    code, output = audit(str(org), "--out", str(tmp_path), "--no-enrich", flag, value)
    assert code == ExitCode.USAGE
    assert message in " ".join(output.split())
