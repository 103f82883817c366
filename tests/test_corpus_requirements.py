"""Real-world files: agreement with pip (via pip-requirements-parser) and osv-scanner.

Data lives outside the repository (``../shared/corpus``); every test skips without it.

Convention differences with pip-requirements-parser, each counted, none left unexplained:
- local directories (``-e .``, ``path/to/pkg#egg=x``, ``name @ file:///dir``) are the
  organization's own code, so fundscout records nothing for them;
- fundscout names a distribution file (``pytz-2016.4.tar.gz``) after its file name, where
  pip-requirements-parser leaves it unnamed (pip learns the name only by building it);
- a URL spec has its ``[extras]`` suffix removed and passwords replaced by ``****``.
Differences with osv-scanner's requirements.txt parser:
- osv-scanner writes "0.0.0" for "no version" and takes the version of a ``>=`` or ``~=``
  range too; fundscout records a version only for an exact pin;
- osv-scanner leaves out distribution files and URLs; fundscout records them;
- osv-scanner fails on a missing ``-r`` file; fundscout reports it and keeps the rest;
- osv-scanner keeps the backslashes of ``bar == 4.5\\\\`` + ``.6`` as a version; pip, and
  fundscout, strip them, so that entry is not compared.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.errors import ManifestError
from analyzer.manifests import parse_manifest, parser_for
from analyzer.manifests.pep508 import archive_name, redact_url, url_source
from analyzer.manifests.requirements import RequirementsParser
from analyzer.model import Dependency, ManifestFile, ParsedManifest, Problem
from analyzer.sources import LocalSource

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PIP = CORPUS / "peers" / "pip-requirements-parser"
OSV = CORPUS / "peers" / "osv-scanner-v1"
ORGS = CORPUS / "orgs"
OWN_PARSERS = ("requirements", "pyproject", "package.json")


def need(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"corpus not available at {path}")
    return path


def parse_file(root: Path, path: str) -> ParsedManifest:
    """Parse with the requirements parser whatever the file is called (corpus names vary)."""
    source = LocalSource(root, lambda _: True)
    file = ManifestFile("corpus", path, (root / path).stat().st_size, source.read)
    try:
        return RequirementsParser().parse(file)
    except ManifestError as exc:
        return ParsedManifest(file, problems=(Problem(path, exc.line, exc.message, "corpus"),))


# --- pip-requirements-parser ----------------------------------------------------------------


@dataclass
class Tally:
    """How each requirement pip-requirements-parser reports fared in fundscout."""

    files: int = 0
    named: int = 0
    matched: int = 0
    both_unnamed: int = 0
    named_from_file: int = 0
    local_skipped: int = 0
    unexplained: list[str] = field(default_factory=list)


def expected_cases() -> Iterator[tuple[Path, dict[str, Any]]]:
    for expected in sorted(need(PIP).rglob("*-expected.json")):
        source = expected.with_name(expected.name.removesuffix("-expected.json"))
        try:
            data = json.loads(expected.read_text(encoding="utf-8"))
        except ValueError:
            continue  # one file of their suite is not JSON
        if source.is_file():
            yield source, data


def pip_spec(requirement: dict[str, Any]) -> str | frozenset[str] | None:
    link = requirement["link"]
    if link:
        return redact_url(re.sub(r"\[[^\]]*\]$", "", link))
    return frozenset(requirement["specifier"]) or None


def our_spec(dep: Dependency, link: bool) -> str | frozenset[str] | None:
    if link or dep.spec is None:
        return dep.spec
    return frozenset(dep.spec.split(","))


def compare(source: Path, data: dict[str, Any], tally: Tally) -> None:
    result = parse_file(source.parent, source.name)
    by_line: dict[int | None, list[Dependency]] = {}
    for dep in result.dependencies:
        if dep.file == source.name:  # pip-requirements-parser does not follow includes
            by_line.setdefault(dep.line, []).append(dep)
    for requirement in data["requirements"]:
        number = requirement["requirement_line"]["line_number"]
        ours = by_line.get(number, [])
        link = requirement["link"]
        where = f"{source.relative_to(PIP)}:{number}"
        if requirement["name"] is None:
            if not ours:
                tally.both_unnamed += 1
            elif link and all(archive_name(link) == (d.name, d.version) for d in ours):
                tally.named_from_file += 1
            else:
                tally.unexplained.append(f"{where}: unnamed by pip, {ours}")
            continue
        tally.named += 1
        name, spec = canonicalize_name(requirement["name"]), pip_spec(requirement)
        if any(d.name == name and our_spec(d, bool(link)) == spec for d in ours):
            tally.matched += 1
        elif not ours and link and url_source(link) == "path" and archive_name(link) is None:
            tally.local_skipped += 1
        else:
            tally.unexplained.append(f"{where}: pip {name} {spec}, fundscout {ours}")


def test_agreement_with_pip_requirements_parser() -> None:
    tally = Tally()
    for source, data in expected_cases():
        tally.files += 1
        compare(source, data, tally)
    assert tally.unexplained == []
    assert tally.files >= 80
    # Every named requirement either matches or is a local directory skipped on purpose.
    assert tally.matched + tally.local_skipped == tally.named
    assert tally.matched >= 0.98 * tally.named


def test_lines_pip_rejects_are_problems_or_lenient_on_purpose() -> None:
    """A line pip refuses gets a problem, unless only its per-requirement options are odd."""
    lenient = re.compile(r"\s--?[a-z]|#egg=[^&\s]*==")  # options we ignore; "egg=name==1"
    for source, data in expected_cases():
        result = parse_file(source.parent, source.name)
        flagged = {p.line for p in result.problems if p.file == source.name}
        recorded = {d.line for d in result.dependencies if d.file == source.name}
        for invalid in data["invalid_lines"]:
            number, text = invalid["line_number"], invalid["line"]
            where = f"{source.relative_to(PIP)}:{number}: {text}"
            assert number in flagged or (number in recorded and lenient.search(text)), where


def test_every_pip_corpus_file_parses_without_internal_errors() -> None:
    files = [p for p in need(PIP).rglob("*") if p.suffix in (".txt", ".pip", ".in")]
    assert files
    for path in files:
        result = parse_file(path.parent, path.name)
        assert not any("internal error" in p.message for p in result.problems), path


# --- osv-scanner ----------------------------------------------------------------------------


def osv_cases() -> list[dict[str, Any]]:
    data = json.loads((need(OSV) / "expected_packages.json").read_text(encoding="utf-8"))
    cases = [c for c in data["cases"] if c["parser"] == "ParseRequirementsTxt"]
    return [c for c in cases if (OSV / c["fixture"]).is_file()]


def osv_version(dep: Dependency) -> str:
    """The version osv-scanner would report for one of our records."""
    if dep.version:
        return dep.version
    first = (dep.spec or "").split(",")[0]
    for operator in (">=", "~="):
        if first.startswith(operator):
            return first[len(operator) :]
    return "0.0.0"


def is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def test_agreement_with_osv_scanner() -> None:
    cases = osv_cases()
    assert len(cases) >= 10
    root = OSV / "fixtures"
    for case in cases:
        path = case["fixture"].removeprefix("fixtures/")
        result = parse_file(root, path)
        if case.get("expect_error_is"):
            assert any("cannot read included file" in p.message for p in result.problems)
            continue
        ours = {(d.name, osv_version(d)) for d in result.dependencies if d.source == "registry"}
        theirs = {
            (p["name"], p["version"]) for p in case["expected_packages"] if is_version(p["version"])
        }
        assert ours >= theirs, case["test"]
        extra = {name for name, _ in ours - theirs}
        unparsable = {p["name"] for p in case["expected_packages"] if not is_version(p["version"])}
        assert extra <= unparsable, case["test"]


# --- the organization corpus ----------------------------------------------------------------


def org_files() -> Iterator[tuple[Path, str]]:
    for repo in sorted(need(ORGS).glob("*/*")):
        if not repo.is_dir():
            continue
        for directory, _, names in os.walk(repo):
            for name in sorted(names):
                relative = str(Path(directory, name).relative_to(repo.parent))
                parser = parser_for(relative)
                if parser is not None and parser.name in OWN_PARSERS:
                    yield repo.parent, relative


def test_org_corpus_parses_without_internal_errors() -> None:
    seen = 0
    for root, relative in org_files():
        repo = relative.split("/", 1)[0]
        source = LocalSource(root, lambda _: True)
        size = (root / relative).stat().st_size
        result = parse_manifest(ManifestFile(repo, relative, size, source.read, repo))
        seen += 1
        assert not any("internal error" in p.message for p in result.problems), relative
        for dep in result.dependencies:
            assert dep.name and (dep.line is None or dep.line >= 1), (relative, dep)
    assert seen >= 50
