"""A small grid: several detectors and settings on the same split, compared by ROC-AUC.

Uses `ganad.data.make_one_class_split`, the one-class protocol of ganad's benchmark (training on
normal rows only, min-max fitted on them). For grids over real data sets with seeds, resuming and
reports, see `ganad bench` and the experiment files in `ganad.bench.experiment`. Runs in seconds
on synthetic data:

    python examples/grid.py
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import roc_auc_score

import ganad
from ganad.data import make_one_class_split

rng = np.random.default_rng(0)

# 3,000 rows of 10 features: normal rows from two clusters; 5 % anomalies from the same clusters
# but twice as spread out, so many of them overlap the normal rows (no detector gets them all).
n_normal, n_anomalies, d = 2_850, 150, 10
centres = rng.normal(0, 3, size=(2, d))
normal = centres[rng.integers(0, 2, n_normal)] + rng.normal(size=(n_normal, d))
anomalies = centres[rng.integers(0, 2, n_anomalies)] + 2.0 * rng.normal(size=(n_anomalies, d))
X = np.concatenate([normal, anomalies]).astype(np.float32)
y = np.concatenate([np.zeros(n_normal, dtype=int), np.ones(n_anomalies, dtype=int)])

split = make_one_class_split(X, y, seed=0)

# (registry name, parameters). Small training budgets keep every fit to a few seconds.
grid = [
    ("dte_np", {}),  # no training: nearest-neighbour diffusion-time posterior
    ("dte_np", {"n_neighbors": 10}),
    ("dte", {"updates": 300}),  # the neural DTE
    ("aae", {"updates": 200}),  # adversarial autoencoder, reconstruction error
    ("aae", {"updates": 200, "aae_dims": (32, 16, 4)}),
]

print(f"{'detector':<8} {'parameters':<42} {'ROC-AUC':>7} {'fit s':>6}")
for name, params in grid:
    det = ganad.get_detector(name, random_state=0, **params)
    start = time.perf_counter()
    det.fit(split.x_train)
    seconds = time.perf_counter() - start
    auc = roc_auc_score(split.y_test, det.decision_function(split.x_test))
    print(f"{name:<8} {params!s:<42} {auc:7.3f} {seconds:6.1f}")
