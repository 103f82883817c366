"""The environment PEP 508 markers are evaluated for when resolving Python dependencies.

fundscout does not install anything, so "which dependencies apply" depends on the machine
the organization deploys to, not the one fundscout runs on. The default is Linux with
CPython 3.12; ``resolve-target = {python = "3.11", platform = "windows"}`` changes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from analyzer.errors import ConfigError

# platform name -> (sys_platform, platform_system, os_name, platform_machine)
PLATFORMS: dict[str, tuple[str, str, str, str]] = {
    "linux": ("linux", "Linux", "posix", "x86_64"),
    "macos": ("darwin", "Darwin", "posix", "arm64"),
    "windows": ("win32", "Windows", "nt", "AMD64"),
}
ALIASES = {"darwin": "macos", "win32": "windows", "win": "windows", "osx": "macos"}
KEYS = ("python", "platform")
_PYTHON = re.compile(r"^(\d)\.(\d{1,2})(?:\.(\d{1,2}))?$")


@dataclass(frozen=True)
class Target:
    """A Python version and operating system to evaluate markers for."""

    python: str = "3.12"
    platform: str = "linux"

    @property
    def python_version(self) -> Version:
        return Version(self.python)

    def environment(self) -> dict[str, str]:
        """Every marker variable, so nothing of the machine fundscout runs on leaks in."""
        sys_platform, system, os_name, machine = PLATFORMS[self.platform]
        major, minor, patch = [*self.python.split("."), "0"][:3]
        full = f"{major}.{minor}.{patch}"
        return {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": os_name,
            "platform_machine": machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": system,
            "platform_version": "",
            "python_full_version": full,
            "python_version": f"{major}.{minor}",
            "sys_platform": sys_platform,
        }


def parse_target(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """Validate ``resolve-target``: a table with ``python`` ("3.12") and ``platform``
    (linux, macos, windows). Raises ConfigError naming the bad key."""
    if not isinstance(value, Mapping):
        example = '{python = "3.12", platform = "linux"}'
        raise ConfigError(f"{where}: expected a table such as {example}")
    pairs = []
    for key, item in value.items():
        if key not in KEYS:
            raise ConfigError(f"{where}.{key}: unknown key; use {' or '.join(KEYS)}")
        if not isinstance(item, str):
            raise ConfigError(f"{where}.{key}: expected a string")
        text = item.strip().lower()
        if key == "python" and not _PYTHON.match(text):
            raise ConfigError(f'{where}.python: expected a version such as "3.12", got {item!r}')
        if key == "platform":
            text = ALIASES.get(text, text)
            if text not in PLATFORMS:
                choices = ", ".join(PLATFORMS)
                raise ConfigError(f"{where}.platform: unknown platform {item!r}; choose {choices}")
        pairs.append((key, text))
    return tuple(pairs)


def make_target(pairs: tuple[tuple[str, str], ...]) -> Target:
    return Target(**dict(pairs))
