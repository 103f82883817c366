"""SBOMs: CycloneDX and SPDX JSON in repositories, and ``--sbom FILE`` on the command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from analyzer.cli import app
from analyzer.cli.common import ExitCode
from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parser_for
from analyzer.manifests.sbom import SbomParser, parse_sbom, root_name
from analyzer.manifests.sbom_common import element_offsets, version_or_spec
from analyzer.model import ManifestFile, ParsedManifest, Scope
from analyzer.sources.sbom import SbomSource, file_stem
from tests.conftest import TreeWriter
from tests.helpers import rows

FIXTURES = Path(__file__).parent / "fixtures" / "sbom"
PYTHON_APP = FIXTURES / "acme-api.cdx.json"
NPM_APP = FIXTURES / "web" / "bom.json"
GITHUB_EXPORT = FIXTURES / "github-acme-api.spdx.json"
Parse = Callable[..., ParsedManifest]
R, OPT, B, T, D = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST, Scope.DEV
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def messages(result: ParsedManifest) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


def pypi(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {(f"pkg:pypi/{a}", f"pkg:pypi/{b}") for a, b in pairs}


def npm(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return {
        (f"pkg:npm/{a.replace('@', '%40')}", f"pkg:npm/{b.replace('@', '%40')}") for a, b in pairs
    }


def cyclonedx(**fields: Any) -> str:
    return json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", **fields}, indent=2)


def spdx(**fields: Any) -> str:
    document = {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", **fields}
    return json.dumps(document, indent=2)


def package(spdx_id: str, purl: str | None, version: Any = None) -> dict[str, Any]:
    refs = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": purl}] if purl else []  # fmt: skip
    return {"SPDXID": spdx_id, "name": spdx_id, "versionInfo": version, "externalRefs": refs}


def relation(kind: str, element: str, related: str) -> dict[str, str]:
    return {"relationshipType": kind, "spdxElementId": element, "relatedSpdxElement": related}


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["bom.json", "sbom.json", "BOM.json", "app/acme-api.cdx.json", "x.cyclonedx.json",
     "sbom.spdx.json", "release/api.SPDX.JSON", "dist.bom.json", "image.sbom.json"],
)  # fmt: skip
def test_matches(path: str) -> None:
    assert isinstance(parser_for(path), SbomParser)


@pytest.mark.parametrize(
    "path",
    ["bom.xml", "sbom.spdx", "api.spdx", "sbom.cdx.xml", "bom.json.bak", "cdx.json", "spdx.json",
     "package.json", "boms.json", "mybom.json"],
)  # fmt: skip
def test_does_not_match(path: str) -> None:
    assert not SbomParser().matches(PurePosixPath(path))


# --- CycloneDX ----------------------------------------------------------------------------------

PYTHON_ROWS = [
    ("flask", "3.0.3", R, True, 37, "registry", None),
    ("werkzeug", "3.0.4", R, False, 47, "registry", None),
    ("markupsafe", "2.1.5", R, False, 55, "registry", None),
    ("requests", "2.32.3", R, True, 63, "registry", None),
    ("urllib3", "2.2.3", R, False, 71, "registry", None),
    ("charset-normalizer", "3.3.2", R, False, 79, "registry", None),
    ("typing-extensions", "4.12.2", R, False, 87, "registry", None),
    ("zope-interface", "7.0.3", R, True, 95, "registry", None),
    ("psycopg", "3.2.3", OPT, True, 103, "registry", None),  # scope: optional (an extra)
    ("toolz", "1.0.0", R, True, 115, "vcs", None),  # vcs_url qualifier
    ("pytest", "8.3.3", T, True, 123, "registry", None),  # poetry group "test"
    ("iniconfig", "2.0.0", T, False, 131, "registry", None),
    ("mypy", "1.11.2", D, True, 139, "registry", None),  # groups "lint" and "typing"
    ("mypy-extensions", "1.0.0", D, False, 150, "registry", None),
]
PYTHON_EDGES = pypi(
    ("acme-api", "flask"), ("acme-api", "requests"), ("acme-api", "zope-interface"),
    ("acme-api", "psycopg"), ("acme-api", "toolz"), ("acme-api", "pytest"), ("acme-api", "mypy"),
    ("flask", "werkzeug"), ("werkzeug", "markupsafe"), ("requests", "urllib3"),
    ("requests", "charset-normalizer"), ("psycopg", "typing-extensions"),
    ("pytest", "iniconfig"), ("mypy", "mypy-extensions"), ("mypy", "typing-extensions"),
)  # fmt: skip


def test_cyclonedx_from_a_python_app(parse_text: Parse) -> None:
    result = parse_text("acme-api.cdx.json", PYTHON_APP.read_bytes())
    assert rows(result) == PYTHON_ROWS
    # The tool components under metadata.tools and the product are not dependencies.
    assert result.publishes == ("pkg:pypi/acme-api",)
    assert set(result.edges) == PYTHON_EDGES
    assert len(result.edges) == len(PYTHON_EDGES)
    assert result.lockfile is True
    assert messages(result) == [
        (None, "skipped 2 components fundscout does not audit: 1 pkg:generic, 1 without a purl")
    ]
    assert {(d.repo, d.file) for d in result.dependencies} == {("repo", "acme-api.cdx.json")}


NPM_ROWS = [
    ("react", "18.3.1", R, True, 27, "registry", None),
    ("loose-envify", "1.4.0", R, False, 35, "registry", None),
    ("express", "4.19.2", R, True, 43, "registry", None),
    ("debug", "2.6.9", R, False, 51, "registry", None),  # nested in express
    ("ms", "2.0.0", R, False, 59, "registry", None),  # nested twice; again under body-parser
    ("body-parser", "1.20.2", R, False, 71, "registry", None),
    ("@babel/core", "7.24.7", D, True, 89, "registry", None),  # cdx:npm:package:development
    ("nodemon", "3.1.4", D, True, 102, "registry", None),  # scope: excluded
    ("ms", "2.1.3", D, False, 111, "registry", None),
    ("fsevents", "2.3.3", OPT, True, 123, "registry", None),
    ("left-pad", "1.3.0", R, True, 132, "vcs", None),
    ("@acme/ui-kit", "0.9.0", R, True, 140, "registry", None),
]
NPM_EDGES = npm(
    ("@acme/web", "@acme/ui-kit"), ("@acme/web", "@babel/core"), ("@acme/web", "express"),
    ("@acme/web", "fsevents"), ("@acme/web", "left-pad"), ("@acme/web", "nodemon"),
    ("@acme/web", "react"), ("react", "loose-envify"), ("express", "body-parser"),
    ("express", "debug"), ("debug", "ms"), ("body-parser", "ms"), ("@babel/core", "ms"),
    ("nodemon", "ms"), ("@acme/ui-kit", "react"),
)  # fmt: skip


def test_cyclonedx_from_an_npm_app_with_nested_components(parse_text: Parse) -> None:
    result = parse_text("web/bom.json", NPM_APP.read_bytes())
    assert rows(result) == NPM_ROWS
    assert [d.namespace for d in result.dependencies if d.namespace] == ["@babel", "@acme"]
    assert result.publishes == ("pkg:npm/%40acme/web",)
    assert set(result.edges) == NPM_EDGES
    assert len(result.edges) == len(NPM_EDGES)
    assert result.lockfile is True
    assert result.problems == ()


@pytest.mark.parametrize(
    ("transform", "lines"),
    [
        (lambda text: text.replace("\n", "\r\n"), None),
        (lambda text: text.replace("\n", "\r"), None),
        (lambda text: "\ufeff" + text, None),
        (lambda text: text.replace("  ", "\t"), None),
        (lambda text: json.dumps(json.loads(text)), 1),  # minified: everything on line 1
    ],
    ids=["crlf", "cr", "bom", "tabs", "minified"],
)
def test_cyclonedx_layouts(
    parse_text: Parse, transform: Callable[[str], str], lines: int | None
) -> None:
    text = transform(NPM_APP.read_text(encoding="utf-8"))
    result = parse_text("bom.json", text)
    expected = NPM_ROWS if lines is None else [(*r[:4], lines, *r[5:]) for r in NPM_ROWS]
    assert rows(result) == expected
    assert result.problems == ()


def test_utf16_with_byte_order_mark(parse_text: Parse) -> None:
    data = NPM_APP.read_text(encoding="utf-8").encode("utf-16")
    assert rows(parse_text("bom.json", data)) == NPM_ROWS


def test_cyclonedx_without_a_graph_marks_everything_direct(parse_text: Parse) -> None:
    text = cyclonedx(
        metadata={"component": {"name": "svc", "purl": "pkg:cargo/svc@0.1.0"}},
        components=[
            {"name": "serde", "purl": "pkg:cargo/serde@1.0.210"},
            {"name": "rails", "version": "7.1.3", "purl": "pkg:gem/rails"},  # version field
        ],
        dependencies=[{"ref": "a"}, {"ref": "b", "dependsOn": []}],  # no relation at all
    )
    result = parse_text("svc.cdx.json", text)
    assert rows(result) == [
        ("serde", "1.0.210", R, True, 11, "registry", None),
        ("rails", "7.1.3", R, True, 15, "registry", None),
    ]
    assert result.lockfile is False
    assert result.edges == ()
    assert result.publishes == ("pkg:cargo/svc",)


def test_cyclonedx_graph_without_the_product_uses_the_graph_roots(parse_text: Parse) -> None:
    text = cyclonedx(
        components=[
            {"bom-ref": "a", "purl": "pkg:maven/org.slf4j/slf4j-api@2.0.13"},
            {"bom-ref": "b", "purl": "pkg:maven/ch.qos.logback/logback-classic@1.5.6"},
            {"bom-ref": "c", "purl": "pkg:golang/github.com/gorilla/mux@v1.8.1"},
        ],
        dependencies=[{"ref": "b", "dependsOn": ["a"]}],
    )
    result = parse_text("bom.json", text)
    assert rows(result) == [
        ("org.slf4j:slf4j-api", "2.0.13", R, False, 5, "registry", None),
        ("ch.qos.logback:logback-classic", "1.5.6", R, True, 9, "registry", None),
        ("github.com/gorilla/mux", "v1.8.1", R, True, 13, "registry", None),
    ]
    assert result.edges == (
        ("pkg:maven/ch.qos.logback/logback-classic", "pkg:maven/org.slf4j/slf4j-api"),
    )
    assert result.lockfile is True
    assert result.publishes == ()


def test_cyclonedx_product_repeated_among_its_components(parse_text: Parse) -> None:
    sub = {"bom-ref": "sub", "purl": "pkg:pypi/acme-core@1.0"}
    product = {"bom-ref": "root", "purl": "pkg:pypi/acme@1.0", "components": [sub]}
    text = cyclonedx(
        metadata={"component": product},
        components=[
            {"bom-ref": "root", "purl": "pkg:pypi/acme@1.0"},
            {"bom-ref": "other-ref", "purl": "pkg:pypi/Acme_Core@1.0"},  # the sub-module again
            {"bom-ref": "dep", "purl": "pkg:pypi/attrs@24.2.0"},
        ],
        dependencies=[{"ref": "root", "dependsOn": ["sub"]}, {"ref": "sub", "dependsOn": ["dep"]}],
    )  # fmt: skip
    result = parse_text("bom.json", text)
    assert rows(result) == [("attrs", "24.2.0", R, True, 25, "registry", None)]
    assert result.publishes == ("pkg:pypi/acme", "pkg:pypi/acme-core")
    assert set(result.edges) == pypi(("acme", "acme-core"), ("acme-core", "attrs"))


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:pypi/Flask_Cors@4.0.1", ("pypi", None, "flask-cors", "4.0.1")),
        ("pkg:pypi/zope.interface@7.0", ("pypi", None, "zope-interface", "7.0")),
        ("pkg:npm/%40babel/core@7.24.7", ("npm", "@babel", "core", "7.24.7")),
        ("pkg:npm/babel/core@7.24.7", ("npm", "@babel", "core", "7.24.7")),  # "@" forgotten
        ("pkg:npm/JSONStream@1.3.5", ("npm", None, "JSONStream", "1.3.5")),  # old capitals kept
        ("pkg:maven/org.apache.commons/commons-lang3@3.14.0?type=jar",
         ("maven", "org.apache.commons", "commons-lang3", "3.14.0")),
        ("pkg:cargo/serde_json@1.0.128", ("cargo", None, "serde_json", "1.0.128")),
        ("pkg:golang/golang.org/x/net@v0.28.0#http2", ("golang", "golang.org/x", "net", "v0.28.0")),
        ("pkg:golang/github.com/Azure/azure-sdk-for-go@v68.0.0%2Bincompatible",
         ("golang", "github.com/Azure", "azure-sdk-for-go", "v68.0.0+incompatible")),
        ("pkg:gem/Ascii85@1.1.1", ("gem", None, "Ascii85", "1.1.1")),
        ("pkg:composer/Symfony/Console@v6.4.8", ("composer", "symfony", "console", "v6.4.8")),
        ("pkg:conda/NumPy@1.26.4?channel=conda-forge&subdir=linux-64",
         ("conda", None, "numpy", "1.26.4")),
    ],
)  # fmt: skip
def test_purl_identity(parse_text: Parse, purl: str, expected: tuple[object, ...]) -> None:
    result = parse_text("bom.json", cyclonedx(components=[{"purl": purl}]))
    [dep] = result.dependencies
    assert (dep.ecosystem.value, dep.namespace, dep.name, dep.version) == expected
    assert result.problems == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.2.3", (None, "1.2.3")), ("v1.8.1", (None, "v1.8.1")), ("^4.17.21", ("^4.17.21", None)),
     (">= 2.0", (">= 2.0", None)), ("4.*.*", ("4.*.*", None)), ("1.x", ("1.x", None)),
     ("~> 7.1", ("~> 7.1", None)), ("NOASSERTION", (None, None)), ("", (None, None)),
     (None, (None, None)), (3, (None, None)), ("2024.8.30", (None, "2024.8.30"))],
)  # fmt: skip
def test_version_or_spec(value: object, expected: tuple[str | None, str | None]) -> None:
    assert version_or_spec(value) == expected


def test_cyclonedx_scopes(parse_text: Parse) -> None:
    def comp(name: str, **fields: Any) -> dict[str, Any]:
        return {"purl": f"pkg:npm/{name}@1.0.0", **fields}

    def prop(name: str, value: str) -> dict[str, str]:
        return {"name": name, "value": value}

    text = cyclonedx(components=[
        comp("a"), comp("b", scope="required"), comp("c", scope="optional"),
        comp("d", scope="excluded"), comp("e", scope="Optional"), comp("f", scope=7),
        comp("g", properties=[prop("cdx:npm:package:development", "true")]),
        comp("h", properties=[prop("cdx:npm:package:development", "false")]),
        comp("i", properties=[prop("cdx:maven:component_scope", "test")]),
        comp("j", properties=[prop("cdx:poetry:group", "docs")]),
        comp("k", properties=[prop("cdx:poetry:group", "main"), prop("cdx:poetry:group", "dev")]),
        comp("l", properties=[prop("cdx:poetry:group", "tests"), prop("cdx:poetry:group", "lint")]),
        comp("m", properties="not a list"),
    ])  # fmt: skip
    scopes = [(d.name, d.scope) for d in parse_text("bom.json", text).dependencies]
    assert scopes == [
        ("a", R), ("b", R), ("c", OPT), ("d", D), ("e", OPT), ("f", R), ("g", D), ("h", R),
        ("i", T), ("j", D), ("k", R), ("l", T), ("m", R),
    ]  # fmt: skip


def test_duplicate_components_keep_the_first_line_and_best_scope(parse_text: Parse) -> None:
    text = cyclonedx(
        metadata={"component": {"bom-ref": "root"}},
        components=[
            {"bom-ref": "x1", "purl": "pkg:pypi/six@1.16.0", "scope": "excluded"},
            {"bom-ref": "x2", "purl": "pkg:pypi/six@1.16.0"},
            {"bom-ref": "y", "purl": "pkg:pypi/six@1.17.0"},
        ],
        dependencies=[{"ref": "root", "dependsOn": ["x2"]}],
    )
    assert rows(parse_text("bom.json", text)) == [
        ("six", "1.16.0", R, True, 10, "registry", None),
        ("six", "1.17.0", R, False, 19, "registry", None),
    ]


def test_cyclonedx_bad_entries_are_problems_and_the_rest_counts(parse_text: Parse) -> None:
    text = cyclonedx(
        specVersion="2.0",
        components=[
            {"name": "broken", "purl": "pkg:"},
            "oops",
            {"name": "ok", "purl": "pkg:pypi/attrs@24.2.0", "components": {"not": "a list"}},
        ],
        dependencies=[{"ref": "ok"}, {"dependsOn": ["x"]}, 3],
    )
    result = parse_text("bom.json", text)
    assert rows(result) == [("attrs", "24.2.0", R, True, 10, "registry", None)]
    assert result.lockfile is False  # the graph holds no relation
    assert messages(result) == [
        (3, "unknown CycloneDX version '2.0'"),
        (None, "component 2 is not an object: 'oops'"),
        (5, "component 'broken': invalid purl 'pkg:': purl is missing the required type "
            "component: 'pkg:'."),
        (10, "components must be an array"),
        (None, "dependencies entry 2 has no valid ref and dependsOn"),
        (None, "dependencies entry 3 has no valid ref and dependsOn"),
    ]  # fmt: skip


# --- SPDX ---------------------------------------------------------------------------------------

GITHUB_ROWS = [
    ("flask", "3.0.3", R, True, 19, "registry", None),
    ("werkzeug", "3.0.4", R, False, 35, "registry", None),
    ("gunicorn", None, R, True, 50, "registry", ">= 22.0"),  # a range: no lockfile
    ("sphinx", "7.4.7", D, True, 65, "registry", None),  # PACKAGE_MANAGER (SPDX 2.2 spelling)
    ("docutils", "0.21.2", D, False, 80, "registry", None),  # DEPENDENCY_OF sphinx
    ("@types/node", "20.14.9", R, True, 95, "registry", None),
    ("undici-types", "5.26.5", R, False, 110, "registry", None),
]


def test_spdx_github_dependency_graph_export(parse_text: Parse) -> None:
    result = parse_text("github-acme-api.spdx.json", GITHUB_EXPORT.read_bytes())
    assert rows(result) == GITHUB_ROWS
    assert set(result.edges) == {
        ("pkg:pypi/flask", "pkg:pypi/werkzeug"),
        ("pkg:pypi/sphinx", "pkg:pypi/docutils"),
        ("pkg:npm/%40types/node", "pkg:npm/undici-types"),
    }
    assert result.publishes == ()  # pkg:github/acme/api is no package of any registry
    assert result.lockfile is True
    assert messages(result) == [
        (None, "skipped 2 packages fundscout does not audit: 1 pkg:githubactions, 1 without a purl")
    ]


def test_spdx_without_the_github_wrapper(parse_text: Parse) -> None:
    document = json.loads(GITHUB_EXPORT.read_text(encoding="utf-8"))["sbom"]
    result = parse_text("sbom.json", json.dumps(document, indent=2))
    # One level of indentation less: every package sits one line higher than in the export.
    assert [(r[0], r[4]) for r in rows(result)] == [(r[0], r[4] - 1) for r in GITHUB_ROWS]


def test_spdx_relationship_kinds_and_scope_propagation(parse_text: Parse) -> None:
    ids = ["app", "web", "lint", "cov", "opt", "gen", "tool", "deep", "both"]
    text = spdx(
        documentDescribes=["app"],
        packages=[package("app", "pkg:pypi/app@1.0")]
        + [package(i, f"pkg:pypi/{i}@1.0") for i in ids[1:]],
        relationships=[
            relation("DEPENDS_ON", "app", "web"),
            relation("DEV_DEPENDENCY_OF", "lint", "app"),
            relation("TEST_DEPENDENCY_OF", "cov", "app"),
            relation("OPTIONAL_DEPENDENCY_OF", "opt", "app"),
            relation("BUILD_DEPENDENCY_OF", "gen", "app"),
            relation("DEV_TOOL_OF", "tool", "app"),
            relation("DEPENDS_ON", "lint", "deep"),  # reached from dev and from runtime:
            relation("DEPENDENCY_OF", "deep", "web"),  # runtime wins
            relation("depends_on", "cov", "both"),  # types are matched case-insensitively
            relation("CONTAINS", "app", "both"),  # not a dependency
            relation("DEPENDS_ON", "web", "NOASSERTION"),
        ],
    )
    result = parse_text("bom.spdx.json", text)
    assert [(d.name, d.scope, d.direct) for d in result.dependencies] == [
        ("web", R, True), ("lint", D, True), ("cov", T, True), ("opt", OPT, True),
        ("gen", B, True), ("tool", D, True), ("deep", R, False), ("both", T, False),
    ]  # fmt: skip
    assert result.publishes == ("pkg:pypi/app",)
    assert ("pkg:pypi/app", "pkg:pypi/web") in result.edges
    assert ("pkg:pypi/web", "pkg:pypi/deep") in result.edges
    assert len(result.edges) == 9
    assert result.problems == ()


def test_spdx_described_by_and_graph_roots(parse_text: Parse) -> None:
    described_by = spdx(
        packages=[package("root", None), package("a", "pkg:gem/rack@3.1.7"),
                  package("b", "pkg:gem/rack-test@2.1.0")],
        relationships=[relation("DESCRIBED_BY", "root", "SPDXRef-DOCUMENT"),
                       relation("TEST_DEPENDENCY_OF", "b", "root"),
                       relation("DEPENDS_ON", "b", "a")],
    )  # fmt: skip
    result = parse_text("sbom.json", described_by)
    assert [(d.name, d.scope, d.direct) for d in result.dependencies] == [
        ("rack", T, False),
        ("rack-test", T, True),
    ]
    assert result.edges == (("pkg:gem/rack-test", "pkg:gem/rack"),)  # root has no purl
    assert result.problems == ()  # the described package without a purl is not "skipped"

    no_product = spdx(
        packages=[package("a", "pkg:gem/rack@3.1.7"), package("b", "pkg:gem/rack-test@2.1.0")],
        relationships=[relation("DEPENDENCY_OF", "a", "b")],
    )
    result = parse_text("sbom.json", no_product)
    assert [(d.name, d.direct) for d in result.dependencies] == [
        ("rack", False),
        ("rack-test", True),
    ]


def test_spdx_without_relationships_marks_everything_direct(parse_text: Parse) -> None:
    text = spdx(spdxVersion="SPDX-2.2", packages=[package("x", "pkg:cargo/rand@0.8.5")])
    result = parse_text("x.spdx.json", text)
    assert rows(result) == [("rand", "0.8.5", R, True, 5, "registry", None)]
    assert result.lockfile is False


def test_spdx_bad_entries(parse_text: Parse) -> None:
    text = spdx(
        spdxVersion="SPDX-2.1",
        packages=[7, package("a", "pkg:npm/@scope/")],
    )
    result = parse_text("x.spdx.json", text)
    assert result.dependencies == ()
    assert messages(result) == [
        (2, "unknown SPDX version 'SPDX-2.1'"),
        (None, "package 1 is not an object"),
        (6, "package 'a': invalid purl 'pkg:npm/@scope/': purl is missing the required name "
            "component: 'pkg:npm/@scope/'"),
    ]  # fmt: skip
    result = parse_text("x.spdx.json", spdx(packages={"a": 1}))
    assert messages(result) == [(4, "packages must be an array")]


def test_spdx_3_is_not_supported_yet(parse_text: Parse) -> None:
    text = json.dumps({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []})
    result = parse_text("sbom.spdx.json", text)
    assert messages(result) == [
        (1, "SPDX 3 documents are not supported yet (SPDX 2.2/2.3 JSON are)")
    ]


# --- not an SBOM, unreadable ----------------------------------------------------------------------


def test_other_json_under_a_generic_name_is_ignored(parse_text: Parse) -> None:
    syft_native = '{"artifacts": [], "schema": {"version": "16.0.14"}}'
    result = parse_text("sbom.json", syft_native)
    assert result.dependencies == () and result.problems == ()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"artifacts": []}', (1, "not a CycloneDX or SPDX JSON document")),
        ("[1, 2]", (1, "not a CycloneDX or SPDX JSON document")),
        (
            '{\n  "bomFormat": "CycloneDX",\n  "components": [\n}',
            (4, "invalid JSON: Expecting value"),
        ),
        (b"\x00\x01binary", (None, "binary file, not a text manifest")),
        (b'{"bomFormat": "CycloneDX",\n"x": "caf\xe9"}', (2, "not valid UTF-8 (byte 0xe9)")),
        ("[" * 100_000, (None, "invalid JSON: nested too deeply")),
    ],
    ids=["other-json", "array", "malformed", "binary", "latin-1", "deep"],
)
def test_bad_input_is_one_problem(
    parse_text: Parse, content: str | bytes, expected: tuple[int | None, str]
) -> None:
    result = parse_text("app.cdx.json", content)
    assert result.dependencies == ()
    assert messages(result) == [expected]


def test_parse_sbom_reads_any_file_name(tmp_path: Path) -> None:
    data = NPM_APP.read_bytes()
    file = ManifestFile("web", "exports/web-2024-06.json", len(data), lambda _: data)
    assert rows(parse_sbom(file)) == NPM_ROWS
    other = ManifestFile("web", "x.json", 2, lambda _: b"{}")
    assert messages(parse_sbom(other)) == [(1, "not a CycloneDX or SPDX JSON document")]

    def unreadable(path: str) -> bytes:
        raise SourceError(f"{path}: cannot read: Permission denied")

    gone = ManifestFile("web", "x.json", 2, unreadable)
    assert messages(parse_sbom(gone)) == [(None, "cannot read: Permission denied")]


def test_found_in_a_repository_by_the_walk(tmp_path: Path) -> None:
    from analyzer.config import Config
    from analyzer.pipeline import collect

    root = tmp_path / "org"
    (root / "web" / "sbom").mkdir(parents=True)
    (root / "web" / "sbom" / "bom.json").write_bytes(NPM_APP.read_bytes())
    collection = collect([root], Config())
    assert [(d.display_name, d.file) for d in collection.dependencies][:2] == [
        ("react", "web/sbom/bom.json"),
        ("loose-envify", "web/sbom/bom.json"),
    ]
    assert len(collection.dependencies) == len(NPM_ROWS)


# --- property tests -------------------------------------------------------------------------------

# Mostly well-formed pieces, so that generated documents get deep into the readers, with
# arbitrary values mixed in at every level.
_text = st.text(st.characters(codec="utf-8"), max_size=10)
_good_purls = st.sampled_from([
    "pkg:pypi/requests@2.32.3", "pkg:npm/%40babel/core@7.0.0", "pkg:npm/lodash", "pkg:npm/x@^1",
    "pkg:maven/org.slf4j/slf4j-api@2.0.0", "pkg:golang/golang.org/x/net@v0.1.0", "pkg:docker/x",
    "pkg:cargo/serde@1.0.0", "pkg:npm/x@1?vcs_url=git%2Bhttps://h/r", "pkg:gem/rack@3.1.7",
    "pkg:composer/Acme/Util@1.0", "pkg:conda/numpy@1.26", "pkg:github/acme/api", "pkg:",
])  # fmt: skip
_purls = st.sampled_from([_good_purls] * 4 + [_text]).flatmap(lambda strategy: strategy)
_scalars = st.none() | st.booleans() | st.integers(-5, 5) | _text | _purls
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_good_refs = st.sampled_from(["a", "b", "c", "d", "root", "SPDXRef-DOCUMENT"])
_refs = st.sampled_from([_good_refs] * 3 + [_text]).flatmap(lambda strategy: strategy)


def mostly(
    good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any] = _json
) -> st.SearchStrategy[Any]:
    """``good`` three times in four, else ``bad`` (one_of would merge repeated strategies)."""
    return st.sampled_from([good, good, good, bad]).flatmap(lambda strategy: strategy)


_properties = st.lists(st.fixed_dictionaries({
    "name": mostly(st.sampled_from(["cdx:npm:package:development", "cdx:poetry:group"]), _text),
    "value": mostly(st.sampled_from(["true", "main", "dev", "test"]), _scalars),
}), max_size=3)  # fmt: skip
_component = st.fixed_dictionaries(
    {"bom-ref": _refs, "purl": _purls},
    optional={"name": _scalars, "version": _scalars, "properties": mostly(_properties),
              "scope": mostly(st.sampled_from(["required", "optional", "excluded"]), _scalars)},
)  # fmt: skip
_components = st.recursive(
    _component,
    lambda inner: st.builds(lambda c, kids: {**c, "components": kids}, inner,
                            mostly(st.lists(mostly(inner), max_size=3))),
    max_leaves=8,
)  # fmt: skip
_graph = st.lists(
    mostly(st.fixed_dictionaries({"ref": _refs, "dependsOn": mostly(st.lists(_refs, max_size=4))})),
    max_size=6,
)
_cyclonedx = st.fixed_dictionaries(
    {"bomFormat": st.just("CycloneDX"),
     "components": mostly(st.lists(mostly(_components), min_size=1, max_size=6)),
     "dependencies": mostly(_graph)},
    optional={
        "specVersion": st.sampled_from(["1.4", "1.6", "9"]) | _scalars,
        "metadata": mostly(st.fixed_dictionaries({"component": mostly(_components)})),
    },
)  # fmt: skip
_external_refs = st.lists(st.fixed_dictionaries({
    "referenceCategory": mostly(st.sampled_from(["PACKAGE-MANAGER", "PACKAGE_MANAGER"]), _scalars),
    "referenceType": mostly(st.just("purl"), _scalars), "referenceLocator": _purls,
}), min_size=1, max_size=2)  # fmt: skip
_packages = st.fixed_dictionaries(
    {"SPDXID": _refs, "externalRefs": mostly(_external_refs)},
    optional={"name": _scalars, "versionInfo": _scalars},
)
_kinds = st.sampled_from(
    ["DEPENDS_ON", "DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "DESCRIBES"]
)
_relation = st.builds(relation, mostly(_kinds, _text), _refs, _refs)
_spdx = st.fixed_dictionaries(
    {"spdxVersion": mostly(st.just("SPDX-2.3"), _scalars),
     "packages": mostly(st.lists(mostly(_packages), min_size=1, max_size=6)),
     "relationships": mostly(st.lists(mostly(_relation), max_size=8))},
    optional={"SPDXID": _refs, "documentDescribes": mostly(st.lists(_refs, max_size=2))},
)  # fmt: skip


@st.composite
def _consistent(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A well-formed document whose graph joins its own entries: reaches edges and scopes."""
    ids = draw(st.lists(_good_refs, min_size=1, max_size=5, unique=True))
    purls = {i: draw(_purls) for i in ids}
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=8))
    if kind == "spdx":
        return {
            "spdxVersion": "SPDX-2.3",
            "documentDescribes": draw(st.lists(st.sampled_from(ids), max_size=1)),
            "packages": [package(i, purls[i], draw(_scalars)) for i in ids],
            "relationships": [relation(draw(_kinds), a, b) for a, b in pairs],
        }
    scopes = st.sampled_from(["required", "optional", "excluded"])
    return {
        "bomFormat": "CycloneDX",
        "metadata": {"component": {"bom-ref": "root", "purl": draw(_purls)}},
        "components": [{"bom-ref": i, "purl": purls[i], "scope": draw(scopes)} for i in ids],
        "dependencies": [{"ref": a, "dependsOn": [b]} for a, b in pairs],
    }


def check(data: bytes, name: str = "bom.json") -> None:
    file = ManifestFile("repo", name, len(data), lambda _: data)
    try:
        result = SbomParser().parse(file)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert isinstance(result, ParsedManifest)
    for dep in result.dependencies:
        assert dep.name and (dep.line is None or dep.line >= 1)
    for problem in result.problems:
        assert problem.line is None or problem.line >= 1
    for parent, child in result.edges:
        assert parent.startswith("pkg:") and child.startswith("pkg:") and parent != child


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    check(text.encode("utf-8", errors="surrogatepass"), "x.cdx.json")


@FUZZ
@given(document=st.one_of(_cyclonedx, _spdx, st.builds(lambda d: {"sbom": d}, _spdx),
                          _consistent("cyclonedx"), _consistent("spdx")),
       indent=st.sampled_from([None, 0, 2]))  # fmt: skip
def test_structured_but_wrong_documents(document: dict[str, Any], indent: int | None) -> None:
    check(json.dumps(document, indent=indent).encode("utf-8"))


@FUZZ
@given(document=_cyclonedx | _spdx, indent=st.sampled_from([None, 1, "\t"]))
def test_element_offsets_point_at_the_elements(document: Any, indent: int | str | None) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    offsets = element_offsets(text, frozenset({"components", "packages"}))
    decoder = json.JSONDecoder()
    for path, offset in offsets.items():
        value: Any = document
        for step in path:
            value = value[step]
        assert decoder.raw_decode(text, offset)[0] == value
    expected = sum(1 for _ in _elements(document, frozenset({"components", "packages"})))
    assert len(offsets) == expected


def _elements(value: Any, keys: frozenset[str]) -> Any:
    """Every object that is an element of an array under one of ``keys``."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key in keys and isinstance(child, list):
                yield from (item for item in child if isinstance(item, dict))
            yield from _elements(child, keys)
    elif isinstance(value, list):
        for child in value:
            yield from _elements(child, keys)


# --- the source and the command line --------------------------------------------------------------


def test_root_names_and_file_stems() -> None:
    assert root_name(json.loads(NPM_APP.read_text(encoding="utf-8"))) == "@acme/web"
    assert root_name(json.loads(PYTHON_APP.read_text(encoding="utf-8"))) == "acme-api"
    assert root_name(json.loads(GITHUB_EXPORT.read_text(encoding="utf-8"))) == "acme/api"
    assert root_name(json.loads(spdx(name="images/base"))) == "images/base"
    assert root_name(json.loads(cyclonedx(metadata={"component": {"group": "org.acme"}}))) is None
    assert root_name({"bomFormat": "CycloneDX", "metadata": {"component": {
        "group": "org.acme", "name": "billing"}}}) == "billing"  # fmt: skip
    assert file_stem("exports/acme-api.cdx.json") == "acme-api"
    assert file_stem("release/api.SPDX.json") == "api"
    assert file_stem("bom.json") == "bom"
    assert file_stem("/dev/fd/63") == "63"


def test_source_reads_each_file_once_and_names_repositories(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(cyclonedx(components=[]), encoding="utf-8")
    web = tmp_path / "web.cdx.json"
    web.write_bytes(NPM_APP.read_bytes())
    twin = tmp_path / "twin.cdx.json"
    twin.write_bytes(NPM_APP.read_bytes())
    paths = [tmp_path / "one.json", web, tmp_path / ".." / tmp_path.name / "web.cdx.json", twin]
    scan = SbomSource(paths, taken=["one"]).scan()
    assert [(r.name, r.path) for r in scan.repositories] == [
        (f"one ({tmp_path.as_posix()}/one.json)", f"{tmp_path.as_posix()}/one.json"),
        ("@acme/web", web.as_posix()),
        (f"@acme/web ({twin.as_posix()})", twin.as_posix()),
    ]
    [_, file, _] = scan.manifests
    assert file.read() == NPM_APP.read_bytes()
    with pytest.raises(SourceError, match="not part of the SBOM input"):
        file.read_related("package.json")


@pytest.fixture
def cli_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder holding one manifest that must not be audited by --sbom."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "requirements.txt").write_text("django==5.1\n", encoding="utf-8")
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    return cwd


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def deps_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_deps_with_only_sboms_audits_no_directory(cli_cwd: Path) -> None:
    document = deps_json(run("deps", "--sbom", NPM_APP, "--sbom", GITHUB_EXPORT))
    records = document["dependencies"]
    assert "django" not in {r["name"] for r in records}  # the cwd is not audited
    assert [r["name"] for r in records if r["repo"] == "@acme/web"] == [r[0] for r in NPM_ROWS]
    assert {r["file"] for r in records if r["repo"] == "@acme/web"} == {str(NPM_APP)}
    assert [(r["name"], r["line"]) for r in records if r["repo"] == "acme/api"][:3] == [
        ("flask", 19), ("werkzeug", 35), ("gunicorn", 50)
    ]  # fmt: skip
    assert document["problems"] == [{
        "file": str(GITHUB_EXPORT), "line": None, "repo": "acme/api",
        "message": "skipped 2 packages fundscout does not audit: 1 pkg:githubactions, "
                   "1 without a purl",
    }]  # fmt: skip


def test_deps_with_a_path_and_an_sbom(cli_cwd: Path, write_tree: TreeWriter) -> None:
    org = write_tree({"api/requirements.txt": "flask==3.0.3\n"})
    records = deps_json(run("deps", org, "--sbom", PYTHON_APP))["dependencies"]
    assert {r["repo"] for r in records} == {"api", "acme-api"}
    assert [r["name"] for r in records if r["repo"] == "api"] == ["flask"]
    assert sum(r["repo"] == "acme-api" for r in records) == len(PYTHON_ROWS)


def test_sbom_named_after_the_file_when_it_names_no_product(cli_cwd: Path) -> None:
    (cli_cwd / "exports").mkdir()
    (cli_cwd / "exports" / "billing.cdx.json").write_text(
        cyclonedx(components=[{"purl": "pkg:pypi/attrs@24.2.0"}]), encoding="utf-8"
    )
    records = deps_json(run("deps", "--sbom", "exports/billing.cdx.json"))["dependencies"]
    assert [(r["repo"], r["file"], r["name"]) for r in records] == [
        ("billing", "exports/billing.cdx.json", "attrs")
    ]


def test_audit_with_an_sbom_writes_reports(cli_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("audit", "--sbom", PYTHON_APP, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in report["repositories"]] == ["acme-api"]
    packages = {purl for project in report["projects"] for purl in project["packages"]}
    assert "pkg:pypi/flask" in packages and "pkg:pypi/django" not in packages
    assert "pkg:pypi/acme-api" not in packages


@pytest.mark.parametrize("command", ["audit", "deps"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.json", "{path}: no such file or directory"),
        (lambda d: d, "{path}: is a directory, not an SBOM file"),
        (lambda d: _write(d / "package.json", '{"name": "x"}'),
         "{path}: not a CycloneDX or SPDX JSON document"),
        (lambda d: _write(d / "broken.cdx.json", '{"bomFormat": "CycloneDX",'),
         "{path}: not a CycloneDX or SPDX JSON document"),
        (lambda d: _write(d / "bom.xml", "<bom xmlns='http://cyclonedx.org/schema/bom/1.5'/>"),
         "{path}: not a CycloneDX or SPDX JSON document"),
        (lambda d: _write(d / "v3.spdx.json", '{"@context": "https://spdx.org/rdf/3.0.1/x"}'),
         "{path}: SPDX 3 documents are not supported yet (SPDX 2.2/2.3 are)"),
    ],
    ids=["missing", "directory", "not-sbom", "invalid-json", "xml", "spdx3"],
)  # fmt: skip
def test_unusable_sbom_is_a_one_line_usage_error(
    cli_cwd: Path, tmp_path: Path, command: str, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    result = run(command, "--sbom", path, "--out", tmp_path / "out") if command == "audit" else (
        run(command, "--sbom", path))  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        "fundscout: error: " + message.format(path=path.as_posix())
    ]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_sbom_that_cannot_be_opened(cli_cwd: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.json", cyclonedx()) / "x.json"  # works for root too
    result = run("deps", "--sbom", path)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == f"fundscout: error: {path}: cannot read: Not a directory"


def test_unreadable_sbom(cli_cwd: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = _write(tmp_path / "bom.json", cyclonedx())
    path.chmod(0)
    result = run("deps", "--sbom", path)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == f"fundscout: error: {path}: cannot read: Permission denied"


def test_sbom_over_the_size_limit(cli_cwd: Path) -> None:
    result = run("deps", "--sbom", NPM_APP, "--max-file-size", "1KB")
    assert result.exit_code == ExitCode.USAGE
    size = NPM_APP.stat().st_size
    assert result.stderr.strip() == (
        f"fundscout: error: {NPM_APP}: {size / 1024:.1f} KiB is over the 1000 bytes size limit; "
        "raise it with --max-file-size"
    )


def test_sbom_from_a_pipe(cli_cwd: Path) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(GITHUB_EXPORT.read_bytes())
    try:
        records = deps_json(run("deps", "--sbom", f"/dev/fd/{read_end}"))["dependencies"]
    finally:
        os.close(read_end)
    assert {r["repo"] for r in records} == {"acme/api"}
    assert len(records) == len(GITHUB_ROWS)


def test_sbom_option_is_documented(cli_cwd: Path) -> None:
    for command in ("audit", "deps"):
        result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert "--sbom FILE" in result.stdout
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--sbom FILE" in readme


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
