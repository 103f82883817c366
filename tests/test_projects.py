"""Packages -> projects: rollup by repository, own projects, the user's manual mapping."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.config import Config, from_table
from analyzer.enrich.runner import Enrichment
from analyzer.errors import ConfigError
from analyzer.graph import DependencyGraph
from analyzer.model import Ecosystem
from analyzer.projects import Projects, rollup
from tests.helpers import dep

BABEL = "https://github.com/babel/babel"
NPM = Ecosystem.NPM


def npm(name: str, namespace: str | None = None, repo: str = "web") -> object:
    return dep(name, namespace=namespace, ecosystem=NPM, repo=repo, file="package.json")


DEPS = [
    npm("core", "@babel"), npm("parser", "@babel"), npm("traverse", "@babel", repo="admin"),
    dep("boto3"), dep("botocore"), dep("requests"), dep("left-pad-ish"), dep("acme-utils"),
    npm("react"),
]  # fmt: skip
# What providers report (some spellings raw, as an old cache entry may hold them).
REPOSITORIES = {
    "pkg:npm/%40babel/core": BABEL,
    "pkg:npm/%40babel/parser": "git+https://github.com/babel/babel.git",
    "pkg:npm/%40babel/traverse": "https://github.com/Babel/babel/tree/main/packages/traverse",
    "pkg:pypi/boto3": "https://github.com/boto/boto3",
    "pkg:pypi/botocore": "https://github.com/boto/botocore",
    "pkg:pypi/requests": "https://github.com/psf/requests",
    "pkg:npm/react": "https://github.com/facebook/react",
    "pkg:pypi/acme-utils": "https://github.com/acme/utils",
}


def make_graph(deps: list[object] = DEPS, seed: int | None = None) -> DependencyGraph:
    graph = DependencyGraph()
    shuffled = list(deps)
    if seed is not None:
        random.Random(seed).shuffle(shuffled)
    for item in shuffled:
        graph.add_dependency(item)  # type: ignore[arg-type]
    return graph


def enrichment(repositories: dict[str, str] = REPOSITORIES) -> Enrichment:
    return Enrichment(repository=dict(repositories))


def test_packages_of_one_repository_are_one_project() -> None:
    projects = rollup(make_graph(), enrichment(), Config())
    babel = projects.get(BABEL)
    assert babel is not None
    assert babel.name == "babel/babel" and babel.repository == BABEL
    assert babel.packages == ("pkg:npm/%40babel/core", "pkg:npm/%40babel/parser",
                              "pkg:npm/%40babel/traverse")  # fmt: skip
    assert babel.found_by == "registry" and not babel.own
    boto3, botocore = (
        projects.project_of("pkg:pypi/boto3"),
        projects.project_of("pkg:pypi/botocore"),
    )
    assert boto3 and botocore and boto3.key != botocore.key
    assert (boto3.name, botocore.name) == ("boto/boto3", "boto/botocore")
    assert len(projects) == 7  # 9 packages: 3 babel packages share one project


def test_a_package_without_repository_is_its_own_marked_project() -> None:
    projects = rollup(make_graph(), enrichment(), Config())
    alone = projects.project_of("pkg:pypi/left-pad-ish")
    assert alone is not None
    assert (alone.key, alone.name, alone.repository, alone.found_by) == (
        "pkg:pypi/left-pad-ish", "left-pad-ish", None, "none")  # fmt: skip
    assert alone.packages == ("pkg:pypi/left-pad-ish",)


def test_without_enrichment_every_package_stands_alone() -> None:
    graph = make_graph()
    projects = rollup(graph, None, Config())
    assert [p.key for p in projects] == graph.packages()
    assert {p.found_by for p in projects} == {"none"}


def test_every_package_has_exactly_one_project_and_order_is_stable() -> None:
    first = rollup(make_graph(seed=1), enrichment(), Config())
    for seed in range(2, 6):
        assert rollup(make_graph(seed=seed), enrichment(), Config()) == first
    keys = [p.key for p in first]
    assert keys == sorted(keys)
    packed = [purl for p in first for purl in p.packages]
    assert sorted(packed) == sorted(first.by_package) == make_graph().packages()
    assert all(first.by_package[purl] == p.key for p in first for purl in p.packages)


def test_published_packages_make_their_project_own() -> None:
    graph = make_graph()
    graph.mark_own(["pkg:pypi/acme-utils"])
    projects = rollup(graph, enrichment(), Config())
    own = projects.project_of("pkg:pypi/acme-utils")
    assert own is not None and own.own
    assert own.own_reason == "published by the organization's repositories (acme-utils)"
    assert own not in projects.candidates
    assert len(projects.candidates) == len(projects) - 1


@pytest.mark.parametrize(
    ("owners", "repository", "reason"),
    [
        (["acme"], "https://github.com/acme/utils", "github.com/acme is listed in own-owners"),
        (["ACME"], "https://github.com/acme/utils", "github.com/acme is listed in own-owners"),
        (["gitlab.com/acme"], "https://gitlab.com/acme/sub/utils", "gitlab.com/acme is listed"),
        (["https://gitlab.com/acme/sub"], "https://gitlab.com/acme/sub/x", "gitlab.com/acme/sub"),
        (["acme"], "https://github.com/acme-corp/utils", None),
        (["acme"], "https://gitlab.com/acme/utils", None),
        (["gitlab.com/acme/sub"], "https://gitlab.com/acme/other/x", None),
        (["gitlab.com/acme"], "https://gitlab.com/acme", None),
    ],
)
def test_own_owners_match_whole_path_segments(
    owners: list[str], repository: str, reason: str | None
) -> None:
    config = from_table({"own-owners": owners}, "fundscout.toml")
    projects = rollup(make_graph(), enrichment({"pkg:pypi/acme-utils": repository}), config)
    project = projects.project_of("pkg:pypi/acme-utils")
    assert project is not None and project.own is (reason is not None)
    assert (project.own_reason is None) if reason is None else reason in str(project.own_reason)


def test_owners_of_audited_repositories_count_as_own() -> None:
    projects = rollup(make_graph(), enrichment(), Config(), audited_owners={"github.com/acme"})
    project = projects.get("https://github.com/acme/utils")
    assert project is not None and project.own
    assert project.own_reason == "repository owner github.com/acme also owns audited repositories"
    assert not any(p.own for p in projects if p.key != project.key)


def test_manual_mapping_wins_over_registry_metadata() -> None:
    config = from_table(
        {"projects": {
            "pkg:pypi/requests": "https://gitlab.com/Mirror/requests.git",
            "pypi:Left_Pad_Ish": "stevemao/left-pad",
            "react": "Meta Open Source",
            "npm:@babel/traverse": "https://github.com/babel/babel",
        }},
        "fundscout.toml",
    )  # fmt: skip
    projects = rollup(make_graph(), enrichment(), config)
    mirror = projects.project_of("pkg:pypi/requests")
    assert mirror and mirror.key == "https://gitlab.com/mirror/requests"
    assert (mirror.name, mirror.found_by) == ("gitlab.com/mirror/requests", "config")
    pad = projects.project_of("pkg:pypi/left-pad-ish")
    assert pad and pad.key == "https://github.com/stevemao/left-pad" and pad.found_by == "config"
    named = projects.project_of("pkg:npm/react")
    assert named and (named.key, named.name, named.repository) == (
        "project:Meta Open Source", "Meta Open Source", None)  # fmt: skip
    babel = projects.get(BABEL)
    assert babel and len(babel.packages) == 3 and babel.found_by == "config"


def test_most_specific_rule_wins() -> None:
    config = from_table(
        {"projects": {"requests": "a/plain", "pypi:requests": "a/eco",
                      "pkg:pypi/requests": "a/purl", "boto3": "a/plain"}},
        "fundscout.toml",
    )  # fmt: skip
    projects = rollup(make_graph(), None, config)
    assert projects.by_package["pkg:pypi/requests"] == "https://github.com/a/purl"
    assert projects.by_package["pkg:pypi/boto3"] == "https://github.com/a/plain"


def test_plain_names_match_pypi_spellings_but_not_other_ecosystems() -> None:
    config = from_table({"projects": {"Boto_3": "x/y"}}, "fundscout.toml")
    graph = make_graph([dep("boto-3"), npm("boto_3")])
    projects = rollup(graph, None, config)
    assert projects.by_package["pkg:pypi/boto-3"] == "https://github.com/x/y"
    assert projects.by_package["pkg:npm/boto_3"] == "https://github.com/x/y"  # same spelling
    other = rollup(make_graph([npm("boto-3")]), None, config)
    assert other.by_package["pkg:npm/boto-3"] == "pkg:npm/boto-3"  # npm keeps "_" and "-" apart


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"own-owners": "acme"}, "own-owners: expected a list"),
        ({"own-owners": ["acme/x/"]}, "'acme/x/' is not an owner"),
        ({"own-owners": ["bad owner"]}, "is not an owner"),
        ({"projects": ["requests"]}, "projects: expected a table"),
        ({"projects": {"requests": 3}}, "projects.requests: expected a repository URL"),
        ({"projects": {"requests": "https://requests.readthedocs.io"}},
         "projects.requests: 'https://requests.readthedocs.io' is not a source repository"),
        ({"projects": {"requests": "https://github.com/sponsors/psf"}}, "not a source repository"),
        ({"projects": {"pkg:pypi/requests@2.0": "psf/requests"}}, "map the package, not one"),
        ({"projects": {"pkg:nope/x": "a/b"}}, "pkg:nope/x' is not a package URL we know"),
        ({"projects": {"pypi:": "a/b"}}, "names no package"),
        ({"projects": {"Foo_Bar": "a/b", "foo_bar": "c/d"}}, "already mapped to"),
        ({"projects": {"x": "name\x07bell"}}, "not a usable project name"),
        ({"graph": "dot"}, "graph: expected one of graphml, gexf, json"),
    ],
)  # fmt: skip
def test_bad_project_settings_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=r"^fundscout\.toml: ") as caught:
        from_table(table, "fundscout.toml")
    assert message in str(caught.value)


def test_settings_are_read_in_canonical_form() -> None:
    config = from_table(
        {"own-owners": ["Acme", "https://www.GitLab.com/Acme/"], "graph": "GraphML",
         "projects": {"pkg:npm/@babel/core": "git@github.com:Babel/babel.git",
                      "PyPI:Zope.Interface": "Zope Foundation"}},
        "fundscout.toml",
    )  # fmt: skip
    assert config.own_owners == ("github.com/acme", "gitlab.com/acme")
    assert config.graph == "graphml"
    assert config.projects == (("pkg:npm/%40babel/core", BABEL),
                               ("pypi:zope-interface", "project:Zope Foundation"))  # fmt: skip


def test_empty_projects_result() -> None:
    empty = Projects()
    assert len(empty) == 0 and empty.project_of("pkg:pypi/x") is None and empty.candidates == ()


def test_the_audit_rolls_up_after_enrichment(write_tree, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({
        "web/package.json": '{"dependencies": {"@babel/core": "^7", "@babel/parser": "^7"}}',
        "web/.git/config": '[remote "origin"]\n\turl = git@github.com:acme/web.git\n',
        "api/requirements.txt": "acme-client==1.0\nrequests==2.32.0\n",
        "api/.git/config": "[core]\n\tbare = false\n",
    })  # fmt: skip

    def enricher(graph: DependencyGraph, progress: object) -> Enrichment:
        assert "pkg:npm/%40babel/core" in graph.packages()
        return enrichment(
            {**REPOSITORIES, "pkg:pypi/acme-client": "https://github.com/acme/client"}
        )

    result = pipeline.audit([root], Config(), enricher=enricher)
    projects = result.projects
    assert [p.name for p in projects] == ["acme/client", "babel/babel", "psf/requests"]
    client = projects.get("https://github.com/acme/client")
    assert client and client.own and "github.com/acme" in str(client.own_reason)
    assert [p.name for p in projects.candidates] == ["babel/babel", "psf/requests"]
    offline = pipeline.audit([root], Config(projects=(("requests", BABEL),)))
    assert offline.projects.by_package["pkg:pypi/requests"] == BABEL
    assert len(offline.projects) == 4
