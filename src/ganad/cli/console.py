"""Where the CLI's output goes: results and information to stdout, errors to stderr."""

from __future__ import annotations

from typing import Any

__all__ = ["Console"]


class Console:
    """stdout for results (suppressed by --quiet except `result`), stderr for errors."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, *parts: Any) -> None:
        if not self.quiet:
            print(*parts, flush=True)

    def result(self, *parts: Any) -> None:
        print(*parts, flush=True)
