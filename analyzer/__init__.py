"""fundscout: find the open-source projects an organization depends on most."""

__version__ = "0.1.0"
