"""``fundscout init``: a commented default file that loads back to the defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.cli.common import ExitCode
from analyzer.config import Config, load_config

runner = CliRunner()


def test_init_writes_a_file_that_loads_back_to_the_defaults(tmp_path: Path) -> None:
    target = tmp_path / "fundscout.toml"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# fundscout configuration")
    assert "# amount = 100000" in text  # a budget is opt-in: commented out
    config = load_config(target)
    assert config == Config()  # every table the file holds equals the built-in default
    data = tomllib.loads(text)
    assert set(data) == {"scoring", "eligibility", "budget"}
    assert "google" in data["eligibility"]["corporate-owners"]


def test_init_into_a_folder_and_refusing_to_overwrite(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    target = tmp_path / "fundscout.toml"
    target.write_text("# mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["init", str(tmp_path)])
    assert refused.exit_code == ExitCode.USAGE
    assert "already exists (use --force to overwrite)" in refused.output
    assert target.read_text(encoding="utf-8") == "# mine\n"
    forced = runner.invoke(app, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert load_config(target) == Config()


def test_init_defaults_to_the_current_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert load_config(directory=tmp_path) == Config()
