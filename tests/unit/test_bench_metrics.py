"""The runner's test-set metrics on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from ganad.bench.metrics import flag_top_fraction, ranking_metrics, top_fraction_prf


def test_top_fraction_rule_flags_the_highest_scores():
    y = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.9, 0.8, 0.3])
    assert flag_top_fraction(scores, 0.4).tolist() == [0, 0, 1, 1, 0]
    assert top_fraction_prf(y, scores, 0.4) == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    )
    # Flagging everything: recall 1, precision = the anomaly share.
    assert top_fraction_prf(y, scores, 1.0) == pytest.approx(
        {"precision": 0.4, "recall": 1.0, "f1": 2 * 0.4 / 1.4}
    )


def test_ranking_metrics_need_both_classes():
    assert ranking_metrics(np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.2, 0.8])) == {
        "roc_auc": 1.0,
        "average_precision": 1.0,
    }
    with pytest.raises(ValueError, match="only one class"):
        ranking_metrics(np.zeros(3), np.arange(3.0))
