"""Shared helpers for Acme Python services."""

__version__ = "1.6.2"

from acme_common.http import session  # noqa: F401
