"""The report's fast paths give what the plain ways they replace give.

JSON is written by orjson instead of ``json.dumps``; HTML and CSV read a document once and
read a project's details only when shown; the used-by list is built in Python instead of a
template loop; texts, values and cells take a short way for plain strings. Each is checked
against the slow semantics it replaces, mostly on generated (and hostile) values.
"""

from __future__ import annotations

import gc
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment

from analyzer import pipeline
from analyzer.config import Config
from analyzer.gc_pause import paused_gc
from analyzer.report import ReportFormat, json_report, markdown, reader, render, view, write_reports
from analyzer.report.csv_report import cell, neutralize
from analyzer.report.details import (
    critical_flag,
    factor_inputs,
    signal_rows,
    usage_how,
    usage_runtime,
)
from analyzer.report.html import usage_items
from analyzer.report.reader import read
from analyzer.report.values import _CONTROLS, fmt, mapping, number, text, texts, value_text
from analyzer.report.view import Document, Usage
from tests.browser.documents import hostile_document, v2_document

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["<b>", "&amp;", "\"'", " runtime ", "=1+1", "\u202e", "\x00\n", "x" * 50, ""]
)
SCALAR = st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE, inner, max_size=3),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def result() -> pipeline.AuditResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        patch.chdir(FIXTURES)
        return pipeline.audit([Path("org")], Config())


# JSON


def plain_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def finite(value: float) -> bool:
    """Floats orjson writes as json does: finite, and zero or from 1e-4 on."""
    return math.isfinite(value) and (value == 0 or abs(value) >= 1e-4)


DOCUMENT_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats().filter(finite)
    | HOSTILE.filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(HOSTILE, DOCUMENT_VALUE, max_size=5))
def test_json_is_written_as_json_dumps_writes_it(data: dict[str, Any]) -> None:
    assert json_report.render_document(data) == plain_json(data)


def test_the_audit_document_is_written_as_json_dumps_writes_it(
    result: pipeline.AuditResult,
) -> None:
    document = json_report.to_data(result)
    assert isinstance(document, Document)
    assert json_report.render_document(document) == plain_json(document)


@pytest.mark.parametrize(
    "data",
    [{"big": 2**64}, {"small": -(2**63) - 1}, {1: "key"}, {"nested": {None: [1]}}],
)
def test_what_orjson_refuses_is_written_by_the_standard_library(data: dict[Any, Any]) -> None:
    assert json_report.render_document(data) == plain_json(data)
    assert json_report.encode_document(data) == plain_json(data).encode("utf-8")


def test_the_written_json_is_the_rendered_json(
    result: pipeline.AuditResult, tmp_path: Path
) -> None:
    (path,) = write_reports(result, tmp_path, (ReportFormat.JSON,))
    assert path.read_bytes() == render(result, ReportFormat.JSON).encode("utf-8")
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate fails as writing it failed
        json_report.encode_document({"name": "\ud800"})


def test_not_a_number_is_written_as_null() -> None:
    """json.dumps would write NaN and Infinity, which no strict JSON parser reads."""
    text = json_report.render_document({"a": math.nan, "b": [math.inf, -math.inf]})
    assert json.loads(text) == {"a": None, "b": [None, None]}


# Reading the document once


def test_a_document_is_read_once_for_html_and_csv(
    result: pipeline.AuditResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[object] = []
    original = reader._read

    def counted(data: Any) -> Any:
        calls.append(data)
        return original(data)

    monkeypatch.setattr(reader, "_read", counted)
    formats = (ReportFormat.JSON, ReportFormat.HTML, ReportFormat.CSV)
    write_reports(result, tmp_path, formats)
    assert len(calls) == 1
    plain = v2_document()
    assert read(plain) == read(plain) and len(calls) == 3  # a plain dict is read each time
    document = Document(plain)
    assert read(document) is read(document)


def test_markdown_takes_the_documents_counts(result: pipeline.AuditResult) -> None:
    document = json_report.to_data(result)
    text = render(result, ReportFormat.MARKDOWN, document)
    assert text == markdown.render(result)
    changed = dict(document["summary"], repositories=12345)
    assert "| 12345 |" in markdown.render(result, counts=changed)


# Details read when shown, as the eager reading read them


def eager_input(raw: Any) -> str:
    item = mapping(raw)
    if "value" not in item:
        return value_text(raw, 120)
    shown = "unknown" if item["value"] is None else value_text(item["value"], 60)
    details = [f"{key} {fmt(found)}" for key in ("score", "weight")
               if (found := number(item.get(key))) is not None]  # fmt: skip
    if text(item.get("source"), 40):
        details.append(f"from {text(item.get('source'), 40)}")
    return f"{shown} ({', '.join(details)})" if details else shown


def eager_usage(item: Any) -> tuple[str, bool | None]:
    item = mapping(item)
    scope = text(item.get("scope"), 20)
    parts = [scope] if scope else []
    if isinstance(item.get("direct"), bool):
        parts.append("direct" if item["direct"] else "transitive")
    depth = number(item.get("depth"))
    if depth is not None and depth > 1:
        parts.append(f"depth {int(depth)}")
    files = texts(item.get("files"), 20)
    how = ", ".join(parts) + (f" in {', '.join(files)}" if files else "")
    return how, (scope == "runtime") if scope else None


USAGE = st.fixed_dictionaries(
    {},
    optional={
        "scope": st.sampled_from(["runtime", "dev", " runtime"]) | VALUE,
        "direct": st.booleans() | VALUE,
        "depth": st.integers(-3, 9) | st.floats() | VALUE,
        "files": st.lists(HOSTILE | VALUE, max_size=25) | VALUE,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(HOSTILE, VALUE | st.dictionaries(HOSTILE, VALUE), max_size=45) | VALUE)
def test_factor_inputs_read_as_before(raw: Any) -> None:
    pairs = tuple((text(k, 80), eager_input(v)) for k, v in list(mapping(raw).items())[:40])
    assert factor_inputs(raw) == pairs


SIGNAL_NAMES = HOSTILE | st.sampled_from(["critical", "critical\x00", "\x1bcritical", "a" * 100])


@given(st.dictionaries(SIGNAL_NAMES, VALUE | st.dictionaries(HOSTILE, VALUE, max_size=3)) | VALUE)
def test_the_critical_flag_is_what_the_signal_rows_show(raw: Any) -> None:
    rows = signal_rows(raw)
    assert critical_flag(raw) == next((row.value for row in rows if row.name == "critical"), None)


def test_signals_are_read_only_when_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    read_rows: list[object] = []
    monkeypatch.setattr(view, "signal_rows", lambda raw: read_rows.append(raw) or ())
    document = v2_document()
    document["projects"][0]["signals"] = {"critical": {"value": True, "source": "ecosystems"}}
    project = reader.read(document).projects[0]
    assert project.critical is True and read_rows == []  # the flag reads one signal
    assert project.signals == () and project.signals == () and len(read_rows) == 1  # once


@settings(max_examples=300, deadline=None)
@given(USAGE | VALUE)
def test_a_use_reads_as_before(raw: Any) -> None:
    assert (usage_how(raw), usage_runtime(raw)) == eager_usage(raw)


OLD_LOOP = (
    "{% for usage in usages %}<li>{{ usage.repo }}{% if usage.how %} "
    '<span class="muted">{{ usage.how }}</span>{% endif %}</li>{% endfor %}'
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(HOSTILE.filter(bool), USAGE), max_size=6))
def test_the_used_by_items_are_what_the_template_loop_wrote(
    uses: list[tuple[str, dict[str, Any]]],
) -> None:
    usages = [Usage(repo, record) for repo, record in uses]
    loop = Environment(autoescape=True).from_string(OLD_LOOP)
    assert str(usage_items(usages)) == loop.render(usages=usages)


def test_hostile_details_stay_escaped() -> None:
    view = read(hostile_document()).projects[0]
    items = str(usage_items(view.used_by))
    assert "<script" not in items and "<img" not in items


# Plain strings, the short way


def eager_text(value: Any, limit: int = 2000) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    flat = str(value)
    flat = (flat if flat.isprintable() else _CONTROLS.sub(" ", flat)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@settings(max_examples=300, deadline=None)
@given(VALUE, st.integers(1, 30))
def test_texts_and_values_read_as_before(value: Any, limit: int) -> None:
    assert text(value, limit) == eager_text(value, limit)
    if value is None or isinstance(value, bool | int | float):
        finite_value = not isinstance(value, float) or math.isfinite(value)
        dumped = json.dumps(value, ensure_ascii=False, sort_keys=True) if finite_value else ""
        assert value_text(value, limit) == text(dumped, limit)


@settings(max_examples=300, deadline=None)
@given(HOSTILE | st.sampled_from(["-1", "@x", "\t", "\uff1dSUM()", "x" * 40_000]))
def test_a_text_cell_is_what_neutralize_makes_it(value: str) -> None:
    assert cell(value) == neutralize(value)


# The collector, paused while the document is built


class Made:
    """An object the collector tracks, to find in its generations."""


def generation_of(made: Made) -> int:
    return next(g for g in (0, 1, 2) if any(o is made for o in gc.get_objects(generation=g)))


@pytest.mark.parametrize(("lasting", "generation"), [(False, 0), (True, 2)])
def test_what_a_lasting_pause_made_goes_to_the_oldest_generation(
    lasting: bool, generation: int
) -> None:
    gc.collect()
    with paused_gc(lasting=lasting):
        assert not gc.isenabled()
        made = Made()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert generation_of(made) == generation


def test_a_lasting_pause_leaves_what_others_froze_frozen() -> None:
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc(lasting=True):
            made = Made()
        # still frozen (an unfreeze would empty it); frozen objects may die meanwhile
        assert 0 < gc.get_freeze_count() <= frozen and generation_of(made) == 0
    finally:
        gc.unfreeze()
