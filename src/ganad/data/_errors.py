"""Errors of the data layer.

`DataFormatError` (a `ValueError`) lives in `ganad.exceptions` and is re-exported here. The others
are specific to finding and downloading files; they subclass the built-in error a caller would
naturally catch (`FileNotFoundError`, `OSError`, `ValueError`), so generic handlers keep working.
"""

from __future__ import annotations

from ganad.exceptions import DataFormatError

__all__ = [
    "ChecksumMismatchError",
    "DataFormatError",
    "DataNotFoundError",
    "DownloadError",
    "UnknownDatasetError",
]


class DataNotFoundError(FileNotFoundError):
    """A data file is missing. The message lists every path that was tried and how to obtain it."""


class UnknownDatasetError(ValueError):
    """The data-set name is not in the registry (the message lists the known names)."""


class DownloadError(OSError):
    """A download failed (no network, interrupted transfer, refused unverified file).

    The message says which file to place where by hand (URL, destination, checksum).
    """


class ChecksumMismatchError(DownloadError):
    """A downloaded or existing file does not have the published checksum/size."""
