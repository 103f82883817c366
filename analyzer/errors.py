"""The error hierarchy: one base per stage, messages start with what they are about."""


class FundscoutError(Exception):
    """Base of every error fundscout raises on purpose."""


class ConfigError(FundscoutError):
    """The configuration file or a command-line value is invalid."""


class SourceError(FundscoutError):
    """A source (directory tree, organization) could not be read."""


class ManifestError(FundscoutError):
    """A manifest could not be parsed; carries the line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class BaselineError(FundscoutError):
    """A saved JSON report (a baseline) is missing, corrupt or of an unknown schema."""


class PolicyError(FundscoutError):
    """A ``--fail-on`` rule is malformed."""
