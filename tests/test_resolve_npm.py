"""npm resolution: ranges with npm semantics, dist-tags, deprecation, dependency kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analyzer.resolve.interface import DEPENDENCY, OPTIONAL, PEER, Request
from analyzer.resolve.npm import NpmResolver, PackageView, children, choose, read_document
from tests.resolve_helpers import API, hits, make_client, serve_registries


def package(name: str) -> PackageView:
    view = read_document(json.loads((API / "npm" / f"{name.replace('/', '+')}.json").read_text()))
    assert view is not None
    return view


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("^4.17.0", "4.21.2"),
        ("~4.19.0", "4.19.2"),
        ("4.17.x", "4.17.3"),
        ("4.x", "4.21.2"),
        ("4", "4.21.2"),
        ("*", "4.21.2"),  # the latest tag, though 5.0.1 is higher
        ("", "4.21.2"),
        (">=4", "4.21.2"),  # npm prefers the latest tag whenever it satisfies the range
        ("^5.0.0", "5.0.1"),
        ("4.17.0 - 4.20.0", "4.19.2"),  # hyphen range
        ("4.17 - 4.19", "4.19.2"),  # a partial upper bound includes all of 4.19
        ("^3.0.0 || ~4.19.1", "4.19.2"),
        ("next", "5.0.0-beta.3"),  # a dist-tag
        (">=5.0.0-beta.1 <5.0.1", "5.0.0-beta.3"),  # the range names a 5.0.0 pre-release
        (">=4.22.0 <5.0.1", None),  # pre-releases of another version stay out
        ("v4.19.2", "4.19.2"),
        ("=4.19.2", "4.19.2"),
        ("^6.0.0", None),
        ("beta", None),  # not a range, so a tag, and there is no such tag
        ("git+https://github.com/expressjs/express.git", None),
        ("expressjs/express#v4.19.2", None),
        ("file:../express", None),
    ],
)
def test_express_ranges(spec: str, expected: str | None) -> None:
    assert choose(package("express"), spec)[0] == expected


def test_tags_and_prereleases() -> None:
    ms = package("ms")
    assert choose(ms, "canary") == ("3.0.0-canary.1", None)
    assert choose(ms, "^2.0.0")[0] == "2.1.3"
    assert choose(ms, "2.0.0")[0] == "2.0.0"
    assert choose(ms, "^3.0.0")[0] is None  # a pre-release never satisfies a plain range
    assert choose(package("react"), "rc")[0] == "19.0.0-rc.1"
    assert choose(package("react"), "^18.2.0")[0] == "18.3.1"


def test_or_ranges_pick_the_highest_match_below_the_latest_tag() -> None:
    assert choose(package("js-tokens"), "^3.0.0 || ^4.0.0")[0] == "4.0.0"


def test_deprecated_versions_only_when_nothing_else_matches() -> None:
    glob = package("glob")
    assert choose(glob, "^7.1.0")[0] == "7.2.0"  # 7.2.3 is higher but deprecated
    assert choose(glob, "7.2.3")[0] == "7.2.3"
    assert choose(glob, "^10.0.0")[0] == "10.4.5"
    assert choose(glob, "*")[0] == "7.2.0"  # the latest tag is deprecated: npm avoids it


def test_reasons_for_no_choice() -> None:
    express = package("express")
    assert choose(express, "^6.0.0")[1] == "no version satisfies '^6.0.0'"
    assert choose(express, "beta")[1] == "no dist-tag or valid range 'beta'"
    assert choose(express, "link:../x")[1] == "not a registry range: 'link:../x'"
    assert choose(express, "1" * 600)[1] == "range too long"


def test_dependency_kinds() -> None:
    chokidar = package("chokidar").versions["3.6.0"]
    found = {(c.name, c.spec, c.kind) for c in children(chokidar)}
    # optionalDependencies overrides the same name in dependencies
    assert found == {("anymatch", "~3.1.2", DEPENDENCY), ("fsevents", "~2.3.2", OPTIONAL)}
    react_dom = children(package("react-dom").versions["18.3.1"])
    assert [(c.name, c.kind) for c in react_dom if c.kind == PEER] == [("react", PEER)]
    aliased = children(package("string-width-cjs").versions["4.2.3"])
    assert [(c.name, c.spec) for c in aliased] == [("strip-ansi-cjs", "^6.0.1")]


def test_hostile_manifest_entries_are_skipped() -> None:
    manifest = {
        "dependencies": {"ok": "^1", "../evil": "^1", "bad-spec": {"version": "1"}, "": "1"},
        "optionalDependencies": ["not", "a", "table"],
        "peerDependencies": None,
    }
    assert [c.name for c in children(manifest)] == ["ok"]
    assert read_document({"versions": {"1.0.0": "nope", "not-semver": {}}}) == PackageView(
        {}, {"1.0.0": {}}
    )
    assert read_document({"versions": []}) is None


def test_resolver_fetches_scoped_documents_once(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_registries(httpserver)
    resolver = NpmResolver(make_client(httpserver, tmp_path / "cache"))
    types, tag = Request("@types/react", "^18.2.66"), Request("@types/react", "ts5.6")
    missing = Request("@acme/internal", "^1")
    answers = resolver.resolve([types, tag, missing])
    assert answers[types].version == answers[tag].version == "18.3.12"
    assert [(c.name, c.spec) for c in answers[types].children] == [
        ("@types/prop-types", "*"), ("csstype", "^3.0.2"),
    ]  # fmt: skip
    assert answers[missing].note == "@acme/internal: not on the registry"
    assert hits(httpserver, "/@types/react") == 1
    # the registry wants the scope's slash encoded: "/@types%2Freact"
    sent = {request.environ.get("RAW_URI") for request, _ in httpserver.log}
    assert "/@types%2Freact" in sent
