"""Exit codes, the CLI's own exceptions, and which exception becomes which exit code and message.

Exit codes: 0 ok, 1 runtime failure (training diverged, failed runs, download failed), 2 usage
or data error (bad arguments, unknown names, missing or malformed data), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "RunFailure",
    "UsageError",
    "exit_code_for",
    "expected_errors",
    "report_error",
]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

ErrorTypes = tuple[type[BaseException], ...]


class UsageError(Exception):
    """Bad arguments or data: exit code 2, message shown without a traceback."""


class RunFailure(Exception):
    """A runtime failure the user can act on: exit code 1, message without a traceback."""


def expected_errors() -> tuple[ErrorTypes, ErrorTypes]:
    """(usage/data errors -> exit 2, runtime failures -> exit 1)."""
    from ..bench.backends import RayUnavailableError
    from ..bench.experiment import ExperimentError
    from ..bench.plots import MissingMatplotlibError
    from ..bench.results import ResultsLockedError
    from ..exceptions import DataFormatError, ModelFileError, NotFittedError, TrainingDivergedError

    usage: list[type[BaseException]] = [
        UsageError,
        ExperimentError,
        ModelFileError,
        DataFormatError,
        FileNotFoundError,
        ValueError,
        TypeError,
        KeyError,
        NotFittedError,
        MissingMatplotlibError,
        # The environment, not ganad: permission denied, disk full, a directory where a file
        # should be. The message (with the path) says what to fix; no "this looks like a bug".
        OSError,
        ResultsLockedError,
        RayUnavailableError,
    ]
    from ..data import DataNotFoundError, DownloadError, UnknownDatasetError

    usage += [DataNotFoundError, UnknownDatasetError]
    runtime: list[type[BaseException]] = [DownloadError, RunFailure, TrainingDivergedError]
    return tuple(usage), tuple(runtime)


def exit_code_for(
    exc: BaseException,
    *,
    command: str,
    verbose: int,
    expected: tuple[ErrorTypes, ErrorTypes],
) -> int:
    """The exit code of a command that raised `exc` (call it while `exc` is being handled),
    after its message on stderr; `expected` is `expected_errors()`.

    Parameters
    ----------
    exc : BaseException
        The exception the command raised.
    command : str
        The sub-command's name (an interrupted "bench" is told it can resume).
    verbose : int
        The -v count; from 2 the traceback is printed too.
    expected : tuple (tuple of type, tuple of type)
        (usage/data errors -> exit 2, runtime failures -> exit 1), as `expected_errors()`.

    Returns
    -------
    int
        0 for a broken pipe, 130 when interrupted, 1 for runtime failures and unexpected
        errors, 2 for usage and data errors.
    """
    usage_errors, runtime_errors = expected
    if isinstance(exc, BrokenPipeError):  # output piped into `head` etc.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    if isinstance(exc, KeyboardInterrupt):
        print(
            "ganad: interrupted"
            + ("; rerun the same command to resume" if command == "bench" else ""),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if isinstance(exc, runtime_errors):
        report_error(exc, verbose)
        return EXIT_FAILURE
    if isinstance(exc, usage_errors):
        report_error(exc, verbose)
        return EXIT_USAGE
    # last resort: a message, the traceback only with -vv
    report_error(exc, verbose, unexpected=True)
    return EXIT_FAILURE


def report_error(exc: BaseException, verbose: int, unexpected: bool = False) -> None:
    """Print the error's message on stderr ("ganad: error: ..."), the traceback with -vv.

    Parameters
    ----------
    exc : BaseException
        The exception (call while it is being handled, for the traceback).
    verbose : int
        The -v count; from 2 the traceback is printed.
    unexpected : bool, default False
        An error ganad did not expect: its type is shown, and without -vv a hint to rerun
        with -vv and report the bug.
    """
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError):
        message = f"missing key {message}"
    if unexpected:
        print(f"ganad: error: {type(exc).__name__}: {message}", file=sys.stderr)
        if verbose >= 2:
            traceback.print_exc()
        else:
            print(
                "ganad: this looks like a bug; rerun with -vv for the traceback and report it.",
                file=sys.stderr,
            )
        return
    print(f"ganad: error: {message}", file=sys.stderr)
    if verbose >= 2:
        traceback.print_exc()
