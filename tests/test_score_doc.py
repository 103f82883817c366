"""docs/scoring.md's worked examples run against the code: the documented numbers are real."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"


def test_worked_examples_in_the_scoring_doc_hold() -> None:
    failures, attempted = doctest.testfile(
        str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert attempted >= 30  # the examples were found and run, not silently skipped
    assert failures == 0
