"""The clusterprint version: one place, read by the package metadata (pyproject) and reports."""

__version__ = "0.2.0"
