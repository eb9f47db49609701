"""ALAD and AnoGAN: ganad vs PyOD 2.1 on ADBench tabular sets, DA3D protocol (issue #6).

Protocol (METHODS §1.2; the few lines of `ganad.data.make_split` it needs, kept private here so
the benchmark does not depend on that module's state):
  * test split: `train_test_split(test_size=0.15, random_state=42)` (fixed across seeds);
  * validation split: 5 % of the rest with the run seed (dropped: DA3D only logs on it);
  * train on the normal training rows only; MinMax fitted on them, applied to the test rows
    (not clipped); ROC-AUC and average precision on the whole test split.
Every method runs with the same seeds (ganad: `random_state`; PyOD: `torch.manual_seed` and
`np.random.seed`, the global RNGs it draws from).

Configurations (training is shortened to keep the run to minutes of CPU — stated in the output):
  * ganad ALAD: package defaults (spectral norm, EMA, FM score, eval mode), `--alad-epochs`.
  * PyOD ALAD: package defaults (its `epochs` counts single mini-batches: 200 steps).
  * ganad AnoGAN: package defaults (feature matching, λ = 0.1, 500 search steps), `--anogan-epochs`.
  * PyOD AnoGAN: package defaults except `epochs` = `--anogan-epochs` (default 500 full passes).
  * ganad AnoGAN+SN: as ganad AnoGAN with `spectral_norm=True` (METHODS §5.8).

Usage:
    .venv/bin/python benchmarks/review_vs_pyod.py --out docs/results/review/review_vs_pyod.json
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

import ganad
from ganad.data import make_split

REPO = Path(__file__).resolve().parents[1]
ADBENCH = REPO.parent / "shared" / "datasets" / "adbench"
DEFAULT_SETS = ("4_breastw", "29_Pima", "18_Ionosphere", "39_vertebral", "6_cardio")

logger = logging.getLogger("review_vs_pyod")


def da3d_split(
    X: np.ndarray, y: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_train normals, X_test, y_test) by the DA3D protocol (`ganad.data.make_split`)."""
    split = make_split(X, y, seed)
    return (
        split.x_train.astype(np.float32),
        split.x_test.astype(np.float32),
        split.y_test.astype(np.int64),
    )


def seed_globals(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)


def run_ganad(
    name: str, epochs: int, seed: int, Xtr: np.ndarray, Xte: np.ndarray, **params
) -> np.ndarray:
    det = ganad.get_detector(
        name, epochs=epochs, scaling="none", random_state=seed, device="cpu", **params
    )
    return det.fit(Xtr).decision_function(Xte)


def run_pyod(
    name: str, epochs: int | None, seed: int, Xtr: np.ndarray, Xte: np.ndarray
) -> np.ndarray:
    from pyod.models.alad import ALAD as PyODALAD
    from pyod.models.anogan import AnoGAN as PyODAnoGAN

    seed_globals(seed)
    det = PyODALAD(device="cpu") if name == "alad" else PyODAnoGAN(epochs=epochs, device="cpu")
    return np.asarray(det.fit(Xtr).decision_function(Xte), dtype=np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--alad-epochs", type=int, default=100)
    parser.add_argument("--anogan-epochs", type=int, default=50)
    parser.add_argument("--methods", nargs="+", default=None, help="subset of the methods to run")
    parser.add_argument(
        "--out", type=Path, default=REPO / "docs" / "results" / "review" / "review_vs_pyod.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)

    runs = {
        "ganad ALAD": lambda s, a, b: run_ganad("alad", args.alad_epochs, s, a, b),
        "PyOD ALAD": lambda s, a, b: run_pyod("alad", None, s, a, b),
        "ganad AnoGAN": lambda s, a, b: run_ganad("anogan", args.anogan_epochs, s, a, b),
        "PyOD AnoGAN": lambda s, a, b: run_pyod("anogan", args.anogan_epochs, s, a, b),
        # The stabiliser option the KDD99 speed benchmark needed (spectral norm in D).
        "ganad AnoGAN+SN": lambda s, a, b: run_ganad(
            "anogan", args.anogan_epochs, s, a, b, spectral_norm=True
        ),
    }
    unknown = sorted(set(args.methods or ()) - set(runs))
    if unknown:
        raise SystemExit(f"unknown methods {unknown}; choose from {sorted(runs)}")
    runs = {k: v for k, v in runs.items() if not args.methods or k in args.methods}
    rows = []
    for ds in args.datasets:
        data = np.load(ADBENCH / f"{ds}.npz", allow_pickle=False)
        X, y = data["X"].astype(np.float32), data["y"].astype(np.int64)
        for seed in args.seeds:
            Xtr, Xte, yte = da3d_split(X, y, seed)
            for method, fn in runs.items():
                t0 = time.perf_counter()
                scores = fn(seed, Xtr, Xte)
                row = {
                    "dataset": ds,
                    "seed": seed,
                    "method": method,
                    "n_train": len(Xtr),
                    "n_test": len(Xte),
                    "test_anomalies": int(yte.sum()),
                    "roc_auc": float(roc_auc_score(yte, scores)),
                    "average_precision": float(average_precision_score(yte, scores)),
                    "seconds": time.perf_counter() - t0,
                }
                rows.append(row)
                logger.info(
                    "%-14s %-13s seed %d  AUC %.4f  AP %.4f  (%.1f s)",
                    ds,
                    method,
                    seed,
                    row["roc_auc"],
                    row["average_precision"],
                    row["seconds"],
                )
    summary: dict[str, dict[str, float]] = {}
    for ds in args.datasets:
        for method in runs:
            aucs = [r["roc_auc"] for r in rows if r["dataset"] == ds and r["method"] == method]
            summary.setdefault(ds, {})[method] = float(np.mean(aucs))
    out = {
        "protocol": "DA3D: test 15 % (random_state 42), val 5 % (seed, dropped), normal-only "
        "training, MinMax on train",
        "seeds": args.seeds,
        "epochs": {
            "ganad ALAD": args.alad_epochs,
            "PyOD ALAD": "200 mini-batch steps (default)",
            "ganad AnoGAN": args.anogan_epochs,
            "PyOD AnoGAN": args.anogan_epochs,
            "ganad AnoGAN+SN": args.anogan_epochs,
        },
        "rows": rows,
        "mean_roc_auc": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1))
    header = "| data set | " + " | ".join(runs) + " |"
    logger.info(
        "mean ROC-AUC over seeds\n%s\n|%s\n%s",
        header,
        "---|" * (len(runs) + 1),
        "\n".join(
            f"| {ds} | " + " | ".join(f"{summary[ds][m]:.3f}" for m in runs) + " |"
            for ds in args.datasets
        ),
    )


if __name__ == "__main__":
    main()
