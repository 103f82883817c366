"""The interface every source of manifests implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from analyzer.model import ManifestFile, Problem, Repository


@dataclass
class SourceScan:
    """Everything a source found: repositories, candidate manifests, and what it skipped."""

    repositories: list[Repository] = field(default_factory=list)
    manifests: list[ManifestFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_dirs: int = 0


class Source(ABC):
    """A place holding an organization's repositories."""

    @abstractmethod
    def scan(self) -> SourceScan:
        """Find repositories and the manifest files inside them."""
