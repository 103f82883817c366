import pytest

from analyzer.enrich.funding import dedupe, from_funding_yml, from_npm, from_url
from analyzer.enrich.interface import FundingLink


@pytest.mark.parametrize(
    ("url", "platform", "account"),
    [
        ("https://github.com/sponsors/hynek", "github", "hynek"),
        ("https://www.github.com/sponsors/Hynek/", "github", "Hynek"),
        ("https://github.com/chalk/chalk?sponsor=1", "github", None),
        ("https://opencollective.com/babel", "open_collective", "babel"),
        ("https://liberapay.com/pypa/donate", "liberapay", "pypa"),
        ("https://ko-fi.com/someone", "ko_fi", "someone"),
        ("https://www.patreon.com/join/someone", "patreon", "someone"),
        ("https://tidelift.com/subscription/pkg/pypi-attrs?utm_source=x", "tidelift", "pypi-attrs"),
        ("https://tidelift.com/funding/github/npm/lodash", "tidelift", "npm/lodash"),
        ("https://polar.sh/org", "polar", "org"),
        ("https://thanks.dev/u/gh/someone", "thanks_dev", "u/gh/someone"),
        ("https://buymeacoffee.com/someone", "buy_me_a_coffee", "someone"),
        ("https://example.org/donate", "custom", None),
        ("https://github.com/psf/requests", "custom", None),
    ],
)
def test_urls_map_to_platform_and_account(url: str, platform: str, account: str | None) -> None:
    link = from_url(url, "test")
    assert link is not None
    assert (link.platform, link.account, link.url) == (platform, account, url)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", "ftp://example.org", "", None, 42, "x" * 3000],
)
def test_unsafe_or_malformed_urls_are_dropped(url: object) -> None:
    assert from_url(url, "test") is None


def test_funding_yml_every_key_and_lists() -> None:
    data = {
        "github": ["sindresorhus", "Qix-"],
        "open_collective": "babel",
        "tidelift": "npm/chalk",
        "custom": ["https://paypal.me/someone", "javascript:alert(1)"],
        "ko_fi": "",
        "patreon": "<script>",
        "unknown_platform": "x",
    }
    links = from_funding_yml(data, "github")
    assert [(link.platform, link.account) for link in links] == [
        ("github", "sindresorhus"),
        ("github", "Qix-"),
        ("open_collective", "babel"),
        ("tidelift", "npm/chalk"),
        ("paypal", "someone"),
    ]
    assert links[0].url == "https://github.com/sponsors/sindresorhus"


def test_funding_yml_that_is_not_a_mapping() -> None:
    assert from_funding_yml(["github"], "github") == []


def test_npm_funding_forms() -> None:
    links = from_npm(
        [
            "https://github.com/sponsors/a",
            {"type": "opencollective", "url": "https://opencollective.com/b"},
            {"type": "x"},
            17,
        ]
    )
    assert [(link.platform, link.account, link.source) for link in links] == [
        ("github", "a", "npm"),
        ("open_collective", "b", "npm"),
    ]


def test_dedupe_by_payee_keeps_first_source() -> None:
    links = [
        FundingLink("github", "Hynek", "https://github.com/sponsors/Hynek", "pypi"),
        FundingLink("github", "hynek", "https://github.com/sponsors/hynek", "github"),
        FundingLink("custom", None, "https://example.org", "npm"),
    ]
    assert [link.source for link in dedupe(links)] == ["pypi", "npm"]


def test_urls_the_parser_refuses_are_dropped_not_raised() -> None:
    assert from_url("http://[x", "npm") is None
    assert from_url("https://[::1", "pypi") is None
