"""`main`: parse the arguments, run the sub-command with logging set up, turn its exception
into an exit code."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence

from .commands import COMMANDS
from .console import Console
from .errors import EXIT_USAGE, exit_code_for, expected_errors
from .parser import build_parser

__all__ = ["main"]


@contextlib.contextmanager
def _cli_logging(verbose: int, quiet: bool) -> Iterator[None]:
    """Log to stderr at the chosen level while a command runs; restore the previous state after
    (so `main()` can be called in-process, e.g. from tests or notebooks)."""
    log = logging.getLogger("ganad")
    previous = log.level
    level = (
        logging.ERROR
        if quiet
        else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    )
    log.setLevel(level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            "ganad: %(levelname)s: %(message)s"
            if verbose < 2
            else "ganad: %(levelname)s: %(name)s: %(message)s"
        )
    )
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What argparse cannot check: a sub-command given, a training contamination in [0, 1)."""
    if args.command == "datasets" and not args.datasets_command:
        return "ganad datasets: choose one of list | info NAME | fetch NAME"
    bad = [
        c
        for c in [
            getattr(args, "train_contamination", None),
            *(getattr(args, "train_contaminations", None) or []),
        ]
        if c is not None and not 0.0 <= c < 1.0
    ]
    if bad:
        return f"ganad: error: training contamination must be in [0, 1), got {bad[0]}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ganad` console script; returns the exit code.

    Parameters
    ----------
    argv : sequence of str or None, default None
        The command-line arguments without the program name; None: `sys.argv[1:]`.

    Returns
    -------
    int
        The exit code (0 on success; see `ganad.cli.errors` for the others).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    problem = _usage_problem(args)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    con = Console(args.quiet)
    expected = expected_errors()
    import torch
    from tqdm.contrib.logging import logging_redirect_tqdm

    threads = torch.get_num_threads()
    try:
        with (
            _cli_logging(args.verbose, args.quiet),
            logging_redirect_tqdm(loggers=[logging.getLogger("ganad")]),
        ):
            return COMMANDS[args.command](args, con)
    except (KeyboardInterrupt, Exception) as exc:
        return exit_code_for(exc, command=args.command, verbose=args.verbose, expected=expected)
    finally:
        torch.set_num_threads(threads)
