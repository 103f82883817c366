"""Configuration: ``fundscout.toml`` or ``[tool.fundscout]`` in ``pyproject.toml``.

Unknown keys and wrong types are errors that name the file and the key, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli

from analyzer.errors import ConfigError
from analyzer.project_rules import parse_own_owners, parse_project_map
from analyzer.resolve.target import parse_target
from analyzer.score import settings as ranking

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
FORMATS = ("md", "json", "html", "csv")
DEFAULT_FORMATS = ("md", "json", "html")  # CSV is asked for: finance wants it, CI rarely
GRAPH_FORMATS = ("graphml", "gexf", "json")
ENDPOINT_KEYS = ("pypi", "npm", "github-api", "github-graphql", "depsdev", "ecosystems", "osv")
# "10MB" is SI (10,000,000 bytes), "10MiB" binary; the B may be left out ("10M", "512Ki").
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(i?)b?|b)?\s*$", re.IGNORECASE)
_POWERS = {"k": 1, "m": 2, "g": 3}


@dataclass(frozen=True)
class Config:
    """Every setting with its documented default."""

    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    out: str = "reports"
    formats: tuple[str, ...] = DEFAULT_FORMATS
    top: int = 10
    enrich: bool = True  # look packages up in public APIs
    offline: bool = False  # answer from the HTTP cache only
    cache_dir: str | None = None  # default: FUNDSCOUT_CACHE_DIR, else the user cache dir
    cache_url: str | None = None  # shared Redis cache; default: FUNDSCOUT_CACHE_URL, else SQLite
    parse_cache: bool = True  # remember unchanged repositories' parse results in the cache dir
    max_wait: float = 60.0  # longest rate-limit wait, in seconds, before a source is dropped
    providers: tuple[str, ...] | None = None  # None: every provider
    github_token_env: str | None = None  # None: GITHUB_TOKEN, then GH_TOKEN
    endpoints: tuple[tuple[str, str], ...] = ()  # (Endpoints field, URL) overrides
    own_owners: tuple[str, ...] = ()  # "host/owner" of the organization's own repositories
    projects: tuple[tuple[str, str], ...] = ()  # (package selector, repository or project)
    graph: str | None = None  # also write the graph: graphml, gexf or json
    scoring: ranking.ScoringSettings = field(default_factory=ranking.ScoringSettings)
    eligibility: ranking.EligibilitySettings = field(default_factory=ranking.EligibilitySettings)
    budget: ranking.BudgetSettings = field(default_factory=ranking.BudgetSettings)
    resolve: bool = True  # fill in transitive dependencies no lockfile lists, from registries
    resolve_target: tuple[tuple[str, str], ...] = ()  # marker environment: python, platform
    resolve_max_depth: int = 10
    resolve_max_packages: int = 3000
    resolve_peers: bool = False  # also follow npm peerDependencies
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


def _positive_int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: expected a positive integer")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: expected a number of seconds")
    return float(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string")
    return value.strip()


def _directory(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected a directory path")
    return value


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ConfigError(f"{where}: expected one of {', '.join(choices)}")
    return value.strip().lower()


def _cache_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{where}: expected a redis://, rediss:// or unix:// URL")
    return value


def _endpoints(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """``[tool.fundscout.endpoints]``: service name -> base URL (http or https)."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of service = URL")
    pairs = []
    for name, url in value.items():
        if name not in ENDPOINT_KEYS:
            close = difflib.get_close_matches(name, ENDPOINT_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}.{name}: unknown service{hint}")
        if not isinstance(url, str) or not re.match(r"^https?://[^\s]+$", url):
            raise ConfigError(f"{where}.{name}: expected an http(s) URL")
        pairs.append((name.replace("-", "_"), url))
    return tuple(pairs)


# key -> (Config field, validator)
VALIDATORS: dict[str, tuple[str, Any]] = {
    "exclude": ("exclude", lambda v, w: _string_list(v, w)),
    "max-file-size": ("max_file_size", lambda v, w: parse_size(v, w)),
    "out": ("out", _directory),
    "formats": ("formats", lambda v, w: parse_formats(v, w)),
    "top": ("top", _positive_int),
    "enrich": ("enrich", _flag),
    "offline": ("offline", _flag),
    "cache-dir": ("cache_dir", _directory),
    "cache-url": ("cache_url", _cache_url),
    "parse-cache": ("parse_cache", _flag),
    "max-wait": ("max_wait", _seconds),
    "providers": ("providers", lambda v, w: _string_list(v, w)),
    "github-token-env": ("github_token_env", _text),
    "endpoints": ("endpoints", _endpoints),
    "resolve": ("resolve", _flag),
    "resolve-target": ("resolve_target", parse_target),
    "resolve-max-depth": ("resolve_max_depth", _positive_int),
    "resolve-max-packages": ("resolve_max_packages", _positive_int),
    "resolve-peers": ("resolve_peers", _flag),
    "own-owners": ("own_owners", parse_own_owners),
    "projects": ("projects", parse_project_map),
    "graph": ("graph", lambda v, w: _choice(v, w, GRAPH_FORMATS)),
    "scoring": ("scoring", ranking.read_scoring),
    "eligibility": ("eligibility", ranking.read_eligibility),
    "budget": ("budget", ranking.read_budget),
}
KEYS = tuple(VALIDATORS)


def from_table(table: dict[str, Any], origin: str) -> Config:
    """Validate one ``[tool.fundscout]`` table."""
    values: dict[str, Any] = {"source": origin}
    for key, value in table.items():
        if key not in VALIDATORS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{origin}: unknown key {key!r}{hint}")
        name, validate = VALIDATORS[key]
        values[name] = validate(value, f"{origin}: {key}")
    return Config(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        # utf-8-sig: editors on Windows may save the file with a byte order mark.
        return tomli.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomli.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError as exc:  # tomli's bounds on nesting and on the parts of a key
        raise ConfigError(f"{path}: invalid TOML: {exc or 'nested too deeply'}") from None


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
