"""Shared fixtures: the staged real data sets, small synthetic data, thread limits."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

# Two cores on CI: one intra-op thread keeps runs predictable and avoids oversubscription.
torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[1]


def shared_datasets_dir() -> Path | None:
    """`$GANAD_SHARED_DATASETS`, else `../shared/datasets` beside the checkout; None if absent."""
    env = os.environ.get("GANAD_SHARED_DATASETS")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "datasets")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    root = shared_datasets_dir()
    if root is None:
        pytest.skip(
            "../shared/datasets is absent (set GANAD_SHARED_DATASETS to the staged data directory)"
        )
    return root


def planted_anomalies(n_normal: int = 600, n_anom: int = 60, d: int = 8, seed: int = 0):
    """Normal data on a low-dimensional manifold in [0, 1]^d plus uniformly scattered anomalies."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.2, 0.8, size=(n_normal, 2))
    mix = rng.normal(size=(2, d))
    normal = 0.5 + 0.25 * np.tanh((t - 0.5) @ mix) + rng.normal(0, 0.01, size=(n_normal, d))
    anomalies = rng.uniform(0, 1, size=(n_anom, d))
    X = np.vstack([normal, anomalies]).astype(np.float32)
    y = np.r_[np.zeros(n_normal), np.ones(n_anom)].astype(np.int64)
    return X, y


@pytest.fixture(scope="session")
def planted():
    """(X_train normal, X_test, y_test) with planted anomalies in the test part (do not mutate)."""
    X, y = planted_anomalies(seed=0)
    Xtr = X[y == 0][:400]
    Xte = np.vstack([X[y == 0][400:], X[y == 1]])
    yte = np.r_[np.zeros(len(X[y == 0][400:])), np.ones(int(y.sum()))]
    return Xtr, Xte, yte


def _assert_bad_training_data_rejected(det, X: np.ndarray) -> None:
    """`det.fit` refuses NaN, inf, empty, 1-D and non-numeric input with errors naming the problem."""
    import pandas as pd

    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        det.fit(bad)
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        det.fit(bad)
    with pytest.raises(ValueError, match="empty"):
        det.fit(X[:0])
    with pytest.raises(ValueError, match="2-D"):
        det.fit(X[:, 0])
    with pytest.raises(TypeError, match="numeric"):
        det.fit(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError, match="city"):
        det.fit(pd.DataFrame(X).assign(city="x"))


@pytest.fixture(scope="session")
def assert_bad_training_data_rejected():
    """The bad-input checks shared by the detector and adapter contract tests."""
    return _assert_bad_training_data_rejected
