"""Pure functions of DTE: the diffusion schedule, the training loss and the two posteriors.

DTE uses the variance-exploding form of a DDPM's forward process: a sample noised to step t
is x_t = x_0 + sigma_t * eps with sigma_t^2 = 1 - prod_{s<=t}(1 - beta_s), betas spaced linearly
from `beta_start` to `beta_end` over T steps. Anomalies lie far from the normal data, so
the diffusion time that best explains them is large: the estimated time is the anomaly score.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "bin_of_step",
    "diffusion_variances",
    "expected_bin",
    "inverse_gamma_log_posterior",
    "knn_mean_squared_distance",
    "noised",
    "step_classification_loss",
]


def diffusion_variances(
    n_steps: int, beta_start: float = 1e-4, beta_end: float = 1e-2
) -> torch.Tensor:
    """sigma_t^2 = 1 - alpha_bar_t for t = 0..T-1 (float64, increasing).

    Parameters
    ----------
    n_steps : int
        Diffusion steps T.
    beta_start : float, default=1e-4
        First beta of the linear schedule.
    beta_end : float, default=1e-2
        Last beta of the linear schedule.

    Returns
    -------
    torch.Tensor of shape (n_steps,)
        The variances sigma_t^2.
    """
    betas = torch.linspace(beta_start, beta_end, n_steps, dtype=torch.float64)
    return 1.0 - torch.cumprod(1.0 - betas, dim=0)


def noised(x0: torch.Tensor, sigma: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """x_t = x_0 + sigma_t * eps, with one sigma per row (shape (n,)).

    Parameters
    ----------
    x0 : torch.Tensor of shape (n, d)
        Clean rows.
    sigma : torch.Tensor of shape (n,)
        Noise standard deviation of each row.
    noise : torch.Tensor of shape (n, d)
        Standard normal noise eps.

    Returns
    -------
    torch.Tensor of shape (n, d)
        The noised rows.
    """
    return x0 + sigma.unsqueeze(1) * noise


def bin_of_step(t: torch.Tensor, n_steps: int, n_bins: int) -> torch.Tensor:
    """Class of step t when the T steps are cut into `n_bins` equal bins: floor(t * bins / T).

    Parameters
    ----------
    t : torch.Tensor
        Integer steps in 0..T-1.
    n_steps : int
        Diffusion steps T.
    n_bins : int
        Number of bins.

    Returns
    -------
    torch.Tensor
        The bin of each step, in 0..n_bins-1.
    """
    return torch.clamp(torch.div(t * n_bins, n_steps, rounding_mode="floor"), 0, n_bins - 1)


def step_classification_loss(logits: torch.Tensor, target_bin: torch.Tensor) -> torch.Tensor:
    """Cross entropy between the predicted bin distribution and the true bin of the noise step.

    Parameters
    ----------
    logits : torch.Tensor of shape (n, n_bins)
        The classifier's logits.
    target_bin : torch.Tensor of shape (n,)
        The true bins (int64).

    Returns
    -------
    torch.Tensor
        The 0-d mean loss.
    """
    return F.cross_entropy(logits, target_bin)


def expected_bin(logits: torch.Tensor) -> torch.Tensor:
    """Posterior mean of the bin index, sum_b b * p(b | x): the neural DTE's anomaly score.

    Parameters
    ----------
    logits : torch.Tensor of shape (n, n_bins)
        The classifier's logits.

    Returns
    -------
    torch.Tensor of shape (n,)
        The expected bin of each row.
    """
    probs = torch.softmax(logits, dim=1)
    bins = torch.arange(logits.shape[1], device=logits.device, dtype=probs.dtype)
    return probs @ bins


def knn_mean_squared_distance(
    x: torch.Tensor,
    reference: torch.Tensor,
    reference_sq_norms: torch.Tensor,
    k: int,
    *,
    exclude_nearest: bool = False,
) -> torch.Tensor:
    """Mean squared Euclidean distance (float64) from each row of `x` to its k nearest reference
    rows.

    `reference` should be centred (`ReferenceSet` stores it so, and centres `x` the same way):
    ||x||^2 + ||r||^2 - 2 x.r then loses no precision to cancellation. The norms are taken in
    float64 so that huge but finite rows give huge (not infinite) distances; the result is
    clamped at 0 because rounding can make an exact match slightly negative.
    `exclude_nearest`: skip the nearest one (a row that is itself in the reference set).

    Parameters
    ----------
    x : torch.Tensor of shape (n, d)
        Query rows, centred like the reference.
    reference : torch.Tensor of shape (m, d)
        Centred reference rows.
    reference_sq_norms : torch.Tensor of shape (m,)
        Squared norms of the reference rows.
    k : int
        Neighbours averaged.
    exclude_nearest : bool, default=False
        Skip the nearest neighbour (see above).

    Returns
    -------
    torch.Tensor of shape (n,)
        Mean squared distances (float64).
    """
    x_sq = x.double().pow(2).sum(dim=1, keepdim=True)
    cross = (x @ reference.T).double()
    sq = x_sq + reference_sq_norms.double().unsqueeze(0) - 2.0 * cross
    skip = int(exclude_nearest)
    nearest = torch.topk(sq.clamp_min_(0.0), k + skip, dim=1, largest=False, sorted=True).values
    return nearest[:, skip:].mean(dim=1)


def inverse_gamma_log_posterior(
    mean_sq_distance: torch.Tensor, variances: torch.Tensor, n_features: int
) -> torch.Tensor:
    """log p(sigma_t^2 | x) over the variance grid, normalised over t (shape (n, T), float64).

    With the training set as the data distribution and its nearest neighbours only, the
    posterior of the noise variance is inverse gamma with shape a = d/2 - 1 and scale m/2, where
    m is the mean squared distance to the k nearest training rows (DTE paper, section 4.1):
    log p = -(a + 1) log v - (m/2) / v + const. Normalised over the finite grid it is proper
    for every d (the constant, with its log Gamma(a), cancels). An infinite or overflowing m
    (a huge row) puts all mass on the last step.

    Parameters
    ----------
    mean_sq_distance : torch.Tensor of shape (n,)
        m of each row.
    variances : torch.Tensor of shape (T,)
        The variance grid sigma_t^2.
    n_features : int
        Features d.

    Returns
    -------
    torch.Tensor of shape (n, T)
        Normalised log posteriors (float64).
    """
    shape = 0.5 * n_features - 1.0
    scale = torch.nan_to_num(0.5 * mean_sq_distance.double(), posinf=1e300).clamp(0.0, 1e300)
    v = variances.to(scale.device).unsqueeze(0)
    log_pdf = -(shape + 1.0) * torch.log(v) - scale.unsqueeze(1) / v
    return log_pdf - torch.logsumexp(log_pdf, dim=1, keepdim=True)
