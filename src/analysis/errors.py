"""One exception family for the whole package."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base of every error this package raises on purpose."""


class DatasetError(AnalysisError):
    """A dataset cannot be read or does not pass validation.

    ``problems`` holds every :class:`analysis.validate.Problem` found, so a caller can print all
    of them at once instead of stopping at the first.
    """

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class RulesError(AnalysisError):
    """A rule-set file is missing or malformed."""


class ParameterError(AnalysisError):
    """A notebook or command parameter has the wrong type or value."""


class BuildError(AnalysisError):
    """A report could not be built."""
