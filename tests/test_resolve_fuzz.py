"""Ranges, specifiers and metadata from hostile input never crash resolution."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier
from packaging.version import Version

from analyzer.resolve.npm import children as npm_children
from analyzer.resolve.npm import choose as npm_choose
from analyzer.resolve.npm import read_document
from analyzer.resolve.pypi import children as pypi_children
from analyzer.resolve.pypi_versions import choose, parse_spec, read_project
from analyzer.resolve.target import Target
from tests.resolve_helpers import API

EXPRESS = read_document(json.loads((API / "npm" / "express.json").read_text()))
REQUESTS = json.loads((API / "pypi" / "requests.json").read_text())
ENV = Target().environment()
# Characters ranges and specifiers are made of, so the generator finds the parser's corners.
RANGE_CHARS = st.text(alphabet="0123456789.^~*xX|<>=!- vV+abrc,;[]()@:/#'\"\\", max_size=60)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(RANGE_CHARS, st.text(max_size=80)))
def test_npm_ranges_never_crash(spec: str) -> None:
    assert EXPRESS is not None
    version, why = npm_choose(EXPRESS, spec)
    assert (version is None) != (why is None)
    assert version is None or version in EXPRESS.versions


@settings(max_examples=300, deadline=None)
@given(st.one_of(RANGE_CHARS, st.text(max_size=80)))
def test_pypi_specifiers_never_crash(spec: str) -> None:
    view = read_project(REQUESTS, Version("3.12"))
    assert view is not None
    try:
        specifier = parse_spec(spec)
    except InvalidSpecifier:
        return
    release, why = choose(view.releases, specifier)
    assert (release is None) != (why is None)
    assert release is None or specifier.contains(release.version, prereleases=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(RANGE_CHARS, st.text(max_size=40)), max_size=8),
       st.lists(st.text(max_size=10), max_size=3))  # fmt: skip
def test_requires_dist_entries_never_crash(requires: list[str], extras: list[str]) -> None:
    for child in pypi_children(requires, extras, ENV):
        assert child.name


@settings(max_examples=200, deadline=None)
@given(JSON, JSON)
def test_documents_of_any_shape_never_crash(document: object, manifest: object) -> None:
    view = read_document(document)
    assert view is None or isinstance(view.versions, dict)
    assert read_project(document, Version("3.12")) is None or isinstance(document, dict)
    npm_children(manifest if isinstance(manifest, dict) else {"dependencies": manifest})
