"""Configuration files: where they are found, what they may say, and how mistakes read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.config import DEFAULT_MAX_FILE_SIZE, Config, load_config, parse_formats, parse_size
from analyzer.errors import ConfigError

FULL = """\
exclude = ["**/fixtures/**", "legacy-*"]
max-file-size = "512KiB"
out = "build/funding"
formats = ["json"]
top = 25
"""
EXPECTED = Config(
    exclude=("**/fixtures/**", "legacy-*"),
    max_file_size=512 * 1024,
    out="build/funding",
    formats=("json",),
    top=25,
)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(directory=tmp_path)
    assert config == Config()
    assert config.exclude == ()
    assert config.max_file_size == DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024
    assert config.out == "reports"
    assert config.formats == ("md", "json", "html")
    assert config.top == 10
    assert config.source is None


def test_fundscout_toml_with_top_level_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "fundscout.toml", FULL)
    config = load_config(directory=tmp_path)
    assert config == EXPECTED
    assert config.source == str(path)


def test_fundscout_toml_with_a_tool_table(tmp_path: Path) -> None:
    write(tmp_path, "fundscout.toml", "[tool.fundscout]\n" + FULL)
    assert load_config(directory=tmp_path) == EXPECTED


def test_pyproject_tool_table(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "acme"\n\n[tool.fundscout]\n'
        + FULL
        + "\n[tool.ruff]\nline-length = 99\n"
    )
    path = write(tmp_path, "pyproject.toml", text)
    config = load_config(directory=tmp_path)
    assert config == EXPECTED
    assert config.source == str(path)


def test_pyproject_without_a_tool_table_means_defaults(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "acme"\n\n[tool.ruff]\nline-length = 99\n')
    assert load_config(directory=tmp_path) == Config()


def test_fundscout_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "fundscout.toml", "top = 3\n")
    write(tmp_path, "pyproject.toml", "[tool.fundscout]\ntop = 4\n")
    assert load_config(directory=tmp_path).top == 3


def test_explicit_file_wins_over_both(tmp_path: Path) -> None:
    write(tmp_path, "fundscout.toml", "top = 3\n")
    elsewhere = tmp_path / "ci"
    elsewhere.mkdir()
    explicit = write(elsewhere, "funding.toml", "top = 7\n")
    assert load_config(explicit, directory=tmp_path).top == 7
    pyproject = write(elsewhere, "pyproject.toml", "[tool.fundscout]\ntop = 8\n")
    assert load_config(pyproject, directory=tmp_path).top == 8


def test_current_directory_is_the_default_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "fundscout.toml", "top = 5\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().top == 5


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "fundscout.toml").write_bytes(b"\xef\xbb\xbftop = 6\r\n")
    assert load_config(directory=tmp_path).top == 6


def test_with_overrides_ignores_values_not_given() -> None:
    config = EXPECTED.with_overrides(out=None, top=3)
    assert config.out == "build/funding"
    assert config.top == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10MB", 10_000_000),
        ("10 MB", 10_000_000),
        ("10mb", 10_000_000),
        ("10MiB", 10 * 1024 * 1024),
        ("512KiB", 512 * 1024),
        ("512 kb", 512_000),
        ("1.5GiB", 1536 * 1024 * 1024),
        ("2G", 2_000_000_000),
        ("64Ki", 64 * 1024),
        ("1048576", 1_048_576),
        ("100b", 100),
        (4096, 4096),
    ],
)
def test_sizes(value: str | int, expected: int) -> None:
    assert parse_size(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ten megabytes", "max-file-size: expected a size such as 10MB"),
        ("10 TB", "max-file-size: expected a size"),
        ("-5MB", "max-file-size: expected a size"),
        ("", "max-file-size: expected a size"),
        (1.5, "max-file-size: expected a size"),
        (True, "max-file-size: expected a size"),
        (["10MB"], "max-file-size: expected a size"),
        (0, "max-file-size: the size must be positive"),
        (-1, "max-file-size: the size must be positive"),
        ("0KiB", "max-file-size: the size must be positive"),
    ],
)
def test_bad_sizes(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_size(value)


def test_formats_from_a_string_or_a_list() -> None:
    assert parse_formats("md,json") == ("md", "json")
    assert parse_formats(" JSON , md ,json") == ("json", "md")
    assert parse_formats(["json"]) == ("json",)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("xml", "formats: unknown format xml; choose from md, json"),
        (["md", "pdf"], "formats: unknown format pdf"),
        ("", r"formats: unknown format \(none\)"),
        ([], r"formats: unknown format \(none\)"),
        (5, "formats: expected a list of format names"),
        ([1], "formats: expected a list of format names"),
    ],
)
def test_bad_formats(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_formats(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exlude = []\n", "unknown key 'exlude' \\(did you mean 'exclude'\\?\\)"),
        (
            "max_file_size = 1\n",
            "unknown key 'max_file_size' \\(did you mean 'max-file-size'\\?\\)",
        ),
        ("format = ['md']\n", "unknown key 'format' \\(did you mean 'formats'\\?\\)"),
        ("budget = 1000\n", "budget: expected a table$"),
        ("exclude = 'legacy-*'\n", "exclude: expected a list of strings"),
        ("exclude = ['a', 1]\n", "exclude: expected a list of strings"),
        ("max-file-size = 'huge'\n", "max-file-size: expected a size such as 10MB"),
        ("max-file-size = 1.5\n", "max-file-size: expected a size"),
        ("out = 3\n", "out: expected a directory path"),
        ("out = ''\n", "out: expected a directory path"),
        ("formats = 'md,xml'\n", "formats: unknown format xml"),
        ("formats = {md = true}\n", "formats: expected a list of format names"),
        ("top = 0\n", "top: expected a positive integer"),
        ("top = '5'\n", "top: expected a positive integer"),
        ("top = true\n", "top: expected a positive integer"),
    ],
)
@pytest.mark.parametrize("layout", ["fundscout.toml", "pyproject.toml"])
def test_mistakes_name_the_file_and_the_key(
    tmp_path: Path, text: str, message: str, layout: str
) -> None:
    if layout == "pyproject.toml":
        text = '[project]\nname = "acme"\n\n[tool.fundscout]\n' + text
    path = write(tmp_path, layout, text)
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: {message}"):
        load_config(directory=tmp_path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("fundscout.toml", "top = \n", "invalid TOML: .*line 1"),
        ("pyproject.toml", "[tool.fundscout\n", "invalid TOML"),
        ("fundscout.toml", "a" + ".b" * 20_000 + " = 1\n", "invalid TOML: TOML key has more"),
        ("fundscout.toml", "a = " + "[" * 20_000, "invalid TOML: TOML inline arrays"),
        ("pyproject.toml", "tool = 1\n", "tool must be a table"),
        ("fundscout.toml", "tool = 'x'\n", "tool must be a table"),
        ("pyproject.toml", "[tool]\nfundscout = 3\n", r"\[tool.fundscout\] must be a table"),
        ("fundscout.toml", "top = 3\n[tool.fundscout]\ntop = 4\n", "top is outside"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: {message}"):
        load_config(directory=tmp_path)


def test_non_utf8_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "fundscout.toml").write_bytes(b"out = '\xff'\n")
    with pytest.raises(ConfigError, match=r"fundscout\.toml: cannot read"):
        load_config(directory=tmp_path)


def test_explicit_file_must_exist_and_be_meant_for_fundscout(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: no such configuration file"):
        load_config(tmp_path / "missing.toml")
    pyproject = write(tmp_path, "pyproject.toml", '[project]\nname = "acme"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: no \[tool.fundscout\] table"):
        load_config(pyproject)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)  # a directory
