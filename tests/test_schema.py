"""The JSON report against its schema (analyzer/report/schema.json, draft 2020-12).

Every JSON report the tests can produce is validated: the golden file, the committed sample,
fresh audits of the fixture and example organizations, and the hand-written documents the
other report tests use. A failure lists each difference once, by path, with how many
elements share it, so a change to the document shows up as a short, exact list.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from analyzer import pipeline
from analyzer.config import Config
from analyzer.report import json_report
from tests.browser.documents import hostile_document, v2_document

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads((files("analyzer.report") / "schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def describe(error: ValidationError) -> str:
    """One line: where (array positions folded to [*]) and what, without the whole value."""
    if error.context:  # oneOf/anyOf: the branch that came closest says what is wrong
        return describe(best_match(error.context))
    where = re.sub(r"\[\d+\]", "[*]", error.json_path)
    what = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{where}: {what}"


def differences(validator: Draft202012Validator, document: Any) -> list[str]:
    found = Counter(describe(error) for error in validator.iter_errors(document))
    return [f"{line} (x{count})" if count > 1 else line for line, count in sorted(found.items())]


def assert_valid(validator: Draft202012Validator, document: Any, name: str) -> None:
    problems = differences(validator, document)
    assert not problems, f"{name} differs from schema.json:\n  " + "\n  ".join(problems)


def test_the_hand_written_documents_match(validator: Draft202012Validator) -> None:
    assert_valid(validator, v2_document(), "v2_document()")
    assert_valid(validator, v2_document(budget=False), "v2_document(budget=False)")


@pytest.mark.parametrize("enrich", [False, True])
def test_fresh_audits_match(
    validator: Draft202012Validator, monkeypatch: pytest.MonkeyPatch, enrich: bool
) -> None:
    """The fixture organization, with lookups off and with an (offline, empty) lookup."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(FIXTURES)
    from analyzer.enrich import Enrichment

    def nothing_known(graph: Any, progress: Any) -> Enrichment:
        return Enrichment()

    result = pipeline.audit([Path("org")], Config(), enricher=nothing_known if enrich else None)
    assert_valid(validator, json_report.to_data(result), f"audit of tests/fixtures/org ({enrich=})")


def test_the_example_organization_matches(validator: Draft202012Validator) -> None:
    result = pipeline.audit([ROOT / "examples" / "acme"], Config())
    assert_valid(validator, json.loads(json_report.render(result)), "audit of examples/acme")


@pytest.mark.parametrize(
    "path", ["tests/golden/fundscout-report.json", "reports/example/fundscout-report.json"]
)
def test_committed_reports_match(validator: Draft202012Validator, path: str) -> None:
    report = ROOT / path
    if not report.exists():
        pytest.skip(f"{path} is not in this checkout (an sdist)")
    assert_valid(validator, json.loads(report.read_text(encoding="utf-8")), path)


def test_the_schema_rejects_what_it_should(validator: Draft202012Validator) -> None:
    """Hostile funding URLs, a missing factor, an unknown status and a wrong version."""
    assert differences(validator, hostile_document()) == [
        "$.projects[*].funding[*].url: 'data:text/html,<script>x</script>' does not match "
        "'^https?://'",
        "$.projects[*].funding[*].url: 'javascript:window.__pwned = 5' does not match '^https?://'",
    ]
    document = v2_document()
    del document["projects"][0]["factors"]["need"]
    document["projects"][1]["eligibility"]["status"] = "maybe"
    document["schema_version"] = "1"
    document["projects"][2]["surprise"] = True
    assert differences(validator, document) == sorted(
        [
            "$.projects[*]: Additional properties are not allowed ('surprise' was unexpected)",
            "$.projects[*].eligibility.status: 'maybe' is not one of "
            "['eligible', 'flagged', 'excluded']",
            "$.projects[*].factors: 'need' is a required property",
            "$.schema_version: '2' was expected",
        ]
    )


def test_differences_fold_repeated_paths(validator: Draft202012Validator) -> None:
    document = v2_document()
    for project in document["projects"]:
        del project["key"]
    assert differences(validator, document) == ["$.projects[*]: 'key' is a required property (x6)"]
