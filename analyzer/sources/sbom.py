"""SBOM files given on the command line (``--sbom FILE``), each audited as one repository.

The repository is named after the product the SBOM describes (CycloneDX
``metadata.component``, the SPDX package the document DESCRIBES; ``owner/repo`` for GitHub's
export), else after the file. Its one manifest is the file itself, under the path as given,
and its reader serves only the bytes read here, so the audit sees exactly what was checked.
Pipes work too (``--sbom <(gh api repos/OWNER/REPO/dependency-graph/sbom)``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from analyzer.config import DEFAULT_MAX_FILE_SIZE
from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.sbom import root_name, sbom_document
from analyzer.manifests.text import decode_text
from analyzer.model import ManifestFile, Repository
from analyzer.sources.interface import Source, SourceScan
from analyzer.sources.tree_reader import size_text, too_large

_SUFFIXES = (".cdx.json", ".cyclonedx.json", ".spdx.json", ".bom.json", ".sbom.json", ".json")


def file_stem(path: str) -> str:
    """``exports/acme-api.cdx.json`` -> ``acme-api``: the name without SBOM suffixes."""
    name = Path(path).name
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name or path


class SbomSource(Source):
    """Reads each SBOM file once; anything unusable is a SourceError naming the file."""

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        taken: Iterable[str] = (),
    ) -> None:
        self.paths = list(paths)
        self.max_file_size = max_file_size
        self.taken = set(taken)  # repository names already used by other sources

    def scan(self) -> SourceScan:
        scan = SourceScan()
        names = set(self.taken)
        seen: set[str] = set()
        for path in self.paths:
            shown = Path(path).as_posix()
            real = os.path.realpath(path)
            if real in seen:  # the same file twice would count its dependencies twice
                continue
            seen.add(real)
            data = self._read(shown)
            name = self._name(shown, data)
            if name in names:
                name = f"{name} ({shown})"
            names.add(name)
            scan.repositories.append(Repository(name, shown))
            scan.manifests.append(ManifestFile(name, shown, len(data), _reader(shown, data)))
        return scan

    def _read(self, path: str) -> bytes:
        try:
            with open(path, "rb") as handle:  # not only regular files: a pipe is fine
                size = os.fstat(handle.fileno()).st_size
                data = handle.read(self.max_file_size + 1)
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file or directory") from None
        except IsADirectoryError:
            raise SourceError(f"{path}: is a directory, not an SBOM file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if len(data) > self.max_file_size:
            limit = self.max_file_size
            detail = (
                too_large(size, limit)
                if size > limit
                else f"over the {size_text(limit)} size limit"
            )
            raise SourceError(f"{path}: {detail}; raise it with --max-file-size")
        return data

    def _name(self, path: str, data: bytes) -> str:
        """The repository name; raises SourceError unless ``data`` is a CycloneDX/SPDX JSON."""
        try:
            document = json.loads(decode_text(data))
        except (ManifestError, ValueError, RecursionError):
            document = None
        found = sbom_document(document)
        if found is None:
            raise SourceError(f"{path}: not a CycloneDX or SPDX JSON document")
        if found[0] == "spdx3":
            raise SourceError(f"{path}: SPDX 3 documents are not supported yet (SPDX 2.2/2.3 are)")
        return root_name(document) or file_stem(path)


def _reader(path: str, data: bytes) -> Callable[[str], bytes]:
    def read(wanted: str) -> bytes:
        if wanted != path:
            raise SourceError(f"{wanted}: not part of the SBOM input {path}")
        return data

    return read
