"""Maven pom.xml: scopes, management, interpolation, parents, modules, hostile XML, corpus."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests import parse_manifest
from analyzer.manifests.maven import MavenParser
from analyzer.manifests.maven_properties import Interpolator, concrete
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.sources import LocalSource

FIXTURES = Path(__file__).parent / "fixtures" / "maven"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
Parse = Callable[..., ParsedManifest]
R, OPT, B, T = Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST


def rec(
    coordinates: str,
    spec: str | None,
    version: str | None = None,
    *,
    line: int,
    scope: Scope = R,
    file: str = "pom.xml",
    source: str = "registry",
) -> Dependency:
    group, artifact = coordinates.split(":")
    return Dependency(
        Ecosystem.MAVEN, artifact, spec, version, scope, True, "repo", file, line,
        namespace=group, source=source,
    )  # fmt: skip


def problem(line: int | None, message: str, file: str = "pom.xml") -> Problem:
    return Problem(file, line, message, "repo")


def parse_fixture(root: Path, path: str) -> ParsedManifest:
    source = LocalSource(root, lambda _: True)
    size = (root / path).stat().st_size
    return parse_manifest(ManifestFile("repo", path, size, source.read))


def pom(body: str, head: str = "<project>") -> str:
    """A POM around ``body``: a plain ``<project>`` root unless another head is given."""
    return f"{head}\n{body}\n</project>\n"


def dependency(group: str, artifact: str, version: str | None = None, extra: str = "") -> str:
    version_xml = f"<version>{version}</version>" if version is not None else ""
    return (
        f"<dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"{version_xml}{extra}</dependency>"
    )


# --- a multi-module project -------------------------------------------------------------------

SHOP = FIXTURES / "shop"


def test_shop_parent_bom_import_plugins_and_modules() -> None:
    result = parse_fixture(SHOP, "pom.xml")
    # The parent (spring-boot-starter-parent) is not in the tree, but every version here is
    # known, so there is nothing to note. Management-only entries are not dependencies.
    assert result.problems == ()
    assert result.dependencies == (
        rec("com.fasterxml.jackson:jackson-bom", "2.17.0", "2.17.0", line=38, scope=B),
        rec("org.slf4j:slf4j-api", "2.0.12", "2.0.12", line=66),
        # no groupId: Maven's default plugin group; the version comes from pluginManagement
        rec("org.apache.maven.plugins:maven-surefire-plugin", "3.2.5", "3.2.5", line=82, scope=B),
        rec("com.diffplug.spotless:spotless-maven-plugin", "2.43.0", "2.43.0", line=95, scope=B),
        rec("com.google.googlejavaformat:google-java-format", "1.21.0", "1.21.0", line=100,
            scope=B),
        rec("kr.motd.maven:os-maven-plugin", "1.7.1", "1.7.1", line=109, scope=B),
    )  # fmt: skip
    assert result.publishes == (
        "pkg:maven/com.example.shop/shop-parent",
        "pkg:maven/com.example.shop/shop-core",
        "pkg:maven/com.example.shop/shop-api",
    )


def test_shop_core_inherits_properties_and_management() -> None:
    path = "shop-core/pom.xml"
    result = parse_fixture(SHOP, path)
    assert result.dependencies == (
        # managed as ${guava.version}: this module's own value of the property wins
        rec("com.google.guava:guava", "32.1.3-jre", "32.1.3-jre", line=19, file=path),
        # managed by the imported jackson BOM, which is not fetched
        rec("com.fasterxml.jackson.core:jackson-databind", None, line=23, file=path),
        rec("jakarta.servlet:jakarta.servlet-api", "6.0.0", "6.0.0", line=27, file=path),
        rec("org.postgresql:postgresql", "42.7.3", "42.7.3", line=33, scope=OPT, file=path),
        rec("io.micrometer:micrometer-core", "${micrometer.version}", line=40, file=path),
        # version and test scope both come from the parent's dependencyManagement
        rec("org.junit.jupiter:junit-jupiter", "5.10.2", "5.10.2", line=45, scope=T, file=path),
    )
    parent = "org.springframework.boot:spring-boot-starter-parent:3.2.4"
    assert result.problems == (
        problem(
            6,
            f"parent POM {parent} of pom.xml is not in the audited tree; "
            "versions it manages are unknown",
            path,
        ),
        problem(
            40,
            "io.micrometer:micrometer-core: unresolved property ${micrometer.version} in the "
            "version",
            path,
        ),
    )
    assert result.publishes == ("pkg:maven/com.example.shop/shop-core",)


def test_shop_api_ranges_system_profiles_and_duplicates() -> None:
    path = "shop-api/pom.xml"
    result = parse_fixture(SHOP, path)
    assert result.dependencies == (
        # managed as ${project.version}: interpolated in this module, whose version is 2.5.0
        rec("com.example.shop:shop-core", "2.5.0", "2.5.0", line=18, file=path),
        rec("com.sun:tools", "1.8", "1.8", line=22, file=path, source="path"),
        rec("org.eclipse.jetty:jetty-server", "[9.4.35.v20201120,9.5)", line=29, file=path),
        rec("commons-io:commons-io", "[2.15.1]", "2.15.1", line=34, file=path),
        # ${project.parent.version} is ${revision}, defined in the parent
        rec("com.example.shop:shop-core", "2.4.0-SNAPSHOT", "2.4.0-SNAPSHOT", line=39,
            scope=T, file=path),
        rec("org.apache.commons:commons-lang3", "3.14.0", "3.14.0", line=51, file=path),
        rec("org.graalvm.sdk:graal-sdk", "23.1.2", "23.1.2", line=62, scope=OPT, file=path),
        rec("org.assertj:assertj-core", "3.25.3", "3.25.3", line=68, scope=T, file=path),
    )  # fmt: skip
    assert result.problems == (
        problem(
            46,
            "org.apache.commons:commons-lang3 is declared again on line 51; "
            "Maven uses the later declaration",
            path,
        ),
    )
    assert result.publishes == ("pkg:maven/com.example.shop/shop-api",)


# --- single files -------------------------------------------------------------------------------


def test_bom_crlf_tabs_comments_and_no_namespace(parse_text: Parse) -> None:
    content = (
        "\ufeff<?xml version='1.0'?>\r\n<project>\r\n\t<groupId>org.acme</groupId>\r\n"
        "\t<artifactId>tool</artifactId>\r\n\t<dependencies>\r\n\t\t<dependency>\r\n"
        "\t\t\t<groupId>\r\n\t\t\t\torg.yaml\r\n\t\t\t</groupId>\r\n"
        "\t\t\t<artifactId>snakeyaml</artifactId>\r\n"
        "\t\t\t<version><!-- pinned for CVE-2022-1471 -->2.2</version>\r\n"
        "\t\t\t<optional>TRUE</optional>\r\n"
        "\t\t</dependency>\r\n\t</dependencies>\r\n</project>\r\n"
    )
    result = parse_text("pom.xml", content.encode("utf-8"))
    assert result.problems == ()
    assert result.dependencies == (rec("org.yaml:snakeyaml", "2.2", "2.2", line=10, scope=OPT),)
    assert result.publishes == ("pkg:maven/org.acme/tool",)


def test_lone_carriage_returns_count_as_lines(parse_text: Parse) -> None:
    content = "<project>\r<dependencies>\r" + dependency("a", "b", "1") + "\r</dependencies>\r"
    result = parse_text("pom.xml", content + "</project>")
    assert result.dependencies == (rec("a:b", "1", "1", line=3),)


def test_declared_latin1_encoding(parse_text: Parse) -> None:
    content = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<project>\n<name>Caf\xe9</name>\n'
        "<dependencies>\n" + dependency("org.caf\xe9", "cr\xe8me", "1.0") + "\n</dependencies>\n"
        "</project>\n"
    )
    result = parse_text("pom.xml", content.encode("latin-1"))
    assert result.problems == ()
    assert result.dependencies == (rec("org.caf\xe9:cr\xe8me", "1.0", "1.0", line=5),)


def test_maven4_namespace_deprecated_forms_and_foreign_elements(parse_text: Parse) -> None:
    body = (
        "<groupId>org.acme</groupId><artifactId>core</artifactId><version>3.1</version>\n"
        "<properties><x:ignored xmlns:x='urn:x'>9</x:ignored></properties>\n"
        "<dependencies>\n"
        + dependency("org.acme", "util", "${version}")
        + "\n"
        + dependency("org.acme", "extra", "${pom.version}")
        + "\n"
        + dependency("org.acme", "plugin-api", "@project.version@")
        + "\n<x:dependency xmlns:x='urn:x'><x:artifactId>no</x:artifactId></x:dependency>\n"
        "</dependencies>"
    )
    result = parse_text("pom.xml", pom(body, '<project xmlns="http://maven.apache.org/POM/4.1.0">'))
    assert result.dependencies == (
        rec("org.acme:util", "3.1", "3.1", line=5),
        rec("org.acme:extra", "3.1", "3.1", line=6),
        rec("org.acme:plugin-api", "@project.version@", line=7),
    )
    assert result.problems == (
        problem(7, "org.acme:plugin-api: unresolved property @project.version@ in the version"),
    )


def test_version_meaning() -> None:
    assert concrete("1.2.3") == "1.2.3"
    assert concrete("4.1.42.Final") == "4.1.42.Final"
    assert concrete("[1.2.3]") == "1.2.3"
    assert concrete("[1.0,2.0)") is None
    assert concrete("(,1.0],[1.2,)") is None
    assert concrete("LATEST") is None
    assert concrete("release") is None
    assert concrete("${x}") is None
    assert concrete(None) is None


def test_scopes_and_bad_entries(parse_text: Parse) -> None:
    body = (
        "<dependencies>\n"
        + dependency("a", "compiled", "1", "<scope>compile</scope>")
        + "\n"
        + dependency("a", "weird", "1", "<scope>bundled</scope>")
        + "\n"
        + dependency("a", "imported", "1", "<scope>import</scope>")
        + "\n<dependency><groupId>a</groupId><version>1</version></dependency>\n"
        + dependency("${no.group}", "x", "1")
        + "\n"
        + dependency("a", "optional-test", "1", "<scope>test</scope><optional>true</optional>")
        + "\n</dependencies>"
    )
    result = parse_text("pom.xml", pom(body))
    assert result.dependencies == (
        rec("a:compiled", "1", "1", line=3),
        rec("a:weird", "1", "1", line=4),
        rec("a:imported", "1", "1", line=5),
        rec("a:optional-test", "1", "1", line=8, scope=T),  # test is narrower than optional
    )
    assert result.problems == (
        problem(4, "unknown scope 'bundled'; read as compile"),
        problem(5, "unknown scope 'import'; read as compile"),  # import is for BOMs only
        problem(6, "dependency a:?: groupId and artifactId are required"),
        problem(7, "dependency ${no.group}:x: unresolved property in groupId or artifactId"),
    )


def test_property_cycles_and_blow_up_are_bounded(parse_text: Parse) -> None:
    chain = "".join(f"<p{i}>${{p{i + 1}}}${{p{i + 1}}}</p{i}>" for i in range(40)) + "<p40>x</p40>"
    body = (
        f"<properties><a>${{b}}</a><b>${{a}}</b><self>${{self}}-1</self>{chain}</properties>\n"
        "<dependencies>\n"
        + dependency("g", "cyclic", "${a}")
        + "\n"
        + dependency("g", "itself", "${self}")
        + "\n"
        + dependency("g", "huge", "${p0}")
        + "\n</dependencies>"
    )
    started = time.monotonic()
    result = parse_text("pom.xml", pom(body))
    assert time.monotonic() - started < 5
    assert [(d.name, d.version) for d in result.dependencies] == [
        ("cyclic", None),
        ("itself", None),
        ("huge", None),
    ]
    assert result.dependencies[1].spec == "${self}-1"  # expanded once, then the cycle stops
    assert result.problems[:2] == (
        problem(4, "g:cyclic: property ${a} refers to itself"),
        problem(5, "g:itself: property ${self} refers to itself"),
    )
    assert result.problems[2].line == 6
    assert "unresolved property ${p" in result.problems[2].message


def test_interpolator_nested_and_missing() -> None:
    values = Interpolator({"a": "${b}.${c}", "b": "1", "c": "${d}", "d": "2", "e": ""})
    assert values.expand("v${a}") == "v1.2"
    assert values.expand("${e}x") == "x"  # an empty property is a value
    assert values.expand("${missing}-${b}") == "${missing}-1"
    assert values.expand("no refs") == "no refs"


# --- parents ------------------------------------------------------------------------------------

PARENT = pom(
    "<groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>7</version>\n"
    "<properties><lib.version>1.5</lib.version></properties>\n"
    "<dependencyManagement><dependencies>"
    + dependency("org.lib", "lib", "${lib.version}", "<scope>test</scope>")
    + "</dependencies></dependencyManagement>"
)


def child(relative: str | None, group: str = "org.acme", artifact: str = "acme-parent") -> str:
    where = "" if relative is None else f"<relativePath>{relative}</relativePath>"
    return pom(
        f"<parent><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"<version>7</version>{where}</parent>\n<artifactId>app</artifactId>\n<dependencies>\n"
        + dependency("org.lib", "lib")
        + "\n"
        + dependency("org.other", "other")
        + "\n</dependencies>"
    )


@pytest.mark.parametrize(
    ("relative", "parent_path"),
    [(None, "pom.xml"), ("../pom.xml", "pom.xml"), ("../parent", "parent/pom.xml"),
     ("..\\parent\\pom.xml", "parent/pom.xml")],
)  # fmt: skip
def test_parent_in_the_tree(parse_text: Parse, relative: str | None, parent_path: str) -> None:
    result = parse_text("app/pom.xml", child(relative), {parent_path: PARENT})
    assert result.dependencies == (
        rec("org.lib:lib", "1.5", "1.5", line=5, scope=T, file="app/pom.xml"),
        rec("org.other:other", None, line=6, file="app/pom.xml"),
    )
    assert result.problems == ()  # the parent chain is complete: nothing was missed
    assert result.publishes == ("pkg:maven/org.acme/app",)


NOTE = (
    "parent POM org.acme:acme-parent:7 is not in the audited tree; versions it manages are unknown"
)


@pytest.mark.parametrize(
    ("relative", "others"),
    [
        (None, {}),  # ../pom.xml does not exist
        ("", {"pom.xml": PARENT}),  # <relativePath/>: repositories only
        ("../../../outside/pom.xml", {}),  # out of the audited tree
        ("/etc/pom.xml", {}),
        ("../pom.xml", {"pom.xml": PARENT.replace("acme-parent", "someone-else")}),
        ("../pom.xml", {"pom.xml": "<project><broken></project>"}),
    ],
)
def test_parent_not_found_is_one_note(
    parse_text: Parse, relative: str | None, others: dict[str, str]
) -> None:
    result = parse_text("app/pom.xml", child(relative), others)
    assert [d.version for d in result.dependencies] == [None, None]
    assert result.problems == (problem(2, NOTE, "app/pom.xml"),)


def test_no_note_when_nothing_is_missing(parse_text: Parse) -> None:
    content = pom(
        "<parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId>"
        "<version>7</version></parent>\n<dependencies>"
        + dependency("a", "b", "1")
        + "</dependencies>"
    )
    assert parse_text("pom.xml", content).problems == ()


def test_parent_cycle_terminates(parse_text: Parse) -> None:
    first = pom(
        "<parent><groupId>g</groupId><artifactId>b</artifactId><version>1</version>"
        "<relativePath>../b</relativePath></parent><artifactId>a</artifactId>\n"
        "<dependencies>" + dependency("x", "y") + "</dependencies>"
    )
    second = pom(
        "<parent><groupId>g</groupId><artifactId>a</artifactId><version>1</version>"
        "<relativePath>../a</relativePath></parent><artifactId>b</artifactId>"
    )
    result = parse_text("a/pom.xml", first, {"b/pom.xml": second})
    assert [d.name for d in result.dependencies] == ["y"]
    assert len(result.problems) == 1
    assert result.problems[0].message.startswith("parent POM g:a:1 of b/pom.xml is not in")


# --- unreadable files ---------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
    "<project><name>&lol2;</name></project>\n"
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<project><name>&xxe;</name></project>\n"
)


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (BILLION_LAUGHS, None, "XML entity/DTD not allowed"),
        (EXTERNAL, None, "XML entity/DTD not allowed"),
        ('<!DOCTYPE project SYSTEM "http://x/pom.dtd">\n<project/>', None,
         "XML entity/DTD not allowed"),
        ("<project>\n<dependencies>\n<dependency>\n</dependencies>\n</project>\n", 4,
         "invalid XML: mismatched tag"),
        ("<project><name>&nbsp;</name></project>", 1, "invalid XML: undefined entity"),
        ("", 1, "invalid XML: no element found"),
        ("this is not a pom.xml file!\n", 1, "invalid XML: syntax error"),
        ("<settings>\n<profiles/>\n</settings>\n", 1,
         "not a Maven POM: the root element is <settings>"),
        (b"\x00\x01\x02binary", None, "binary file, not a text manifest"),
        (b"<project>\n<name>caf\xe9</name>\n</project>", 2, "not valid UTF-8 (byte 0xe9)"),
        (b'<?xml version="1.0" encoding="klingon"?><project/>', 1,
         "unknown encoding 'klingon' in the XML declaration"),
        (b'<?xml version="1.0" encoding="US-ASCII"?>\n<project>\n<name>caf\xe9</name>', 3,
         "invalid us-ascii text: ordinal not in range(128)"),
        (b'<?xml version="1.0" encoding="hex"?><project/>', 1,
         "unknown encoding 'hex' in the XML declaration"),
    ],
)  # fmt: skip
def test_unreadable_files_are_one_problem(
    parse_text: Parse, content: str | bytes, line: int | None, message: str
) -> None:
    result = parse_text("pom.xml", content)
    assert result.dependencies == ()
    assert result.problems == (problem(line, message),)


def test_size_bound() -> None:
    data = b"<project>" + b" " * (5 * 1024 * 1024) + b"</project>"
    file = ManifestFile("repo", "pom.xml", len(data), lambda _: data)
    with pytest.raises(ManifestError, match="over the"):
        MavenParser().parse(file)


def test_matches_only_pom_xml() -> None:
    parser = MavenParser()
    assert parser.matches(PurePosixPath("a/b/pom.xml"))
    assert not parser.matches(PurePosixPath("pom.xml.bak"))
    assert not parser.matches(PurePosixPath("build.xml"))
    assert not parser.matches(PurePosixPath("POM.XML"))


# --- fuzzing ------------------------------------------------------------------------------------

TAGS = (
    "project", "parent", "groupId", "artifactId", "version", "relativePath", "properties",
    "dependencies", "dependency", "dependencyManagement", "scope", "optional", "type",
    "classifier", "build", "plugins", "plugin", "pluginManagement", "extensions", "extension",
    "profiles", "profile", "modules", "module", "a", "b",
)  # fmt: skip
VALUES = (
    "", "1.0", "[1,2)", "${a}", "${b}${b}", "${project.version}", "${project.parent.version}",
    "${version}", "@x@", "..", "../pom.xml", "/etc", "sub", "import", "test", "true", "pom",
    "${", "}", "org.acme", "a", "b",
)  # fmt: skip
leaf = st.sampled_from(VALUES) | st.text(max_size=8)
trees = st.recursive(
    st.tuples(st.sampled_from(TAGS), leaf),
    lambda inner: st.tuples(st.sampled_from(TAGS), st.lists(inner, max_size=5)),
    max_leaves=25,
)


def render(node: tuple[str, object]) -> str:
    tag, content = node
    if isinstance(content, list):
        return f"<{tag}>" + "".join(render(child) for child in content) + f"</{tag}>"
    text = escape(str(content).replace("\r", "")).encode("utf-8", "replace").decode()
    return f"<{tag}>{text}</{tag}>"


def fuzz_parse(data: bytes, related: bytes | None = None) -> None:
    """Parse ``data`` at repo/sub/pom.xml; every other POM path reads ``related``."""

    def read(path: str) -> bytes:
        if path == "repo/sub/pom.xml":
            return data
        if related is None:
            raise SourceError(f"{path}: no such file")
        return related

    file = ManifestFile("repo", "repo/sub/pom.xml", len(data), read, "repo")
    try:
        result = MavenParser().parse(file)
    except ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    for dep in result.dependencies:
        assert dep.name
        assert dep.namespace
        assert dep.line is not None and dep.line >= 1


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_fuzz_arbitrary_text(text: str) -> None:
    fuzz_parse(text.encode("utf-8", errors="surrogatepass"))


FIELDS = ("groupId", "artifactId", "version", "scope", "type", "optional", "relativePath")
names = st.sampled_from(("a", "b", "revision", "version", "project.version", "x.y"))
entries = st.dictionaries(st.sampled_from(FIELDS), leaf, max_size=6).map(
    lambda fields: ("dependency", [(key, value) for key, value in fields.items()])
)


def plausible_pom(
    properties: dict[str, str],
    parent: tuple[str, object],
    dependencies: list[tuple[str, object]],
    managed: list[tuple[str, object]],
    modules: list[str],
) -> bytes:
    """A POM-shaped document: properties, a parent, dependencies, management, modules."""
    children: list[tuple[str, object]] = [
        ("groupId", "org.acme"), ("artifactId", "a"), ("version", "${revision}"),
        ("properties", list(properties.items())), ("parent", parent[1]),
        ("dependencies", dependencies),
        ("dependencyManagement", [("dependencies", managed)]),
        ("modules", [("module", m) for m in modules]),
    ]  # fmt: skip
    return render(("project", children)).encode()


poms = st.builds(
    plausible_pom,
    st.dictionaries(names, leaf, max_size=5),
    entries,
    st.lists(entries, max_size=5),
    st.lists(entries, max_size=3),
    st.lists(st.sampled_from(("sub", "..", ".", "../sub", "/x", "a/pom.xml")), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(children=st.lists(trees, max_size=6), parent=st.lists(trees, max_size=4))
def test_fuzz_arbitrary_trees(
    children: list[tuple[str, object]], parent: list[tuple[str, object]]
) -> None:
    document = render(("project", children)).encode()
    fuzz_parse(document, render(("project", parent)).encode())


@settings(max_examples=200, deadline=None)
@given(document=poms, parent=poms)
def test_fuzz_plausible_poms(document: bytes, parent: bytes) -> None:
    # every parent and module path reads the same other document: chains and cycles
    fuzz_parse(document, parent)
    fuzz_parse(document, document)


# --- real files ---------------------------------------------------------------------------------

OSV = CORPUS / "peers" / "osv-scanner-v1"


def test_osv_scanner_maven_cases(write_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    """Names and versions against osv-scanner's expectations for its pom.xml fixtures.

    Convention difference: osv-scanner also lists artifacts that appear only in
    <dependencyManagement>; Maven does not depend on those unless a dependency declared without
    a version refers to them, so fundscout leaves them out (its "ranged-package" and "jsr305").
    """
    if not OSV.is_dir():
        pytest.skip("osv-scanner corpus not available")
    data = json.loads((OSV / "expected_packages.json").read_text())
    cases = [c for c in data["cases"] if c["parser"] == "ParseMavenLock"]
    assert cases
    management_only = {"org.mine:ranged-package", "com.google.code.findbugs:jsr305"}
    compared = 0
    for case in cases:
        fixture = OSV / case["fixture"]
        if not fixture.is_file():
            continue
        root = write_tree({"pom.xml": fixture.read_bytes()})
        result = parse_fixture(root, "pom.xml")
        if case.get("expect_error_containing"):
            assert result.dependencies == ()
            assert len(result.problems) == 1, case["test"]
            continue
        expected = {
            (p["name"], p["version"])
            for p in case["expected_packages"]
            if p["name"] not in management_only
        }
        got = {(d.display_name, d.version) for d in result.dependencies}
        assert got == expected, case["test"]
        tests = {p["name"] for p in case["expected_packages"] if "test" in p.get("dep_groups", ())}
        assert {d.display_name for d in result.dependencies if d.scope is T} == tests
        compared += 1
    assert compared >= 5


def test_spotify_corpus() -> None:
    root = CORPUS / "orgs" / "spotify"
    if not root.is_dir():
        pytest.skip("spotify corpus not available")
    source = LocalSource(root, lambda path: path.endswith("pom.xml"))
    files = source.scan().manifests
    assert len(files) >= 150
    results = {f.path: parse_manifest(f) for f in files}
    problems = [p for r in results.values() for p in r.problems]
    assert not [p for p in problems if "internal error" in p.message]
    assert not [p for p in problems if "invalid XML" in p.message]
    deps = [d for r in results.values() for d in r.dependencies]
    assert len(deps) > 1000
    # most versions resolve, through properties and parents in the tree
    assert sum(d.version is not None for d in deps) / len(deps) > 0.75
    assert {d.scope for d in deps} >= {R, T, B, OPT}

    folsom = {d.display_name: d for d in results["folsom/folsom/pom.xml"].dependencies}
    assert folsom["io.netty:netty-handler"].version == "4.1.101.Final"  # ${netty.version}
    assert folsom["org.mockito:mockito-core"].version == "4.11.0"  # managed in folsom/pom.xml
    assert folsom["junit:junit"].scope is T
    apollo = results["apollo/pom.xml"].publishes
    assert "pkg:maven/com.spotify/apollo-parent" in apollo
    assert "pkg:maven/com.spotify/apollo-api" in apollo  # a module
    # a repository depends on its own modules: publishes lets the pipeline drop them
    own = {p for r in results.values() if r.file.path.startswith("apollo/") for p in r.publishes}
    assert any(d.purl in own for p, r in results.items() if p.startswith("apollo/")
               for d in r.dependencies)  # fmt: skip
