"""One-class benchmark on data nobody tuned for: ganad's detectors with their defaults next to
PyOD's KNN, IForest, ECOD, AutoEncoder and DeepSVDD with theirs, on the same arrays (issue #15).

Protocol (`ganad.data.make_one_class_split`): label-stratified 80/5/15 train/validation/test
split seeded by the run seed; training on the normal rows of the 80 % only, capped at 20,000;
min-max fitted on those rows and applied to validation and test. Only the test part is scored;
no label of any row reaches a detector (the validation part is not used at all), and every
detector runs with one configuration for every data set.

Data: every ADBench `.npz` in `<root>/adbench/` plus NSL-KDD (`KDDTrain+`, one-hot, as
`ganad.data.load_dataset("kdd")`).

Detectors: ganad registry names with their defaults (`dte_np`, `da3d`, ...), optionally with a
preset as `name@preset` (`da3d@practical`) and parameters as `name:key=value,key=value`
(e.g. `dte:epochs=50`); peers as `pyod:KNN`,
`pyod:IForest`, `pyod:ECOD`, `pyod:AutoEncoder`, `pyod:DeepSVDD` (PyOD defaults; `random_state`
set to the run seed where the estimator has one, progress output off).

The results CSV is appended one row per (data set, detector, seed) and fsync'd, so a killed run
resumes where it stopped (finished rows are skipped). `--report` writes the Markdown table.

Full run (all sets, the default detectors, 3 seeds; hours on 2 cores):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/one_class.py --root ../shared/datasets \\
        --out docs/results/one_class/results.csv
Quick check (4 small sets, 1 seed, a few minutes):
    .venv/bin/python benchmarks/one_class.py --root ../shared/datasets --quick \\
        --out /tmp/one_class_quick.csv
Report only:
    .venv/bin/python benchmarks/one_class.py --report docs/results/one_class/results.csv \\
        --md docs/results/one_class/README_table.md
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

PEERS = ("pyod:KNN", "pyod:IForest", "pyod:ECOD", "pyod:AutoEncoder", "pyod:DeepSVDD")
DEFAULT_GANAD = ("auto", "dte_np", "dte")
QUICK_SETS = ("cardio", "thyroid", "vowels", "wbc")
SEEDS = (0, 1, 2)
FIELDS = (
    "dataset",
    "detector",
    "seed",
    "n_train",
    "n_test",
    "n_features",
    "test_anomaly_ratio",
    "roc_auc",
    "average_precision",
    "fit_seconds",
    "score_seconds",
    "threads",
    "error",
)
#: Two AUCs within this distance count as a tie in the wins/ties/losses columns.
TIE = 0.005

logger = logging.getLogger("one_class")


# -- data ----------------------------------------------------------------------------------


def dataset_names(root: Path) -> list[str]:
    """Every ADBench set under root/adbench (by the name after the number) plus NSL-KDD."""
    names = sorted(
        (p.stem.split("_", 1)[1].lower() for p in (root / "adbench").glob("*.npz")),
        key=str.lower,
    )
    return [*names, "nsl-kdd"]


def load_xy(name: str, root: Path) -> tuple[np.ndarray, np.ndarray]:
    from ganad.data import load_dataset

    if name == "nsl-kdd":
        ds = load_dataset("kdd", root=root)
    else:
        ds = load_dataset(f"adbench:{name}", root=root)
    return np.asarray(ds.X, dtype=np.float64), np.asarray(ds.y, dtype=np.int64)


# -- detectors -------------------------------------------------------------------------------


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """`name:key=value,key=value` -> (name, params); `pyod:KNN` stays a name; `name|{json}`
    for values with commas (`'da3d|{"aae_dims": [64, 32, 6]}'`)."""
    if "|" in spec:
        name, _, params = spec.partition("|")
        return name, json.loads(params)
    head, sep, tail = spec.partition(":")
    if head == "pyod":
        name, _, rest = tail.partition(":")
        head, tail, sep = f"pyod:{name}", rest, ":" if rest else ""
    params = {}
    if sep and tail:
        for item in tail.split(","):
            key, eq, value = item.partition("=")
            if not eq:
                raise ValueError(f"bad parameter {item!r} in detector spec {spec!r} (key=value).")
            params[key.strip()] = _value(value.strip())
    return head, params


def make_detector(spec: str, seed: int, n_features: int) -> Any:
    name, params = parse_spec(spec)
    if name.startswith("pyod:"):
        return make_peer(name.split(":", 1)[1], seed, n_features, params)
    import ganad

    name, _, preset = name.partition("@")
    return ganad.get_detector(
        name, preset or None, **{"random_state": seed, "device": "cpu", **params}
    )


def make_peer(cls_name: str, seed: int, n_features: int, params: dict[str, Any]) -> Any:
    import importlib
    import inspect

    modules = {
        "KNN": "pyod.models.knn",
        "IForest": "pyod.models.iforest",
        "ECOD": "pyod.models.ecod",
        "AutoEncoder": "pyod.models.auto_encoder",
        "DeepSVDD": "pyod.models.deep_svdd",
        # The GAN counterparts of ganad's ALAD and AnoGAN (issue #15's "beats its PyOD
        # counterpart").
        "ALAD": "pyod.models.alad",
        "AnoGAN": "pyod.models.anogan",
    }
    if cls_name not in modules:
        raise ValueError(f"unknown peer {cls_name!r}; known: {', '.join(modules)}.")
    cls = getattr(importlib.import_module(modules[cls_name]), cls_name)
    accepted = inspect.signature(cls.__init__).parameters
    kwargs: dict[str, Any] = {}
    if "random_state" in accepted:
        kwargs["random_state"] = seed
    else:  # PyOD's ALAD / AnoGAN take no seed: seed this benchmark process's generators
        import torch

        np.random.seed(seed)
        torch.manual_seed(seed)
    if "verbose" in accepted:
        kwargs["verbose"] = 0
    if "n_features" in accepted:  # PyOD 2's DeepSVDD needs the width
        kwargs["n_features"] = n_features
    return cls(**{**kwargs, **params})


def run_one(spec: str, split: Any, seed: int) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    det = make_detector(spec, seed, split.x_train.shape[1])
    started = time.perf_counter()
    # PyOD's DeepSVDD prints every epoch even with verbose=0: its stdout goes to /dev/null.
    with warnings.catch_warnings(), open(os.devnull, "w") as sink, redirect_stdout(sink):
        warnings.simplefilter("ignore")
        det.fit(split.x_train)
        fitted = time.perf_counter()
        scores = np.asarray(det.decision_function(split.x_test), dtype=np.float64)
    scored = time.perf_counter()
    if not np.isfinite(scores).all():
        raise FloatingPointError(f"{spec} gave non-finite scores")
    return {
        "roc_auc": roc_auc_score(split.y_test, scores),
        "average_precision": average_precision_score(split.y_test, scores),
        "fit_seconds": fitted - started,
        "score_seconds": scored - fitted,
    }


# -- results file ----------------------------------------------------------------------------


def finished(path: Path) -> set[tuple[str, str, int]]:
    if not path.exists():
        return set()
    with path.open(newline="") as fh:
        return {
            (r["dataset"], r["detector"], int(r["seed"]))
            for r in csv.DictReader(fh)
            if not r.get("error")
        }


def append_row(path: Path, row: dict[str, Any]) -> None:
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow({k: row.get(k, "") for k in FIELDS})
        fh.flush()
        os.fsync(fh.fileno())


def split_row(name: str, seed: int, split: Any, threads: int) -> dict[str, Any]:
    """The results-row columns of one data set's split (the detector's columns come after)."""
    return {
        "dataset": name,
        "seed": seed,
        "n_train": len(split.x_train),
        "n_test": len(split.x_test),
        "n_features": split.x_train.shape[1],
        "test_anomaly_ratio": round(float(split.y_test.mean()), 5),
        "threads": threads,
    }


def planned(
    datasets: list[str], detectors: list[str], seeds: list[int], done: set
) -> Iterator[tuple[str, int, list[str]]]:
    for name in datasets:
        for seed in seeds:
            todo = [d for d in detectors if (name, d, seed) not in done]
            if todo:
                yield name, seed, todo


def run(args: argparse.Namespace) -> None:
    import torch

    from ganad.data import make_one_class_split

    torch.set_num_threads(args.threads)
    root = Path(args.root)
    datasets = list(QUICK_SETS) if args.quick else (args.datasets or dataset_names(root))
    seeds = [0] if args.quick else args.seeds
    detectors = args.detectors or [*DEFAULT_GANAD, *PEERS]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = finished(out)
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, seed, todo in planned(datasets, detectors, seeds, done):
        if name not in cache:
            cache.clear()
            cache[name] = load_xy(name, root)
        X, y = cache[name]
        split = make_one_class_split(X, y, seed, max_train=args.max_train)
        base = split_row(name, seed, split, args.threads)
        for spec in todo:
            try:
                result = run_one(spec, split, seed)
                error = ""
            except Exception as exc:  # recorded, the grid goes on
                result, error = {}, f"{type(exc).__name__}: {exc}"
                logger.error("%s %s seed %d failed:\n%s", name, spec, seed, traceback.format_exc())
            append_row(out, {**base, "detector": spec, **result, "error": error})
            logger.info(
                "%-14s %-22s seed %d  AUC %s  fit %.1fs",
                name,
                spec,
                seed,
                f"{result['roc_auc']:.3f}" if result else "FAILED",
                result.get("fit_seconds", float("nan")),
            )


# -- report ----------------------------------------------------------------------------------


def summarise(
    paths: Path | list[Path],
    seeds: list[int] | None = None,
    detectors: list[str] | None = None,
) -> dict[str, Any]:
    """Tables of one or more results CSVs, optionally only some seeds / detectors."""
    import pandas as pd

    files = [paths] if isinstance(paths, Path) else list(paths)
    df = pd.concat([pd.read_csv(p, keep_default_na=False) for p in files], ignore_index=True)
    df = df[df["error"] == ""].copy()
    df["seed"] = df["seed"].astype(int)
    if seeds:
        df = df[df["seed"].isin(seeds)]
    if detectors:
        df = df[df["detector"].isin(detectors)]
    for col in ("roc_auc", "average_precision", "fit_seconds", "score_seconds"):
        df[col] = df[col].astype(float)
    auc = df.pivot_table(index="dataset", columns="detector", values="roc_auc", aggfunc="mean")
    ap = df.pivot_table(
        index="dataset", columns="detector", values="average_precision", aggfunc="mean"
    )
    fit = df.pivot_table(index="dataset", columns="detector", values="fit_seconds", aggfunc="mean")
    seeds = df.pivot_table(index="dataset", columns="detector", values="seed", aggfunc="count")
    # Only data sets every detector finished are compared.
    complete = auc.dropna().index
    return {
        "auc": auc.loc[complete],
        "ap": ap.loc[complete],
        "fit": fit.loc[complete],
        "seeds": seeds.loc[complete],
        "incomplete": sorted(set(auc.index) - set(complete)),
        "frame": df,
    }


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def markdown(
    path: Path | list[Path], seeds: list[int] | None = None, detectors: list[str] | None = None
) -> str:
    s = summarise(path, seeds, detectors)
    files = [path] if isinstance(path, Path) else list(path)
    auc, ap, fit = s["auc"], s["ap"], s["fit"]
    peers = [c for c in auc.columns if c.startswith("pyod:")]
    ours = [c for c in auc.columns if not c.startswith("pyod:")]
    cols = [*ours, *peers]
    best_peer = auc[peers].max(axis=1) if peers else None
    ranks = auc[cols].rank(axis=1, ascending=False)
    lines = [
        f"Results: {', '.join(f'`{p}`' for p in files)}; {len(auc)} data sets, seeds per cell: "
        f"{int(s['seeds'].min().min())}-{int(s['seeds'].max().max())}.",
        "",
        "### ROC-AUC (mean over seeds)",
        "",
        "| data set | " + " | ".join(cols) + " | best peer |",
        "|---|" + "---|" * (len(cols) + 1),
    ]
    for name, row in auc[cols].iterrows():
        top = row.max()
        cells = [f"**{_fmt(v)}**" if v == top else _fmt(v) for v in row]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {_fmt(best_peer[name]) if peers else ''} |"
        )
    lines.append(
        "| **mean** | "
        + " | ".join(_fmt(auc[c].mean()) for c in cols)
        + " | "
        + (_fmt(best_peer.mean()) if peers else "")
        + " |"
    )
    lines.append("| mean rank | " + " | ".join(f"{ranks[c].mean():.2f}" for c in cols) + " | |")
    if peers:
        wtl = []
        for c in cols:
            diff = auc[c] - best_peer
            wtl.append(
                f"{int((diff > TIE).sum())}/{int((diff.abs() <= TIE).sum())}/{int((diff < -TIE).sum())}"
            )
        lines.append("| W/T/L vs best peer | " + " | ".join(wtl) + " | |")
        for p in peers:
            diff_cells = []
            for c in cols:
                d = auc[c] - auc[p]
                diff_cells.append(
                    f"{int((d > TIE).sum())}/{int((d.abs() <= TIE).sum())}/{int((d < -TIE).sum())}"
                )
            lines.append(f"| W/T/L vs {p} | " + " | ".join(diff_cells) + " | |")
    lines += [
        "",
        f"W/T/L: data sets won / tied (|Δ| ≤ {TIE}) / lost against the best peer of each set "
        "(the highest mean ROC-AUC among the PyOD detectors on that set) or against one peer.",
        "",
        "### Average precision (mean over seeds)",
        "",
        "| | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
        "| **mean AP** | " + " | ".join(_fmt(ap[c].mean()) for c in cols) + " |",
        "| mean rank | "
        + " | ".join(f"{ap[cols].rank(axis=1, ascending=False)[c].mean():.2f}" for c in cols)
        + " |",
        "",
        "### Fit seconds (mean over seeds; one thread)",
        "",
        "| | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
        "| mean | " + " | ".join(f"{fit[c].mean():.1f}" for c in cols) + " |",
        "| max | " + " | ".join(f"{fit[c].max():.1f}" for c in cols) + " |",
        "",
        "### Fit seconds per data set (mean over seeds; training rows x features)",
        "",
        "| data set | rows x features | " + " | ".join(cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    shape = s["frame"].groupby("dataset")[["n_train", "n_features"]].first()
    for name, row in fit[cols].iterrows():
        rows, feats = (int(v) for v in shape.loc[name])
        lines.append(f"| {name} | {rows} x {feats} | " + " | ".join(f"{v:.1f}" for v in row) + " |")
    if s["incomplete"]:
        lines += ["", f"Not every detector finished on: {', '.join(s['incomplete'])} (left out)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.environ.get("GANAD_DATA", "../shared/datasets"))
    parser.add_argument("--out", default="one_class_results.csv")
    parser.add_argument("--datasets", nargs="*")
    parser.add_argument("--detectors", nargs="*")
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    parser.add_argument("--max-train", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help=f"only {', '.join(QUICK_SETS)}, seed 0"
    )
    parser.add_argument(
        "--report",
        nargs="+",
        help="write the Markdown table of these results CSVs and stop (with --seeds / "
        "--detectors: only those rows)",
    )
    parser.add_argument("--md", help="Markdown output of --report (default: stdout)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.report:
        seeds = args.seeds if args.seeds != list(SEEDS) else None
        text = markdown([Path(p) for p in args.report], seeds, args.detectors)
        if args.md:
            Path(args.md).write_text(text)
        else:
            sys.stdout.write(text)
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
