"""Gitignore-style globs used by ``exclude`` and ``--exclude``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.globs import GlobSet, glob_to_regex


def matches(pattern: str, path: str) -> bool:
    return GlobSet([pattern]).matches(path)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # "*" stays within one segment.
        ("api/*.txt", "api/requirements.txt", True),
        ("api/*.txt", "api/sub/requirements.txt", False),
        ("*.txt", "api/sub/requirements.txt", True),  # no slash: a name at any depth
        ("req*", "api/requirements.txt", True),
        ("req*", "api/xrequirements.txt", False),
        # "?" is one character, never the separator.
        ("requirements?.txt", "requirements2.txt", True),
        ("requirements?.txt", "requirements.txt", False),
        ("a?b", "a/b", False),
        # "**" crosses segments.
        ("**/fixtures/**", "api/tests/fixtures/requirements.txt", True),
        ("**/fixtures/**", "fixtures/requirements.txt", True),
        ("**/fixtures/**", "api/tests/fixtures", True),  # the folder itself, so it is pruned
        ("**/fixtures/**", "api/tests/fixtures-old/requirements.txt", False),
        ("**/fixtures/**", "api/myfixtures/requirements.txt", False),
        ("api/**/requirements.txt", "api/requirements.txt", True),
        ("api/**/requirements.txt", "api/a/b/c/requirements.txt", True),
        ("api/**/requirements.txt", "web/api/requirements.txt", False),
        ("api/**", "api/anything/at/all.txt", True),
        ("api/**", "api", True),
        ("api/**", "apis/x", False),
        # A name without a slash matches at any depth, and everything below it.
        ("legacy-*", "legacy-billing", True),
        ("legacy-*", "legacy-billing/requirements.txt", True),
        ("legacy-*", "api/legacy-tools/package.json", True),
        ("legacy-*", "api/not-legacy-tools/package.json", False),
        ("node_modules", "web/node_modules/x/package.json", True),
        # A pattern with a slash is anchored at the audited root.
        ("api/requirements-old.txt", "api/requirements-old.txt", True),
        ("api/requirements-old.txt", "web/api/requirements-old.txt", False),
        ("api/requirements-old.txt", "api/requirements-old.txt.bak", False),
        ("/build", "build/package.json", True),
        ("/build", "web/build/package.json", False),
        ("./api/requirements.txt", "api/requirements.txt", True),
        ("docs/", "web/docs/requirements.txt", True),  # a trailing slash alone does not anchor
        # Regular-expression characters are literal.
        ("requirements.txt", "requirementsXtxt", False),
        ("a+b(1)", "a+b(1)", True),
        # Character classes, as in gitignore.
        ("requirements-[dp]*.txt", "requirements-dev.txt", True),
        ("requirements-[dp]*.txt", "requirements-test.txt", False),
        ("requirements-[!d]*.txt", "requirements-test.txt", True),
        ("requirements-[!d]*.txt", "requirements-dev.txt", False),
        ("v[0-9]", "v7", True),
        ("a[!x]b", "a/b", False),  # even a negated class never matches the separator
        ("[]]", "]", True),
        # A class that is not one is taken literally.
        ("a[", "a[", True),
        ("[z-a]", "[z-a]", True),
        ("[z-a]", "z", False),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_empty_set_matches_nothing() -> None:
    globs = GlobSet(["", "   "])
    assert globs.patterns == ()
    assert not globs.matches("anything")
    assert not globs.matches("")


def test_set_matches_when_any_pattern_does() -> None:
    globs = GlobSet(["legacy-*", "api/requirements-old.txt"])
    assert globs.matches("legacy-billing/requirements.txt")
    assert globs.matches("api/requirements-old.txt")
    assert not globs.matches("api/requirements.txt")


@pytest.mark.parametrize("pattern", ["[", "]", "[[", "x[a--b]", "[&&]", "[~~]", "[||]", "\\", "**"])
def test_odd_patterns_compile(pattern: str) -> None:
    re.compile(glob_to_regex(pattern))  # warnings are errors in this suite, FutureWarning too


# Path segments without glob syntax ("*?[" and the escape "\"); "." and ".." never occur in
# the walk's paths, and surrounding blanks are stripped from patterns as in gitignore.
_SEGMENT = st.text(
    st.characters(exclude_characters="/*?[\\\x00", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in (".", "..") and s == s.strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(_SEGMENT, min_size=1, max_size=5))
def test_literal_path_matches_itself(segments: list[str]) -> None:
    path = "/".join(segments)
    assert matches(path, path)
    assert matches(path, f"{path}/below/it")
    assert not matches(path, f"{path}x")


@settings(max_examples=200, deadline=None)
@given(st.lists(_SEGMENT, min_size=2, max_size=5))
def test_anchored_literal_path_matches_only_at_the_root(segments: list[str]) -> None:
    path = "/".join(segments)
    assert not matches(path, f"elsewhere/{path}")
