"""Which parser reads a file: answered by name once per name, as asking every parser would."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.manifests import PARSERS, parser_for
from analyzer.manifests.interface import ManifestParser

# Names each parser knows, directories some of them look at, and names none of them knows.
NAMES = (
    "requirements.txt", "requirements-dev.txt", "dev.in", "base.txt", "MANIFEST.in",
    "pyproject.toml", "setup.cfg", "setup.py", "package.json", "poetry.lock", "uv.lock",
    "pdm.lock", "pylock.toml", "pylock.dev.toml", "Pipfile", "Pipfile.lock", "environment.yml",
    "conda.yaml", "bom.json", "app.cdx.json", "sbom.spdx.json", "Cargo.toml", "Cargo.lock",
    "go.mod", "pom.xml", "Gemfile", "gems.rb", "app.gemspec", "Gemfile.lock", "composer.json",
    "composer.lock", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml",
    "build.gradle", "build.gradle.kts", "libs.versions.toml", "gradle.lockfile",
    "buildscript-gradle.lockfile", "compileClasspath.lockfile", "build.sbt",
    "Dependencies.scala", "Versions.scala", "index.tsx", "README.md", "conf.py", "Makefile",
    "settings.gradle", "deps.txt", "notes.yml",
)  # fmt: skip
DIRECTORIES = (
    "requirements", "reqs", "gradle", "dependency-locks", "project", "src", "api", "docs",
    "Requirements", "tests",
)  # fmt: skip

paths = st.builds(
    lambda parents, name: "/".join([*parents, name]),
    st.lists(st.sampled_from(DIRECTORIES), max_size=4),
    st.sampled_from(NAMES),
)


def asking_every_parser(path: str) -> ManifestParser | None:
    pure = PurePosixPath(path)
    return next((parser for parser in PARSERS if parser.matches(pure)), None)


@settings(max_examples=1000)
@given(paths)
def test_the_parser_is_the_first_in_order_that_matches(path: str) -> None:
    assert parser_for(path) is asking_every_parser(path)


@settings(max_examples=1000)
@given(paths)
def test_parsers_said_to_know_a_file_by_name_look_at_nothing_else(path: str) -> None:
    name = PurePosixPath(path).name
    for parser in PARSERS:
        if not parser.parent_matters:
            assert parser.matches(PurePosixPath(path)) == parser.matches(PurePosixPath(name))


def test_directories_decide_for_the_parsers_that_say_so() -> None:
    assert parser_for("requirements/base.txt") is not None
    assert parser_for("base.txt") is None
    assert parser_for("gradle/libs.versions.toml") is not None
    assert parser_for("libs.versions.toml") is None
    assert parser_for("project/Dependencies.scala") is not None
    assert parser_for("src/Dependencies.scala") is None
    assert parser_for("api/package.json") is parser_for("package.json") is not None
