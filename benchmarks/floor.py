"""The floor for the offline part of an audit: read every manifest, parse it with the stdlib.

    python -m benchmarks.floor /tmp/org-1000

Walks the tree, reads every file fundscout would treat as a manifest and parses it with the
C-accelerated standard parsers (``json``, ``tomllib``, ``xml.etree`` on expat); line formats
(requirements, go.mod, Gemfile.lock, yarn.lock) are split into lines. No interpretation, no
graph, no report: a lower bound no real audit can beat. Prints files, bytes, wall and CPU
seconds and peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from analyzer.manifests import is_manifest

TOML = (".toml", "Cargo.lock", "uv.lock", "poetry.lock", "pdm.lock", "Pipfile")
JSON = (".json", "composer.lock", "Pipfile.lock")


def parse(path: str, data: bytes) -> None:
    if path.endswith(JSON):
        json.loads(data)
    elif path.endswith(TOML):
        tomllib.loads(data.decode())
    elif path.endswith(".xml"):
        ET.fromstring(data)  # noqa: S314
    else:
        data.decode().splitlines()


def floor(root: Path) -> tuple[int, int]:
    files = size = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in {".git", "node_modules"}]
        for name in names:
            path = os.path.join(folder, name)
            if not is_manifest(os.path.relpath(path, root)):
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            parse(path, data)
            files, size = files + 1, size + len(data)
    return files, size


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m benchmarks.floor ORG_FOLDER", file=sys.stderr)
        return 2
    wall, cpu = time.perf_counter(), time.process_time()
    files, size = floor(Path(args[0]))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"files": files, "bytes": size, "wall": round(wall, 3), "cpu": round(cpu, 3),
                      "peak_mb": round(peak, 1)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
