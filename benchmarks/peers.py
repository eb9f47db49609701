"""Fit and score time per sample: ganad's DA3D, AnoGAN and ALAD vs PyOD's AnoGAN, ALAD and
AutoEncoder on the same data in one run, with PyOD/ganad ratios (issue #8, `peers`).

Data: `ganad.data.load_split(--dataset, protocol="da3d", seed=--seed, root=--root)` (normal-only
training rows, MinMax fitted on them), optionally subsampled (`--max-train`, `--max-test`). Every
model gets these same arrays (ganad: `scaling="none"`; PyOD: `preprocessing=False`), the same
number of epochs (full passes over the training rows) and the same batch size. Each library keeps
its own default networks otherwise: the ratios compare the two libraries as shipped.

Per model, after a warm-up fit of the same configuration on one batch of training rows (so that
one-off costs, lazy imports and the first optimizer step, land on no model): fit seconds and µs per
training sample per epoch (fit seconds / (n_train * epochs)); score seconds and µs per test sample
(`decision_function` on the test split after a warm-up call on 32 rows); ROC-AUC and AP on the
test split, so that no speed is taken from a broken model.
Ratios (> 1: ganad is faster): PyOD/ganad for ganad AnoGAN vs PyOD AnoGAN, ganad ALAD vs PyOD
ALAD, ganad DA3D vs PyOD AutoEncoder.

What one "epoch" and one "score" are in each model:
  * ganad DA3D: the data set's DA3D preset (if any); one epoch = one AAE epoch + one GAN epoch
    (`aae_epochs` = `epochs`), so its fit does two passes per epoch.
  * PyOD ALAD: its `epochs` counts single mini-batch steps; it is set to
    epochs * ceil(n_train / batch_size) steps, i.e. the same number of passes.
  * AnoGAN scores by an iterative latent search in both libraries, with `--query-steps` steps
    (ganad `search_steps`, one restart, Adam on z with G and D frozen, all rows of a batch at
    once; PyOD `epochs_query`, one row at a time, its Adam also updating G, D and a latent layer
    shared by all rows). Both fits end with that search on every training row (the training
    scores). PyOD's `decision_function` does *no* search (one latent
    vector learned in fit serves every test row), so its score time is not a search time; the
    search is timed separately (`fit(epochs=0)` on `--pyod-search-rows` test rows: untrained
    networks of the same size, whose cost does not depend on the weights) and given as a second
    AnoGAN score ratio.

Full run:
    PYTHONPATH=src .venv/bin/python benchmarks/peers.py --root /work/shared/datasets \\
        --epochs 5 --query-steps 20 --threads 1 --json peers.json
Smoke run (about 15 s of CPU):
    PYTHONPATH=src .venv/bin/python benchmarks/peers.py --root /work/shared/datasets \\
        --epochs 1 --query-steps 2 --max-train 300 --max-test 300
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _machine import cpu_model
from sklearn.metrics import average_precision_score, roc_auc_score

import ganad
from ganad.data import load_split
from ganad.registry import detector_class

DEFAULT_BATCH = 128
WARMUP_ROWS = 32  # warm-up score on this many rows; warm-up fit on max(this, one batch)
# (label of the ganad model, label of its PyOD peer)
PAIRS = (
    ("ganad AnoGAN", "PyOD AnoGAN"),
    ("ganad ALAD", "PyOD ALAD"),
    ("ganad ALAD, PyOD-sized", "PyOD ALAD"),
    ("ganad DA3D", "PyOD AutoEncoder"),
)


@dataclass
class Setting:
    dataset: str
    n_train: int
    n_test: int
    n_features: int
    test_anomalies: int
    epochs: int
    batch_size: int
    query_steps: int
    seed: int
    threads: int
    da3d_preset: str | None


@dataclass
class Row:
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    fit_s: float | None = None
    fit_us_per_sample_epoch: float | None = None
    score_s: float | None = None
    score_us_per_sample: float | None = None
    roc_auc: float | None = None
    average_precision: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


# --- data and machine --------------------------------------------------------------------------


def load_data(
    dataset: str, root: str | None, seed: int, max_train: int | None, max_test: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_train normals, X_test, y_test) by the DA3D protocol, optionally subsampled (seeded)."""
    split = load_split(dataset, protocol="da3d", seed=seed, root=root)
    x_tr = split.x_train.astype(np.float32)
    x_te, y_te = split.x_test.astype(np.float32), split.y_test.astype(np.int64)
    rng = np.random.default_rng(seed)
    if max_train is not None and max_train < len(x_tr):
        x_tr = x_tr[np.sort(rng.choice(len(x_tr), size=max_train, replace=False))]
    if max_test is not None and max_test < len(x_te):
        keep = np.sort(rng.choice(len(x_te), size=max_test, replace=False))
        x_te, y_te = x_te[keep], y_te[keep]
    return np.ascontiguousarray(x_tr), np.ascontiguousarray(x_te), y_te


def machine_info() -> dict[str, Any]:
    import pyod

    return {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "pyod": pyod.__version__,
        "ganad": ganad.__version__,
        "threads": torch.get_num_threads(),
    }


# --- measuring ---------------------------------------------------------------------------------


def seed_globals(seed: int) -> None:
    """PyOD draws from the global RNGs."""
    torch.manual_seed(seed)
    np.random.seed(seed)


def metric(fn: Callable[..., float], y: np.ndarray, scores: np.ndarray) -> float | None:
    return float(fn(y, scores)) if 0 < y.sum() < len(y) else None


def measure(
    row: Row,
    build: Callable[[], Any],
    data: tuple[np.ndarray, np.ndarray, np.ndarray],
    epochs: int,
    batch_size: int,
    seed: int,
) -> Row:
    """Fit, warm up, score and evaluate one model; an exception is recorded in `row.error`."""
    x_tr, x_te, y_te = data
    try:
        # One-off costs (lazy imports, first optimizer step) are paid here. PyOD's AutoEncoder
        # drops the last incomplete batch and fails on fewer rows than one batch.
        build().fit(x_tr[: max(WARMUP_ROWS, batch_size)])
        seed_globals(seed)
        det = build()
        t0 = time.perf_counter()
        det.fit(x_tr)  # PyOD's deep-learning fit returns None: do not chain
        row.fit_s = time.perf_counter() - t0
        row.fit_us_per_sample_epoch = 1e6 * row.fit_s / (len(x_tr) * epochs)
        det.decision_function(x_te[:WARMUP_ROWS])
        t0 = time.perf_counter()
        scores = np.asarray(det.decision_function(x_te), dtype=np.float64)
        row.score_s = time.perf_counter() - t0
        row.score_us_per_sample = 1e6 * row.score_s / len(x_te)
        row.roc_auc = metric(roc_auc_score, y_te, scores)
        row.average_precision = metric(average_precision_score, y_te, scores)
        if not np.isfinite(scores).all():
            row.extra["non_finite_scores"] = int((~np.isfinite(scores)).sum())
    except Exception as exc:
        row.error = f"{type(exc).__name__}: {exc}"
        print(f"# {row.model} failed:\n{traceback.format_exc()}", file=sys.stderr)
    return row


def pyod_anogan_search_us(x: np.ndarray, params: dict[str, Any], seed: int) -> float:
    """µs per row of PyOD AnoGAN's latent search (`fit(epochs=0)` searches every row)."""
    from pyod.models.anogan import AnoGAN

    seed_globals(seed)
    det = AnoGAN(**{**params, "epochs": 0})
    det.fit(x[:2])  # warm-up
    t0 = time.perf_counter()
    det.fit(x)
    return 1e6 * (time.perf_counter() - t0) / len(x)


# --- the six models ----------------------------------------------------------------------------


def ganad_params(name: str, s: Setting) -> dict[str, Any]:
    params: dict[str, Any] = {
        "epochs": s.epochs,
        "batch_size": s.batch_size,
        "scaling": "none",
        "random_state": s.seed,
        "device": "cpu",
    }
    if name == "anogan":
        params.update(search_steps=s.query_steps, restarts=1, search_eps=None)
    return params


#: ganad ALAD with PyOD ALAD's default sizes (latent 2, 25-10-5 layers, no spectral norm, no EMA):
#: separates the library's cost from the cost of ganad's larger default networks.
PYOD_SIZED_ALAD = {
    "latent_dim": 2,
    "e_hidden": (25, 10, 5),
    "g_hidden": (5, 10, 25),
    "d_x_hidden": (25,),
    "d_z_hidden": (25,),
    "d_joint_hidden": (10, 5),
    "d_xx_hidden": (25, 10, 5),
    "d_zz_hidden": (25, 10, 5),
    "spectral_norm": False,
    "ema_decay": 0.0,
}


def pyod_params(name: str, s: Setting) -> dict[str, Any]:
    if name == "anogan":
        return {
            "epochs": s.epochs,
            "batch_size": s.batch_size,
            "epochs_query": s.query_steps,
            "preprocessing": False,
            "verbose": 0,
            "device": "cpu",
        }
    if name == "alad":
        steps = s.epochs * math.ceil(s.n_train / s.batch_size)
        return {
            "epochs": steps,
            "batch_size": s.batch_size,
            "preprocessing": False,
            "verbose": 0,
            "device": "cpu",
        }
    return {
        "epoch_num": s.epochs,
        "batch_size": s.batch_size,
        "preprocessing": False,
        "verbose": 0,
        "random_state": s.seed,
        "device": "cpu",
    }


def run_all(
    s: Setting, data: tuple[np.ndarray, np.ndarray, np.ndarray], search_rows: int
) -> list[Row]:
    from pyod.models.alad import ALAD
    from pyod.models.anogan import AnoGAN
    from pyod.models.auto_encoder import AutoEncoder

    rows: list[Row] = []
    for label, name, preset in (
        ("ganad DA3D", "da3d", s.da3d_preset),
        ("ganad AnoGAN", "anogan", None),
        ("ganad ALAD", "alad", None),
        ("ganad ALAD, PyOD-sized", "alad", None),
    ):
        params = ganad_params(name, s)
        if label.endswith("PyOD-sized"):
            params.update(PYOD_SIZED_ALAD)
        row = Row(label, {**params, "preset": preset})
        rows.append(
            measure(
                row,
                lambda n=name, p=preset, kw=params: ganad.get_detector(n, preset=p, **kw),
                data,
                s.epochs,
                s.batch_size,
                s.seed,
            )
        )
        print(f"# {label}: done", file=sys.stderr)
    for label, cls, name in (
        ("PyOD AnoGAN", AnoGAN, "anogan"),
        ("PyOD ALAD", ALAD, "alad"),
        ("PyOD AutoEncoder", AutoEncoder, "ae"),
    ):
        params = pyod_params(name, s)
        row = Row(label, params)
        rows.append(
            measure(row, lambda c=cls, kw=params: c(**kw), data, s.epochs, s.batch_size, s.seed)
        )
        if name == "anogan" and row.error is None:
            try:
                x = data[1][:search_rows]
                row.extra["search_us_per_sample"] = pyod_anogan_search_us(x, params, s.seed)
                row.extra["search_rows_timed"] = len(x)
            except Exception as exc:
                row.extra["search_error"] = f"{type(exc).__name__}: {exc}"
        print(f"# {label}: done", file=sys.stderr)
    return rows


def ratio(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def ratios(rows: list[Row]) -> list[dict[str, Any]]:
    """PyOD/ganad time ratios per pair (> 1: ganad faster)."""
    by = {r.model: r for r in rows}
    out = []
    for ours, theirs in PAIRS:
        a, b = by[ours], by[theirs]
        entry: dict[str, Any] = {
            "ganad": ours,
            "pyod": theirs,
            "fit_per_sample_epoch": ratio(b.fit_us_per_sample_epoch, a.fit_us_per_sample_epoch),
            "score_per_sample": ratio(b.score_us_per_sample, a.score_us_per_sample),
        }
        if "search_us_per_sample" in b.extra:
            entry["score_per_sample_pyod_search"] = ratio(
                b.extra["search_us_per_sample"], a.score_us_per_sample
            )
        out.append(entry)
    return out


# --- report ------------------------------------------------------------------------------------


def fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def markdown(s: Setting, rows: list[Row], pairs: list[dict[str, Any]], cpu: str) -> str:
    lines = [
        f"**{s.dataset}** (DA3D protocol, seed {s.seed}): n_train {s.n_train}, n_test {s.n_test} "
        f"({s.test_anomalies} anomalies), {s.n_features} features; {s.epochs} epoch(s), batch "
        f"{s.batch_size}, AnoGAN latent search {s.query_steps} steps (ganad `search_steps` = "
        f"PyOD `epochs_query` = {s.query_steps}); {s.threads} thread(s), {cpu}, "
        f"torch {torch.__version__}.",
        "",
        "| model | fit s | fit µs/sample/epoch | score s | score µs/sample | ROC-AUC | AP | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        note = r.error or ""
        if "search_us_per_sample" in r.extra:
            note = (
                f"no search in decision_function; its latent search: "
                f"{r.extra['search_us_per_sample']:,.0f} µs/sample"
            )
        if "search_error" in r.extra:
            note = f"search timing failed: {r.extra['search_error']}"
        if r.model == "PyOD ALAD" and r.error is None:
            note = f"epochs = {r.params['epochs']} mini-batch steps"
        if r.model == "ganad DA3D" and r.error is None:
            note = "1 epoch = AAE + GAN pass"
        lines.append(
            f"| {r.model} | {fmt(r.fit_s, '.2f')} | {fmt(r.fit_us_per_sample_epoch, ',.1f')} | "
            f"{fmt(r.score_s, '.3f')} | {fmt(r.score_us_per_sample, ',.2f')} | "
            f"{fmt(r.roc_auc, '.3f')} | {fmt(r.average_precision, '.3f')} | {note} |"
        )
    lines += [
        "",
        "| PyOD / ganad | fit time per sample-epoch | score time per sample |",
        "|---|---:|---:|",
    ]
    for p in pairs:
        score = fmt(p["score_per_sample"], ".2f")
        if "score_per_sample_pyod_search" in p:
            score += f" (PyOD search: {fmt(p['score_per_sample_pyod_search'], '.2f')})"
        lines.append(
            f"| {p['pyod']} / {p['ganad']} | {fmt(p['fit_per_sample_epoch'], '.2f')} | {score} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="mammography", help="ganad.data name, e.g. kdd")
    parser.add_argument("--root", default=os.environ.get("GANAD_DATA"), help="data root")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="default: the DA3D preset's, else 128"
    )
    parser.add_argument("--query-steps", type=int, default=20, help="AnoGAN latent-search steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-train", type=int, default=None, help="subsample training rows")
    parser.add_argument("--max-test", type=int, default=None, help="subsample test rows")
    parser.add_argument(
        "--pyod-search-rows", type=int, default=32, help="rows for PyOD AnoGAN's search timing"
    )
    parser.add_argument("--json", type=Path, default=None, help="write all numbers here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    data = load_data(args.dataset, args.root, args.seed, args.max_train, args.max_test)
    presets = detector_class("da3d").PRESETS
    preset = args.dataset if args.dataset in presets else None
    batch = args.batch_size or (presets[preset]["batch_size"] if preset else DEFAULT_BATCH)
    s = Setting(
        dataset=args.dataset,
        n_train=len(data[0]),
        n_test=len(data[1]),
        n_features=int(np.prod(data[0].shape[1:])),
        test_anomalies=int(data[2].sum()),
        epochs=args.epochs,
        batch_size=batch,
        query_steps=args.query_steps,
        seed=args.seed,
        threads=torch.get_num_threads(),
        da3d_preset=preset,
    )
    rows = run_all(s, data, args.pyod_search_rows)
    pairs = ratios(rows)
    machine = machine_info()
    print(markdown(s, rows, pairs, machine["cpu"]))
    if args.json:
        out = {
            "machine": machine,
            "setting": asdict(s),
            "rows": [asdict(r) for r in rows],
            "ratios": pairs,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
