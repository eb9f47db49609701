"""LeSiNN (Pang, Ting & Albrecht 2015), REPEN's outlier scorer, and REPEN's triplet weighting.

LeSiNN is a bagging ensemble of Sp (Sugiyama & Borgwardt 2013): for each of `ensemble_size`
random subsamples of `subsample_size` points, a point's score is the distance to its nearest
neighbour in the subsample; the ensemble score is the mean. Sp itself is `ensemble_size=1`.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["cantelli_split", "draw_subsamples", "nearest_subsample_distance", "triplet_weights"]

# Cantelli's inequality with sqrt(3) standard deviations bounds the outlier-candidate rate by 25 %;
# the REPEN code's `cutoff_unsorted` uses this threshold, and the top 10 when nothing exceeds it.
CANTELLI_STD = 1.7321
FALLBACK_TOP = 10


def draw_subsamples(
    n: int, ensemble_size: int, subsample_size: int, rng: np.random.Generator
) -> np.ndarray:
    """Row indices (ensemble_size, subsample_size): without replacement within a subsample (as
    the code's `sample_without_replacement`), with replacement only when n < subsample_size.

    Parameters
    ----------
    n : int
        Rows to draw from.
    ensemble_size : int
        Number of subsamples.
    subsample_size : int
        Rows per subsample.
    rng : numpy.random.Generator
        The generator drawn from.

    Returns
    -------
    numpy.ndarray of shape (ensemble_size, subsample_size)
        Row indices.
    """
    replace = n < subsample_size
    return np.stack(
        [rng.choice(n, size=subsample_size, replace=replace) for _ in range(ensemble_size)]
    )


def nearest_subsample_distance(
    query: torch.Tensor, subsamples: torch.Tensor, chunk: int = 4096
) -> torch.Tensor:
    """Mean over the ensemble of the Euclidean distance to the nearest subsample point.
    query (n, k); subsamples (ensemble, size, k); returns (n,).

    Parameters
    ----------
    query : torch.Tensor of shape (n, k)
        Points scored.
    subsamples : torch.Tensor of shape (ensemble, size, k)
        The ensemble's subsamples.
    chunk : int, default=4096
        Query rows per distance computation (bounded memory).

    Returns
    -------
    torch.Tensor of shape (n,)
        The LeSiNN score of each query point.
    """
    if torch.jit.is_tracing():  # ONNX export: one pass over whatever batch the graph gets
        chunk = max(chunk, 1 << 62)
    out = []
    for start in range(0, len(query), chunk):
        part = query[start : start + chunk]
        # The direct (non-matmul) distance avoids the cancellation error of |a|² + |b|² - 2ab,
        # which matters for the small nearest-neighbour distances LeSiNN averages.
        dist = torch.cdist(
            part.unsqueeze(0).expand(len(subsamples), -1, -1),
            subsamples,
            compute_mode="donot_use_mm_for_euclid_dist",
        )  # (E, n, S)
        out.append(dist.min(dim=2).values.mean(dim=0))
    return torch.cat(out) if out else query.new_zeros(0)


def cantelli_split(
    scores: np.ndarray, k: float = CANTELLI_STD, fallback_top: int = FALLBACK_TOP
) -> tuple[np.ndarray, np.ndarray]:
    """(inlier indices, outlier-candidate indices): candidates score above mean + k·std; if none
    does, the top `fallback_top` scores (at most n - 1, so an inlier always remains).

    Parameters
    ----------
    scores : numpy.ndarray of shape (n,)
        Initial outlier scores.
    k : float, default=1.7321
        Standard deviations above the mean of the cut-off.
    fallback_top : int, default=10
        Candidates taken when no score exceeds the cut-off.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        Sorted inlier indices and outlier-candidate indices.
    """
    threshold = scores.mean() + k * scores.std()
    if threshold < scores.max():
        outliers = np.flatnonzero(scores > threshold)
    else:
        top = max(1, min(fallback_top, len(scores) - 1))
        outliers = np.sort(np.argsort(scores, kind="stable")[-top:])
    inliers = np.setdiff1d(np.arange(len(scores)), outliers, assume_unique=True)
    return inliers, outliers


def triplet_weights(
    scores: np.ndarray, inliers: np.ndarray, outliers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sampling probabilities from the REPEN code: anchors favour low-scoring inliers
    (weight ∝ sum(inlier scores) - score), negatives favour high-scoring candidates (∝ score).
    Degenerate weights (all zero) fall back to uniform.

    Parameters
    ----------
    scores : numpy.ndarray of shape (n,)
        Initial outlier scores.
    inliers : numpy.ndarray
        Inlier indices into `scores`.
    outliers : numpy.ndarray
        Outlier-candidate indices into `scores`.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        Probabilities of the anchors (over `inliers`) and the negatives (over `outliers`).
    """
    s_in = scores[inliers].astype(np.float64)
    s_out = scores[outliers].astype(np.float64)
    return _normalise(s_in.sum() - s_in), _normalise(s_out)


def _normalise(weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(len(weights), 1.0 / len(weights))
    return weights / total
