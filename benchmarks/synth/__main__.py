"""Write a synthetic organization of N repositories to a folder.

    python -m benchmarks.synth --repos 1000 --seed 1 --out /tmp/org-1000

Deterministic for a seed: the same arguments write byte-identical files. Prints how many
repositories, files, bytes and declared dependencies it wrote.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from benchmarks.synth.formats import MIX, WRITERS
from benchmarks.synth.universe import Universe

PROJECT_FOLDERS = ("services", "packages", "libs", "tools", "apps")


def lock_size(rng: random.Random) -> int:
    """Entries in a lockfile: mostly dozens, sometimes hundreds (the long tail)."""
    return rng.randint(200, 700) if rng.random() < 0.08 else rng.randint(10, 60)


def repository(rng: random.Random, universe: Universe, root: Path, index: int) -> tuple[int, int]:
    """Write one repository; returns (files, bytes)."""
    repo = root / f"repo-{index:05d}"
    projects = 1 + min(int(rng.expovariate(1 / 5.8)), 40)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=projects)
    files = written = 0
    for number, kind in enumerate(kinds):
        where = "" if number == 0 else f"{rng.choice(PROJECT_FOLDERS)}/p{number:02d}/"
        for relative, text in WRITERS[kind](rng, universe, where, lock_size(rng)).items():
            path = repo / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode()
            path.write_bytes(data)
            files += 1
            written += len(data)
    return files, written


def generate(root: Path, repos: int, seed: int) -> tuple[int, int]:
    """Write ``repos`` repositories under ``root``; returns (files, bytes)."""
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    universe = Universe(repos)
    files = size = 0
    for index in range(repos):
        done = repository(rng, universe, root, index)
        files, size = files + done[0], size + done[1]
    return files, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out}: folder is not empty", file=sys.stderr)
        return 2
    files, size = generate(args.out, args.repos, args.seed)
    print(f"{args.repos} repositories, {files} files, {size / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
