import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer.enrich.repourl import normalize_repo_url, repo_slug


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/psf/requests", "https://github.com/psf/requests"),
        ("git+https://github.com/Babel/babel.git", "https://github.com/babel/babel"),
        ("git+ssh://git@github.com/facebook/react.git", "https://github.com/facebook/react"),
        ("git@github.com:pallets/flask.git", "https://github.com/pallets/flask"),
        ("git://github.com/owner/repo.git", "https://github.com/owner/repo"),
        ("github:sindresorhus/chalk", "https://github.com/sindresorhus/chalk"),
        ("sindresorhus/chalk", "https://github.com/sindresorhus/chalk"),
        ("https://www.github.com/owner/repo/", "https://github.com/owner/repo"),
        (
            "https://github.com/babel/babel/tree/main/packages/babel-core",
            "https://github.com/babel/babel",
        ),
        ("https://github.com/owner/repo/issues", "https://github.com/owner/repo"),
        ("https://github.com/owner/repo#readme", "https://github.com/owner/repo"),
        ("https://gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project"),
        ("https://gitlab.com/group/project/-/tree/main", "https://gitlab.com/group/project"),
        ("https://bitbucket.org/owner/repo/src/master/", "https://bitbucket.org/owner/repo"),
        ("https://codeberg.org/owner/repo", "https://codeberg.org/owner/repo"),
        ("https://git.example.org/team/lib.git", "https://git.example.org/team/lib"),
        ("HTTPS://GitHub.com/Owner/Repo", "https://github.com/owner/repo"),
    ],
)
def test_spellings_normalize_to_one_url(url: str, expected: str) -> None:
    assert normalize_repo_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["", None, "https://github.com/", "https://github.com/sponsors", "javascript:alert(1)",
     "not a url", "file:///tmp/repo"],
)  # fmt: skip
def test_non_repositories_are_none(url: object) -> None:
    assert normalize_repo_url(url) is None


def test_slug() -> None:
    assert repo_slug("https://github.com/psf/requests") == "psf/requests"
    assert repo_slug("https://gitlab.com/a/b") is None


@given(st.text(max_size=300))
def test_any_text_gives_none_or_an_https_url(text: str) -> None:
    result = normalize_repo_url(text)
    assert result is None or (result.startswith("https://") and " " not in result.strip())


def test_urls_the_parser_refuses_are_none() -> None:
    assert normalize_repo_url("http://[x/owner/repo") is None
