"""Every registered parser against the classic denial-of-service shapes: 10,000-deep nesting
in each syntax, alias and entity bombs, and one enormous line. The only allowed outcomes are
a result or a ManifestError, within a few seconds, the way the fuzz tests put it."""

from __future__ import annotations

import pytest

from analyzer.manifests import PARSERS, ManifestParser
from tests.helpers import time_limit
from tests.test_parsers_fuzz import check

DEPTH = 10_000
_LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol" * 10}">' for i in range(10))
SHAPES = {
    "json-arrays": "[" * DEPTH + "]" * DEPTH,
    "json-objects": '{"a":' * DEPTH + "1" + "}" * DEPTH,
    "toml-arrays": "a = " + "[" * DEPTH + "]" * DEPTH,
    "toml-inline-tables": "a = " + "{b = " * DEPTH + "1" + "}" * DEPTH,
    "toml-dotted-key": "a" + ".a" * DEPTH + " = 1",
    "yaml-block-sequences": "- " * DEPTH + "x",
    "yaml-flow": "k: " + "{a: " * DEPTH + "1" + "}" * DEPTH,
    "yaml-aliases": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{f'*{p}, ' * 8}*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "xml-elements": "<project>" + "<a>" * DEPTH + "</a>" * DEPTH + "</project>",
    "xml-entities": f"<!DOCTYPE project [{_LAUGHS}]><project><name>&l9;</name></project>",
    "parentheses": "(" * DEPTH + ")" * DEPTH,
    "call-in-a-block": "dependencies {\n  implementation(" + "f(" * DEPTH + ")" * DEPTH + ")\n}\n",
    "array-argument": 'gem "a", ' + "[" * DEPTH + "]" * DEPTH,
    "hash-argument": 'gem "a", ' + "{" * DEPTH + "}" * DEPTH,
    "sbt-module": 'libraryDependencies += "g" % "a" % ' + "(" * DEPTH + '"1"' + ")" * DEPTH,
    "brackets-in-a-string": 'x = "' + "[" * DEPTH + '"',
    "one-long-line": "a" * 1_000_000,
    "many-short-lines": "a==1\n" * 20_000,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("parser", PARSERS, ids=lambda parser: parser.name)
def test_denial_of_service_shapes_end_quickly(parser: ManifestParser, shape: str) -> None:
    with time_limit(20):  # the fuzz check's own 10 s limit applies to the parse itself
        check(parser, SHAPES[shape].encode())
