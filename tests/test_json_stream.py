"""The JSON report written piece by piece is byte for byte the report encoded at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import pipeline
from analyzer.config import Config
from analyzer.report import json_report
from analyzer.report.json_stream import PIECEWISE, chunks, write_json

FIXTURES = Path(__file__).parent / "fixtures"
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    ["\n", "a\nb", "\\n", '"', "\u2028", "projects"]
)
SCALAR = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | TEXT
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)
KEYS = st.sampled_from(sorted(PIECEWISE)) | TEXT
DOCUMENT = st.dictionaries(KEYS, VALUE | st.lists(VALUE, max_size=4), max_size=6)


def encoded(document: dict[str, Any]) -> bytes:
    return b"".join(chunks(document))


@settings(max_examples=300, deadline=None)
@given(DOCUMENT)
def test_pieces_are_the_document_encoded_at_once(document: dict[str, Any]) -> None:
    assert encoded(document) == json_report.encode_document(document)


def test_the_report_of_an_audit_is_the_same(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        patch.chdir(FIXTURES)
        document = json_report.to_data(pipeline.audit([Path("org")], Config()))
    assert len(document["projects"]) > 1
    pieces = list(chunks(document))
    assert len(pieces) > len(document["projects"])  # one piece per project at least
    write_json(tmp_path / "report.json", document)
    assert (tmp_path / "report.json").read_bytes() == json_report.encode_document(document)


@pytest.mark.parametrize(
    "document",
    [
        {"projects": [{"n": 2**70}]},  # beyond 64 bits
        {"projects": [{1: "a"}]},  # a key that is not a string, deep
        {2: "top"},
        {"a": 1, 2: "b"},
    ],
)
def test_what_orjson_refuses_is_written_by_the_standard_library(
    tmp_path: Path, document: dict[Any, Any]
) -> None:
    with pytest.raises(orjson.JSONEncodeError):
        encoded(document)
    write_json(tmp_path / "report.json", document)
    written = (tmp_path / "report.json").read_bytes()
    assert written == json_report.encode_document(document)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_a_lone_surrogate_fails_as_before(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_json(tmp_path / "report.json", {"projects": [{"name": "\ud800"}]})
    assert list(tmp_path.iterdir()) == []
