"""DA3D, its Simple ablation and A3 learn to separate planted anomalies within seconds.

DA3D scores a sample only through its AAE code (alarm on decoder activations of f_enc(x)), so
the planted anomalies must be visible in code space: normal data lie on a 2-D manifold in 6-D,
anomalies lie far out along the same manifold (extreme but structurally consistent records).
The configuration is the paper's except for speed: small networks, a higher learning rate and
fewer epochs.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import ganad


def manifold_data(n_normal: int = 800, n_anom: int = 80, d: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(2, d)) / np.sqrt(2)
    normal = rng.normal(size=(n_normal, 2)) @ mixing + 0.05 * rng.normal(size=(n_normal, d))
    direction = rng.normal(size=(n_anom, 2))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    radius = rng.uniform(5, 8, size=(n_anom, 1))
    anomalies = (direction * radius) @ mixing + 0.05 * rng.normal(size=(n_anom, d))
    X_train = normal[:600].astype(np.float32)
    X_test = np.vstack([normal[600:], anomalies]).astype(np.float32)
    y_test = np.r_[np.zeros(n_normal - 600), np.ones(n_anom)]
    return X_train, X_test, y_test


FAST = {"lr": 2e-3, "batch_size": 32, "alarm_hidden": (64, 32), "random_state": 0, "device": "cpu"}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("da3d", {"aae_epochs": 150, "epochs": 40}),
        ("da3d", {"aae_epochs": 150, "epochs": 40, "generator": "simple"}),
        ("a3", {"epochs": 30}),
    ],
    ids=["da3d", "simple", "a3"],
)
def test_learns_planted_anomalies(name, params):
    X_train, X_test, y_test = manifold_data()
    det = ganad.get_detector(name, **FAST, **params).fit(X_train)
    auc = roc_auc_score(y_test, det.decision_function(X_test))
    assert auc >= 0.9, f"{name} {params}: ROC-AUC {auc:.3f}"
