"""Real-data reproduction runs (deselected by default; `make test-slow` or `pytest -m slow`)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import ganad
from ganad.data import load_split

pytestmark = pytest.mark.slow


def test_da3d_mammography_paper_protocol(shared_datasets):
    """[DA3D-A] Table 2, Mammography, 0 % contamination: paper AUC .84 ± .03 (6 runs)."""
    path = shared_datasets / "adbench" / "23_mammography.npz"
    aucs = []
    for seed in (110, 210, 310):
        split = load_split(str(path), protocol="da3d", seed=seed, train_contamination=0.0)
        det = ganad.get_detector("da3d", preset="mammography", random_state=seed, device="cpu")
        start = time.perf_counter()
        det.fit(split.x_train)
        seconds = time.perf_counter() - start
        scores = det.decision_function(split.x_test)
        auc = roc_auc_score(split.y_test, scores)
        ap = average_precision_score(split.y_test, scores)
        aucs.append(auc)
        print(
            f"mammography seed={seed} n_train={len(split.x_train)} AUC={auc:.4f} AP={ap:.4f} "
            f"fit={seconds:.0f}s ({seconds / (2 * det.epochs):.2f} s/epoch)"
        )
    print(f"mammography mean AUC={np.mean(aucs):.4f} ± {np.std(aucs, ddof=1):.4f}")
    assert np.mean(aucs) >= 0.81
