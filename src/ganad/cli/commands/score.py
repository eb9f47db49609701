"""`ganad score`, `ganad explain` and `ganad threshold`: use a saved model on data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...demo import DEMO_SEED
from ..console import Console
from ..errors import EXIT_OK, UsageError
from ..options import is_table, load_model, parse_assignments, threads_param

__all__ = ["cmd_explain", "cmd_score", "cmd_threshold"]


def cmd_score(args: argparse.Namespace, con: Console) -> int:
    """`ganad score`: a saved model's scores of a data set's test split or of a table, as CSV.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad score` arguments (model, data, --out, --threads, --device,
        --label-column, ...).
    con : Console
        Where progress and results are printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    threads = threads_param(args.threads)
    pipe, info = load_model(args.model, args.device)
    pipe.detector.set_params(**threads)
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out} is a directory; give the path of the scores file.")
    if not is_table(args.data):
        return _score_split(args, con, pipe.detector, info, out)
    return _score_table(args, con, pipe, info, out)


def _score_split(
    args: argparse.Namespace, con: Console, detector: Any, info: dict[str, Any], out: Path
) -> int:
    """A registered data set (or .npz/.mat file): the protocol's test split, as in `fit`."""
    from ... import data
    from ...bench.pipeline import fitted_train_contamination
    from ...pipeline_stream import labelled_metrics, write_scores

    same = str(info.get("data", "")).lower() == str(args.data).lower()
    fitted = info if same else {}
    options = parse_assignments(args.option, "--option") or dict(fitted.get("options") or {})
    protocol = args.protocol or fitted.get("protocol") or "da3d"
    seed = args.seed if args.seed is not None else fitted.get("seed", DEMO_SEED)
    train_contamination = (
        args.train_contamination
        if args.train_contamination is not None
        else fitted_train_contamination(fitted)
    )
    split = data.load_split(
        args.data,
        protocol=protocol,
        seed=seed,
        train_contamination=train_contamination,
        root=args.root,
        **options,
    )
    scores = detector.decision_function(split.x_test)
    labels = (scores > detector.threshold_).astype(int)
    write_scores(out, scores, labels, split.y_test, split.idx_test)
    con.result(f"wrote {len(scores)} scores of the {protocol} test split of {args.data} to {out}")
    m = labelled_metrics(split.y_test, scores)
    if m:
        con.result(f"ROC-AUC {m['roc_auc']:.4f}  AP {m['average_precision']:.4f}")
    return EXIT_OK


def _score_table(
    args: argparse.Namespace, con: Console, pipe: Any, info: dict[str, Any], out: Path
) -> int:
    """A CSV/Parquet file, streamed in chunks through the model's preprocessing."""
    from ...pipeline import log_filled_in
    from ...pipeline_stream import MissingColumnError, score_table

    try:
        scored = score_table(
            pipe,
            args.data,
            out,
            chunk_size=args.chunk_size,
            label_column=args.label_column or info.get("label_column"),
            label_required=bool(args.label_column),
            id_column=getattr(args, "id_column", None) or pipe.id_column or info.get("id_column"),
            progress=not con.quiet,
        )
    except MissingColumnError as exc:
        raise UsageError(_missing_column(exc, args.data, list_columns=True)) from None
    con.result(
        f"wrote {scored.n_rows} scores to {out} (columns: row, score, label = score > threshold "
        f"{scored.threshold:.6g}"
        f"{', filled_in = values imputed or unseen in the row' if scored.filled_in_column else ''}"
        f"{', y_true' if scored.y_true_column else ''})"
    )
    log_filled_in(scored.filled_in)
    m = scored.metrics()
    if m:
        con.result(f"ROC-AUC {m['roc_auc']:.4f}  AP {m['average_precision']:.4f}")
    return EXIT_OK


def _missing_column(exc: Any, data: str, *, list_columns: bool) -> str:
    """The message of a `MissingColumnError`, naming the option the user gave."""
    what = "--label-column" if exc.role == "label" else "id column"
    if not list_columns:
        return f"{what} {exc.column!r} is not a column of {data}."
    return (
        f"{what} {exc.column!r} is not a column of {data}; columns: "
        f"{', '.join(map(str, exc.columns[:20]))}"
    )


def cmd_explain(args: argparse.Namespace, con: Console) -> int:
    """Per row: its ID (or row number), score, label and the `--top` columns that raised the
    score most, with their attributions (`AnomalyPipeline.explain`); CSV to --out or stdout.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad explain` arguments (model, data, --out, --top, --method,
        --chunk-size, --label-column, --id-column, --threads, --device).
    con : Console
        Where the summary is printed (nothing when the CSV goes to stdout).

    Returns
    -------
    int
        The exit code, 0.
    """
    from ...pipeline import log_filled_in
    from ...pipeline_stream import MissingColumnError, explain_table

    if not is_table(args.data):
        raise UsageError(f"ganad explain reads a CSV/Parquet table, got {args.data!r}.")
    if args.top < 1 or args.chunk_size < 1:
        raise UsageError("--top and --chunk-size must be positive.")
    pipe, info = load_model(args.model, args.device)
    pipe.detector.set_params(**threads_param(args.threads))
    to_stdout = args.out is None
    try:
        explained = explain_table(
            pipe,
            args.data,
            sys.stdout if to_stdout else Path(args.out),
            top=args.top,
            method=args.method,
            chunk_size=args.chunk_size,
            label_column=args.label_column or info.get("label_column"),
            label_required=bool(args.label_column),
            id_column=args.id_column or pipe.id_column or info.get("id_column"),
            progress=not (con.quiet or to_stdout),
        )
    except MissingColumnError as exc:
        raise UsageError(_missing_column(exc, args.data, list_columns=False)) from None
    log_filled_in(explained.filled_in)
    if not to_stdout:
        con.result(
            f"wrote the top {args.top} features of {explained.n_rows} rows to {Path(args.out)}"
        )
    return EXIT_OK


def cmd_threshold(args: argparse.Namespace, con: Console) -> int:
    """`set_threshold` on a saved model, saved back in place (atomically, fit summary kept).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad threshold` arguments (model, --fpr, --contamination, and --data
        with held-back normal rows).
    con : Console
        Where the old and new threshold are printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ...bench.pipeline import FIT_INFO

    pipe, _ = load_model(args.model, "cpu")
    held_back = _held_back_rows(args) if args.data else None
    before = pipe.threshold_
    try:
        pipe.set_threshold(fpr=args.fpr, contamination=args.contamination, X=held_back)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    info_path = Path(args.model) / FIT_INFO
    extra = {FIT_INFO: info_path.read_text(encoding="utf-8")} if info_path.is_file() else {}
    pipe.save(args.model, extra_files=extra)
    rate = pipe.detector.flagged_rate()
    con.result(
        f"threshold {before:.6g} -> {pipe.threshold_:.6g} (flags {rate:.2%} of "
        f"{pipe.detector.threshold_source_} rows); saved to {args.model}"
    )
    return EXIT_OK


def _held_back_rows(args: argparse.Namespace) -> Any:
    """The rows of --data without the label column: the threshold's basis."""
    import pandas as pd

    from ...bench.pipeline import iter_table_chunks

    if not is_table(args.data):
        raise UsageError(f"--data must be a CSV/Parquet table, got {args.data!r}.")
    frame = pd.concat(list(iter_table_chunks(args.data)), ignore_index=True)
    if args.label_column and args.label_column not in frame.columns:
        raise UsageError(f"--label-column {args.label_column!r} is not a column of {args.data}.")
    return frame.drop(columns=[c for c in [args.label_column] if c in frame])
