"""A few labelled anomalies: detectors that read y == 1 (da3d, a3, devnet) use them.

Every other detector ignores `y`, like scikit-learn's outlier detectors. Here DA3D and DevNet
train on mostly normal rows plus 15 known anomalies of one kind, with a small training budget,
and are scored on held-out rows (ROC-AUC, higher is better). Runs in seconds on synthetic data:

    python examples/semi_supervised_labels.py
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

import ganad

rng = np.random.default_rng(0)
d = 8

# Normal rows: a correlated Gaussian. Anomalies: rows whose first three features are shifted.
mixing = rng.normal(size=(d, d)) / np.sqrt(d)


def normal_rows(n: int) -> np.ndarray:
    return (rng.normal(size=(n, d)) @ mixing).astype(np.float32)


def anomalous_rows(n: int) -> np.ndarray:
    x = normal_rows(n)
    x[:, :3] += 2.5
    return x


# Training data: 2,000 normal rows (y = 0) and 15 labelled anomalies (y = 1).
x_train = np.concatenate([normal_rows(2_000), anomalous_rows(15)])
y_train = np.concatenate([np.zeros(2_000, dtype=int), np.ones(15, dtype=int)])

# Held-out test data, never seen in training: 900 normal rows, 100 anomalies.
x_test = np.concatenate([normal_rows(900), anomalous_rows(100)])
y_test = np.concatenate([np.zeros(900, dtype=int), np.ones(100, dtype=int)])

detectors = {
    # ~200 mini-batch updates per stage instead of the default 2,000: seconds, not a minute.
    "da3d": ganad.get_detector("da3d", updates=200, random_state=0),
    # DevNet's budget is epochs x steps_per_epoch balanced mini-batches.
    "devnet": ganad.get_detector("devnet", epochs=10, random_state=0),
}

for name, det in detectors.items():
    det.fit(x_train, y_train)  # y == 1 marks the known anomalies
    auc = roc_auc_score(y_test, det.decision_function(x_test))
    print(f"{name:<18} ROC-AUC on held-out rows: {auc:.3f}")

# For comparison, DA3D on the same rows without the labels (fit(X) alone: every row counts as
# normal, so the 15 anomalies are trained on as normal data).
unlabelled = ganad.get_detector("da3d", updates=200, random_state=0).fit(x_train)
auc = roc_auc_score(y_test, unlabelled.decision_function(x_test))
print(f"{'da3d, no labels':<18} ROC-AUC on held-out rows: {auc:.3f}")
