"""The `ganad` command: detectors, data sets, fit / score, benchmarks, reports, plots and a demo.

    ganad list                                   detectors, one-line descriptions, presets
    ganad datasets list | info NAME | fetch NAME
    ganad fit DETECTOR DATA --out MODEL [--preset P] [--set key=value ...]
    ganad score MODEL DATA --out scores.csv      streams CSV/Parquet in chunks
    ganad bench EXPERIMENT.toml|PRESET --out results.csv [--jobs N] [--strict] [--backend ray]
    ganad report results.csv [more.csv ...] --out DIR
    ganad plot MODEL DATA --out DIR
    ganad demo

Exit codes: 0 ok, 1 runtime failure (training diverged, failed runs, download failed),
2 usage or data error (bad arguments, unknown names, missing or malformed data), 130 interrupted.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .tags import get_tags

__all__ = ["main"]

logger = logging.getLogger("ganad.cli")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEMO_EPOCHS = 25
DEMO_SEED = 110


class UsageError(Exception):
    """Bad arguments or data: exit code 2, message shown without a traceback."""


class RunFailure(Exception):
    """A runtime failure the user can act on: exit code 1, message without a traceback."""


class _Console:
    """stdout for results (suppressed by --quiet except `result`), stderr for errors."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, *parts: Any) -> None:
        if not self.quiet:
            print(*parts, flush=True)

    def result(self, *parts: Any) -> None:
        print(*parts, flush=True)


# -- helpers ---------------------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A `--set` value: JSON, else a Python literal, else the string itself; lists become tuples."""
    for parser in (json.loads, ast.literal_eval):
        try:
            value = parser(text)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    else:
        value = text

    def tuples(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return tuple(tuples(x) for x in v)
        return v

    return tuples(value)


def parse_assignments(items: Sequence[str] | None, what: str = "--set") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} expects key=value, got {item!r} (e.g. {what} epochs=50).")
        out[key.strip()] = parse_value(value.strip())
    return out


def _check_detector_params(name: str, params: dict[str, Any], preset: str | None) -> type:
    from .registry import detector_class, list_detectors

    try:
        cls = detector_class(name)
    except ValueError:
        close = difflib.get_close_matches(name, list_detectors(), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(
            f"unknown detector {name!r}.{hint} Available: {', '.join(list_detectors())} (see "
            "`ganad list`)."
        ) from None
    valid = sorted(cls._get_param_names())
    for key in params:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UsageError(
                f"unknown parameter {key!r} for detector {name!r}.{hint} Valid keys: "
                f"{', '.join(valid)}."
            )
    if preset is not None and preset not in cls.PRESETS:
        raise UsageError(
            f"detector {name!r} has no preset {preset!r}; presets: "
            f"{', '.join(sorted(cls.PRESETS)) or 'none'}."
        )
    return cls


def _check_known_datasets(exp: Any) -> None:
    """An experiment naming a data set nobody knows is a typo (exit 2), not a grid of zero
    runs; a known set that is merely absent here is skipped by the runner, as documented."""
    from .bench.runner import FILE_SUFFIXES, dataset_available
    from .data.sources import get_info

    unknown = []
    for spec in exp.datasets:
        if Path(spec.name).suffix.lower() in FILE_SUFFIXES:
            continue
        try:
            get_info(spec.name)
        except ValueError:
            unknown.append(spec.name)
    if unknown:
        _, why = dataset_available(unknown[0])
        raise UsageError(f"experiment {exp.name!r} names unknown data set(s) {unknown}: {why}")


def _check_output_dir(out: Path) -> None:
    """Fail before training when the model directory cannot be written (exit 2, not after an
    hour of training): an existing file, a non-model directory, an unwritable parent."""
    from .persistence import CONFIG

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is an existing file; give a directory for the model.")
    if out.is_dir() and any(out.iterdir()) and not (out / CONFIG).is_file():
        raise UsageError(
            f"--out {out} is a non-empty directory that is not a ganad model; refusing to "
            "replace it."
        )
    parent = out.parent  # the save stages beside `out` and renames there
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: {parent} is not writable.")


def _save_model(out: Path, detector: Any, pre: Any, fit_info: dict[str, Any]) -> None:
    """The model artefact `ganad.load` reads back as one pipeline (detector + preprocessing,
    the ID and dropped columns), with the fit summary, swapped in as one directory."""
    from .bench.pipeline import FIT_INFO
    from .pipeline import AnomalyPipeline

    options = fit_info.get("options") or {}
    id_column = fit_info.get("id_column")
    pipe = AnomalyPipeline.from_fitted(
        detector,
        pre,
        id_column=id_column,
        drop=tuple(c for c in options.get("drop", ()) if c != id_column),
        categorical=options.get("categorical"),
        missing=options.get("missing", "error"),
        max_categories=options.get("max_categories"),
    )
    pipe.save(out, extra_files={FIT_INFO: json.dumps(fit_info, indent=1, default=str)})


def _threads_param(threads: int | None) -> dict[str, int]:
    """`--threads N` as the detectors' `n_jobs` (absent: their measured default)."""
    if threads is None:
        return {}
    if threads == 0:
        raise UsageError("--threads must be a positive number of threads (or -1 for all cores).")
    return {"n_jobs": threads}


def _is_table(data: str) -> bool:
    from .bench.pipeline import is_table_path

    return is_table_path(data)


def _data_options(args: argparse.Namespace) -> dict[str, Any]:
    options = parse_assignments(getattr(args, "option", None), "--option")
    if getattr(args, "label_column", None):
        options["label_column"] = args.label_column
    categorical = getattr(args, "categorical", None)
    if categorical:
        options["categorical"] = (
            "infer"
            if categorical == "infer"
            else [c.strip() for c in categorical.split(",") if c.strip()]
        )
    if getattr(args, "missing", None):
        options["missing"] = args.missing
    if getattr(args, "max_categories", None) is not None:
        options["max_categories"] = args.max_categories
    dropped = list(_split_list(getattr(args, "drop", None)) or [])
    if getattr(args, "command", None) == "fit" and args.id_column:  # not a feature
        dropped.append(args.id_column)
    if dropped:
        options["drop"] = dropped
    return options


def _metrics(y: np.ndarray, scores: np.ndarray) -> dict[str, float] | None:
    """ROC-AUC and AP when the labels have both classes, else None (nothing to report)."""
    from .bench.metrics import ranking_metrics

    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        return None
    return ranking_metrics(y, scores)


def _write_scores(
    path: Path,
    scores: np.ndarray,
    labels: np.ndarray,
    y_true: np.ndarray | None,
    rows: np.ndarray | None = None,
) -> None:
    import pandas as pd

    frame = {
        "row": np.arange(len(scores)) if rows is None else rows,
        "score": scores,
        "label": labels,
    }
    if y_true is not None:
        frame["y_true"] = y_true
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(frame).to_csv(path, index=False)


# -- list ------------------------------------------------------------------------------------


def _summary(cls: type) -> str:
    """The first sentence of a class docstring."""
    doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
    end = doc.find(". ")
    return doc if end < 0 else doc[: end + 1]


def cmd_list(args: argparse.Namespace, con: _Console) -> int:
    from .registry import detector_class, list_detectors

    names = list_detectors()
    width = max(len(n) for n in names)
    for name in names:
        cls = detector_class(name)
        con.result(f"{name:<{width}}  {_summary(cls)}")
        presets = sorted(cls.PRESETS)
        if presets:
            con.result(f"{'':<{width}}  presets: {', '.join(presets)}")
    if args.experiments:
        from .bench import list_presets

        con.result("\nexperiment presets (ganad bench PRESET):")
        for name, desc in list_presets().items():
            con.result(f"  {name:<12} {desc}")
    return EXIT_OK


# -- datasets --------------------------------------------------------------------------------


def cmd_datasets(args: argparse.Namespace, con: _Console) -> int:
    from . import data
    from .bench.runner import dataset_available

    if args.datasets_command == "list":
        infos = data.list_datasets(include_adbench=args.all)
        width = max(len(i.name) for i in infos)
        con.result(f"{'name':<{width}}  {'here':<4}  {'kind':<8} description [size]")
        for info in infos:
            present, _ = dataset_available(info.name, args.root)
            mark = "yes" if present else "no"
            con.result(
                f"{info.name:<{width}}  {mark:<4}  {info.kind:<8} {info.description} [{info.size}]"
            )
        con.say(
            f"\ndata root: {data.data_root(args.root)} (set with --root or ${data.ENV_VAR}); "
            "get a data set with `ganad datasets fetch NAME`."
        )
        if not args.all:
            con.say("ADBench/ODDS sets (adbench:<name>) are listed with --all.")
        return EXIT_OK
    if args.datasets_command == "info":
        info = data.get_info(args.name)
        con.result(f"{info.name}: {info.description}")
        for label, value in (
            ("kind", info.kind),
            ("size", info.size),
            ("source", info.source),
            ("licence", info.licence),
            ("protocols", ", ".join(info.protocols)),
            ("citation", info.citation),
            ("bundled", "yes" if info.bundled else ""),
        ):
            if value:
                con.result(f"  {label:<10} {value}")
        con.result(f"  data root  {data.data_root(args.root)}")
        with contextlib.suppress(Exception):
            for status in data.file_status(info.name, args.root):
                opt = " (optional)" if status.remote.optional else ""
                con.result(f"  file       {status.describe()}{opt}")
        for alt in info.alternatives:
            con.result(f"  also       {alt}")
        return EXIT_OK
    if args.datasets_command == "fetch":
        paths = data.fetch(
            args.name,
            args.root,
            force=args.force,
            progress=not con.quiet,
            verify=not args.no_verify,
        )
        for p in paths:
            con.result(str(p))
        return EXIT_OK
    raise UsageError("ganad datasets: choose list, info or fetch.")


# -- fit -------------------------------------------------------------------------------------


def _prepare_training_data(args: argparse.Namespace) -> dict[str, Any]:
    """x_train (+ x_test/y_test when the data are labelled) and the preprocessing to save."""
    from . import data
    from .bench.pipeline import Preprocessor

    options = _data_options(args)
    if _is_table(args.data) and not options.get("label_column"):
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
        contamination=args.contamination,
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


def cmd_fit(args: argparse.Namespace, con: _Console) -> int:
    from . import get_detector

    params = parse_assignments(args.set)
    if args.fpr is not None:  # clean training data: the threshold flags that share of normal rows
        params.update(contamination=None, fpr=args.fpr)
    _check_detector_params(args.detector, params, args.preset)
    params = {**_threads_param(args.threads), **params}
    out = Path(args.out)
    _check_output_dir(out)  # before training, not after it
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
        metrics = _metrics(prepared["y_test"], scores)
    fit_info = {
        "data": args.data,
        "protocol": args.protocol if prepared["info"].get("protocol") else None,
        "seed": args.seed,
        "contamination": args.contamination,
        "options": _data_options(args),
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
    _save_model(out, detector, prepared["pre"], fit_info)
    con.say(f"trained in {fit_seconds:.1f} s on {detector.device_}")
    if metrics:
        con.result(
            f"test split: ROC-AUC {metrics['roc_auc']:.4f}  AP {metrics['average_precision']:.4f}  "
            f"({len(prepared['y_test'])} samples, {int(np.sum(prepared['y_test']))} anomalies)"
        )
    con.result(f"model saved to {out}")
    con.say(f"score new data with: ganad score {out} DATA --out scores.csv")
    return EXIT_OK


# -- score -----------------------------------------------------------------------------------


def _load_model(path: str, device: str | None):
    from .bench.pipeline import load_model_dir

    return load_model_dir(path, device)


def _y_binary(values: Any) -> np.ndarray | None:
    arr = np.asarray(values)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError):
        return None
    if np.isin(num, (0.0, 1.0)).all():
        return num.astype(int)
    return None


def cmd_score(args: argparse.Namespace, con: _Console) -> int:
    from tqdm.auto import tqdm

    from .bench.pipeline import count_rows, iter_table_chunks
    from .data.table import FilledIn
    from .pipeline import log_filled_in

    threads = _threads_param(args.threads)
    pipe, info = _load_model(args.model, args.device)
    detector = pipe.detector
    detector.set_params(**threads)
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out} is a directory; give the path of the scores file.")
    if not _is_table(args.data):
        # A registered data set (or .npz/.mat file): the protocol's test split, as in `fit`.
        from . import data

        same = str(info.get("data", "")).lower() == str(args.data).lower()
        fitted = info if same else {}
        options = parse_assignments(args.option, "--option") or dict(fitted.get("options") or {})
        protocol = args.protocol or fitted.get("protocol") or "da3d"
        seed = args.seed if args.seed is not None else fitted.get("seed", DEMO_SEED)
        contamination = (
            args.contamination
            if args.contamination is not None
            else fitted.get("contamination", 0.0)
        )
        split = data.load_split(
            args.data,
            protocol=protocol,
            seed=seed,
            contamination=contamination,
            root=args.root,
            **options,
        )
        scores = detector.decision_function(split.x_test)
        labels = (scores > detector.threshold_).astype(int)
        _write_scores(out, scores, labels, split.y_test, split.idx_test)
        con.result(
            f"wrote {len(scores)} scores of the {protocol} test split of {args.data} to {out}"
        )
        m = _metrics(split.y_test, scores)
        if m:
            con.result(f"ROC-AUC {m['roc_auc']:.4f}  AP {m['average_precision']:.4f}")
        return EXIT_OK

    label_column = args.label_column or info.get("label_column")
    id_column = getattr(args, "id_column", None) or pipe.id_column or info.get("id_column")
    total = count_rows(args.data)
    filled_in = FilledIn()
    table_model = pipe.preprocessor_.kind == "table"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    n = 0
    wrote_y = False
    ys: list[np.ndarray] = []
    all_scores: list[np.ndarray] = []
    have_y = True
    bar = tqdm(total=total, desc="scoring", unit="row", disable=con.quiet)
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            for chunk in iter_table_chunks(args.data, args.chunk_size):
                if args.label_column and args.label_column not in chunk.columns:
                    raise UsageError(
                        f"--label-column {args.label_column!r} is not a column of {args.data}; "
                        f"columns: {', '.join(map(str, chunk.columns[:20]))}"
                    )
                y_chunk = (
                    chunk[label_column] if label_column and label_column in chunk.columns else None
                )
                if id_column and id_column not in chunk.columns:
                    raise UsageError(
                        f"id column {id_column!r} is not a column of {args.data}; columns: "
                        f"{', '.join(map(str, chunk.columns[:20]))}"
                    )
                ids = chunk[id_column].to_numpy() if id_column else None
                # The pipeline leaves out its ID and dropped columns; the label is not a feature.
                features = chunk.drop(columns=[c for c in (label_column, id_column) if c in chunk])
                try:
                    x, filled = pipe.transform_with_report(features)
                    filled_in.add(filled)
                except ValueError as exc:
                    raise UsageError(f"{args.data}, rows {n}-{n + len(chunk) - 1}: {exc}") from None
                scores = detector.decision_function(x)
                labels = (scores > detector.threshold_).astype(int)
                import pandas as pd

                frame = pd.DataFrame(
                    {"row": np.arange(n, n + len(chunk)), "score": scores, "label": labels}
                )
                if ids is not None:  # joins back to the source rows
                    frame.insert(0, id_column, ids)
                if table_model:  # values of the row the encoder had to fill in
                    frame["filled_in"] = filled.per_row
                if y_chunk is not None:
                    frame["y_true"] = y_chunk.to_numpy()
                    wrote_y = True
                frame.to_csv(fh, header=n == 0, index=False)
                yb = None if y_chunk is None else _y_binary(y_chunk.to_numpy())
                have_y = have_y and yb is not None
                if have_y and n < 10_000_000:
                    ys.append(yb)
                    all_scores.append(scores)
                n += len(chunk)
                bar.update(len(chunk))
        os.replace(tmp, out)
    finally:
        bar.close()
        if tmp.exists():
            tmp.unlink()
    con.result(
        f"wrote {n} scores to {out} (columns: row, score, label = score > threshold "
        f"{detector.threshold_:.6g}"
        f"{', filled_in = values imputed or unseen in the row' if table_model else ''}"
        f"{', y_true' if wrote_y else ''})"
    )
    log_filled_in(filled_in)
    if have_y and ys:
        m = _metrics(np.concatenate(ys), np.concatenate(all_scores))
        if m:
            con.result(f"ROC-AUC {m['roc_auc']:.4f}  AP {m['average_precision']:.4f}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, con: _Console) -> int:
    """Per row: its ID (or row number), score, label and the `--top` columns that raised the
    score most, with their attributions (`AnomalyPipeline.explain`); CSV to --out or stdout."""
    from tqdm.auto import tqdm

    from .bench.pipeline import count_rows, iter_table_chunks
    from .data.table import FilledIn
    from .pipeline import log_filled_in

    if not _is_table(args.data):
        raise UsageError(f"ganad explain reads a CSV/Parquet table, got {args.data!r}.")
    if args.top < 1 or args.chunk_size < 1:
        raise UsageError("--top and --chunk-size must be positive.")
    pipe, info = _load_model(args.model, args.device)
    pipe.detector.set_params(**_threads_param(args.threads))
    label_column = args.label_column or info.get("label_column")
    id_column = args.id_column or pipe.id_column or info.get("id_column")
    chunks = iter_table_chunks(args.data, args.chunk_size)
    filled_in = FilledIn()
    to_stdout = args.out is None
    bar = tqdm(
        total=count_rows(args.data), desc="explaining", unit="row", disable=con.quiet or to_stdout
    )

    def write(fh: Any) -> int:
        n = 0
        for chunk in chunks:
            if id_column and id_column not in chunk.columns:
                raise UsageError(f"id column {id_column!r} is not a column of {args.data}.")
            if args.label_column and args.label_column not in chunk.columns:
                raise UsageError(
                    f"--label-column {args.label_column!r} is not a column of {args.data}."
                )
            try:
                frame, filled = _explained_rows(pipe, chunk, label_column, id_column, args, n)
                filled_in.add(filled)
            except ValueError as exc:
                raise UsageError(f"{args.data}, rows {n}-{n + len(chunk) - 1}: {exc}") from None
            frame.to_csv(fh, header=n == 0, index=False)
            n += len(chunk)
            bar.update(len(chunk))
        return n

    try:
        if to_stdout:
            write(sys.stdout)
            log_filled_in(filled_in)
            return EXIT_OK
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        try:
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                n = write(fh)
            os.replace(tmp, out)
        finally:
            if tmp.exists():
                tmp.unlink()
    finally:
        bar.close()
    log_filled_in(filled_in)
    con.result(f"wrote the top {args.top} features of {n} rows to {out}")
    return EXIT_OK


def _explained_rows(
    pipe: Any, chunk: Any, label_column: str | None, id_column: str | None, args: Any, start: int
) -> tuple[Any, Any]:
    """One chunk's rows of `ganad explain` ([ID], row, score, label, feature_k/attribution_k)
    and what its encoding filled in."""
    from .explain import top_features

    features = chunk.drop(columns=[c for c in (label_column, id_column) if c in chunk])
    x, filled = pipe.transform_with_report(features)  # one encoding scores and explains
    scores = pipe.detector.decision_function(x)
    attributions = pipe.explain_encoded(x, method=args.method)
    frame = top_features(attributions, args.top)
    frame.insert(0, "label", (scores > pipe.threshold_).astype(int))
    frame.insert(0, "score", scores)
    frame.insert(0, "row", np.arange(start, start + len(chunk)))
    if id_column:
        frame.insert(0, id_column, chunk[id_column].to_numpy())
    return frame, filled


def cmd_threshold(args: argparse.Namespace, con: _Console) -> int:
    """`set_threshold` on a saved model, saved back in place (atomically, fit summary kept)."""
    import pandas as pd

    from .bench.pipeline import FIT_INFO, iter_table_chunks

    pipe, _ = _load_model(args.model, "cpu")
    held_back = None
    if args.data:
        if not _is_table(args.data):
            raise UsageError(f"--data must be a CSV/Parquet table, got {args.data!r}.")
        frame = pd.concat(list(iter_table_chunks(args.data)), ignore_index=True)
        if args.label_column and args.label_column not in frame.columns:
            raise UsageError(
                f"--label-column {args.label_column!r} is not a column of {args.data}."
            )
        held_back = frame.drop(columns=[c for c in [args.label_column] if c in frame])
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


# -- bench / report --------------------------------------------------------------------------


def cmd_bench(args: argparse.Namespace, con: _Console) -> int:
    from .bench import list_presets, load_experiment, make_report, run_experiment

    if args.list:
        for name, desc in list_presets().items():
            con.result(f"{name:<12} {desc}")
        return EXIT_OK
    if not args.experiment:
        raise UsageError(
            "ganad bench needs an experiment file or preset (see `ganad bench --list`)."
        )
    exp = load_experiment(args.experiment).restrict(
        datasets=_split_list(args.datasets),
        detectors=_split_list(args.detectors),
        seeds=args.seeds,
        contaminations=args.contaminations,
    )
    _check_known_datasets(exp)
    if args.dry_run:
        runs = exp.runs(device=args.device, data_root=args.root)
        for r in runs:
            con.result(
                f"{r.dataset:<14} {r.label:<10} seed {r.seed:<5} {r.contamination:>5.0%}  "
                f"{r.protocol:<10} "
                f"{r.detector}{f' preset={r.preset}' if r.preset else ''}  [{r.params_hash}]"
            )
        con.result(f"{len(runs)} runs")
        return EXIT_OK
    if not args.out:
        raise UsageError("ganad bench needs --out results.csv.")
    con.say(
        f"experiment {exp.name}: {len(exp.datasets)} data set(s) x {len(exp.detectors)} "
        "detector(s) x "
        f"{len(exp.seeds)} seed(s) x {len(exp.contaminations)} contamination(s) -> {args.out}"
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

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _split_list(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def cmd_report(args: argparse.Namespace, con: _Console) -> int:
    from .bench import make_report

    files = make_report(args.results, args.out, title=args.title, figures=not args.no_figures)
    con.result(
        f"wrote {files.markdown}, {files.html} and {Path(args.out) / 'summary.csv'}"
        + (f" ({len(files.figures)} figures)" if files.figures else "")
    )
    return EXIT_OK


# -- plot ------------------------------------------------------------------------------------


def _model_inputs(
    args: argparse.Namespace, pipe: Any, info: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray | None]:
    """(model inputs, labels or None) of DATA for plots: a data set's test split, or table rows."""
    from . import data
    from .bench.pipeline import iter_table_chunks

    if not _is_table(args.data):
        options = dict(info.get("options") or {})
        split = data.load_split(
            args.data,
            protocol=info.get("protocol") or "da3d",
            seed=info.get("seed", DEMO_SEED),
            contamination=info.get("contamination", 0.0),
            root=args.root,
            **options,
        )
        return split.x_test, split.y_test
    label_column = args.label_column or info.get("label_column")
    xs, ys, n = [], [], 0
    for chunk in iter_table_chunks(args.data, 65536):
        xs.append(pipe.transform(chunk.drop(columns=[c for c in [label_column] if c in chunk])))
        if label_column and label_column in chunk.columns:
            ys.append(_y_binary(chunk[label_column].to_numpy()))
        n += len(chunk)
        if n >= args.max_rows:
            break
    y = np.concatenate(ys) if ys and all(v is not None for v in ys) else None
    return np.concatenate(xs)[: args.max_rows], None if y is None else y[: args.max_rows]


def make_model_plots(
    detector: Any,
    x: np.ndarray,
    y: np.ndarray | None,
    out_dir: Path,
    kinds: set[str],
    title: str = "",
) -> list[Path]:
    """The figures of one fitted model on data `x` (model inputs) with optional labels `y`."""
    from .bench import plots

    out: list[Path] = []
    scores = detector.decision_function(x) if {"roc", "hist"} & kinds else None
    if "roc" in kinds and y is not None and len(np.unique(y)) == 2:
        out.append(
            plots.plot_roc_pr({detector.name: (y, scores)}, out_dir / "roc_pr.png", title=title)
        )
    if "hist" in kinds and scores is not None:
        out.append(
            plots.plot_score_histogram(
                np.zeros(len(scores)) if y is None else y,
                scores,
                out_dir / "score_histogram.png",
                title=title,
            )
        )
    if "history" in kinds and getattr(detector, "history_", None):
        out.append(
            plots.plot_history(detector.history_, out_dir / "training_loss.png", title=title)
        )
    if "latent" in kinds and get_tags(detector).samples_anomalous_codes:
        normal = x if y is None else x[np.asarray(y) == 0]
        out.append(
            plots.plot_latent(
                detector, normal, out_dir / "latent_space.png", title=title or "DA3D latent space"
            )
        )
    if (
        "samples" in kinds
        and len(getattr(detector, "input_shape_", ())) == 3
        and "decoder" in detector.networks_
    ):
        out.append(
            plots.plot_sample_grid(detector, x, out_dir / "decoded_samples.png", title=title)
        )
    return out


def cmd_plot(args: argparse.Namespace, con: _Console) -> int:
    pipe, info = _load_model(args.model, args.device)
    detector = pipe.detector
    x, y = _model_inputs(args, pipe, info)
    kinds = (
        {"roc", "hist", "history", "latent", "samples"} if "all" in args.kind else set(args.kind)
    )
    paths = make_model_plots(
        detector, x, y, Path(args.out), kinds, title=f"{detector.name} on {args.data}"
    )
    for p in paths:
        con.result(str(p))
    if not paths:
        con.result(
            "nothing to plot for this model/data (e.g. no labels for ROC, not DA3D for the latent "
            "space)."
        )
    return EXIT_OK


# -- demo ------------------------------------------------------------------------------------


def _demo_recommended(
    split: Any, seed: int, device: str, threads: dict[str, int]
) -> dict[str, Any]:
    """The recommended detector (`auto`, its defaults) on the demo's split, for comparison."""
    from . import get_detector

    detector = get_detector("auto", random_state=seed, device=device, **threads)
    t0 = time.perf_counter()
    detector.fit(split.x_train)
    fit_seconds = time.perf_counter() - t0
    metrics = _metrics(split.y_test, detector.decision_function(split.x_test))
    return {"kind": detector.kind_, "fit_seconds": fit_seconds, **metrics}


def cmd_demo(args: argparse.Namespace, con: _Console) -> int:
    from . import data, get_detector
    from .bench import paper
    from .bench.pipeline import Preprocessor

    threads = _threads_param(args.threads)
    out = Path(args.out)
    epochs = args.epochs
    con.say(
        "ganad demo: DA3D on the bundled ODDS Mammography data (11,183 x 6, 260 malignant = "
        "anomalies)"
    )
    con.say(
        "  protocol: DA3D (METHODS §1.2; fixed 15 % test split, 5 % validation, seed "
        f"{args.seed}); "
        "preset 'mammography' (Table 1 sizes, batch 128)"
    )
    con.say(
        f"  epochs: {epochs} instead of the paper's 500, so it finishes in about a minute on a "
        "laptop CPU"
    )
    split = data.load_split("mammography", protocol="da3d", seed=args.seed)
    detector = get_detector(
        "da3d",
        preset="mammography",
        epochs=epochs,
        random_state=args.seed,
        device=args.device or "auto",
        verbose=0 if con.quiet else 1,
        **threads,
    )
    t0 = time.perf_counter()
    detector.fit(split.x_train, split.y_train)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = detector.decision_function(split.x_test)
    score_seconds = time.perf_counter() - t0
    m = _metrics(split.y_test, scores)
    model_dir = out / "model"
    _save_model(
        model_dir,
        detector,
        Preprocessor.from_split(split),
        {
            "data": "mammography",
            "protocol": "da3d",
            "seed": args.seed,
            "contamination": 0.0,
            "options": {},
            "label_column": None,
            "detector": "da3d",
            "preset": "mammography",
            "set": {"epochs": epochs},
            "fit_seconds": fit_seconds,
            "device": detector.device_,
            "test_metrics": m,
        },
    )
    scores_path = out / "scores.csv"
    _write_scores(
        scores_path,
        scores,
        (scores > detector.threshold_).astype(int),
        split.y_test,
        split.idx_test,
    )
    ref_auc = paper.DA3D_TABLE2[(0.0, "roc_auc")]["mammography"]["DA3D"]
    ref_ap = paper.DA3D_TABLE2[(0.0, "average_precision")]["mammography"]["DA3D"]
    recommended = _demo_recommended(split, args.seed, args.device or "auto", threads)
    figures: list[Path] = []
    try:
        figures = make_model_plots(
            detector,
            split.x_test,
            split.y_test,
            out / "figures",
            {"roc", "hist", "history", "latent"},
            title=f"DA3D on Mammography, seed {args.seed}",
        )
    except ImportError as exc:
        con.say(f"  (no figures: {exc})")
    report = out / "report.md"
    lines = [
        "# ganad demo: DA3D on Mammography",
        "",
        f"* protocol DA3D, seed {args.seed}, {len(split.x_train)} training / {len(split.y_test)} "
        "test samples "
        f"({int(split.y_test.sum())} anomalies)",
        f"* preset `mammography`, {epochs} epochs (paper: 500), device {detector.device_}",
        f"* ROC-AUC **{m['roc_auc']:.4f}** (paper, 500 epochs, 6 seeds: {ref_auc}), "
        f"AP **{m['average_precision']:.4f}** (paper: {ref_ap})",
        f"* training {fit_seconds:.1f} s, scoring {score_seconds:.2f} s",
        f"* the recommended detector (`auto`: {recommended['kind']}) on the same split: ROC-AUC "
        f"**{recommended['roc_auc']:.4f}**, AP **{recommended['average_precision']:.4f}**, "
        f"training {recommended['fit_seconds']:.1f} s",
        "",
        "Paper setting: `ganad bench paper-da3d --datasets mammography --detectors DA3D --out "
        "results.csv`",
        "",
    ]
    lines += [f"![{p.stem}]({p.relative_to(out)})" for p in figures]
    report.write_text("\n".join(lines) + "\n")
    con.result("")
    con.result(
        f"ROC-AUC {m['roc_auc']:.4f}   AP {m['average_precision']:.4f}   "
        f"(paper, 500 epochs, 6 seeds: ROC-AUC {ref_auc}, AP {ref_ap})"
    )
    con.result(
        f"training {fit_seconds:.1f} s ({epochs} epochs, {detector.device_}), scoring "
        f"{score_seconds:.2f} s "
        f"for {len(scores)} test samples"
    )
    con.result(
        f"recommended detector `auto` ({recommended['kind']}, defaults): ROC-AUC "
        f"{recommended['roc_auc']:.4f}   AP {recommended['average_precision']:.4f}   "
        f"training {recommended['fit_seconds']:.1f} s   (`ganad fit auto data.csv`)"
    )
    con.result(
        f"model:   {model_dir}   (ganad.load('{model_dir}') or `ganad score {model_dir} "
        "mammography --out s.csv`)"
    )
    con.result(f"scores:  {scores_path}")
    con.result(
        f"report:  {report}"
        + (f"  (+ {len(figures)} figures in {out / 'figures'})" if figures else "")
    )
    con.result(
        "This was a short run. The paper setting (500 epochs, 6 seeds, 0 % and 1 % contamination):"
    )
    con.result(
        "  ganad bench paper-da3d --datasets mammography --detectors DA3D,Simple,A3 --out "
        "results.csv "
        "&& ganad report results.csv --out report"
    )
    return EXIT_OK


# -- argument parsing ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    def verbosity(default_verbose: Any, default_quiet: Any) -> argparse.ArgumentParser:
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

    # Sub-commands set -v/-q only when given: `ganad -v fit ...` and `ganad fit ... -v` both work.
    common = verbosity(argparse.SUPPRESS, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="ganad",
        description="Generative anomaly detection: DA3D, A3, Fence GAN and GAN baselines.",
        epilog="Exit codes: 0 ok, 1 runtime failure, 2 usage or data error. "
        "`ganad COMMAND -h` for details.",
        parents=[verbosity(0, False)],
    )
    parser.add_argument("--version", action="version", version=f"ganad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def data_args(p: argparse.ArgumentParser, *, training: bool) -> None:
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
            "--contamination",
            type=float,
            default=0.0 if training else None,
            help="training contamination p (DA3D protocol), default 0",
        )
        p.add_argument("--device", help="auto | cpu | cuda[:i] | mps")
        p.add_argument(
            "--threads",
            type=int,
            default=None,
            help="torch CPU threads, the detector's n_jobs (default: one for small networks)",
        )

    def _streaming_args(p: argparse.ArgumentParser, *, chunk_size: int) -> None:
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
        data_args(p, training=False)

    p = sub.add_parser("list", parents=[common], help="detectors with descriptions and presets")
    p.add_argument("--experiments", action="store_true", help="also list the experiment presets")

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
    data_args(p, training=True)

    p = sub.add_parser(
        "score", parents=[common], help="score data with a saved model (streams large files)"
    )
    p.add_argument("model", help="model directory written by `ganad fit` or detector.save()")
    p.add_argument("data", help="CSV/Parquet file, or a data-set name (scores its test split)")
    p.add_argument("--out", required=True, help="scores CSV to write (row, score, label[, y_true])")
    _streaming_args(p, chunk_size=65536)

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
    p.add_argument("--strict", action="store_true", help="stop at the first failed run")
    p.add_argument("--device", help="device for every run (overrides the experiment)")
    p.add_argument("--root", help="data root")
    p.add_argument("--datasets", nargs="+", help="only these data sets (names or labels)")
    p.add_argument(
        "--detectors", nargs="+", help="only these detector labels (e.g. DA3D Simple A3)"
    )
    p.add_argument("--seeds", nargs="+", type=int, help="override the seeds")
    p.add_argument("--contaminations", nargs="+", type=float, help="override the contaminations")
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

    p = sub.add_parser(
        "report", parents=[common], help="Markdown + HTML report of one or more results CSVs"
    )
    p.add_argument("results", nargs="+", help="results CSV(s); several are reported as one table")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--title")
    p.add_argument("--no-figures", action="store_true")

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
    p = sub.add_parser(
        "export", parents=[common], help="export a saved model's scoring graph (ONNX)"
    )
    p.add_argument("model", help="model directory written by `ganad fit` or detector.save()")
    p.add_argument("--format", choices=["onnx"], default="onnx")
    p.add_argument("--out", required=True, help="output file, e.g. model.onnx")
    p.add_argument("--opset", type=int, default=17)

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
    return parser


def cmd_export(args: argparse.Namespace, con: _Console) -> int:
    from .export import to_onnx

    try:
        import onnx  # noqa: F401  (torch.onnx.export needs it)
    except ImportError as exc:
        raise UsageError(f"ganad export needs onnx: pip install 'ganad[onnx]' ({exc}).") from None
    pipe, _ = _load_model(args.model, "cpu")
    out = to_onnx(pipe.detector, args.out, preprocessor=pipe.preprocessor_, opset=args.opset)
    con.result(f"wrote {out} (input 'x': raw numeric features, output 'score')")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, con: _Console) -> int:
    try:
        import uvicorn

        from .serve import app as serve_app
    except ImportError as exc:
        raise UsageError(
            f"ganad serve needs FastAPI and uvicorn: pip install 'ganad[serve]' ({exc})."
        ) from None
    if args.workers < 1 or args.max_rows < 1 or args.max_body_mb <= 0:
        raise UsageError("--workers and --max-rows must be >= 1, --max-body-mb > 0.")
    model_dir = Path(args.model)
    serve_app.ScoringModel.load(model_dir)  # fail here, with exit 2, not in every worker
    os.environ[serve_app.ENV_MODEL] = str(model_dir.resolve())
    os.environ[serve_app.ENV_MAX_BODY] = str(int(args.max_body_mb * (1 << 20)))
    os.environ[serve_app.ENV_MAX_ROWS] = str(args.max_rows)
    con.say(f"serving {model_dir} on http://{args.host}:{args.port} (docs at /docs)")
    uvicorn.run(
        "ganad.serve.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning" if con.quiet else "info",
    )
    return EXIT_OK


COMMANDS = {
    "list": cmd_list,
    "datasets": cmd_datasets,
    "fit": cmd_fit,
    "score": cmd_score,
    "explain": cmd_explain,
    "threshold": cmd_threshold,
    "bench": cmd_bench,
    "report": cmd_report,
    "plot": cmd_plot,
    "demo": cmd_demo,
    "serve": cmd_serve,
    "export": cmd_export,
}


@contextlib.contextmanager
def _cli_logging(verbose: int, quiet: bool):
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


def _expected_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(usage/data errors -> exit 2, runtime failures -> exit 1)."""
    from .bench.backends import RayUnavailableError
    from .bench.experiment import ExperimentError
    from .bench.plots import MissingMatplotlibError
    from .bench.results import ResultsLockedError
    from .exceptions import DataFormatError, ModelFileError, NotFittedError, TrainingDivergedError

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
    runtime: list[type[BaseException]] = [RunFailure, TrainingDivergedError]
    try:
        from .data import DataNotFoundError, DownloadError, UnknownDatasetError

        usage += [DataNotFoundError, UnknownDatasetError]
        runtime.insert(0, DownloadError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(usage), tuple(runtime)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ganad` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "datasets" and not args.datasets_command:
        print("ganad datasets: choose one of list | info NAME | fetch NAME", file=sys.stderr)
        return EXIT_USAGE
    bad = [
        c
        for c in [
            getattr(args, "contamination", None),
            *(getattr(args, "contaminations", None) or []),
        ]
        if c is not None and not 0.0 <= c < 1.0
    ]
    if bad:
        print(
            f"ganad: error: training contamination must be in [0, 1), got {bad[0]}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    con = _Console(args.quiet)
    usage_errors, runtime_errors = _expected_errors()
    import torch
    from tqdm.contrib.logging import logging_redirect_tqdm

    threads = torch.get_num_threads()
    try:
        with (
            _cli_logging(args.verbose, args.quiet),
            logging_redirect_tqdm(loggers=[logging.getLogger("ganad")]),
        ):
            return COMMANDS[args.command](args, con)
    except BrokenPipeError:  # output piped into `head` etc.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "ganad: interrupted"
            + ("; rerun the same command to resume" if args.command == "bench" else ""),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except runtime_errors as exc:
        _report_error(exc, args.verbose)
        return EXIT_FAILURE
    except usage_errors as exc:
        _report_error(exc, args.verbose)
        return EXIT_USAGE
    except Exception as exc:  # last resort: a message, the traceback only with -vv
        _report_error(exc, args.verbose, unexpected=True)
        return EXIT_FAILURE
    finally:
        torch.set_num_threads(threads)


def _report_error(exc: BaseException, verbose: int, unexpected: bool = False) -> None:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
