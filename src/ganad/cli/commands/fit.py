"""`ganad fit`: train a detector on a data set or a table and save it as a model directory."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...tags import get_tags
from ..checks import check_detector_params, check_output_dir
from ..console import Console
from ..errors import EXIT_OK
from ..options import data_options, is_table, parse_assignments, threads_param

__all__ = ["cmd_fit"]


def cmd_fit(args: argparse.Namespace, con: Console) -> int:
    """`ganad fit`: train a detector on a data set or table and save the model directory.

    With a labelled data set, the test split's ROC-AUC and AP are printed and kept in the
    fit summary.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad fit` arguments (detector, data, --out, --preset, --set, --seed,
        --device, data options, ...).
    con : Console
        Where progress and results are printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ... import get_detector
    from ...bench.pipeline import save_model_dir
    from ...pipeline_stream import labelled_metrics

    params = _detector_params(args)
    out = Path(args.out)
    check_output_dir(out)  # before training, not after it
    con.say(f"loading {args.data} ...")
    prepared = _prepare_training_data(args)
    params.setdefault("random_state", args.seed)
    if args.device:
        params["device"] = args.device
    params.setdefault("verbose", 0 if con.quiet else 1)
    detector = get_detector(args.detector, preset=args.preset, **params)
    x_train = prepared["x_train"]
    con.say(
        f"training {args.detector}{f' (preset {args.preset})' if args.preset else ''} on "
        f"{len(x_train)} samples ..."
    )
    t0 = time.perf_counter()
    y_train = prepared.get("y_train") if get_tags(detector).uses_labels else None
    detector.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - t0
    metrics = None
    if prepared["x_test"] is not None:
        scores = detector.decision_function(prepared["x_test"])
        metrics = labelled_metrics(prepared["y_test"], scores)
    fit_info = _fit_info(args, prepared, detector, fit_seconds, metrics)
    save_model_dir(out, detector, prepared["pre"], fit_info)
    con.say(f"trained in {fit_seconds:.1f} s on {detector.device_}")
    if metrics:
        con.result(
            f"test split: ROC-AUC {metrics['roc_auc']:.4f}  AP {metrics['average_precision']:.4f}  "
            f"({len(prepared['y_test'])} samples, {int(np.sum(prepared['y_test']))} anomalies)"
        )
    con.result(f"model saved to {out}")
    con.say(f"score new data with: ganad score {out} DATA --out scores.csv")
    return EXIT_OK


def _detector_params(args: argparse.Namespace) -> dict[str, Any]:
    """The detector's keyword arguments from --set, --fpr and --threads, checked."""
    params = parse_assignments(args.set)
    if args.fpr is not None:  # clean training data: the threshold flags that share of normal rows
        params.update(contamination=None, fpr=args.fpr)
    check_detector_params(args.detector, params, args.preset)
    return {**threads_param(args.threads), **params}


def _prepare_training_data(args: argparse.Namespace) -> dict[str, Any]:
    """x_train (+ x_test/y_test when the data are labelled) and the preprocessing to save."""
    from ... import data
    from ...bench.pipeline import Preprocessor

    options = data_options(args)
    if is_table(args.data) and not options.get("label_column"):
        # Unlabelled table: learn the encoding on every row and train on all of them.
        ds = data.load_table(
            args.data,
            categorical=options.get("categorical"),
            missing=options.get("missing", "error"),
            drop=options.get("drop", ()),
        )
        encoder = data.TabularEncoder(
            categorical=ds.categorical or None,
            missing=options.get("missing", "error"),
            max_categories=options.get("max_categories"),
        ).fit(ds.X)
        x = encoder.transform(ds.X)
        return {
            "x_train": x,
            "x_test": None,
            "y_test": None,
            "pre": Preprocessor.from_encoder(encoder),
            "info": {
                "protocol": None,
                "n_train": len(x),
                "note": "unlabelled table: trained on every row",
            },
        }
    split = data.load_split(
        args.data,
        protocol=args.protocol,
        seed=args.seed,
        train_contamination=args.train_contamination,
        root=args.root,
        **options,
    )
    return {
        "x_train": split.x_train,
        "y_train": split.y_train,
        "x_test": split.x_test,
        "y_test": split.y_test,
        "pre": Preprocessor.from_split(split),
        "info": split.info,
        "idx_test": split.idx_test,
    }


def _fit_info(
    args: argparse.Namespace,
    prepared: dict[str, Any],
    detector: Any,
    fit_seconds: float,
    metrics: dict[str, float] | None,
) -> dict[str, Any]:
    """The fit summary saved beside the model (`ganad score`/`plot` read it back)."""
    return {
        "data": args.data,
        "protocol": args.protocol if prepared["info"].get("protocol") else None,
        "seed": args.seed,
        "train_contamination": args.train_contamination,
        "options": data_options(args),
        "label_column": args.label_column,
        "id_column": args.id_column,
        "detector": args.detector,
        "preset": args.preset,
        "set": {k: v for k, v in parse_assignments(args.set).items()},
        "fit_seconds": fit_seconds,
        "device": detector.device_,
        "test_metrics": metrics,
        "split_info": {
            k: v
            for k, v in prepared["info"].items()
            if isinstance(v, str | int | float | bool | list | dict) or v is None
        },
    }
