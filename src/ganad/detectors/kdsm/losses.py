"""Pure functions of K-DSM: per-feature noise scales from kurtosis, the DSM loss, the score.

Denoising score matching at one noise scale per feature: a network f is trained so that
f(x + sigma * eps) ~ -eps, i.e. f estimates sigma times the score of the noised data density.
At a clean test point, the norm ||f(x)|| is small where normal data are dense and large away from
them: it is the anomaly score.

The noise scale of feature j comes from the shape of its marginal (K-DSM, section 3): heavy-tailed
features (high kurtosis) need more noise to cover their sparse tails, light-tailed ones less, so
sigma_j = clip(sigma0 * (1 + c * (kappa_j - 3)), sigma_min, sigma_max), with kappa_j the Pearson
kurtosis (3 for a Gaussian) of the feature after trimming its tails and folding its histogram
around the highest peak (so a multimodal feature is judged by the spread of its modes, not as
one light-tailed blob). Two- and three-valued features ({0, 1} or {-1, 0, 1}) get kappa = 0.9 /
sigma0.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import kurtosis

__all__ = [
    "dsm_loss",
    "feature_is_binary",
    "feature_kurtosis",
    "kurtosis_noise_scales",
    "score_norm",
]

_BINARY_SETS = ({0.0, 1.0}, {-1.0, 0.0, 1.0})


def feature_is_binary(values: np.ndarray) -> bool:
    """Whether a feature only takes values in {0, 1} or in {-1, 0, 1} (to 1e-6: the values may
    come back from a float32 scaling).

    Parameters
    ----------
    values : numpy.ndarray
        The feature's values.

    Returns
    -------
    bool
        True for binary or ternary features.
    """
    distinct = set(np.unique(np.round(np.asarray(values, dtype=np.float64), 6)).tolist())
    return any(distinct <= allowed for allowed in _BINARY_SETS)


def _peak_folded_positions(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Each value replaced by the rank position of its histogram bin: the fullest bin is 0, then
    +1, -1, +2, -2, ... by decreasing count."""
    counts, edges = np.histogram(values, bins=n_bins)
    order = np.argsort(-counts, kind="stable")
    ranks = np.arange(n_bins)
    folded = np.where(ranks % 2 == 1, (ranks + 1) // 2, -(ranks // 2)).astype(np.float64)
    position_of_bin = np.empty(n_bins)
    position_of_bin[order] = folded
    # np.histogram's last bin is closed on the right: the maximum belongs to it.
    bins = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n_bins - 1)
    return position_of_bin[bins]


def feature_kurtosis(
    column: np.ndarray, sigma0: float, *, trim: float = 0.04, n_bins: int = 200
) -> float:
    """kappa_j of one feature: Pearson kurtosis of its peak-folded, trimmed values.

    `trim` is the total fraction removed (half from each tail). Binary/ternary features give
    0.9 / sigma0; a constant feature (undefined kurtosis) gives +inf, i.e. the largest scale.
    As in the paper, both tests look at the trimmed values: a column that is 0 but for a few
    rows counts as binary, the same column shifted by 5 as constant.

    Parameters
    ----------
    column : numpy.ndarray of shape (n,)
        The feature's values.
    sigma0 : float
        Base noise scale (for the binary/ternary kappa 0.9 / sigma0).
    trim : float, default=0.04
        Total fraction of values trimmed, half from each tail.
    n_bins : int, default=200
        Histogram bins of the peak folding.

    Returns
    -------
    float
        kappa_j (3 for a Gaussian; +inf for a constant feature).
    """
    values = np.sort(np.asarray(column, dtype=np.float64))
    cut = int(len(values) * trim / 2)
    if cut > 0 and len(values) > 2 * cut:
        values = values[cut : len(values) - cut]
    if feature_is_binary(values):
        return 0.9 / sigma0
    positions = _peak_folded_positions(values, n_bins)
    std = positions.std()
    if not np.isfinite(std) or std == 0:
        return float("inf")
    return float(kurtosis((positions - positions.mean()) / std, fisher=False))


def kurtosis_noise_scales(
    X: np.ndarray,
    *,
    sigma0: float = 0.5,
    c: float = 0.33,
    sigma_min: float = 0.1,
    sigma_max: float = 3.0,
) -> np.ndarray:
    """sigma_j = clip(sigma0 * (1 + c * (kappa_j - 3)), sigma_min, sigma_max) for each column.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The training rows.
    sigma0 : float, default=0.5
        Base noise scale.
    c : float, default=0.33
        Weight of the excess kurtosis.
    sigma_min : float, default=0.1
        Lower clip.
    sigma_max : float, default=3.0
        Upper clip (and the scale of constant features).

    Returns
    -------
    numpy.ndarray of shape (d,)
        sigma_j per feature (float64).
    """
    kappas = np.array([feature_kurtosis(X[:, j], sigma0) for j in range(X.shape[1])])
    finite = np.isfinite(kappas)
    sigmas = np.full(len(kappas), sigma_max, dtype=np.float64)  # constant features
    sigmas[finite] = sigma0 * (1.0 + c * (kappas[finite] - 3.0))
    return np.clip(sigmas, sigma_min, sigma_max)


def dsm_loss(predicted: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """1/2 mean over rows of ||f(x + sigma eps) + eps||^2: f learns -eps = sigma * score.

    Parameters
    ----------
    predicted : torch.Tensor of shape (n, d)
        f(x + sigma eps).
    noise : torch.Tensor of shape (n, d)
        The standard normal noise eps.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return 0.5 * (predicted + noise).pow(2).sum(dim=1).mean()


def score_norm(predicted: torch.Tensor) -> torch.Tensor:
    """||f(x)||_2 at a clean point: the anomaly score.

    Parameters
    ----------
    predicted : torch.Tensor of shape (n, d)
        f(x) of clean rows.

    Returns
    -------
    torch.Tensor of shape (n,)
        The norms.
    """
    return predicted.norm(dim=1)
