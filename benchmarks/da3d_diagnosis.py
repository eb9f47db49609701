"""Why DA3D with its defaults fails on data nobody tuned for, measured (issue #15, part 2).

For each data set (the synthetic check of the issue, and the benchmark's development sets), one
DA3D fit per configuration, and from that one fitted model:
  * ROC-AUC of the alarm alone, of the AAE's reconstruction error alone, and of their
    standardised sum (the composition of `preset="practical"`);
  * how many trivial anomalies lie inside the data's min-max box [0, 1]^d (where the test
    anomalies of a one-class table mostly are);
  * generator spread: std of the generated codes over std of the normal codes (collapse -> 0),
    and the share of generated codes within the normal codes' 99th-percentile radius;
  * training updates and fit seconds.

Configurations: `default` (registry defaults with `epochs=30`, as in the issue's capped runs),
`default+uniform` (the same with trivial anomalies uniform on [-0.1, 1.1]^d), `practical`.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/da3d_diagnosis.py --root ../shared/datasets \\
        --out docs/results/one_class/da3d_diagnosis.csv
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

import numpy as np
import torch
from one_class import load_xy
from sklearn.metrics import roc_auc_score

import ganad
from ganad.data import make_one_class_split
from ganad.detectors.da3d.networks import ScoreStats
from ganad.nn.sizing import default_batch_size

DEV_SETS = ("cardio", "thyroid", "vowels", "wbc")
CONFIGS = {
    "default": {"epochs": 30},
    "default+uniform": {"epochs": 30, "trivial": "uniform", "trivial_std": 0.6},
    "practical": {"preset": "practical"},
}
logger = logging.getLogger("da3d_diagnosis")


def synthetic(seed: int):
    """The issue's check: 3,000 normals N(0.5, 0.08^2) in 8-D; anomalies uniform on the cube."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.5, 0.08, size=(3000, 8))
    X_test = np.vstack([rng.normal(0.5, 0.08, size=(500, 8)), rng.uniform(0, 1, size=(100, 8))])
    return X.astype(np.float32), X_test.astype(np.float32), np.r_[np.zeros(500), np.ones(100)]


def measure(det, x_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    scaler = det.networks_["scaler"]
    with torch.no_grad():
        comps = det._score_components(scaler(torch.from_numpy(x_test))).numpy()
        train = det._score_components(scaler(torch.from_numpy(x_train))).numpy()
    stats = ScoreStats(comps.shape[1])
    stats.set_(torch.from_numpy(train))
    z = stats.standardised(torch.from_numpy(comps)).numpy()
    trivial = det._trivial_anomalies(10_000, det.input_shape_).numpy()
    codes = det.encode(x_train)
    generated = det.generate_codes(len(codes))
    radius = np.percentile(np.linalg.norm(codes - codes.mean(0), axis=1), 99)
    batch = det.batch_size or default_batch_size(len(x_train))
    epochs = sum(len(v) for k, v in det.history_.items() if k.endswith("/epoch_seconds"))
    updates = epochs * int(np.ceil(len(x_train) / batch))
    return {
        "auc_detector": roc_auc_score(y_test, det.decision_function(x_test)),
        "auc_alarm": roc_auc_score(y_test, comps[:, 0]),
        "auc_reconstruction": roc_auc_score(y_test, comps[:, 1]),
        "auc_composed": roc_auc_score(y_test, z.sum(1)),
        "trivial_inside_box": float(((trivial >= 0) & (trivial <= 1)).all(axis=1).mean()),
        "generated_spread": float(generated.std(0).mean() / codes.std(0).mean()),
        "generated_inside_normal": float(
            (np.linalg.norm(generated - codes.mean(0), axis=1) <= radius).mean()
        ),
        "updates": updates,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default="../shared/datasets")
    parser.add_argument("--out", default="da3d_diagnosis.csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", nargs="*", default=["synthetic", *DEV_SETS])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(1)
    rows = []
    for name in args.datasets:
        if name == "synthetic":
            x_train, x_test, y_test = synthetic(args.seed)
        else:
            X, y = load_xy(name, Path(args.root))
            split = make_one_class_split(X, y, args.seed)
            x_train, x_test, y_test = split.x_train, split.x_test, split.y_test
        for label, params in CONFIGS.items():
            params = dict(params)
            preset = params.pop("preset", None)
            det = ganad.get_detector("da3d", preset, random_state=args.seed, device="cpu", **params)
            started = time.perf_counter()
            det.fit(x_train)
            row = {
                "dataset": name,
                "config": label,
                "seed": args.seed,
                "fit_seconds": time.perf_counter() - started,
                **measure(det, x_train, x_test, y_test),
            }
            logger.info(
                "%s", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
            )
            rows.append(row)
    with open(args.out, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
