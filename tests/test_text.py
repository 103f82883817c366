"""Decoding manifest bytes and locating keys and strings by line."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError
from analyzer.manifests.json_keys import json_key_offsets, load_json_keys
from analyzer.manifests.text import TextIndex, decode_text

# --- decode_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"flask\nattrs\n",
        b"\xef\xbb\xbfflask\nattrs\n",
        "flask\nattrs\n".encode("utf-16"),  # with the platform's byte order mark
        b"\xff\xfe" + "flask\nattrs\n".encode("utf-16-le"),
        b"\xfe\xff" + "flask\nattrs\n".encode("utf-16-be"),
        b"\xff\xfe\x00\x00" + "flask\nattrs\n".encode("utf-32-le"),
        b"\x00\x00\xfe\xff" + "flask\nattrs\n".encode("utf-32-be"),
    ],
)
def test_decode_text_reads_utf8_and_marked_encodings(data: bytes) -> None:
    assert decode_text(data) == "flask\nattrs\n"


def test_decode_text_keeps_non_ascii_utf8() -> None:
    assert decode_text("name = 'café'\n".encode()) == "name = 'café'\n"


def test_binary_content_is_refused() -> None:
    with pytest.raises(ManifestError) as caught:
        decode_text(b"PK\x03\x04\x00\x00binary")
    assert caught.value.message == "binary file, not a text manifest"
    assert caught.value.line is None


def test_invalid_utf8_names_the_byte_and_line() -> None:
    with pytest.raises(ManifestError) as caught:
        decode_text(b"a\nb\r\nc \xe9t\xe9\n")
    assert (caught.value.message, caught.value.line) == ("not valid UTF-8 (byte 0xe9)", 3)


def test_invalid_text_after_a_byte_order_mark_names_the_line() -> None:
    with pytest.raises(ManifestError) as caught:
        decode_text(b"\xef\xbb\xbfa\nb\n\xff\n")
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid UTF-8 text: ")
    with pytest.raises(ManifestError) as caught:
        decode_text(b"\xff\xfe" + "a\nb\n".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid UTF-16-LE text: ")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decode_text_returns_text_or_raises_manifest_error(data: bytes) -> None:
    try:
        text = decode_text(data)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
    else:
        assert isinstance(text, str)


# --- TextIndex ------------------------------------------------------------------------------

TOML = """\
[build-system]
requires = ["hatchling"]

[project]
name = "demo"
dependencies = [
  "requests>=2",
  'attrs',
  "tomli; python_version < \\"3.11\\"",
]

[ project . "optional-dependencies" ]
test = ["pytest"]

[tool.demo]
extras = {test = ["x"], docs = ["y"]}
optional-dependencies.lint = ["ruff"]
"""


def test_line_of_counts_every_kind_of_line_ending() -> None:
    index = TextIndex("a\nb\r\nc\rd")
    assert [index.line_of(i) for i in (0, 1, 2, 4, 5, 7)] == [1, 1, 2, 2, 3, 4]
    assert index.line_of(-1) is None


def test_find_table() -> None:
    index = TextIndex(TOML)
    assert index.line_of(index.find_table("build-system")) == 1
    assert index.line_of(index.find_table("project")) == 4
    assert index.line_of(index.find_table("project", "optional-dependencies")) == 12
    assert index.line_of(index.find_table("tool", "demo")) == 15
    assert index.find_table("tool", "poetry") == -1


def test_find_key_starts_at_an_offset() -> None:
    index = TextIndex(TOML)
    project = index.find_table("project")
    assert index.line_of(index.find_key("dependencies", project)) == 6
    assert index.line_of(index.find_key("test", project)) == 13
    assert index.find_key("dependencies", index.find_table("tool", "demo")) == -1


def test_find_key_inside_inline_tables_and_dotted_keys_only_when_asked() -> None:
    index = TextIndex(TOML)
    demo = index.find_table("tool", "demo")
    assert index.find_key("docs", demo) == -1
    assert index.line_of(index.find_key("docs", demo, inline=True)) == 16
    assert index.line_of(index.find_key("test", demo, inline=True)) == 16
    assert index.line_of(index.find_key("lint", demo, inline=True)) == 17


def test_find_key_in_json() -> None:
    index = TextIndex('{\n  "name": "x",\n  "dependencies" : {\n    "a": "1"\n  }\n}\n')
    assert index.line_of(index.find_key("dependencies")) == 3
    assert index.line_of(index.find_key("a")) == 4


def test_find_string_in_each_quoting_style() -> None:
    index = TextIndex(TOML)
    assert index.line_of(index.find_string("requests>=2")) == 7
    assert index.line_of(index.find_string("attrs")) == 8
    assert index.line_of(index.find_string('tomli; python_version < "3.11"')) == 9
    assert index.find_string("missing") == -1


def test_find_string_takes_the_first_after_the_offset() -> None:
    text = 'a = ["x"]\nb = [\'x\']\nc = ["x"]\n'
    index = TextIndex(text)
    first = index.find_string("x")
    second = index.find_string("x", first + 1)
    third = index.find_string("x", second + 1)
    assert [index.line_of(o) for o in (first, second, third)] == [1, 2, 3]
    assert index.find_string("x", third + 1) == -1


# --- json_key_offsets -----------------------------------------------------------------------

PACKAGE_JSON = """\
{
  "name": "web",
  "jest": {"dependencies": {"react": "1"}},
  "dependencies": {
    "react": "^18.2.0",
    "list": ["dependencies", {"nested": 1}],
    "react": "18.3.0"
  },
  "esc\\"aped": 1
}
"""


def test_json_key_offsets_find_top_level_keys_not_nested_ones() -> None:
    index = TextIndex(PACKAGE_JSON)
    keys = json_key_offsets(PACKAGE_JSON)
    lines = {path: [index.line_of(o) for o in offsets] for path, offsets in keys.items()}
    assert lines == {
        ("name",): [2],
        ("jest",): [3],
        ("jest", "dependencies"): [3],
        ("dependencies",): [4],
        ("dependencies", "react"): [5, 7],
        ("dependencies", "list"): [6],
        ('esc"aped',): [9],
    }


def test_json_key_offsets_depth_and_non_objects() -> None:
    assert json_key_offsets('{"a": {"b": {"c": 1}}}', max_depth=1) == {("a",): [1]}
    assert ("a", "b", "c") in json_key_offsets('{"a": {"b": {"c": 1}}}', max_depth=3)
    assert json_key_offsets('[{"a": 1}]') == {}
    assert json_key_offsets('"just a string"') == {}
    assert json_key_offsets("{}") == {}
    assert json_key_offsets('{"a": {}, "b": {"c": {}}}', max_depth=0) == {}


@pytest.mark.parametrize(
    "text",
    ["{{{]]]},,:", "", "{", '{"a"}', '{"a": 1,}', '{"a": 1} x', '{"a": {"b": 1}', "\ufeff{}",
     '{"a": {"b": [1}}}', '{"a" 1}', '{1: 2}', '[1, 2', '{"a\x01": 1}', '{"a": {"b": 1}, }',
     '{"a": {"b": 1}}}', '{"a": {}'],
)  # fmt: skip
def test_load_json_keys_fails_as_json_does(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as caught:
        load_json_keys(text)
    assert (caught.value.msg, caught.value.pos) == (expected.value.msg, expected.value.pos)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]', re.DOTALL)


def _tokenized_key_offsets(text: str, max_depth: int) -> dict[tuple[str, ...], list[int]]:
    """The former implementation, a scan of every token: the reference for the keys."""
    offsets: dict[tuple[str, ...], list[int]] = {}
    path: list[str | None] = []
    stack: list[str] = []
    expect_key, last_key = False, None
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece in ("{", "["):
            path.append(last_key if stack and stack[-1] == "{" else None)
            stack.append(piece)
            expect_key, last_key = piece == "{", None
        elif piece in ("}", "]"):
            stack.pop()
            path.pop()
            expect_key = False
        elif piece in (",", ":"):
            expect_key = piece == "," and stack[-1] == "{"
        elif expect_key:
            last_key = json.loads(piece)
            keys = path[1:]
            if None not in keys and len(keys) < max_depth:
                full = (*(k for k in keys if k is not None), last_key)
                offsets.setdefault(full, []).append(match.start())
    return offsets


class _Pairs(tuple[tuple[str, object], ...]):
    """A JSON object as its written pairs, so that a key may repeat."""


_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(
            st.tuples(st.sampled_from(["a", "b", 'q"', "\\", "é", "\n"]), inner), max_size=4
        ).map(_Pairs)
    ),
    max_leaves=25,
)


def _dumped(document: object, indent: int | None) -> str:
    """JSON text of ``document`` in the layout ``indent`` asks for, with CRLF here and there."""
    gap = "\n" + " " * indent if indent is not None else " "
    if isinstance(document, _Pairs):
        pairs = (f"{json.dumps(k)} :{gap}{_dumped(v, indent)}" for k, v in document)
        return "{" + gap + ("," + gap).join(pairs) + "\r\n}"
    if isinstance(document, list):
        return "[" + ", ".join(_dumped(i, indent) for i in document) + "]"
    return json.dumps(document)


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS, st.sampled_from([None, 0, 2]), st.integers(0, 4))
def test_load_json_keys_agrees_with_json_and_a_full_token_scan(
    document: object, indent: int | None, max_depth: int
) -> None:
    text = _dumped(document, indent)
    data, keys = load_json_keys(text, max_depth)
    assert json.dumps(data) == json.dumps(json.loads(text))  # also for NaN, and key order
    assert keys == _tokenized_key_offsets(text, max_depth)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_json_key_offsets_agree_with_json_on_top_level_keys(document: object) -> None:
    text = json.dumps(document, indent=1)
    keys = json_key_offsets(text, max_depth=1)
    expected = list(document) if isinstance(document, dict) else []
    assert sorted(k[0] for k in keys) == sorted(expected)
    for (key,), offsets in keys.items():
        assert text.startswith(json.dumps(key), offsets[0])
