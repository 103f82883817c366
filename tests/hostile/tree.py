"""Builds an audited tree of hostile repositories next to a folder it must never read.

Small files come from ``files/``, one folder per case (``pyproject.toml.hostile`` becomes
``pyproject.toml`` in the copy, so no tool reads the broken original). Everything large,
special or oddly named is made here at test time: a sparse 100 MB manifest, 10,000-deep
nesting, symlinks out of the tree and in loops, a FIFO, a socket, a device node, unreadable
files and directories, and names with newlines, terminal escapes, bidi overrides and bytes
that are not UTF-8.

Every case folder also holds ``other/go.mod`` requiring ``example.com/sibling-<case>``: the
hostile file must not stop its neighbours from being read. Outside the audited root sit
files whose only content is ``CANARY``; it must never show up in anything fundscout says.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.sources.local import shown_path

FILES = Path(__file__).parent / "files"
CANARY = "canary-outside-secret"
DEPTH = 10_000
HUGE = 100 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One hostile repository: which files must each carry exactly one problem, and which
    dependency names must still be read from it (its sibling go.mod's is implied)."""

    name: str
    problems: tuple[str, ...] = ()  # paths relative to the case folder
    found: tuple[str, ...] = ()

    def problem_paths(self) -> list[str]:
        """As problems show them: names that cannot be shown as they are come escaped."""
        return [shown_path(f"{self.name}/{path}") for path in self.problems]


@dataclass
class HostileTree:
    """The audited root, the forbidden folder beside it, and what each case expects."""

    root: Path
    outside: Path
    cases: list[Case] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # cases this platform cannot make
    unreadable: list[Path] = field(default_factory=list)  # chmod 000 (root reads them anyway)
    unsafe_repositories: list[str] = field(default_factory=list)  # names no report can show


# Inside a repository: a newline, a terminal escape, and bytes that are not UTF-8.
UNSAFE_FILES = (
    "requirements/line\nbreak.txt",
    "requirements/esc-\x1b]0;title\x07.txt",
    os.fsdecode(b"requirements/latin1-\xe9.txt"),
)


# Cases whose files are committed under files/, with what each must yield.
STATIC_CASES = (
    Case("malformed-toml", ("pyproject.toml",)),
    Case("malformed-cargo", ("Cargo.toml",)),
    Case("malformed-poetry-lock", ("poetry.lock",)),
    Case("malformed-pipfile", ("Pipfile",)),
    Case("malformed-json", ("package.json",)),
    Case("malformed-composer", ("composer.json",)),
    Case("malformed-npm-lock", ("package-lock.json",)),
    Case("malformed-yaml", ("environment.yml",)),
    Case("malformed-pnpm", ("pnpm-lock.yaml",)),
    Case("malformed-xml", ("pom.xml",)),
    Case("malformed-ini", ("setup.cfg",)),
    Case("malformed-gemfile-lock", ("Gemfile.lock",)),
    Case("xml-billion-laughs", ("pom.xml",)),
    Case("xml-external-entity", ("pom.xml",)),
    Case("xml-external-dtd", ("pom.xml",)),
    Case("xml-parent-outside", (), ("org.slf4j:slf4j-api",)),  # the parent is not looked up
    Case("yaml-alias-bomb", ("environment.yml",)),
    Case("yaml-alias-bomb-pnpm", ("pnpm-lock.yaml",)),
    Case("include-cycle", ("requirements.txt", "requirements-dev.txt"), ("requests", "pytest")),
    Case("include-self", ("requirements.txt",), ("attrs",)),
    Case("include-escape", ("requirements.txt",), ("flask",)),
    Case("include-escape-constraint", ("requirements.txt",), ("flask",)),
    Case("include-absolute", ("requirements.txt", "requirements-dev.txt"), ("flask", "click")),
    Case("latin1-requirements", ("requirements.txt",)),
    Case("latin1-pyproject", ("pyproject.toml",)),
    Case("utf16-requirements", (), ("requests", "flask")),
    Case("utf16be-package-json", (), ("react",)),
    Case("binary-png", ("package.json",)),
    Case("binary-elf", ("requirements.txt",)),
    Case("binary-gzip", ("pom.xml",)),
    Case("binary-sqlite", ("Cargo.lock",)),
)


def build(base: Path) -> HostileTree:
    """Make ``base/tree`` (the audited root) and ``base/outside`` (never to be read)."""
    tree = HostileTree(base / "tree", base / "outside")
    _outside(tree.outside, base)
    for case in STATIC_CASES:
        shutil.copytree(FILES / case.name, tree.root / case.name)
        tree.cases.append(case)
    # Broken files that tools would read where they lie (ruff reads every pyproject.toml)
    # are kept as NAME.hostile and get their real name only in the audited copy.
    for kept in tree.root.rglob("*.hostile"):
        kept.rename(kept.with_suffix(""))
    # The external-entity samples name the forbidden folder, wherever this run put it.
    for name in ("xml-external-entity", "xml-external-dtd"):
        pom = tree.root / name / "pom.xml"
        pom.write_bytes(pom.read_bytes().replace(b"OUTSIDE", str(tree.outside).encode()))
    for make in (_huge, _deep, _links, _special, _unreadable, _names, _loose):
        make(tree)
    for case in tree.cases:
        _sibling(tree.root / case.name, case.name)
    for name in tree.unsafe_repositories:
        _sibling(tree.root / name, name)
    good = tree.root / "good"
    good.mkdir()
    (good / "requirements.txt").write_text("good-package==1.0\n")
    (good / "package.json").write_text('{"dependencies": {"good-npm-package": "^1.0.0"}}\n')
    return tree


def sibling_name(case: str) -> str:
    """The module each case's healthy go.mod requires (as fundscout displays it)."""
    return "example.com/sibling-" + re.sub(r"[^a-z0-9]+", "-", case.lower())


def _sibling(folder: Path, case: str) -> None:
    other = folder / "other"
    other.mkdir(parents=True, exist_ok=True)
    own = sibling_name(case).replace("sibling", "own")
    (other / "go.mod").write_text(f"module {own}\n\nrequire {sibling_name(case)} v1.0.0\n")


def _outside(outside: Path, base: Path) -> None:
    """Canaries beyond the root, where includes, parents, links and entities would lead."""
    outside.mkdir()
    (outside / "requirements.txt").write_text(f"{CANARY}==1.0\n")
    (outside / "constraints.txt").write_text(f"{CANARY}==1.0\n")
    (outside / "secret.txt").write_text(CANARY)
    (outside / "evil.dtd").write_text(f'<!ENTITY leak "{CANARY}">\n')
    (outside / "package.json").write_text(f'{{"dependencies": {{"{CANARY}": "1"}}}}\n')
    pom = (
        "<project><groupId>org.example</groupId><artifactId>outside-parent</artifactId>"
        f"<version>1</version><properties><canary.version>{CANARY}</canary.version>"
        "</properties></project>\n"
    )
    (outside / "pom.xml").write_text(pom)
    # The root's own parent: where a default ../pom.xml or a Cargo workspace search would go.
    (base / "pom.xml").write_text(pom)
    (base / "Cargo.toml").write_text(f'[workspace.dependencies]\nserde = "{CANARY}"\n')


def _case(tree: HostileTree, case: Case) -> Path:
    folder = tree.root / case.name
    folder.mkdir(parents=True, exist_ok=True)
    tree.cases.append(case)
    return folder


def _huge(tree: HostileTree) -> None:
    """100 MB without writing 100 MB: a sparse file after one real line."""
    path = _case(tree, Case("huge", ("requirements.txt",))) / "requirements.txt"
    with path.open("wb") as handle:
        handle.write(b"requests==2.31.0\n")
        handle.truncate(HUGE)


def _deep(tree: HostileTree) -> None:
    nested = {
        "deep-json/package.json": '{"dependencies": ' + "[" * DEPTH + "]" * DEPTH + "}",
        "deep-json-objects/composer.lock": '{"packages": ' + '{"a":' * DEPTH + "1" + "}" * DEPTH,
        "deep-toml/pyproject.toml": "[project]\ndependencies = " + "[" * DEPTH + "]" * DEPTH,
        "deep-toml-tables/Cargo.lock": "x = " + "{a = " * DEPTH + "1" + "}" * DEPTH,
        # a key of many dotted parts: quadratic time and memory in Python 3.11's tomllib
        "long-toml-key/pyproject.toml": "a" + ".b" * DEPTH + " = 1\n",
        "long-toml-table/Cargo.lock": "[" + "a." * DEPTH + "b]\n",
        "deep-yaml/environment.yml": "dependencies: " + "[" * DEPTH + "]" * DEPTH,
        "deep-yaml-block/pnpm-lock.yaml": "packages:\n  " + "- " * DEPTH + "x\n",
    }
    for relative, text in nested.items():
        name, file = relative.split("/")
        (_case(tree, Case(name, (file,))) / file).write_text(text)
    # Deep but well-formed XML is no problem: expat does not recurse, and the rest is read.
    dependency = "<groupId>org.example</groupId><artifactId>deep-xml-dep</artifactId>"
    pom = (
        "<project><groupId>org.example</groupId><artifactId>deep</artifactId><version>1</version>"
        + "<a>" * DEPTH + "</a>" * DEPTH
        + f"<dependencies><dependency>{dependency}<version>1</version></dependency>"
        + "</dependencies></project>"
    )  # fmt: skip
    (_case(tree, Case("deep-xml", (), ("org.example:deep-xml-dep",))) / "pom.xml").write_text(pom)


def _links(tree: HostileTree) -> None:
    out = tree.outside
    links = {
        "symlink-outside-file": ("requirements.txt", out / "requirements.txt"),
        "symlink-outside-dir": ("deps", out),
        "symlink-etc": ("requirements.txt", Path("/etc/passwd")),
        "symlink-dev": ("package.json", Path("/dev/zero")),
        "symlink-self-loop": ("requirements.txt", Path("requirements.txt")),
        "symlink-dangling": ("requirements.txt", Path("missing.txt")),
    }
    for name, (link, target) in links.items():
        (_case(tree, Case(name, (link,))) / link).symlink_to(target)
    # A directory loop inside the tree is not a problem: links to directories are not walked.
    loop = _case(tree, Case("symlink-dir-loop", (), ("six",)))
    (loop / "requirements.txt").write_text("six==1.16.0\n")
    (loop / "again").symlink_to("..", target_is_directory=True)
    (loop / "self").symlink_to(".", target_is_directory=True)


def _special(tree: HostileTree) -> None:
    """A FIFO (opening it would block), a socket and a device node named like manifests."""
    makers = {
        "fifo": ("requirements.txt", os.mkfifo),
        "socket": ("package.json", _bind_socket),
        "device": ("pom.xml", _make_device),
    }
    for name, (file, make) in makers.items():
        folder = tree.root / name
        folder.mkdir()
        try:
            make(folder / file)
        except (OSError, AttributeError):  # no mknod rights, no FIFOs, socket path too long
            tree.unavailable.append(name)
            shutil.rmtree(folder)
            continue
        tree.cases.append(Case(name, (file,)))


def _make_device(path: Path) -> None:
    """A character device like /dev/null (needs privileges: root, or no such case)."""
    os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))


def _bind_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))


def _unreadable(tree: HostileTree) -> None:
    file = _case(tree, Case("unreadable-file", ("requirements.txt",))) / "requirements.txt"
    file.write_text("requests==2.31.0\n")
    folder = _case(tree, Case("unreadable-dir", ("locked",))) / "locked"
    folder.mkdir()
    (folder / "requirements.txt").write_text("requests==2.31.0\n")
    for path in (file, folder):
        path.chmod(0)
        tree.unreadable.append(path)


def _names(tree: HostileTree) -> None:
    """Names that break lines, color terminals, reverse text or are not UTF-8 at all."""
    for name, dep in (("bidi-\u202eevil", "bidi-dep"), ("nfd-cafe\u0301", "nfd-dep")):
        (_case(tree, Case(name, (), (dep,))) / "requirements.txt").write_text(f"{dep}==1\n")
    # Files with such names are skipped, each with one problem showing the name escaped.
    weird = tree.root / "weird-files"
    made = [p for p in ("requirements.txt", *UNSAFE_FILES) if _write(tree, weird / p, "plain-dep")]
    tree.cases.append(Case("weird-files", tuple(made[1:]), ("plain-dep",)))
    # A repository so named is skipped whole; its one problem names the directory.
    for name in ("new\nline", "esc-\x1b[31m-red", os.fsdecode(b"latin1-\xe9-name")):
        if _write(tree, tree.root / name / "requirements.txt", "hidden-dep"):
            tree.unsafe_repositories.append(name)


def _write(tree: HostileTree, path: Path, dependency: str) -> bool:
    """Write a one-line requirements file; False where the file system refuses the name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{dependency}==1\n")
    except (OSError, UnicodeError):  # macOS and others insist on UTF-8 names
        tree.unavailable.append(repr(str(path.relative_to(tree.root))))
        return False
    return True


def _loose(tree: HostileTree) -> None:
    """Manifests in the root itself whose parents would be outside: never looked up there."""
    (tree.root / "pom.xml").write_text(
        "<project><parent><groupId>org.example</groupId><artifactId>outside-parent</artifactId>"
        "<version>1</version></parent><artifactId>loose</artifactId><dependencies>"
        "<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>"
        "<version>${canary.version}</version></dependency></dependencies></project>\n"
    )
