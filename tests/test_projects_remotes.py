"""Owners of the audited repositories, from the origin remote of their .git/config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.git_remotes import MAX_CONFIG, audited_owners, origin_url
from analyzer.model import Repository

CONFIG = """[core]
\trepositoryformatversion = 0
[remote "upstream"]
\turl = https://github.com/psf/requests.git
[remote "origin"]
\turl = git@github.com:Acme/requests.git
\tfetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
\turl = https://github.com/not/this
"""


def test_origin_url_ignores_other_remotes_and_sections() -> None:
    assert origin_url(CONFIG) == "git@github.com:Acme/requests.git"
    assert origin_url('[remote "upstream"]\n url = https://github.com/a/b\n') is None
    assert origin_url("") is None


def write(root: Path, repo: str, text: str) -> None:
    (root / repo / ".git").mkdir(parents=True)
    (root / repo / ".git" / "config").write_text(text, encoding="utf-8")


def test_owners_come_from_origin_only(tmp_path: Path) -> None:
    write(tmp_path, "requests-fork", CONFIG)
    write(tmp_path, "tools", '[remote "origin"]\n\turl = https://gitlab.com/acme/infra/tools\n')
    write(tmp_path, "odd", '[remote "origin"]\n\turl = https://example.org/odd\n')
    repos = [Repository("requests-fork", "requests-fork"), Repository("tools", "tools"),
             Repository("odd", "odd"), Repository("missing", "missing")]  # fmt: skip
    owners = audited_owners([str(tmp_path), str(tmp_path / "nowhere")], repos)
    # psf (upstream of a fork) stays a candidate; a repository right under a host names nobody.
    assert owners == {"github.com/acme", "gitlab.com/acme/infra"}


def test_oversized_and_linked_configs_are_not_read(tmp_path: Path) -> None:
    origin = '[remote "origin"]\n url = https://github.com/big/x\n'
    write(tmp_path, "big", origin + "#" * MAX_CONFIG)
    outside = tmp_path / "outside.cfg"
    outside.write_text('[remote "origin"]\n url = https://github.com/linked/x\n', encoding="utf-8")
    (tmp_path / "linked" / ".git").mkdir(parents=True)
    try:
        os.symlink(outside, tmp_path / "linked" / ".git" / "config")
    except OSError:
        pytest.skip("symbolic links are not available")
    repos = [Repository("big", "big"), Repository("linked", "linked")]
    assert audited_owners([str(tmp_path)], repos) == set()
