"""The local directory source: which folders are repositories, what the walk skips, and
which files it may read."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.config import Config
from analyzer.errors import SourceError
from analyzer.manifests import is_manifest
from analyzer.model import Problem, Repository
from analyzer.sources import LocalSource, SourceScan
from analyzer.sources.local import SKIPPED_DIRS
from analyzer.sources.tree_reader import size_text, too_large
from tests.conftest import TreeWriter

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
OUTSIDE = "symlink points outside the audited tree; not followed"
Symlink = Callable[[Path, str | Path], None]


def scan(root: Path, **options: object) -> SourceScan:
    return LocalSource(root, is_manifest, **options).scan()  # type: ignore[arg-type]


def found(result: SourceScan) -> list[tuple[str, str]]:
    """(repository, path) of every manifest, in walk order."""
    return [(m.repo, m.path) for m in result.manifests]


@pytest.fixture
def symlink() -> Symlink:
    """Create a symlink, skipping the test where the OS or the user may not."""

    def make(link: Path, target: str | Path) -> None:
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(target)
        except OSError as exc:  # e.g. Windows without developer mode
            pytest.skip(f"cannot create symlinks: {exc}")

    return make


@contextmanager
def unreadable(*folders: Path) -> Iterator[None]:
    """chmod 000 some folders; skip the test when the user reads them anyway (root)."""
    for folder in folders:
        folder.chmod(0)
    try:
        if any(os.access(folder, os.R_OK) for folder in folders):
            pytest.skip("running with privileges that read any folder (root)")
        yield
    finally:
        for folder in folders:
            folder.chmod(0o755)


# --- which directories are repositories ---------------------------------------------------


def test_path_with_git_is_the_only_repository(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "requirements.txt": "requests\n",
            "services/api/pyproject.toml": "[project]\nname = 'api'\n",
            "web/package.json": "{}",
        }
    )
    result = scan(root)
    assert result.repositories == [Repository("tree", ".")]
    assert found(result) == [
        ("tree", "requirements.txt"),
        ("tree", "services/api/pyproject.toml"),
        ("tree", "web/package.json"),
    ]
    assert result.manifests[1].repo_path == "."
    assert result.problems == []


def test_git_file_of_a_worktree_also_marks_a_repository(write_tree: TreeWriter) -> None:
    root = write_tree(
        {".git": "gitdir: /elsewhere/.git/worktrees/tree\n", "api/requirements.txt": ""}
    )
    result = scan(root)
    assert result.repositories == [Repository("tree", ".")]
    assert found(result) == [("tree", "api/requirements.txt")]


def test_children_of_a_folder_are_repositories(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            "api/requirements.txt": "flask\n",
            "api/src/app.py": "",
            "web/package.json": "{}",
            "docs/README.md": "no manifests here\n",
            "notes.txt": "not a manifest\n",
        }
    )
    result = scan(root)
    # Every child folder counts, with or without manifests; nothing lies loose in the root.
    assert result.repositories == [
        Repository("api", "api"),
        Repository("docs", "docs"),
        Repository("web", "web"),
    ]
    assert found(result) == [("api", "api/requirements.txt"), ("web", "web/package.json")]
    assert result.manifests[0].repo_path == "api"
    assert result.manifests[0].path_in_repo == "requirements.txt"


def test_manifests_directly_in_the_folder_form_a_repository_named_after_it(
    write_tree: TreeWriter,
) -> None:
    root = write_tree(
        {"requirements.txt": "requests\n", "package.json": "{}", "api/requirements.txt": ""}
    )
    result = scan(root)
    assert result.repositories == [Repository("tree", "."), Repository("api", "api")]
    assert found(result) == [
        ("tree", "package.json"),
        ("tree", "requirements.txt"),
        ("api", "api/requirements.txt"),
    ]


def test_skipped_and_excluded_children_are_not_repositories(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            "api/requirements.txt": "",
            "node_modules/left-pad/package.json": "{}",
            ".venv/lib/requirements.txt": "",
            "env/pyvenv.cfg": "home = /usr/bin\n",
            "env/requirements.txt": "",
            "legacy-billing/requirements.txt": "",
        }
    )
    result = scan(root, exclude=["legacy-*"])
    assert result.repositories == [Repository("api", "api")]
    assert found(result) == [("api", "api/requirements.txt")]


def test_repo_prefix_names_child_repositories(write_tree: TreeWriter) -> None:
    root = write_tree({"requirements.txt": "", "api/requirements.txt": ""})
    result = scan(root, repo_prefix="tree/")
    # The loose repository is already named after the root; children get it as a prefix.
    assert result.repositories == [Repository("tree", "."), Repository("tree/api", "api")]
    assert found(result) == [("tree", "requirements.txt"), ("tree/api", "api/requirements.txt")]


def test_several_paths_prefix_child_repositories_with_their_root(tmp_path: Path) -> None:
    for org, repo in (("north", "api"), ("south", "api"), ("south", "web")):
        (tmp_path / org / repo).mkdir(parents=True)
        (tmp_path / org / repo / "requirements.txt").write_text("requests\n")
    (tmp_path / "solo" / ".git").mkdir(parents=True)
    (tmp_path / "solo" / "requirements.txt").write_text("flask\n")
    roots = [tmp_path / "north", tmp_path / "south", tmp_path / "solo"]
    collection = pipeline.collect(roots, Config())
    assert [r.name for r in collection.repositories] == [
        "north/api",
        "south/api",
        "south/web",
        "solo",
    ]
    assert {(d.repo, d.name, d.file) for d in collection.dependencies} == {
        ("north/api", "requests", "api/requirements.txt"),
        ("south/api", "requests", "api/requirements.txt"),
        ("south/web", "requests", "web/requirements.txt"),
        ("solo", "flask", "requirements.txt"),
    }
    # A single PATH keeps plain names.
    single = pipeline.collect([tmp_path / "south"], Config())
    assert [r.name for r in single.repositories] == ["api", "web"]


@pytest.mark.parametrize(
    ("root", "message"),
    [("missing", "no such file or directory"), ("file.txt", "not a directory")],
)
def test_unusable_root_is_an_error(tmp_path: Path, root: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(SourceError, match=message):
        scan(tmp_path / root)


# --- what the walk skips ------------------------------------------------------------------


def test_skip_list_holds_the_documented_folders() -> None:
    documented = {".git", "node_modules", "site-packages", "__pycache__", "build", "dist"}
    documented |= {"vendor", "third_party", "_vendor", ".venv", ".tox", "target"}
    assert documented <= SKIPPED_DIRS


@pytest.mark.parametrize(
    "folder",
    [
        ".git",
        "node_modules/lodash",
        "lib/python3.11/site-packages/requests",
        "__pycache__",
        "build",
        "dist",
        "vendor/github.com/x",
        "third_party/zlib",
        "src/pkg/_vendor",
        ".venv",
        ".tox/py311",
        "src/acme.egg-info",
        "web/.next",
    ],
)
def test_walk_skips_installed_generated_and_vendored_code(
    write_tree: TreeWriter, folder: str
) -> None:
    root = write_tree(
        {
            ".git/HEAD": "",
            "requirements.txt": "",
            f"{folder}/requirements.txt": "",
            f"{folder}/package.json": "{}",
        }
    )
    result = scan(root)
    assert found(result) == [("tree", "requirements.txt")]
    assert result.skipped_dirs >= 1


def test_walk_skips_any_virtualenv_by_its_pyvenv_cfg(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            ".git/HEAD": "",
            "py311/pyvenv.cfg": "home = /usr/bin\nversion = 3.11.7\n",
            "py311/lib/python3.11/requirements.txt": "",
            "tools/requirements.txt": "",
        }
    )
    assert found(scan(root)) == [("tree", "tools/requirements.txt")]


def test_exclude_globs_skip_files_and_folders(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            "api/requirements.txt": "",
            "api/requirements-old.txt": "",
            "api/tests/fixtures/requirements.txt": "",
            "api/tests/fixtures/deep/package.json": "{}",
            "legacy-billing/requirements.txt": "",
            "web/legacy-widgets/package.json": "{}",
            "web/package.json": "{}",
            "web/requirements-old.txt": "",
        }
    )
    exclude = ["**/fixtures/**", "legacy-*", "api/requirements-old.txt"]
    result = scan(root, exclude=exclude)
    assert [r.name for r in result.repositories] == ["api", "web"]
    assert found(result) == [
        ("api", "api/requirements.txt"),
        ("web", "web/package.json"),
        ("web", "web/requirements-old.txt"),  # the anchored pattern names api's file only
    ]


def test_files_over_the_size_limit_are_skipped_with_a_problem(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            ".git/HEAD": "",
            "big/requirements.txt": "x" * 2048,
            "edge/requirements.txt": "x" * 1000,
            "huge/package.json": "x" * (3 * 1024 * 1024),
        }
    )
    result = scan(root, max_file_size=1000)
    assert found(result) == [("tree", "edge/requirements.txt")]  # exactly at the limit: kept
    assert result.problems == [
        Problem(
            "big/requirements.txt",
            None,
            "skipped: 2.0 KiB is over the 1000 bytes size limit",
            "tree",
        ),
        Problem(
            "huge/package.json", None, "skipped: 3.0 MiB is over the 1000 bytes size limit", "tree"
        ),
    ]


def test_size_messages_show_the_difference() -> None:
    assert size_text(512) == "512 bytes"
    assert size_text(1536) == "1.5 KiB"
    assert size_text(10 * 1024 * 1024) == "10.0 MiB"
    limit = 10 * 1024 * 1024
    assert too_large(12 * 1024 * 1024, limit) == "12.0 MiB is over the 10.0 MiB size limit"
    # Rounded to the same text, the sizes are given exactly.
    assert too_large(limit + 1, limit) == f"{limit + 1} bytes is over the {limit} bytes size limit"


@needs_fifo
def test_fifo_is_skipped_with_a_problem_and_never_opened(write_tree: TreeWriter) -> None:
    root = write_tree({".git/HEAD": "", "api/package.json": "{}"})
    os.mkfifo(root / "api" / "requirements.txt")  # opening it for reading would block forever
    result = scan(root)
    assert found(result) == [("tree", "api/package.json")]
    assert result.problems == [
        Problem("api/requirements.txt", None, "not a regular file; skipped", "tree")
    ]
    source = LocalSource(root, is_manifest)
    with pytest.raises(SourceError, match="not a regular file"):
        source.read("api/requirements.txt")


@pytest.mark.skipif(os.name == "nt", reason="chmod cannot make a folder unreadable on Windows")
def test_unreadable_folders_are_problems_not_crashes(write_tree: TreeWriter) -> None:
    root = write_tree(
        {
            "api/requirements.txt": "",
            "api/secrets/requirements.txt": "",
            "locked/requirements.txt": "",
        }
    )
    with unreadable(root / "api" / "secrets", root / "locked"):
        result = scan(root)
    assert [r.name for r in result.repositories] == ["api", "locked"]
    assert found(result) == [("api", "api/requirements.txt")]
    assert result.problems == [
        Problem("api/secrets", None, "cannot read directory: Permission denied", "api"),
        Problem("locked", None, "cannot read directory: Permission denied", "locked"),
    ]


def test_folder_that_cannot_be_listed_is_a_problem(
    write_tree: TreeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above for any user: listing one folder fails."""
    root = write_tree({".git/HEAD": "", "api/requirements.txt": "", "web/package.json": "{}"})
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "api":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan(root)
    assert found(result) == [("tree", "web/package.json")]
    assert result.problems == [
        Problem("api", None, "cannot read directory: Permission denied", "tree")
    ]


# --- symlinks -----------------------------------------------------------------------------


@needs_symlinks
def test_manifest_symlink_out_of_the_tree_is_a_problem(
    write_tree: TreeWriter, tmp_path: Path, symlink: Symlink
) -> None:
    secret = tmp_path / "outside" / "requirements.txt"
    secret.parent.mkdir()
    secret.write_text("secret-package\n")
    root = write_tree({".git/HEAD": "", "api/package.json": "{}"})
    symlink(root / "api" / "requirements.txt", secret)
    symlink(root / "api" / "notes.md", secret)  # not a manifest: ignored silently
    result = scan(root)
    assert found(result) == [("tree", "api/package.json")]
    assert result.problems == [Problem("api/requirements.txt", None, OUTSIDE, "tree")]


@needs_symlinks
def test_directory_symlink_out_of_the_tree_is_a_problem(
    write_tree: TreeWriter, tmp_path: Path, symlink: Symlink
) -> None:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "requirements.txt").write_text("x\n")
    (outside / "sub" / "package.json").write_text("{}")
    root = write_tree({"api/requirements.txt": ""})
    symlink(root / "api" / "home", outside)
    symlink(root / "escape", "..")  # a child of a folder of repositories, relative target
    result = scan(root)
    assert result.repositories == [Repository("api", "api")]
    assert found(result) == [("api", "api/requirements.txt")]
    assert result.problems == [
        Problem("escape", None, OUTSIDE, "tree"),
        Problem("api/home", None, OUTSIDE, "api"),
    ]


@needs_symlinks
def test_symlink_loops_inside_the_tree_end(write_tree: TreeWriter, symlink: Symlink) -> None:
    root = write_tree({".git/HEAD": "", "requirements.txt": "", "a/b/package.json": "{}"})
    symlink(root / "self", ".")
    symlink(root / "a" / "b" / "up", "../..")
    symlink(root / "a" / "ping", "pong")
    symlink(root / "a" / "pong", "ping")  # a two-link cycle: never resolves to anything
    symlink(root / "a" / "requirements.txt", "requirements.txt")  # a manifest linked to itself
    result = scan(root)
    assert found(result) == [("tree", "requirements.txt"), ("tree", "a/b/package.json")]
    assert result.problems == [
        Problem(
            "a/requirements.txt", None, "cannot read: Too many levels of symbolic links", "tree"
        )
    ]


@needs_symlinks
def test_directory_symlink_inside_a_repository_reports_real_paths(
    write_tree: TreeWriter, symlink: Symlink
) -> None:
    root = write_tree({".git/HEAD": "", "z/real/requirements.txt": "", "zz/package.json": "{}"})
    symlink(root / "a" / "alias", "../z/real")  # met before z, yet z/real is the one shown
    symlink(root / "b", "zz")
    result = scan(root)
    assert found(result) == [("tree", "z/real/requirements.txt"), ("tree", "zz/package.json")]


@needs_symlinks
def test_directory_symlink_never_leads_into_skipped_or_excluded_folders(
    write_tree: TreeWriter, symlink: Symlink
) -> None:
    root = write_tree(
        {
            ".git/HEAD": "",
            "templates/requirements.txt": "",
            "node_modules/ui/package.json": "{}",
        }
    )
    symlink(root / "api" / "config", "../templates")
    symlink(root / "web" / "ui", "../node_modules/ui")
    result = scan(root, exclude=["/templates"])
    assert found(result) == []
    assert result.problems == []


@needs_symlinks
def test_symlink_to_another_repository_is_not_followed(
    write_tree: TreeWriter, symlink: Symlink
) -> None:
    root = write_tree({"api/requirements.txt": "", "web/package.json": "{}"})
    symlink(root / "api" / "frontend", "../web")
    symlink(root / "api" / "everything", "..")  # the audited root: would swallow every repo
    result = scan(root)
    assert found(result) == [("api", "api/requirements.txt"), ("web", "web/package.json")]
    assert result.problems == []
    assert [r.name for r in result.repositories] == ["api", "web"]


@needs_symlinks
def test_symlinked_child_folder_is_not_a_repository(
    write_tree: TreeWriter, symlink: Symlink
) -> None:
    root = write_tree({"api/requirements.txt": ""})
    symlink(root / "api-alias", "api")
    assert [r.name for r in scan(root).repositories] == ["api"]


@needs_symlinks
def test_manifest_symlink_inside_the_tree_is_read_through(
    write_tree: TreeWriter, symlink: Symlink
) -> None:
    root = write_tree({"shared/requirements-base.txt": "requests==2.32.3\n", "api/x.py": ""})
    symlink(root / "api" / "requirements.txt", "../shared/requirements-base.txt")
    symlink(root / "api" / "package.json", "missing.json")  # dangling
    result = scan(root)
    assert found(result) == [
        ("api", "api/requirements.txt"),
        ("shared", "shared/requirements-base.txt"),
    ]
    assert result.manifests[0].read() == b"requests==2.32.3\n"
    assert result.problems == [
        Problem("api/package.json", None, "cannot read: No such file or directory", "api")
    ]


# --- reading stays inside the tree --------------------------------------------------------


@pytest.fixture
def source(write_tree: TreeWriter, tmp_path: Path) -> LocalSource:
    (tmp_path / "secret.txt").write_text("do not read\n")
    root = write_tree({"api/requirements.txt": "flask\n", "api/sub/x.txt": "x"})
    return LocalSource(root, is_manifest, max_file_size=100)


def test_read_returns_the_bytes_of_a_file_in_the_tree(source: LocalSource) -> None:
    assert source.read("api/requirements.txt") == b"flask\n"
    assert source.read("api/sub/../requirements.txt") == b"flask\n"  # still inside


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../secret.txt", "outside the audited tree"),
        ("api/../../secret.txt", "outside the audited tree"),
        ("api/missing.txt", "no such file"),
        ("api/sub", "not a regular file"),
        ("api/requirements.txt\x00.png", "not a valid path"),
    ],
)
def test_read_refuses_what_it_must_not_read(source: LocalSource, path: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        source.read(path)


def test_read_refuses_absolute_paths(source: LocalSource, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="outside the audited tree"):
        source.read(str(tmp_path / "secret.txt"))


@needs_symlinks
def test_read_refuses_a_symlink_escaping_the_tree(
    source: LocalSource, tmp_path: Path, symlink: Symlink
) -> None:
    symlink(source.root / "api" / "link.txt", tmp_path / "secret.txt")
    with pytest.raises(SourceError, match="outside the audited tree"):
        source.read("api/link.txt")


def test_read_refuses_a_file_that_grew_past_the_limit(source: LocalSource) -> None:
    (source.root / "api" / "requirements.txt").write_text("x" * 101)
    with pytest.raises(SourceError, match="101 bytes is over the 100 bytes size limit"):
        source.read("api/requirements.txt")


@pytest.mark.parametrize("size", [50, 101, 300])
def test_read_gets_what_a_file_holds_when_it_grows_while_read(
    source: LocalSource, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """The file is read as far as it reaches then, not only up to the size it had."""
    (source.root / "api" / "requirements.txt").write_text("x" * size)
    fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*fstat(fd)[:6], 3, 0, 0, 0)))
    if size <= 100:
        assert source.read("api/requirements.txt") == b"x" * size
    else:  # read up to one byte over the limit
        with pytest.raises(SourceError, match="101 bytes is over the 100 bytes size limit"):
            source.read("api/requirements.txt")


def test_read_reports_a_file_it_may_not_open(
    source: LocalSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(path: str, flags: int) -> int:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(SourceError, match=r"api/requirements\.txt: cannot read: Permission denied"):
        source.read("api/requirements.txt")


def test_root_the_user_may_not_list_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda *_: False)
    with pytest.raises(SourceError, match="directory is not readable"):
        scan(tmp_path)
