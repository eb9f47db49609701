"""Test-set metrics of a benchmark run: ranking metrics and the flag-the-top-fraction rule."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

__all__ = ["KDD99_TOP_FRACTION", "flag_top_fraction", "ranking_metrics", "top_fraction_prf"]

#: Zenati et al.'s KDD99 rule, which Fence GAN's Table I follows: flag the top 20 % of test
#: scores (about the 19.7 % share of non-attack records).
KDD99_TOP_FRACTION = 0.2


def ranking_metrics(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """ROC-AUC and average precision (step-wise, not interpolated) with y = 1 anomalous.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels with both classes (else `ValueError`).
    scores : array-like of shape (n_samples,)
        Anomaly scores, higher = more anomalous.

    Returns
    -------
    dict of str to float
        "roc_auc" and "average_precision".
    """
    if len(np.unique(y_true)) < 2:
        raise ValueError("the test split has only one class; ROC-AUC/AP are undefined.")
    return {
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "average_precision": float(average_precision_score(y_true, scores)),
    }


def flag_top_fraction(scores: np.ndarray, fraction: float) -> np.ndarray:
    """0/1 flags: score >= the (1 - fraction) quantile of `scores` (ties may flag a little more).

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Anomaly scores.
    fraction : float in [0, 1]
        Share of the highest scores to flag.

    Returns
    -------
    ndarray of int of shape (n_samples,)
        1 for flagged rows.
    """
    scores = np.asarray(scores)
    return (scores >= np.percentile(scores, 100.0 * (1.0 - fraction))).astype(int)


def top_fraction_prf(y_true: np.ndarray, scores: np.ndarray, fraction: float) -> dict[str, float]:
    """Precision, recall and F1 (y = 1 positive) when the `fraction` highest scores are flagged,
    i.e. the threshold is the (1 - fraction) quantile of these scores (Zenati's KDD99 rule, which
    Fence GAN's Table I follows: fraction 0.2).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels, 1 = anomaly.
    scores : array-like of shape (n_samples,)
        Anomaly scores.
    fraction : float in [0, 1]
        Share of the highest scores flagged (`KDD99_TOP_FRACTION` for Fence GAN's KDD99).

    Returns
    -------
    dict of str to float
        "precision", "recall" and "f1" (0 where undefined).
    """
    p, r, f, _ = precision_recall_fscore_support(
        y_true, flag_top_fraction(scores, fraction), average="binary", pos_label=1, zero_division=0
    )
    return {"precision": float(p), "recall": float(r), "f1": float(f)}
