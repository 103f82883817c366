"""Where manifests come from: a local tree of checkouts (and later, GitHub or SBOMs)."""

from analyzer.sources.interface import Source, SourceScan
from analyzer.sources.local import LocalSource

__all__ = ["LocalSource", "Source", "SourceScan"]
