"""Writers for the manifest and lockfile formats a synthetic repository holds.

Each writer returns ``{relative path: file text}`` for one project inside a repository: the
manifest declaring a few direct dependencies and, most of the time, the lockfile pinning them
plus a long tail of transitive packages, as real projects have.
"""

from __future__ import annotations

import json
import random

from benchmarks.synth.universe import Universe, version

Files = dict[str, str]


def _split(
    rng: random.Random, universe: Universe, eco: str, direct: int, locked: int
) -> tuple[list[str], list[str], list[str]]:
    """Direct names, dev names and transitive names, all distinct, popular-biased."""
    names = universe[eco].sample(rng, direct + locked)
    dev_count = max(1, direct // 4)
    return names[: direct - dev_count], names[direct - dev_count : direct], names[direct:]


def python(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, transitive = _split(rng, universe, "pypi", rng.randint(4, 25), locked)
    pins = {name: version(rng) for name in (*runtime, *dev, *transitive)}
    files: Files = {}
    style = rng.random()
    if style < 0.45:
        files[f"{where}requirements.txt"] = "".join(f"{n}>={pins[n]}\n" for n in runtime)
        files[f"{where}requirements-dev.txt"] = "-r requirements.txt\n" + "".join(
            f"{n}=={pins[n]}\n" for n in dev
        )
        return files
    deps = ",\n".join(f'    "{n}>={pins[n]}"' for n in runtime)
    tests = ", ".join(f'"{n}"' for n in dev)
    files[f"{where}pyproject.toml"] = (
        f'[project]\nname = "{where.strip("/").replace("/", "-") or "app"}-svc"\n'
        f'version = "0.1.0"\ndependencies = [\n{deps}\n]\n\n'
        f"[project.optional-dependencies]\ntest = [{tests}]\n"
    )
    if style < 0.8 and locked:
        files[f"{where}uv.lock"] = _uv_lock(rng, runtime + dev, transitive, pins)
    return files


def _uv_lock(
    rng: random.Random, direct: list[str], transitive: list[str], pins: dict[str, str]
) -> str:
    parts = ['version = 1\nrequires-python = ">=3.11"\n']
    for name in [*direct, *transitive]:
        kids = rng.sample(transitive, min(len(transitive), rng.randint(0, 3)))
        deps = ", ".join(f'{{ name = "{k}" }}' for k in kids if k != name)
        parts.append(
            f'\n[[package]]\nname = "{name}"\nversion = "{pins[name]}"\n'
            f'source = {{ registry = "https://pypi.org/simple" }}\ndependencies = [{deps}]\n'
        )
    return "".join(parts)


def npm(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, transitive = _split(rng, universe, "npm", rng.randint(5, 40), locked)
    pins = {name: version(rng) for name in (*runtime, *dev, *transitive)}
    manifest = {
        "name": f"web-{rng.randrange(10**6)}",
        "version": "1.0.0",
        "private": True,
        "dependencies": {n: f"^{pins[n]}" for n in runtime},
        "devDependencies": {n: f"^{pins[n]}" for n in dev},
    }
    files = {f"{where}package.json": json.dumps(manifest, indent=2)}
    if rng.random() < 0.85 and locked:
        packages: dict[str, object] = {"": {k: v for k, v in manifest.items() if k != "private"}}
        for name in (*runtime, *dev, *transitive):
            kids = rng.sample(transitive, min(len(transitive), rng.randint(0, 4)))
            entry: dict[str, object] = {
                "version": pins[name],
                "resolved": f"https://registry.npmjs.org/{name}/-/x-{pins[name]}.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
            }
            if kids:
                entry["dependencies"] = {k: f"^{pins[k]}" for k in kids if k != name}
            if name in dev:
                entry["dev"] = True
            packages[f"node_modules/{name}"] = entry
        lock = {"name": manifest["name"], "version": "1.0.0", "lockfileVersion": 3,
                "requires": True, "packages": packages}  # fmt: skip
        files[f"{where}package-lock.json"] = json.dumps(lock, indent=2)
    return files


def cargo(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, transitive = _split(rng, universe, "cargo", rng.randint(3, 20), locked)
    pins = {name: version(rng) for name in (*runtime, *dev, *transitive)}
    crate = f"svc_{rng.randrange(10**6)}"
    toml = [f'[package]\nname = "{crate}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n']
    toml += [f'{n} = "{pins[n]}"\n' for n in runtime]
    toml += ["\n[dev-dependencies]\n"] + [f'{n} = "{pins[n]}"\n' for n in dev]
    lock = ["version = 3\n", f'\n[[package]]\nname = "{crate}"\nversion = "0.1.0"\n']
    for name in (*runtime, *dev, *transitive):
        lock.append(
            f'\n[[package]]\nname = "{name}"\nversion = "{pins[name]}"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
        )
    return {f"{where}Cargo.toml": "".join(toml), f"{where}Cargo.lock": "".join(lock)}


def golang(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    direct, _, transitive = _split(rng, universe, "golang", rng.randint(3, 20), locked // 2)
    lines = [f"module github.com/acme/svc{rng.randrange(10**6)}\n\ngo 1.22\n\nrequire (\n"]
    lines += [f"\t{n} v{version(rng)}\n" for n in direct]
    lines += [f"\t{n} v{version(rng)} // indirect\n" for n in transitive]
    return {f"{where}go.mod": "".join(lines) + ")\n"}


def ruby(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, transitive = _split(rng, universe, "gem", rng.randint(4, 20), locked // 2)
    pins = {name: version(rng) for name in (*runtime, *dev, *transitive)}
    gemfile = ['source "https://rubygems.org"\n\n']
    gemfile += [f'gem "{n}", "~> {pins[n]}"\n' for n in runtime]
    gemfile += ["\ngroup :development, :test do\n"] + [f'  gem "{n}"\n' for n in dev] + ["end\n"]
    specs = [f"    {n} ({pins[n]})\n" for n in sorted((*runtime, *dev, *transitive))]
    lock = (
        "GEM\n  remote: https://rubygems.org/\n  specs:\n" + "".join(specs)
        + "\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n"
        + "".join(f"  {n}\n" for n in sorted((*runtime, *dev)))
        + "\nBUNDLED WITH\n   2.5.3\n"
    )  # fmt: skip
    return {f"{where}Gemfile": "".join(gemfile), f"{where}Gemfile.lock": lock}


def composer(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, transitive = _split(rng, universe, "composer", rng.randint(3, 15), locked // 2)
    pins = {name: version(rng) for name in (*runtime, *dev, *transitive)}
    require = {"php": ">=8.1", **{n: f"^{pins[n]}" for n in runtime}}
    manifest = {"name": f"acme/app{rng.randrange(10**6)}", "require": require,
                "require-dev": {n: f"^{pins[n]}" for n in dev}}  # fmt: skip
    lock = {
        "packages": [{"name": n, "version": pins[n]} for n in (*runtime, *transitive)],
        "packages-dev": [{"name": n, "version": pins[n]} for n in dev],
    }
    return {f"{where}composer.json": json.dumps(manifest, indent=4),
            f"{where}composer.lock": json.dumps(lock, indent=4)}  # fmt: skip


def maven(rng: random.Random, universe: Universe, where: str, locked: int) -> Files:
    runtime, dev, _ = _split(rng, universe, "maven", rng.randint(4, 25), 0)
    deps = []
    for name in (*runtime, *dev):
        group, artifact = name.split(":")
        scope = "\n      <scope>test</scope>" if name in dev else ""
        deps.append(
            f"    <dependency>\n      <groupId>{group}</groupId>\n      <artifactId>{artifact}"
            f"</artifactId>\n      <version>{version(rng)}</version>{scope}\n    </dependency>\n"
        )
    pom = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n"
        f"  <artifactId>svc{rng.randrange(10**6)}</artifactId>\n  <version>1.0</version>\n"
        f"  <dependencies>\n{''.join(deps)}  </dependencies>\n</project>\n"
    )
    return {f"{where}pom.xml": pom}


WRITERS = {"python": python, "npm": npm, "cargo": cargo, "golang": golang, "ruby": ruby,
           "composer": composer, "maven": maven}  # fmt: skip
# Share of projects per kind in a typical polyglot organization.
MIX = {"python": 0.38, "npm": 0.32, "golang": 0.09, "maven": 0.08, "cargo": 0.05,
       "ruby": 0.04, "composer": 0.04}  # fmt: skip
