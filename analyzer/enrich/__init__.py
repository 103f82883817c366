"""Enrichment: signals about each package and its source repository from public APIs.

The package itself loads nothing: each name below comes from its module when first asked for,
so that what needs none of the lookups (an audit without them, the report formats reading
``funding``) does not load the HTTP stack, a third of the command's start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.enrich.client import Client
    from analyzer.enrich.endpoints import Endpoints
    from analyzer.enrich.interface import Provider, Subject
    from analyzer.enrich.providers import PROVIDERS, enrich, select_providers, subjects
    from analyzer.enrich.runner import Enrichment, Progress

_MODULES = {
    "Client": "client", "Endpoints": "endpoints", "Provider": "interface",
    "Subject": "interface", "PROVIDERS": "providers", "enrich": "providers",
    "select_providers": "providers", "subjects": "providers", "Enrichment": "runner",
    "Progress": "runner",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "PROVIDERS",
    "Client",
    "Endpoints",
    "Enrichment",
    "Progress",
    "Provider",
    "Subject",
    "enrich",
    "select_providers",
    "subjects",
]
