"""The χ-distribution latent-norm check (METHODS §5.7, B-7; [REV] §4.2).

If z ~ N(0, I_d), then ‖z‖ ~ χ_d: the probability mass sits in a thin shell of radius ≈ √d (its
mode is √(d − 1), its standard deviation ≈ 0.71 for large d), so a latent code far from that shell
(including one near the origin) is atypical for the prior. A reconstruction or inversion is
accepted only if |‖z‖ − mode| ≤ k·std_χ; otherwise it can be penalised, flagged, or the deviation
can enter the score as a component.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

__all__ = ["ChiStats", "chi_accept", "chi_deviation", "chi_stats"]


@dataclass(frozen=True)
class ChiStats:
    """Moments of the χ distribution with `dof` degrees of freedom.

    Parameters
    ----------
    dof : int
        Degrees of freedom d (the latent dimension).
    mode : float
        √(d − 1).
    mean : float
        √2·Γ((d+1)/2)/Γ(d/2).
    std : float
        √(d − mean²).
    """

    dof: int
    mode: float
    mean: float
    std: float


def chi_stats(dof: int) -> ChiStats:
    """mode = √(d − 1), mean = √2·Γ((d+1)/2)/Γ(d/2), std = √(d − mean²).

    Parameters
    ----------
    dof : int >= 1
        Degrees of freedom d (the latent dimension).

    Returns
    -------
    ChiStats
        The moments of χ_d.
    """
    if isinstance(dof, bool) or not isinstance(dof, int | np.integer) or dof < 1:
        raise ValueError(f"latent dimension must be a positive int, got {dof!r}.")
    d = int(dof)
    mean = math.sqrt(2.0) * math.exp(gammaln((d + 1) / 2.0) - gammaln(d / 2.0))
    var = max(d - mean * mean, 0.0)
    return ChiStats(dof=d, mode=math.sqrt(d - 1.0), mean=mean, std=math.sqrt(var))


def chi_deviation(norms: np.ndarray, dof: int) -> np.ndarray:
    """|‖z‖ − mode| in units of the χ standard deviation (0 on the typical shell).

    Parameters
    ----------
    norms : array-like of shape (n_samples,)
        Latent norms ‖z‖.
    dof : int >= 1
        Degrees of freedom (the latent dimension).

    Returns
    -------
    ndarray of shape (n_samples,)
        The float64 deviations.
    """
    s = chi_stats(dof)
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1:
        raise ValueError(f"latent norms must be 1-D, got shape {norms.shape}.")
    return np.abs(norms - s.mode) / s.std


def chi_accept(norms: np.ndarray, dof: int, k: float = 3.0) -> np.ndarray:
    """True where |‖z‖ − mode| ≤ k·std_χ (the inversion is plausible under the N(0, I) prior).

    Parameters
    ----------
    norms : array-like of shape (n_samples,)
        Latent norms ‖z‖.
    dof : int >= 1
        Degrees of freedom (the latent dimension).
    k : float > 0, default 3.0
        Half-width of the accepted band, in χ standard deviations.

    Returns
    -------
    ndarray of bool of shape (n_samples,)
        The accept mask.
    """
    if not (isinstance(k, int | float) and not isinstance(k, bool) and k > 0 and math.isfinite(k)):
        raise ValueError(f"k must be a positive finite number, got {k!r}.")
    return chi_deviation(norms, dof) <= k
