"""``yarn.lock``: Yarn classic (v1) and Yarn Berry (v2+) lockfiles, told apart by content.

Yarn classic writes a line format of its own (read by ``yarn_classic``); Berry writes YAML
with a ``__metadata`` mapping (read by ``yarn_berry``). Both fill a ``YarnLock``: every
descriptor points at the entry it resolves to, so a dependency (its name plus its range)
finds the exact package Yarn installed, which gives the edges.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.text import decode_text
from analyzer.manifests.yarn_berry import read_berry
from analyzer.manifests.yarn_classic import read_classic
from analyzer.manifests.yarn_common import YarnLock
from analyzer.model import ManifestFile, ParsedManifest

_BERRY = re.compile(r'^"?__metadata"?[ \t]*:', re.MULTILINE)
_BERRY_FIELD = re.compile(r"^[ \t]+(?:resolution|languageName|linkType):[ \t]", re.MULTILINE)
_CLASSIC = re.compile(r"^#[ \t]*yarn lockfile v1[ \t]*$", re.MULTILINE)


class YarnLockParser(ManifestParser):
    """Both lockfile generations under the one name ``yarn.lock``."""

    name = "yarn.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "yarn.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data = file.read()
        text = decode_text(data)
        lock = YarnLock(file)
        if _is_berry(text):
            read_berry(text, len(data), lock)
        else:
            read_classic(text, lock)
        return lock.result()


def _is_berry(text: str) -> bool:
    if _BERRY.search(text):
        return True
    return not _CLASSIC.search(text) and bool(_BERRY_FIELD.search(text))
