"""The CSV report: columns, numbers, the allocation, and formula neutralization."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.config import Config
from analyzer.report import ReportFormat, render, write_reports
from analyzer.report.csv_report import COLUMNS, cell, neutralize, render_document
from tests.browser.documents import hostile_document, v2_document

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden" / "fundscout-report.csv"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_project_in_rank_order_with_every_column() -> None:
    text = render_document(v2_document())
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    assert all(line.count("\n") == 0 for line in text.split("\r\n"))  # one record per line
    found = rows(text)
    assert [r["rank"] for r in found] == ["1", "2", "3", "4", "5", "6"]
    first = found[0]
    assert first["name"] == "requests"
    assert first["key"] == first["repository"] == "https://github.com/requests/requests"
    assert (first["priority"], first["reliance"], first["need"]) == ("61.2", "0.9", "0.7")
    assert first["funding_platforms"] == "GitHub Sponsors"
    assert first["used_by"] == "api; web; jobs" and first["used_by_count"] == "3"
    assert first["eligibility"] == "eligible"
    assert found[1]["flags"] == "reach-out"
    assert found[3]["criticality"] == found[3]["need"] == ""  # unknown is empty, never 0


def test_grants_fill_the_allocation_columns() -> None:
    found = rows(render_document(v2_document()))
    grants = {r["name"]: (r["grant_amount"], r["grant_currency"], r["grant_payee"]) for r in found}
    assert grants["requests"] == ("6000", "EUR", "GitHub Sponsors: psf")
    assert grants["attrs"] == ("2500.5", "EUR", "GitHub Sponsors: hynek")
    assert grants["left-pad"] == ("1499.5", "EUR", "")
    assert grants["zod"] == ("", "", "")
    without = rows(render_document(v2_document(budget=False)))
    assert {r["grant_amount"] for r in without} == {""}


def test_a_grant_for_an_unranked_project_keeps_its_own_row() -> None:
    document = v2_document()
    document["allocation"]["grants"].append(
        {"project": "https://github.com/gone/gone", "amount": 10.0, "payee": None}
    )
    last = rows(render_document(document))[-1]
    assert (last["rank"], last["key"], last["grant_amount"]) == (
        "",
        "https://github.com/gone/gone",
        "10",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),  # a text that looks like a number is still text from a registry
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_formula_starts_are_neutralized(text: str, expected: str) -> None:
    assert neutralize(text) == expected


def test_numbers_stay_numbers() -> None:
    assert [cell(v) for v in (-0.5, 3, 2.0, None, True)] == ["-0.5", "3", "2", "", "true"]


def test_hostile_cells_never_start_a_formula() -> None:
    found = rows(render_document(hostile_document()))
    first = found[0]
    assert first["reasons"].startswith("</script>")  # markup is harmless in a sheet
    assert first["maintainers"].startswith('"><svg')
    assert first["used_by"].startswith("'-2+3")
    for row in found:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), (column, value)
            assert not value.startswith("-") or column in ("priority", "reliance"), (column, value)


def test_long_cells_fit_a_spreadsheet() -> None:
    assert len(neutralize("x" * 100_000)) == 32_766


def test_the_audit_writes_a_csv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(FIXTURES)
    result = pipeline.audit([Path("org")], Config())
    (path,) = write_reports(result, tmp_path, (ReportFormat.CSV,))
    text = path.read_bytes().decode("utf-8")
    assert path.name == "fundscout-report.csv" and not text.startswith("\ufeff")
    found = rows(text)
    assert len(found) == len(result.ranking.projects) > 0
    assert all(len(r) == len(COLUMNS) and None not in r for r in found)
    assert [int(r["rank"]) for r in found] == [p.rank for p in result.ranking.projects]


def test_csv_matches_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture organization with a budget, as tests/test_reports.py renders it.

    Regenerate after an intended change with ``FUNDSCOUT_UPDATE_GOLDEN=1 pytest
    tests/test_csv.py`` and review the diff.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(FIXTURES)
    config = Config()
    budget = replace(config.budget, amount=Decimal(1000), min_grant=0, max_share=Decimal("0.5"))
    text = render(pipeline.audit([Path("org")], replace(config, budget=budget)), ReportFormat.CSV)
    if os.environ.get("FUNDSCOUT_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(text.encode("utf-8"))
    assert text.encode("utf-8") == GOLDEN.read_bytes()
    assert any(row["grant_amount"] for row in rows(text))
