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
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2}
_UNITS["gib"] = 1024**3


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


def parse_size(value: str | int, key: str = "max-file-size") -> int:
    """``10MB``, ``512 KiB`` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"{key}: expected a size such as 10MB or 1048576, got {value!r}")
    number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    size = int(number * _UNITS[unit])
    if size <= 0:
        raise ConfigError(f"{key}: the size must be positive")
    return size


def parse_formats(value: str | list[str], key: str = "formats") -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
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
            known = ["exclude", "max-file-size", "out", "formats", "top"]
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{origin}: unknown key {key!r}{hint}")
    return Config(**values)


def load_config(explicit: Path | None = None, directory: Path | None = None) -> Config:
    """Read ``explicit``, else ``fundscout.toml``, else ``pyproject.toml`` in ``directory``."""
    directory = directory or Path.cwd()
    candidates = [explicit] if explicit else [directory / "fundscout.toml"]
    if not explicit:
        candidates.append(directory / "pyproject.toml")
    for path in candidates:
        if path is None or (not explicit and not path.is_file()):
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        if path.name == "pyproject.toml":
            table = data.get("tool", {}).get("fundscout")
            if table is None:
                if explicit:
                    raise ConfigError(f"{path}: no [tool.fundscout] table")
                continue
        else:
            table = data.get("tool", {}).get("fundscout", data)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.fundscout] must be a table")
        return from_table(table, str(path))
    return Config()
