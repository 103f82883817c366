"""Every provider's document readers, fed arbitrary JSON for every request they make.

A scripted session answers each request with a document drawn by hypothesis: a recorded
answer of that API (tests/fixtures/api) with random parts replaced by arbitrary values, or
removed. Arbitrary values are built from the field names the providers themselves look up
(collected from their source) and from hostile strings (``javascript:`` URLs, huge numbers,
control characters). The providers must finish, raise nothing but a ProviderError, and
produce only well-formed findings: JSON-serializable signal values, http(s) funding links,
https repository URLs.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analyzer.enrich
from analyzer.enrich import Client, Endpoints
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Finding, Provider, Subject
from analyzer.enrich.runner import Runner
from analyzer.http import HttpSettings

ENRICH = Path(analyzer.enrich.__file__).parent
# The keys the readers ask documents for: get("x"), ["x"], and GraphQL field names.
KEYS = sorted(
    {key for module in ENRICH.glob("*.py")
     for key in re.findall(r"""(?:get\(|\[)["']([A-Za-z_@$][\w.@$-]{0,40})["']""",
                           module.read_text(encoding="utf-8"))}
)  # fmt: skip
HOSTILE = (
    "https://github.com/pallets/flask", "git+https://github.com/a/b.git", "github:a/b",
    "javascript:alert(1)", "https://opencollective.com/x", "https://github.com/sponsors/y",
    "2024-01-02T03:04:05Z", "not a date", "1.0.0", "MIT", "\x1b[31m", "a\nb", "", " ",
    "https://" + "a" * 3000, "../../etc/passwd", "Development Status :: 7 - Inactive",
)  # fmt: skip
SUBJECTS = [
    Subject("pkg:pypi/requests", "pypi", "requests", ("2.31.0",)),
    Subject("pkg:npm/%40babel/core", "npm", "@babel/core", ("7.0.0",)),
    Subject("pkg:npm/left-pad", "npm", "left-pad", ()),
    Subject("pkg:maven/org.slf4j/slf4j-api", "maven", "org.slf4j:slf4j-api", ("2.0.9",)),
    Subject("pkg:cargo/serde", "cargo", "serde", ("1.0.0",)),
    Subject("pkg:golang/github.com/pkg/errors", "golang", "github.com/pkg/errors", ("v0.9.1",)),
    Subject("pkg:gem/rails", "gem", "rails", ("7.1.0",)),
    Subject("pkg:composer/monolog/monolog", "composer", "monolog/monolog", ("3.0.0",)),
]

_text = st.sampled_from(HOSTILE) | st.sampled_from(KEYS) | st.text(max_size=20)
_scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=False) | _text
)  # fmt: skip
documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=40,
)


FIXTURES = Path(__file__).parent / "fixtures" / "api"
SEEDS_OF = {  # the recorded answers each provider reads
    "pypi": ("pypi",), "npm": ("npm",), "depsdev": ("depsdev",),
    "ecosystems": ("ecosystems",), "vulnerabilities": ("vulns", "vulns/osv_vulns"),
    "github-graphql": ("github",), "github-rest": ("github",),
}  # fmt: skip
MAX_PATHS = 3000


def seeds(label: str) -> list[Any]:
    """Answer bodies recorded for one provider; a file of ``interactions`` holds several."""
    found: list[Any] = []
    for folder in SEEDS_OF[label]:
        for path in sorted((FIXTURES / folder).glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and isinstance(document.get("interactions"), list):
                found += [i.get("body") for i in document["interactions"] if isinstance(i, dict)]
            else:
                found.append(document)
    return found


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document (breadth first, bounded), the root included."""
    queue, seen = [(prefix, document)], 0
    while queue and seen < MAX_PATHS:
        path, value = queue.pop(0)
        seen += 1
        yield path
        children = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else ()
        )
        queue += [((*path, key), child) for key, child in children]


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """``document`` with the value at ``path`` replaced (or the key removed when ``value`` is
    the ``_GONE`` marker)."""
    if not path:
        return value
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is _GONE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


_GONE = object()


@st.composite
def mutated(draw: st.DrawFn, label: str) -> Any:
    """A recorded answer of the provider's API with up to four parts replaced or removed."""
    document = copy.deepcopy(draw(st.sampled_from(SEEDS[label])))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(list(paths(document))))
        value = draw(documents | st.just(_GONE)) if path else draw(documents)
        document = replaced(document, path, value)
    return document


class ScriptedSession(requests.Session):
    """Answers every request with JSON: one of the drawn documents, chosen by a checksum of
    the request, so the answer does not depend on which thread asks first."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers = [json.dumps(a).encode() for a in answers]
        self.count = 0
        self._lock = threading.Lock()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        body = kwargs.get("data") or b""
        digest = zlib.crc32(
            f"{method!s} {url!s}".encode() + (body if isinstance(body, bytes) else b"")
        )
        with self._lock:
            self.count += 1
        response = requests.Response()
        response.status_code = 200
        response._content = self.answers[digest % len(self.answers)]
        response.headers["Content-Type"] = "application/json"
        response.url = str(url)
        response.request = requests.Request(str(method), str(url)).prepare()
        return response


def providers() -> Iterator[tuple[str, Provider, bool]]:
    for provider in analyzer.enrich.select_providers():
        if isinstance(provider, GithubProvider):
            yield "github-graphql", GithubProvider(host="github.com"), True
            yield "github-rest", GithubProvider(host="github.com"), False
        else:
            yield provider.name, provider, False


PROVIDERS = list(providers())
SEEDS = {label: seeds(label) for label, _, _ in PROVIDERS}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check(provider: Provider, answers: list[Any]) -> Runner:
    session = ScriptedSession(answers)
    client = Client(session, Endpoints(), HttpSettings(use_cache=False, per_host=2))
    repositories = [Subject(f"https://github.com/o/r{n}", "repository", f"o/r{n}") for n in (1, 2)]
    subjects = repositories if isinstance(provider, GithubProvider) else SUBJECTS
    runner = Runner([provider], client)
    # Runner's second stage takes repositories only from the first; call the stages the way
    # it does, so a repository provider sees subjects too.
    plans = [s for s in subjects if provider.supports(s.ecosystem)]
    runner._one(provider, plans)  # raises anything but a ProviderError
    assert session.count or not plans
    for finding in runner_findings(runner):
        assert finding.key in {s.key for s in plans}
        json.dumps([s.to_record() for s in finding.signals], allow_nan=True)
        assert all(link.url.startswith(("https://", "http://")) for link in finding.funding)
        assert finding.repository is None or finding.repository.startswith("https://")
    return runner


def runner_findings(runner: Runner) -> Iterator[Finding]:
    result = runner.result
    for key in set(result.signals) | set(result.funding) | set(result.repository):
        yield Finding(key, tuple(result.signals.get(key, ())), tuple(result.funding.get(key, ())),
                      result.repository.get(key))  # fmt: skip


@pytest.mark.parametrize(("label", "provider", "token"), PROVIDERS, ids=[p[0] for p in PROVIDERS])
@FUZZ
@given(data=st.data())
def test_arbitrary_answers_never_break_a_provider(
    label: str, provider: Provider, token: bool, data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for variable in ("GITHUB_TOKEN", "GH_TOKEN", "ECOSYSTEMS_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    if token:
        monkeypatch.setenv("GITHUB_TOKEN", "ghp_fuzz")
    recorded = st.lists(mutated(label), min_size=1, max_size=4)
    answers = data.draw(recorded | st.lists(documents, min_size=1, max_size=4))
    check(provider, cast("list[Any]", answers))


def test_the_key_vocabulary_and_the_recorded_answers_were_found() -> None:
    assert {"info", "project_urls", "maintainers", "versions"} <= set(KEYS)
    assert all(SEEDS.values()), [label for label, found in SEEDS.items() if not found]


def test_a_mutation_replaces_or_removes_exactly_one_place() -> None:
    document = {"info": {"name": "x", "urls": [1, 2]}}
    assert list(paths(document)) == [(), ("info",), ("info", "name"), ("info", "urls"),
                                     ("info", "urls", 0), ("info", "urls", 1)]  # fmt: skip
    assert replaced(copy.deepcopy(document), ("info", "urls", 1), None) == {
        "info": {"name": "x", "urls": [1, None]}
    }
    assert replaced(copy.deepcopy(document), ("info", "name"), _GONE) == {"info": {"urls": [1, 2]}}


@pytest.mark.parametrize("label", ["pypi", "npm", "depsdev", "ecosystems"])
def test_the_recorded_answers_reach_the_readers(label: str) -> None:
    """Unchanged recorded answers make findings: the harness gets past the shape checks."""
    provider = next(p for name, p, _ in PROVIDERS if name == label)
    assert check(provider, SEEDS[label]).result.signals
