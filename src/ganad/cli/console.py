"""Where the CLI's output goes: results and information to stdout, errors to stderr."""

from __future__ import annotations

from typing import Any

__all__ = ["Console"]


class Console:
    """stdout for results (suppressed by --quiet except `result`), stderr for errors.

    Parameters
    ----------
    quiet : bool, default False
        Suppress `say` (--quiet); `result` still prints.
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, *parts: Any) -> None:
        """Print information to stdout unless quiet.

        Parameters
        ----------
        *parts : Any
            What to print, as `print` takes it (flushed at once).
        """
        if not self.quiet:
            print(*parts, flush=True)

    def result(self, *parts: Any) -> None:
        """Print a result to stdout, also when quiet.

        Parameters
        ----------
        *parts : Any
            What to print, as `print` takes it (flushed at once).
        """
        print(*parts, flush=True)
