import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analyzer.enrich.repourl import normalize_repo_url, owner_path, repo_name, repo_slug


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/psf/requests", "https://github.com/psf/requests"),
        ("git+https://github.com/Babel/babel.git", "https://github.com/babel/babel"),
        ("git+ssh://git@github.com/facebook/react.git", "https://github.com/facebook/react"),
        ("ssh://git@github.com:22/owner/repo.git", "https://github.com/owner/repo"),
        ("git@github.com:pallets/flask.git", "https://github.com/pallets/flask"),
        ("git://github.com/owner/repo.git", "https://github.com/owner/repo"),
        ("github:sindresorhus/chalk", "https://github.com/sindresorhus/chalk"),
        ("github:owner/repo#semver:^1.0", "https://github.com/owner/repo"),
        ("gitlab:group/project", "https://gitlab.com/group/project"),
        ("bitbucket:owner/repo", "https://bitbucket.org/owner/repo"),
        ("sindresorhus/chalk", "https://github.com/sindresorhus/chalk"),
        ("github.com/owner/repo", "https://github.com/owner/repo"),
        ("scm:git:git@github.com:owner/repo.git", "https://github.com/owner/repo"),
        ("scm:git:https://github.com/owner/repo", "https://github.com/owner/repo"),
        ("https://www.github.com/owner/repo/", "https://github.com/owner/repo"),
        ("http://github.com/owner/repo?tab=readme", "https://github.com/owner/repo"),
        ("https://user:secret@github.com/owner/repo", "https://github.com/owner/repo"),
        (" https://github.com/owner/repo.git.git ", "https://github.com/owner/repo"),
        (
            "https://github.com/babel/babel/tree/main/packages/babel-core",
            "https://github.com/babel/babel",
        ),
        ("https://github.com/owner/repo/issues", "https://github.com/owner/repo"),
        ("https://github.com/owner/repo#readme", "https://github.com/owner/repo"),
        ("https://github.com/owner/tree", "https://github.com/owner/tree"),  # a repo named tree
        ("https://gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project"),
        ("https://gitlab.com/group/project/-/tree/main", "https://gitlab.com/group/project"),
        ("https://gitlab.com/a/b/c/d/-/blob/main/x.py", "https://gitlab.com/a/b/c/d"),
        ("git@gitlab.com:Group/Sub/Project.git", "https://gitlab.com/group/sub/project"),
        ("https://gitlab.gnome.org/GNOME/pygobject", "https://gitlab.gnome.org/gnome/pygobject"),
        ("https://gitlab.example.com/a/b/c/-/issues", "https://gitlab.example.com/a/b/c"),
        ("https://bitbucket.org/owner/repo/src/master/", "https://bitbucket.org/owner/repo"),
        ("https://codeberg.org/owner/repo", "https://codeberg.org/owner/repo"),
        ("https://codeberg.org/Owner/Repo/src/branch/main", "https://codeberg.org/owner/repo"),
        ("https://git.sr.ht/~sircmpwn/scdoc", "https://git.sr.ht/~sircmpwn/scdoc"),
        ("git@git.sr.ht:~sircmpwn/scdoc", "https://git.sr.ht/~sircmpwn/scdoc"),
        ("https://git.sr.ht/~owner/repo/tree/main/item/x", "https://git.sr.ht/~owner/repo"),
        ("https://git.example.org/team/lib.git", "https://git.example.org/team/lib"),
        ("https://git.example.org/team/lib.git/tree/x", "https://git.example.org/team/lib"),
        ("https://x.org/a", "https://x.org/a"),
        ("https://code.example.com:8443/team/lib", "https://code.example.com:8443/team/lib"),
        ("https://code.example.com:443/team/lib", "https://code.example.com/team/lib"),
        ("HTTPS://GitHub.com/Owner/Repo", "https://github.com/owner/repo"),
    ],
)
def test_spellings_normalize_to_one_url(url: str, expected: str) -> None:
    assert normalize_repo_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "", None, 42, "https://github.com/", "https://github.com/sponsors",
        "https://github.com/sponsors/tiangolo", "https://github.com/orgs/pallets/people",
        "https://github.com/owner", "javascript:alert(1)", "not a url", "file:///tmp/repo",
        "https://requests.readthedocs.io/en/latest/", "https://pallets.github.io/flask",
        "https://pypi.org/project/requests/", "https://www.npmjs.com/package/chalk",
        "https://docs.example.com/lib", "https://example.com/docs/lib",
        "https://www.example.org/lib", "https://example.org/lib/index.html",
        "https://gist.github.com/someone/abc123", "https://api.github.com/repos/a/b",
        "https://raw.githubusercontent.com/a/b/main/README.md", "https://git.sr.ht/owner/repo",
        "https://gitlab.com/explore/projects", "gist:11081aaa281", "https://x.org/a b",
        "https://exämple.org/a", "https://github.com/owner/.git", "https://x.org/../etc",
        "https://x" + "/a" * 1000, "svn+https://svn.example.org/repo",
    ],
)  # fmt: skip
def test_non_repositories_are_none(url: object) -> None:
    assert normalize_repo_url(url) is None


def test_slug_and_names() -> None:
    assert repo_slug("https://github.com/psf/requests") == "psf/requests"
    assert repo_slug("https://gitlab.com/a/b") is None
    assert repo_name("https://github.com/psf/requests") == "psf/requests"
    assert repo_name("https://gitlab.com/a/b/c") == "gitlab.com/a/b/c"
    assert owner_path("https://gitlab.com/Acme/Sub/x") == ("gitlab.com", ("acme", "sub", "x"))


def test_urls_the_parser_refuses_are_none() -> None:
    assert normalize_repo_url("http://[x/owner/repo") is None
    assert normalize_repo_url("https://github.com:99999/owner/repo") is None


HOSTS = st.sampled_from(
    ["github.com", "GitHub.com", "www.github.com", "gitlab.com", "gitlab.acme.io", "git.sr.ht",
     "bitbucket.org", "codeberg.org", "x.org", "www.x.org", "docs.x.org", "h:8443", "a.b:22"]
)  # fmt: skip
SEGMENTS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "owner",
                "Repo.git",
                "-",
                "tree",
                "main",
                "~me",
                ".git",
                "sponsors",
                "a.html",
                "..",
                "%20",
                "x.git.git",
                "",
            ]
        ),
        st.text(alphabet="abcXYZ.-_~+:@", max_size=8),
    ),
    max_size=6,
)
PREFIXES = st.sampled_from(
    ["https://", "http://", "git+https://", "git+ssh://git@", "ssh://", "git://", "HTTPS://",
     "scm:git:https://", ""]
)  # fmt: skip
URLS = st.builds(
    lambda prefix, host, segments, tail: f"{prefix}{host}/{'/'.join(segments)}{tail}",
    PREFIXES, HOSTS, SEGMENTS, st.sampled_from(["", "/", "#readme", "?x=1", ".git"]),
)  # fmt: skip
SHORT = st.builds(
    lambda kind, path: f"{kind}{path}",
    st.sampled_from(["github:", "gitlab:", "git@github.com:", "git@gitlab.com:", ""]),
    st.text(alphabet="abAB./-~", max_size=20),
)


@given(st.one_of(st.text(max_size=300), URLS, SHORT))
@example("https://www.www.github.com/a/b")
@example("https://x.org/a.git/tree/b")
def test_never_crashes_and_is_idempotent(text: str) -> None:
    result = normalize_repo_url(text)
    if result is not None:
        assert result.startswith("https://") and not any(c.isspace() for c in result)
        assert normalize_repo_url(result) == result
