"""The argument parser of `ganad`: one function per sub-command."""

from __future__ import annotations

import argparse
from typing import Any

from ..demo import DEMO_EPOCHS, DEMO_SEED

__all__ = ["build_parser"]

Sub = Any  # what ArgumentParser.add_subparsers returns
Parser = argparse.ArgumentParser


def build_parser() -> Parser:
    """The `ganad` argument parser with every sub-command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; the sub-command's name is `args.command`.
    """
    from .. import __version__

    # Sub-commands set -v/-q only when given: `ganad -v fit ...` and `ganad fit ... -v` both work.
    common = _verbosity(argparse.SUPPRESS, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="ganad",
        description="Generative anomaly detection: DA3D, A3, Fence GAN and GAN baselines.",
        epilog="Exit codes: 0 ok, 1 runtime failure, 2 usage or data error. "
        "`ganad COMMAND -h` for details.",
        parents=[_verbosity(0, False)],
    )
    parser.add_argument("--version", action="version", version=f"ganad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_list_parser,
        _add_datasets_parser,
        _add_fit_parser,
        _add_score_parser,
        _add_explain_parser,
        _add_threshold_parser,
        _add_bench_parser,
        _add_report_parser,
        _add_plot_parser,
        _add_demo_parser,
        _add_export_parser,
        _add_serve_parser,
    ):
        add(sub, common)
    return parser


# -- shared arguments ------------------------------------------------------------------------


def _verbosity(default_verbose: Any, default_quiet: Any) -> Parser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default_verbose,
        help="more log output (-vv: debug, tracebacks)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default_quiet,
        help="no progress bars or informational output",
    )
    return p


def _data_args(p: Parser, *, training: bool) -> None:
    p.add_argument("--root", help="data root (default: $GANAD_DATA, else the user cache)")
    p.add_argument("--label-column", help="CSV/Parquet: column with 1 = anomaly / 0 = normal")
    p.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="data-set option for ganad.data.load_split (e.g. census_train_file=data)",
    )
    p.add_argument(
        "--protocol",
        choices=("da3d", "fence_gan", "unsupervised"),
        default="da3d" if training else None,
        help="split protocol for named data sets and labelled tables (default da3d)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=DEMO_SEED if training else None,
        help="run seed (default 110)",
    )
    p.add_argument(
        "--train-contamination",
        "--contamination",  # the old name, still accepted
        dest="train_contamination",
        type=float,
        default=0.0 if training else None,
        help="share p of anomalies in the training split (DA3D protocol), default 0",
    )
    p.add_argument("--device", help="auto | cpu | cuda[:i] | mps")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads, the detector's n_jobs (default: one for small networks)",
    )


def _streaming_args(p: Parser, *, chunk_size: int) -> None:
    """--chunk-size, --id-column and the data options of the commands that stream a table."""
    p.add_argument(
        "--chunk-size",
        type=int,
        default=chunk_size,
        help=f"rows per chunk (bounded memory), default {chunk_size}",
    )
    p.add_argument(
        "--id-column",
        metavar="COL",
        help="column written beside each row (default: the one given to `ganad fit`)",
    )
    _data_args(p, training=False)


# -- detectors and data sets -----------------------------------------------------------------


def _add_list_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser("list", parents=[common], help="detectors with descriptions and presets")
    p.add_argument("--experiments", action="store_true", help="also list the experiment presets")


def _add_datasets_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser("datasets", parents=[common], help="list, describe or download data sets")
    dsub = p.add_subparsers(dest="datasets_command", metavar="list|info|fetch")
    q = dsub.add_parser(
        "list", parents=[common], help="registered data sets and whether they are present"
    )
    q.add_argument("--all", action="store_true", help="include the ADBench/ODDS sets")
    q.add_argument("--root")
    q = dsub.add_parser("info", parents=[common], help="source, licence, files of a data set")
    q.add_argument("name")
    q.add_argument("--root")
    q = dsub.add_parser("fetch", parents=[common], help="download a data set (checksums verified)")
    q.add_argument("name")
    q.add_argument("--root")
    q.add_argument("--force", action="store_true", help="download again even if present")
    q.add_argument(
        "--no-verify", action="store_true", help="accept files without a published checksum"
    )


# -- fit and use a model ---------------------------------------------------------------------


def _add_fit_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser("fit", parents=[common], help="train a detector and save it")
    p.add_argument("detector", help="registry name (see `ganad list`)")
    p.add_argument("data", help="data-set name (see `ganad datasets list`) or a CSV/Parquet file")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--preset", help="named parameter set of the detector")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="detector parameter (JSON/Python literal)",
    )
    p.add_argument(
        "--fpr",
        type=float,
        help="clean training data: set the threshold to flag this share of normal rows "
        "(contamination=None); default: PyOD's contamination 0.1 of the training rows",
    )
    _table_args(p)
    _data_args(p, training=True)


def _table_args(p: Parser) -> None:
    """How `ganad fit` encodes a CSV/Parquet table."""
    p.add_argument(
        "--categorical", help="table: 'infer' or comma-separated categorical columns (one-hot)"
    )
    p.add_argument(
        "--drop",
        action="append",
        metavar="COL",
        help="table: a column that is not a feature (free text, timestamps); repeat or comma-separate",
    )
    p.add_argument(
        "--id-column",
        metavar="COL",
        help="table: an ID column, kept out of the features and written beside the scores by "
        "`ganad score`",
    )
    p.add_argument(
        "--missing", choices=("error", "drop", "median"), help="table: missing-value policy"
    )
    p.add_argument(
        "--max-categories",
        type=int,
        metavar="K",
        help="table: keep each categorical column's K-1 most frequent categories, group the rest "
        "(default: refuse columns with more than 100)",
    )


def _add_score_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "score", parents=[common], help="score data with a saved model (streams large files)"
    )
    p.add_argument("model", help="model directory written by `ganad fit` or detector.save()")
    p.add_argument("data", help="CSV/Parquet file, or a data-set name (scores its test split)")
    p.add_argument("--out", required=True, help="scores CSV to write (row, score, label[, y_true])")
    _streaming_args(p, chunk_size=65536)


def _add_explain_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "explain",
        parents=[common],
        help="the features that made each row's score (top N per row, streams large files)",
    )
    p.add_argument("model", help="model directory written by `ganad fit`")
    p.add_argument("data", help="CSV/Parquet file with the model's feature columns")
    p.add_argument(
        "--out", help="CSV to write (row/ID, score, label, top features); default: stdout"
    )
    p.add_argument("--top", type=int, default=3, help="features per row, largest first (default 3)")
    p.add_argument(
        "--method",
        choices=["auto", "reconstruction", "integrated_gradients", "ablation"],
        default="auto",
        help="attribution method (default auto: reconstruction error where the detector has a "
        "decoder, else integrated gradients, else ablation)",
    )
    _streaming_args(p, chunk_size=4096)


def _add_threshold_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "threshold",
        parents=[common],
        help="move a saved model's decision threshold (no retraining), optionally calibrated "
        "on held-back normal rows",
    )
    p.add_argument("model", help="model directory written by `ganad fit`")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--fpr", type=float, help="flag this share of normal rows, e.g. 0.01")
    which.add_argument(
        "--contamination", type=float, help="flag this share of the training rows (PyOD's rule)"
    )
    p.add_argument(
        "--data",
        metavar="NORMALS",
        help="CSV/Parquet of held-back normal rows: their scores become the threshold's basis",
    )
    p.add_argument("--label-column", help="a label column of --data, not a feature")


# -- benchmarks, reports, figures, demo ------------------------------------------------------


def _add_bench_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser("bench", parents=[common], help="run (or resume) an experiment grid")
    p.add_argument("experiment", nargs="?", help="experiment TOML file or preset name (--list)")
    p.add_argument("--out", help="results CSV (appended; completed runs are skipped)")
    p.add_argument("--list", action="store_true", help="list the shipped experiment presets")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="parallel worker processes (default 1); with --backend ray and no cluster, the CPUs "
        "of the local Ray instance",
    )
    p.add_argument("--threads", type=int, default=1, help="torch threads per run (default 1)")
    _ray_args(p)
    p.add_argument("--strict", action="store_true", help="stop at the first failed run")
    p.add_argument("--device", help="device for every run (overrides the experiment)")
    p.add_argument("--root", help="data root")
    p.add_argument("--datasets", nargs="+", help="only these data sets (names or labels)")
    p.add_argument(
        "--detectors", nargs="+", help="only these detector labels (e.g. DA3D Simple A3)"
    )
    p.add_argument("--seeds", nargs="+", type=int, help="override the seeds")
    p.add_argument(
        "--train-contaminations",
        "--contaminations",  # the old name, still accepted
        dest="train_contaminations",
        nargs="+",
        type=float,
        help="override the training contaminations",
    )
    p.add_argument(
        "--save-scores",
        action="store_true",
        help="keep each run's test scores and loss history in RESULTS.runs/ (for report curves)",
    )
    p.add_argument(
        "--checkpoints",
        action="store_true",
        help="save unfinished runs' training state in RESULTS.ckpt/ every epoch, so a killed "
        "grid resumes them mid-training (DA3D, A3, AAE, FenceGAN)",
    )
    p.add_argument("--report", metavar="DIR", help="write a report to DIR afterwards")
    p.add_argument("--dry-run", action="store_true", help="print the runs and exit")


def _ray_args(p: Parser) -> None:
    """Where `ganad bench` runs execute, and what a Ray task reserves."""
    p.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="where runs execute: local processes (default) or a Ray cluster (ganad[ray])",
    )
    p.add_argument(
        "--address",
        help="Ray cluster address (default $RAY_ADDRESS; none: start a local Ray instance)",
    )
    p.add_argument(
        "--cpus-per-run",
        type=float,
        help="CPUs a Ray task reserves (default --threads; its torch threads)",
    )
    p.add_argument(
        "--gpus-per-run",
        type=float,
        help="GPUs a Ray task reserves (default 1 for a CUDA run, else 0; fractions share one)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        help="Ray: times a run whose worker process died is retried before it is recorded as "
        "failed (default 2)",
    )


def _add_report_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "report", parents=[common], help="Markdown + HTML report of one or more results CSVs"
    )
    p.add_argument("results", nargs="+", help="results CSV(s); several are reported as one table")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--title")
    p.add_argument("--no-figures", action="store_true")


def _add_plot_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser("plot", parents=[common], help="figures of a saved model on data")
    p.add_argument("model")
    p.add_argument("data", help="data-set name (its test split) or CSV/Parquet file")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument(
        "--kind",
        nargs="+",
        default=["all"],
        choices=("all", "roc", "hist", "history", "latent", "samples"),
    )
    p.add_argument("--max-rows", type=int, default=50000, help="table rows to read (default 50000)")
    p.add_argument("--root")
    p.add_argument("--label-column")
    p.add_argument("--device")


def _add_demo_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "demo", parents=[common], help="DA3D on the bundled Mammography data in about a minute"
    )
    p.add_argument("--out", default="ganad-demo", help="output directory (default ./ganad-demo)")
    p.add_argument(
        "--epochs", type=int, default=DEMO_EPOCHS, help=f"epochs (default {DEMO_EPOCHS}; paper 500)"
    )
    p.add_argument("--seed", type=int, default=DEMO_SEED)
    p.add_argument("--device")
    p.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: measured rule)"
    )


# -- deployment ------------------------------------------------------------------------------


def _add_export_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "export", parents=[common], help="export a saved model's scoring graph (ONNX)"
    )
    p.add_argument("model", help="model directory written by `ganad fit` or detector.save()")
    p.add_argument("--format", choices=["onnx"], default="onnx")
    p.add_argument("--out", required=True, help="output file, e.g. model.onnx")
    p.add_argument("--opset", type=int, default=17)


def _add_serve_parser(sub: Sub, common: Parser) -> None:
    p = sub.add_parser(
        "serve", parents=[common], help="serve a saved model over HTTP (POST /score)"
    )
    p.add_argument("model", help="model directory written by `ganad fit` or detector.save()")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--max-rows", type=int, default=100_000, help="rows per request (413 above)")
    p.add_argument(
        "--max-body-mb", type=float, default=16.0, help="request body limit in MiB (413 above)"
    )
