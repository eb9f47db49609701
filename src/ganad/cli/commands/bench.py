"""`ganad bench` (run or resume an experiment grid) and `ganad report` (its tables and figures)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from ..checks import check_known_datasets
from ..console import Console
from ..errors import EXIT_FAILURE, EXIT_OK, UsageError
from ..options import split_list

__all__ = ["cmd_bench", "cmd_report"]


def cmd_bench(args: argparse.Namespace, con: Console) -> int:
    """`ganad bench`: list the presets, dry-run, or run (resume) a grid into a results CSV.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad bench` arguments (experiment, --out, --datasets, --detectors,
        --seeds, --backend, ...).
    con : Console
        Where progress and results are printed.

    Returns
    -------
    int
        The exit code: 0, or 1 when a run failed.
    """
    from ...bench import list_presets, load_experiment, run_experiment

    if args.list:
        for name, desc in list_presets().items():
            con.result(f"{name:<12} {desc}")
        return EXIT_OK
    if not args.experiment:
        raise UsageError(
            "ganad bench needs an experiment file or preset (see `ganad bench --list`)."
        )
    exp = load_experiment(args.experiment).restrict(
        datasets=split_list(args.datasets),
        detectors=split_list(args.detectors),
        seeds=args.seeds,
        train_contaminations=args.train_contaminations,
    )
    check_known_datasets(exp)
    if args.dry_run:
        return _dry_run(args, con, exp)
    if not args.out:
        raise UsageError("ganad bench needs --out results.csv.")
    con.say(
        f"experiment {exp.name}: {len(exp.datasets)} data set(s) x {len(exp.detectors)} "
        "detector(s) x "
        f"{len(exp.seeds)} seed(s) x {len(exp.train_contaminations)} contamination(s) -> {args.out}"
    )
    with _sigterm_as_interrupt():
        summary = run_experiment(
            exp,
            args.out,
            jobs=args.jobs,
            strict=args.strict,
            device=args.device,
            data_root=args.root,
            threads=args.threads or 1,
            save_artifacts=args.save_scores,
            checkpoints=args.checkpoints,
            progress=not con.quiet,
            backend=args.backend,
            address=args.address,
            cpus_per_run=args.cpus_per_run,
            gpus_per_run=args.gpus_per_run,
            max_retries=args.retries,
        )
    return _report_summary(args, con, summary)


def _dry_run(args: argparse.Namespace, con: Console, exp: Any) -> int:
    runs = exp.runs(device=args.device, data_root=args.root)
    for r in runs:
        con.result(
            f"{r.dataset:<14} {r.label:<10} seed {r.seed:<5} {r.train_contamination:>5.0%}  "
            f"{r.protocol:<10} "
            f"{r.detector}{f' preset={r.preset}' if r.preset else ''}  [{r.params_hash}]"
        )
    con.result(f"{len(runs)} runs")
    return EXIT_OK


def _report_summary(args: argparse.Namespace, con: Console, summary: Any) -> int:
    """The grid's counts and first failures, the report if asked for; exit 1 on failed runs."""
    from ...bench import make_report

    con.result(
        f"{summary.total} runs: {summary.ok} ok, {summary.failed} failed, {summary.skipped_done} "
        "already done"
        + (
            f"; data sets not present (skipped): {', '.join(summary.skipped_missing_data)}"
            if summary.skipped_missing_data
            else ""
        )
    )
    if summary.stopped_early:
        con.result("stopped at the first failure (--strict); rerun the same command to resume.")
    for failure in summary.failures[:10]:
        print(f"ganad: failed: {failure}", file=sys.stderr)
    if args.report:
        files = make_report(args.out, args.report)
        con.result(f"report: {files.markdown} and {files.html}")
    elif summary.ok:
        con.say(f"make a report with: ganad report {args.out} --out REPORT_DIR")
    return EXIT_FAILURE if summary.failed else EXIT_OK


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler or `kill`) stops a grid like Ctrl-C: outstanding runs are
    cancelled and the results CSV stays resumable."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_report(args: argparse.Namespace, con: Console) -> int:
    """`ganad report`: Markdown, HTML and summary CSV of one or more results files.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad report` arguments (results, --out, --title, --no-figures).
    con : Console
        Where the written files are printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ...bench import make_report

    files = make_report(args.results, args.out, title=args.title, figures=not args.no_figures)
    con.result(
        f"wrote {files.markdown}, {files.html} and {Path(args.out) / 'summary.csv'}"
        + (f" ({len(files.figures)} figures)" if files.figures else "")
    )
    return EXIT_OK
