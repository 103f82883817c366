"""The GitHub organization source against a fake GitHub REST API on a local server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from analyzer.config import Config
from analyzer.errors import SourceError
from analyzer.manifests import is_manifest
from analyzer.pipeline import Collection, collect
from analyzer.sources.github import GithubOrgSource
from analyzer.sources.github_api import make_client
from analyzer.sources.github_blobs import BlobStore, blob_id
from analyzer.sources.github_repos import RepoFilter
from tests.github_fake import FakeGithub, FakeRepo, tree_sha

CANARY = "ghp_CANARY0000fundscout0000crawl0000xyz"
SBOM = Path(__file__).parent / "fixtures" / "sbom" / "github-acme-api.spdx.json"


@pytest.fixture(autouse=True)
def _no_ambient_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def source_for(
    fake: FakeGithub,
    tmp_path: Path,
    *,
    rules: RepoFilter | None = None,
    org: str | None = None,
    **options: Any,
) -> GithubOrgSource:
    config = Config(
        cache_dir=str(tmp_path / "cache"),
        max_wait=1.0,
        max_file_size=options.pop("max_file_size", 10_000),
    )
    client = make_client(config, {"github_api": fake.root})
    return GithubOrgSource(
        org or fake.org,
        client,
        is_manifest,
        rules=rules,
        max_file_size=config.max_file_size,
        **options,
    )


def crawl(source: GithubOrgSource) -> Collection:
    return collect([], Config(max_file_size=source.max_file_size), github=source)


def names(collection: Collection) -> set[tuple[str, str, str]]:
    return {(d.repo, d.file, d.display_name) for d in collection.dependencies}


def problems(collection: Collection) -> list[str]:
    return [str(p) for p in collection.problems]


API = FakeRepo(
    "api",
    {
        "README.md": "# api\n",
        "requirements.txt": "flask==3.0.3\n-c constraints/pins.txt\n",
        "constraints/pins.txt": "werkzeug==3.0.4\n",
        "services/worker/pyproject.toml": (
            '[project]\nname = "worker"\ndependencies = ["celery>=5"]\n'
        ),
        "node_modules/left-pad/package.json": '{"name": "left-pad"}',
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/requirements.txt": "should-not-be-read\n",
    },
)
WEB = FakeRepo("web", {"package.json": json.dumps({"dependencies": {"react": "^18.3.1"}})})


def test_manifests_at_any_depth_are_fetched_and_parsed_like_local_files(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(httpserver, repos=[API, WEB])
    collection = crawl(source_for(fake, tmp_path))
    assert [r.name for r in collection.repositories] == ["api", "web"]
    assert names(collection) == {
        ("api", "api/requirements.txt", "flask"),
        ("api", "api/services/worker/pyproject.toml", "celery"),
        ("web", "web/package.json", "react"),
    }
    assert collection.roots == ["localhost/acme"]
    # Only manifests and the file a manifest includes were fetched; skipped folders never.
    fetched = len(fake.requests("/git/blobs/"))
    assert fetched == 4  # requirements.txt, pins.txt (its -c include), pyproject, package.json
    assert problems(collection) == []


def test_the_repository_list_follows_link_pagination(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    repos = [FakeRepo(f"svc-{i}", {"requirements.txt": f"pkg{i}==1.0\n"}) for i in range(5)]
    fake = FakeGithub(httpserver, repos=repos, page_size=2)
    collection = crawl(source_for(fake, tmp_path))
    assert len(collection.repositories) == 5
    assert fake.requests("/organizations/90000001/repos") == [
        "/organizations/90000001/repos?per_page=100&type=all&page=2",
        "/organizations/90000001/repos?per_page=100&type=all&page=3",
    ]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (RepoFilter(), {"api"}),
        (RepoFilter(include_forks=True), {"api", "forked"}),
        (RepoFilter(include_archived=True), {"api", "old"}),
        (RepoFilter(patterns=("A*", "old")), {"api"}),
        (RepoFilter(include_archived=True, patterns=("o*",)), {"old"}),
        (RepoFilter(include_forks=True, exclude=("fork*",)), {"api"}),
    ],
)
def test_forks_archived_and_filters_choose_the_repositories(
    httpserver: HTTPServer, tmp_path: Path, rules: RepoFilter, expected: set[str]
) -> None:
    fake = FakeGithub(
        httpserver,
        repos=[
            FakeRepo("api", {"requirements.txt": "a==1\n"}),
            FakeRepo("forked", {"requirements.txt": "b==1\n"}, fork=True),
            FakeRepo("old", {"requirements.txt": "c==1\n"}, archived=True),
        ],
    )
    source = source_for(fake, tmp_path, rules=rules)
    collection = crawl(source)
    assert {r.name for r in collection.repositories} == expected
    left_out = 3 - len(expected)
    counted = sum(int(n.split(": ")[1].split()[0]) for n in source.notes if "left out" in n)
    assert counted == left_out  # every repository left out is accounted for in a note


def test_exclude_globs_apply_to_paths_inside_repositories(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(httpserver, repos=[API])
    collection = crawl(source_for(fake, tmp_path, rules=RepoFilter(exclude=("api/services/**",))))
    assert ("api", "api/services/worker/pyproject.toml", "celery") not in names(collection)
    assert ("api", "api/requirements.txt", "flask") in names(collection)


def test_a_truncated_tree_is_walked_folder_by_folder_without_entering_skipped_ones(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    repo = FakeRepo("api", dict(API.files), truncated=True)
    fake = FakeGithub(httpserver, repos=[repo])
    collection = crawl(source_for(fake, tmp_path))
    assert names(collection) == {
        ("api", "api/requirements.txt", "flask"),
        ("api", "api/services/worker/pyproject.toml", "celery"),
    }
    walked = fake.requests("/git/trees/")
    assert f"/repos/acme/api/git/trees/{tree_sha('api', 'services/worker')}" in walked
    for skipped in ("node_modules", ".venv/lib"):
        assert not any(tree_sha("api", skipped) in entry for entry in walked)


def test_empty_repositories_are_skipped_with_a_note_not_a_problem(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(
        httpserver, repos=[WEB, FakeRepo("blank", empty=True), FakeRepo("new", branch=None)]
    )
    source = source_for(fake, tmp_path)
    collection = crawl(source)
    assert [r.name for r in collection.repositories] == ["web"]
    assert problems(collection) == []
    assert any(n.startswith("blank: empty repository") for n in source.notes)
    assert any(n.startswith("new: empty repository") for n in source.notes)


def test_a_repository_deleted_mid_crawl_is_one_problem_and_the_rest_goes_on(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(
        httpserver, repos=[FakeRepo("gone", {"a/requirements.txt": "x==1\n"}, gone=True), WEB]
    )
    collection = crawl(source_for(fake, tmp_path))
    assert names(collection) == {("web", "web/package.json", "react")}
    assert len(collection.problems) == 1
    problem = collection.problems[0]
    assert (problem.repo, problem.file) == ("gone", "gone")
    assert "HTTP 404" in problem.message and "disappeared" in problem.message


def test_a_file_deleted_or_tampered_with_mid_crawl_is_a_problem_naming_it(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    repo = FakeRepo(
        "api",
        {
            "requirements.txt": "flask==3\n",
            "docs/requirements.txt": "x==1\n",
            "tools/requirements.txt": "y==1\n",
        },
        gone_files={"docs/requirements.txt"},
        corrupt_files={"tools/requirements.txt"},
    )
    collection = crawl(source_for(tmp_path=tmp_path, fake=FakeGithub(httpserver, repos=[repo])))
    assert names(collection) == {("api", "api/requirements.txt", "flask")}
    by_file = {p.file: p.message for p in collection.problems}
    assert "disappeared" in by_file["api/docs/requirements.txt"]
    assert "does not match blob" in by_file["api/tools/requirements.txt"]


def test_files_over_the_size_limit_are_skipped_without_being_fetched(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    big = "requests==2.32.3\n" + "# padding\n" * 200
    fake = FakeGithub(httpserver, repos=[FakeRepo("api", {"requirements.txt": big})])
    collection = crawl(source_for(fake, tmp_path, max_file_size=1000))
    assert collection.dependencies == []
    assert problems(collection) == [
        "api/requirements.txt: skipped: 2.0 KiB is over the 1000 bytes size limit"
    ]
    assert fake.requests("/git/blobs/") == []


def test_unsafe_paths_and_symlinks_are_never_read(httpserver: HTTPServer, tmp_path: Path) -> None:
    repo = FakeRepo(
        "api",
        {
            "requirements.txt": "flask==3\n",
            "link/requirements.txt": "../x",
            "bad\x1b[2J/requirements.txt": "evil==1\n",
        },
        symlinks={"link/requirements.txt"},
    )
    collection = crawl(source_for(fake=FakeGithub(httpserver, repos=[repo]), tmp_path=tmp_path))
    assert names(collection) == {("api", "api/requirements.txt", "flask")}
    assert sorted(problems(collection)) == [
        "api/bad\\x1b[2J/requirements.txt: name holds control characters or bytes that are "
        "not UTF-8; skipped",
        "api/link/requirements.txt: symbolic link; not followed on GitHub",
    ]


def test_a_rerun_after_an_interruption_refetches_nothing_it_already_has(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    repos = [
        FakeRepo(
            f"svc{i}",
            {
                "requirements.txt": f"a{i}==1\n",
                "web/package.json": json.dumps({"dependencies": {f"b{i}": "1.0.0"}}),
            },
        )
        for i in range(3)
    ]
    fake = FakeGithub(httpserver, repos=repos)
    fake.rate_limit_after = 6  # the list and a few trees and blobs, then the limit runs out
    first = crawl(source_for(fake, tmp_path))
    stopped = [p.message for p in first.problems if p.file.endswith("/acme")]
    assert len(stopped) == 1 and "rate limit" in stopped[0] and "rerun to resume" in stopped[0]
    stored = {p.parent.name + p.name for p in (tmp_path / "cache" / "github-blobs").glob("*/*")}
    assert stored  # some blobs arrived before the limit ran out

    fake.rate_limit_after = None
    fake.log.clear()
    second = crawl(source_for(fake, tmp_path))
    assert problems(second) == [] and len(second.dependencies) == 6
    refetched = {entry.rsplit("/", 1)[1] for entry in fake.requests("/git/blobs/")}
    assert refetched.isdisjoint(stored)
    assert len(refetched) + len(stored) == 6

    fake.log.clear()
    third = crawl(source_for(fake, tmp_path))
    assert names(third) == names(second)
    assert fake.log == []  # the list and trees from the HTTP cache, the blobs from the store


def test_a_damaged_stored_blob_is_fetched_again(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=[WEB])
    crawl(source_for(fake, tmp_path))
    [stored] = (tmp_path / "cache" / "github-blobs").glob("*/*")
    stored.write_bytes(b'{"dependencies": {"evil": "1.0.0"}}')
    collection = crawl(source_for(fake, tmp_path))
    assert names(collection) == {("web", "web/package.json", "react")}
    assert stored.read_bytes() == WEB.data("package.json")  # replaced by verified content


def test_sbom_mode_reads_the_dependency_graph_and_falls_back_to_manifests(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = FakeRepo(
        "api",
        {"requirements.txt": "ignored==1\n"},
        sbom=json.loads(SBOM.read_text(encoding="utf-8")),
    )
    fake = FakeGithub(httpserver, repos=[api, WEB])
    source = source_for(fake, tmp_path, use_sbom=True)
    collection = crawl(source)
    from_sbom = {n for r, f, n in names(collection) if r == "api"}
    assert {"flask", "werkzeug"} <= from_sbom and "ignored" not in from_sbom
    assert {f for _, f, _ in names(collection)} == {
        "api/github-dependency-graph.spdx.json",
        "web/package.json",
    }
    assert "web: no dependency-graph SBOM; reading its manifests" in source.notes


def test_progress_counts_repositories(httpserver: HTTPServer, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    fake = FakeGithub(httpserver, repos=[API, WEB, FakeRepo("blank", empty=True)])
    crawl(source_for(fake, tmp_path, progress=lambda done, total: calls.append((done, total))))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_without_a_token_only_public_repositories_are_listed_with_a_notice(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    private = FakeRepo("secret", {"requirements.txt": "internal==1\n"}, private=True)
    fake = FakeGithub(httpserver, repos=[WEB, private], token=CANARY)
    source = source_for(fake, tmp_path)
    collection = crawl(source)
    assert [r.name for r in collection.repositories] == ["web"]
    assert any(
        n.startswith("no GitHub token (GITHUB_TOKEN or GH_TOKEN): only public")
        for n in source.notes
    )
    assert set(fake.authorizations) == {None}


def test_the_token_reaches_only_the_authorization_header_never_the_cache_or_output(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    private = FakeRepo(
        "secret",
        {"requirements.txt": "internal==1\n"},
        private=True,
        gone_files={"requirements.txt"},
    )
    fake = FakeGithub(httpserver, repos=[WEB, private], token=CANARY)
    source = source_for(fake, tmp_path)
    collection = crawl(source)
    assert [r.name for r in collection.repositories] == ["secret", "web"]
    assert set(fake.authorizations) == {f"Bearer {CANARY}"}
    shown = " ".join([*source.notes, *problems(collection)])
    assert "secret/requirements.txt" in shown and CANARY not in shown
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_a_token_from_a_chosen_variable_and_an_invalid_one_named_not_shown(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_TOKEN", "bad token\nwith a newline")
    fake = FakeGithub(httpserver, repos=[WEB])
    source = source_for(fake, tmp_path, token_variables=("ACME_TOKEN",))
    crawl(source)
    assert source.notes[0] == "ACME_TOKEN does not hold a valid token; ignored"
    assert "bad token" not in " ".join(source.notes)
    assert set(fake.authorizations) == {None}


def test_an_organization_that_does_not_exist_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(httpserver, org="someone-else", repos=[WEB])
    with pytest.raises(SourceError, match=r"/acme: no such GitHub organization or user \(HTTP 404"):
        crawl(source_for(fake, tmp_path, org="acme"))
    assert fake.requests("/git/") == []


def test_a_user_account_is_listed_through_the_users_endpoint(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(httpserver, org="octocat", repos=[WEB], user=True)
    collection = crawl(source_for(fake, tmp_path))
    assert names(collection) == {("web", "web/package.json", "react")}
    assert fake.log[:2] == [
        "/orgs/octocat/repos?per_page=100&type=all&sort=full_name",
        "/users/octocat/repos?per_page=100&type=owner&sort=full_name",
    ]


def test_a_refused_token_is_a_clear_error_without_the_token(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GH_TOKEN", CANARY)
    fake = FakeGithub(httpserver, repos=[WEB], token="another-token")
    with pytest.raises(SourceError) as caught:
        crawl(source_for(fake, tmp_path))
    message = str(caught.value)
    assert "cannot list repositories: GitHub refused the token (HTTP 401" in message
    assert CANARY not in message


def test_github_enterprise_api_roots_work(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=[WEB], prefix="/api/v3")
    source = source_for(fake, tmp_path)
    collection = crawl(source)
    assert names(collection) == {("web", "web/package.json", "react")}
    assert source.label == "localhost/acme"  # the web host of http://localhost:PORT/api/v3
    assert all(entry.startswith(("/orgs/", "/repos/")) for entry in fake.log)


@pytest.mark.parametrize("name", ["", "acme/other", "../acme", "-acme", "a" * 101, "ac me"])
def test_owner_names_that_cannot_be_one_are_refused(name: str, tmp_path: Path) -> None:
    client = make_client(Config(cache_dir=str(tmp_path)), {"github_api": "http://127.0.0.1:9"})
    with pytest.raises(SourceError, match="not a valid GitHub organization or user name"):
        GithubOrgSource(name, client, is_manifest, max_file_size=1000)


def test_a_repository_the_token_may_not_read_is_a_problem_and_the_rest_goes_on(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    fake = FakeGithub(httpserver, repos=[FakeRepo("sso", {"go.mod": "module x\n"}, saml=True), WEB])
    collection = crawl(source_for(fake, tmp_path))
    assert names(collection) == {("web", "web/package.json", "react")}
    assert problems(collection) == [
        "sso: access denied (HTTP 403): the token lacks access, or the organization requires "
        "SSO authorization for it"
    ]


@pytest.mark.parametrize(
    ("content", "object_id"),
    [(b"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"),  # git hash-object /dev/null
     (b"hello\n", "ce013625030ba8dba906f756967f9e9ca394464a")],
)  # fmt: skip
def test_blob_ids_are_git_object_ids(content: bytes, object_id: str, tmp_path: Path) -> None:
    assert blob_id(content) == object_id
    store = BlobStore(tmp_path)
    with pytest.raises(ValueError, match="does not match"):
        store.put(object_id, content + b"x")
    store.put(object_id, content)
    assert store.get(object_id, limit=100) == content
    if content:  # a stored file over the limit is not served
        assert store.get(object_id, limit=len(content) - 1) is None
