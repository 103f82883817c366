"""Fake PyPI JSON API: ``GET /pypi/<name>/json`` and ``GET /pypi/<name>/<version>/json``
(with ``vulnerabilities``, as pip-audit's service reads them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

from benchmarks.fake.common import (
    NOT_FOUND,
    WORDS,
    Api,
    Reply,
    hex_digest,
    iso_stamp,
    readme_text,
    seeded_rng,
)
from benchmarks.fake.world import Package, Release


class PypiApi(Api):
    """Project and release documents of the world's PyPI packages."""

    def prepare(self) -> None:
        for package in self.world.packages:
            if package.ecosystem == "pypi":
                self.memo.get(f"pypi/{package.name}", partial(self.pypi_project, package))
                for version in package.used:
                    key = f"pypi/{package.name}/{version}"
                    self.memo.get(key, partial(self.pypi_release, package, version))

    def _pypi_files(self, package: Package, release: Release) -> list[dict[str, Any]]:
        stem = package.spelled.replace("-", "_").replace(".", "_")
        tags = ["py3-none-any"]
        if package.files > 3:
            tags = [
                f"cp3{m}-cp3{m}-{p}"
                for m in range(8, 14)
                for p in (
                    "manylinux_2_17_x86_64.manylinux2014_x86_64",
                    "win_amd64",
                    "macosx_11_0_arm64",
                )
            ][: package.files - 1]
        files = []
        for n in range(package.files):
            sdist = n == 0
            tag = tags[(n - 1) % len(tags)]
            name = f"{stem}-{release.version}" + (".tar.gz" if sdist else f"-{tag}.whl")
            digest = hex_digest(package.name, release.version, n, size=32)
            when = release.published + timedelta(seconds=n * 7)
            files.append(
                {
                    "comment_text": None,
                    "digests": {"blake2b_256": digest[::-1], "md5": digest[:32], "sha256": digest},
                    "downloads": -1,
                    "filename": name,
                    "has_sig": False,
                    "md5_digest": digest[:32],
                    "packagetype": "sdist" if sdist else "bdist_wheel",
                    "python_version": "source" if sdist else tag.split("-")[0],
                    "requires_python": ">=3.9",
                    "size": 20_000 + int(digest[:5], 16) % 900_000,
                    "upload_time": when.strftime("%Y-%m-%dT%H:%M:%S"),
                    "upload_time_iso_8601": iso_stamp(when, micro=True),
                    "url": f"https://files.pythonhosted.org/packages/{digest[:2]}/{digest[2:4]}/"
                    f"{digest[4:60]}/{name}",
                    "yanked": release.yanked,
                    "yanked_reason": "broken" if release.yanked else None,
                }
            )
        return files

    def _pypi_info(self, package: Package, release: Release) -> dict[str, Any]:
        rng = seeded_rng("pypi-info", self.world.seed, package.index)
        status = (
            "7 - Inactive"
            if package.deprecated
            else rng.choice(
                ("5 - Production/Stable", "5 - Production/Stable", "4 - Beta", "3 - Alpha")
            )
        )
        urls = {
            "Documentation": f"https://{package.name}.readthedocs.io",
            "Changelog": f"https://{package.name}.readthedocs.io/en/latest/changes.html",
        }
        if package.repo:
            urls["Source"] = f"https://github.com/{package.repo}"
            urls["Issues"] = f"https://github.com/{package.repo}/issues"
        for link in package.funding:
            urls["Funding"] = link
        author = package.maintainers[0]
        return {
            "author": None,
            "author_email": f"{author.title()} <{author}@example.org>",
            "bugtrack_url": None,
            "classifiers": [
                f"Development Status :: {status}",
                "Intended Audience :: Developers",
                "Operating System :: OS Independent",
                "Programming Language :: Python",
                *(f"Programming Language :: Python :: 3.{m}" for m in range(9, 14)),
                "Topic :: Software Development :: Libraries",
            ],
            "description": readme_text(rng, package.spelled),
            "description_content_type": "text/markdown",
            "docs_url": None,
            "download_url": None,
            "downloads": {"last_day": -1, "last_month": -1, "last_week": -1},
            "dynamic": ["License-File"],
            "home_page": None,
            "keywords": f"{rng.choice(WORDS)}, {rng.choice(WORDS)}",
            "license": None,
            "license_expression": package.license,
            "license_files": ["LICENSE"],
            "maintainer": None,
            "maintainer_email": None,
            "name": package.spelled,
            "package_url": f"https://pypi.org/project/{package.spelled}/",
            "platform": None,
            "project_url": f"https://pypi.org/project/{package.spelled}/",
            "project_urls": urls,
            "provides_extra": ["dev", "docs"],
            "release_url": f"https://pypi.org/project/{package.spelled}/{release.version}/",
            "requires_dist": [
                f"{rng.choice(WORDS)}>=1.{rng.randint(0, 9)}" for _ in range(rng.randint(0, 6))
            ],
            "requires_python": ">=3.9",
            "summary": f"{rng.choice(WORDS).title()} tools for {rng.choice(WORDS)}",
            "version": release.version,
            "yanked": release.yanked,
            "yanked_reason": None,
        }

    def pypi_project(self, package: Package) -> dict[str, Any]:
        latest = package.latest
        roles = [
            {"role": "Owner" if i == 0 else "Maintainer", "user": user}
            for i, user in enumerate(package.maintainers)
        ]
        return {
            "info": self._pypi_info(package, latest),
            "last_serial": 20_000_000 + package.index,
            "ownership": {"organization": package.organization, "roles": roles},
            "releases": {r.version: self._pypi_files(package, r) for r in package.releases},
            "urls": self._pypi_files(package, latest),
            "vulnerabilities": self._pypi_vulns(package, latest.version),
        }

    def pypi_release(self, package: Package, version: str) -> dict[str, Any] | None:
        at = package.position(version)
        if at < 0:
            return None
        release = package.releases[at]
        return {
            "info": self._pypi_info(package, release),
            "last_serial": 20_000_000 + package.index,
            "urls": self._pypi_files(package, release),
            "vulnerabilities": self._pypi_vulns(package, version),
        }

    def _pypi_vulns(self, package: Package, version: str) -> list[dict[str, Any]]:
        found = []
        for adv in self.world.affecting(package, version):
            pysec = [a for a in adv.aliases if a.startswith("PYSEC-")]
            vuln_id = pysec[0] if pysec else adv.id
            fixed = [package.releases[adv.fixed].version] if adv.fixed is not None else []
            found.append(
                {
                    "aliases": sorted({adv.id, *adv.aliases} - {vuln_id}),
                    "details": f"{adv.summary}. " * 6,
                    "fixed_in": fixed,
                    "id": vuln_id,
                    "link": f"https://osv.dev/vulnerability/{vuln_id}",
                    "source": "osv",
                    "summary": adv.summary,
                    "withdrawn": None,
                }
            )
        return found

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        segments = [unquote(s) for s in urlsplit(target).path.split("/")[1:]]
        if len(segments) not in (3, 4) or segments[0] != "pypi" or segments[-1] != "json":
            return "pypi:project", NOT_FOUND
        label = "pypi:project" if len(segments) == 3 else "pypi:release"
        package = self.world.by_key.get(("pypi", str(canonicalize_name(segments[1]))))
        if package is None or not package.on_registry:
            return label, NOT_FOUND
        if len(segments) == 3:
            return label, self.memo.get(f"pypi/{package.name}", lambda: self.pypi_project(package))
        version = segments[2]
        build = lambda: self.pypi_release(package, version)  # noqa: E731
        return label, self.memo.get(f"pypi/{package.name}/{version}", build)
