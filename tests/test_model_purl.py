"""package_purl joins plain names itself: it must write exactly what packageurl writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from analyzer.model import Ecosystem, _plain_purl, package_purl

# plain characters, the ones packageurl changes (case, "_", "@", "/", ".") and ones it quotes
_TEXT = st.text(alphabet="abcXYZ019._~-@/ :%é+", max_size=12) | st.text(
    alphabet="aZ0._~-/@", min_size=1, max_size=8
)


def _packageurl(ecosystem: Ecosystem, name: str, namespace: str | None) -> str | None:
    try:
        return str(PackageURL(type=ecosystem.value, namespace=namespace, name=name).to_string())
    except ValueError:
        return None


@settings(max_examples=1000)
@given(st.sampled_from(Ecosystem), _TEXT, st.none() | _TEXT)
def test_the_plain_path_writes_what_packageurl_writes(
    ecosystem: Ecosystem, name: str, namespace: str | None
) -> None:
    plain = _plain_purl(ecosystem, name, namespace)
    if plain is not None:
        assert plain == _packageurl(ecosystem, name, namespace)


@pytest.mark.parametrize(
    ("ecosystem", "name", "namespace", "expected"),
    [
        (Ecosystem.NPM, "core", "@babel", "pkg:npm/%40babel/core"),
        (Ecosystem.MAVEN, "slf4j-api", "org.slf4j", "pkg:maven/org.slf4j/slf4j-api"),
        (Ecosystem.GOLANG, "errors", "github.com/pkg", "pkg:golang/github.com/pkg/errors"),
        (Ecosystem.CARGO, "serde_json", None, "pkg:cargo/serde_json"),
        (Ecosystem.GEM, "Ascii85", None, "pkg:gem/Ascii85"),
        (Ecosystem.PYPI, "requests", None, "pkg:pypi/requests"),
    ],
)
def test_common_names_take_the_plain_path(
    ecosystem: Ecosystem, name: str, namespace: str | None, expected: str
) -> None:
    assert _plain_purl(ecosystem, name, namespace) == expected
    assert package_purl(ecosystem, name, namespace) == expected


@pytest.mark.parametrize(
    ("ecosystem", "name", "namespace"),
    [
        (Ecosystem.PYPI, "Django", None),  # lowercased
        (Ecosystem.PYPI, "typing_extensions", None),  # "_" becomes "-"
        (Ecosystem.NPM, "Caps", None),
        (Ecosystem.COMPOSER, "log", "Psr"),
        (Ecosystem.NPM, "a b", None),  # quoted
        (Ecosystem.GOLANG, "x", "github.com//a"),  # an empty segment is dropped
    ],
)
def test_names_packageurl_changes_go_through_it(
    ecosystem: Ecosystem, name: str, namespace: str | None
) -> None:
    assert _plain_purl(ecosystem, name, namespace) is None
    assert package_purl(ecosystem, name, namespace) == _packageurl(ecosystem, name, namespace)
