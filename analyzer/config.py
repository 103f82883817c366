"""Configuration: ``fundscout.toml`` or ``[tool.fundscout]`` in ``pyproject.toml``.

Unknown keys and wrong types are errors that name the file and the key, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
FORMATS = ("md", "json")
KEYS = ("exclude", "max-file-size", "out", "formats", "top")
# "10MB" is SI (10,000,000 bytes), "10MiB" binary; the B may be left out ("10M", "512Ki").
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(i?)b?|b)?\s*$", re.IGNORECASE)
_POWERS = {"k": 1, "m": 2, "g": 3}


@dataclass(frozen=True)
class Config:
    """Every setting with its documented default."""

    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    out: str = "reports"
    formats: tuple[str, ...] = FORMATS
    top: int = 10
    source: str | None = field(default=None, compare=False)  # where it was read from

    def with_overrides(self, **values: Any) -> Config:
        """A copy with the command line's values (None means "not given") applied."""
        given = {key: value for key, value in values.items() if value is not None}
        return replace(self, **given)


def parse_size(value: object, key: str = "max-file-size") -> int:
    """``10MB``, ``512 KiB`` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        number, prefix, binary = float(match.group(1)), match.group(2), match.group(3)
        base = 1024 if binary else 1000
        size = int(number * base ** _POWERS[prefix.lower()]) if prefix else int(number)
    else:
        raise ConfigError(f"{key}: expected a size such as 10MB or 1048576, got {value!r}")
    if size <= 0:
        raise ConfigError(f"{key}: the size must be positive")
    return size


def parse_formats(value: object, key: str = "formats") -> tuple[str, ...]:
    """``"md,json"`` or ``["md", "json"]``: known report formats, duplicates dropped."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ConfigError(f'{key}: expected a list of format names such as ["md", "json"]')
    formats = tuple(dict.fromkeys(str(item).strip().lower() for item in items if str(item).strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"{key}: unknown format {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(FORMATS)}")  # fmt: skip
    return formats


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def from_table(table: dict[str, Any], origin: str) -> Config:
    """Validate one ``[tool.fundscout]`` table."""
    values: dict[str, Any] = {"source": origin}
    for key, value in table.items():
        where = f"{origin}: {key}"
        if key == "exclude":
            values["exclude"] = _string_list(value, where)
        elif key == "max-file-size":
            values["max_file_size"] = parse_size(value, where)
        elif key == "out":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: expected a directory path")
            values["out"] = value
        elif key == "formats":
            values["formats"] = parse_formats(value, where)
        elif key == "top":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: expected a positive integer")
            values["top"] = value
        else:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{origin}: unknown key {key!r}{hint}")
    return Config(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        # utf-8-sig: editors on Windows may save the file with a byte order mark.
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _fundscout_table(data: dict[str, Any], path: Path) -> Any:
    """The ``[tool.fundscout]`` table, or None; ``fundscout.toml`` may also use top-level keys."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool must be a table")
    if path.name == "pyproject.toml":
        return tool.get("fundscout")
    if "fundscout" not in tool:
        return data
    if others := sorted(set(data) - {"tool"}):
        raise ConfigError(f"{path}: {others[0]} is outside [tool.fundscout]; "
                          "use either top-level keys or that table, not both")  # fmt: skip
    return tool["fundscout"]


def load_config(explicit: Path | None = None, directory: Path | None = None) -> Config:
    """Read ``explicit``, else ``fundscout.toml``, else ``pyproject.toml`` in ``directory``."""
    directory = directory or Path.cwd()
    if explicit:
        candidates = [explicit]
    else:
        names = ("fundscout.toml", "pyproject.toml")
        candidates = [directory / name for name in names if (directory / name).is_file()]
    for path in candidates:
        table = _fundscout_table(_read_toml(path), path)
        if table is None:
            if explicit:
                raise ConfigError(f"{path}: no [tool.fundscout] table")
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.fundscout] must be a table")
        return from_table(table, str(path))
    return Config()
