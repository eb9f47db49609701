"""DAGMM losses and mixture statistics (Zong et al. 2018, Eqs. 5-7). Pure functions.

Conventions: z = [code, relative Euclidean distance, cosine similarity]; gamma (n, K) is the
softmax membership from the estimation network; sample energy E(z) = -log p(z) under the mixture,
so lower energy = more typical, higher = more anomalous (the anomaly score).
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "cholesky_with_jitter",
    "covariance_penalty",
    "dagmm_objective",
    "gmm_parameters",
    "reconstruction_features",
    "reconstruction_loss",
    "sample_energy",
]

# tnakae/DAGMM adds 1e-3 to ‖x‖ so an all-zero input row does not divide by zero.
_NORM_EPS = 1e-3


def reconstruction_loss(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Mean over samples of the squared Euclidean reconstruction error ‖x - x'‖².

    Parameters
    ----------
    x : torch.Tensor of shape (n, d)
        Flattened inputs.
    x_hat : torch.Tensor of shape (n, d)
        Their reconstructions.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return (x - x_hat).pow(2).sum(dim=1).mean()


def reconstruction_features(
    x: torch.Tensor, x_hat: torch.Tensor, *, explicit_cosine: bool = False
) -> torch.Tensor:
    """(n, 2): relative Euclidean distance ‖x - x'‖ / ‖x‖ and cosine similarity of x and x'.
    (tnakae's code uses 0.5 (1 - cos) instead; an affine map of a feature is absorbed exactly by a
    full-covariance mixture, so the two are equivalent up to a constant energy shift.)
    `explicit_cosine`: x·x' / max(‖x‖ ‖x'‖, 1e-8) written out, for ONNX graphs (torch's
    cosine_similarity exports with a shape-dependent branch onnxruntime rejects).

    Parameters
    ----------
    x : torch.Tensor of shape (n, d)
        Flattened inputs.
    x_hat : torch.Tensor of shape (n, d)
        Their reconstructions.
    explicit_cosine : bool, default=False
        Write the cosine similarity out (for ONNX export).

    Returns
    -------
    torch.Tensor of shape (n, 2)
        Relative Euclidean distance and cosine similarity per row.
    """
    x_norm = x.norm(dim=1)
    relative = (x - x_hat).norm(dim=1) / (x_norm + _NORM_EPS)
    if explicit_cosine:
        denominator = (x_norm * x_hat.norm(dim=1)).clamp_min(1e-8)
        cosine = (x * x_hat).sum(dim=1) / denominator
    else:
        cosine = torch.nn.functional.cosine_similarity(x, x_hat, dim=1, eps=1e-8)
    return torch.stack([relative, cosine], dim=1)


def gmm_parameters(
    z: torch.Tensor, gamma: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Membership-weighted mixture estimates (Eq. 5): phi (K,), mu (K, z), Sigma (K, z, z).
    Differentiable, so the energy term trains both networks, as in the paper.

    Parameters
    ----------
    z : torch.Tensor of shape (n, z_dim)
        Latent rows.
    gamma : torch.Tensor of shape (n, K)
        Their soft memberships (rows sum to 1).

    Returns
    -------
    tuple of torch.Tensor
        phi (K,), mu (K, z_dim) and Sigma (K, z_dim, z_dim).
    """
    weight = gamma.sum(dim=0)  # (K,)
    safe = weight.clamp_min(torch.finfo(weight.dtype).tiny)
    phi = weight / len(z)
    mu = (gamma.T @ z) / safe[:, None]
    centred = z[None, :, :] - mu[:, None, :]  # (K, n, z)
    cov = torch.einsum("kn,kni,knj->kij", gamma.T, centred, centred) / safe[:, None, None]
    return phi, mu, cov


def cholesky_with_jitter(
    cov: torch.Tensor, jitter: float = 1e-6, max_tries: int = 8
) -> torch.Tensor:
    """Lower Cholesky factor of cov + jitter·I. If a component is not numerically positive
    definite the jitter grows tenfold (up to `max_tries` times) instead of failing on round-off.

    Parameters
    ----------
    cov : torch.Tensor of shape (K, m, m)
        Covariance matrices.
    jitter : float, default=1e-6
        The first multiple of the identity added.
    max_tries : int, default=8
        Factorisations tried, the jitter ten times larger each time.

    Returns
    -------
    torch.Tensor of shape (K, m, m)
        Lower Cholesky factors.

    Raises
    ------
    FloatingPointError
        When no try succeeds (collapsed latent features).
    """
    eye = torch.eye(cov.shape[-1], dtype=cov.dtype, device=cov.device)
    current = jitter
    for _ in range(max_tries):
        factor, info = torch.linalg.cholesky_ex(cov + current * eye)
        if not bool((info > 0).any()):
            return factor
        current *= 10.0
    raise FloatingPointError(
        f"DAGMM: mixture covariance is not positive definite even with jitter {current / 10:.1e}; "
        "the latent features have collapsed (try another random_state or a lower learning rate)."
    )


def sample_energy(
    z: torch.Tensor,
    phi: torch.Tensor,
    mu: torch.Tensor,
    cholesky: torch.Tensor,
    cholesky_inverse: torch.Tensor | None = None,
    log_det: torch.Tensor | None = None,
) -> torch.Tensor:
    """E(z) = -log sum_k phi_k N(z | mu_k, L_k L_kᵀ), per sample, via log-sum-exp (Eq. 6).

    With `cholesky_inverse` (L⁻¹) and `log_det` (log |Sigma_k|) precomputed, the whitening is a
    product instead of a triangular solve: the form an ONNX graph can express (same result up to
    rounding).

    Parameters
    ----------
    z : torch.Tensor of shape (n, m)
        Latent rows.
    phi : torch.Tensor of shape (K,)
        Mixture weights.
    mu : torch.Tensor of shape (K, m)
        Component means.
    cholesky : torch.Tensor of shape (K, m, m)
        Lower Cholesky factors L_k of the covariances.
    cholesky_inverse : torch.Tensor of shape (K, m, m) or None, default=None
        Precomputed L_k⁻¹; None: triangular solves with `cholesky`.
    log_det : torch.Tensor of shape (K,) or None, default=None
        Precomputed log |Sigma_k|; None: from the diagonal of `cholesky`.

    Returns
    -------
    torch.Tensor of shape (n,)
        The energy of each row.
    """
    centred = (z[None, :, :] - mu[:, None, :]).transpose(1, 2)  # (K, z, n)
    if cholesky_inverse is None:
        solved = torch.linalg.solve_triangular(cholesky, centred, upper=False)  # L⁻¹ (z - mu)
    else:
        solved = cholesky_inverse @ centred
    mahalanobis = solved.pow(2).sum(dim=1)  # (K, n)
    if log_det is None:
        log_det = 2.0 * torch.diagonal(cholesky, dim1=-2, dim2=-1).log().sum(dim=1)  # (K,)
    dim = z.shape[1]
    log_phi = phi.clamp_min(torch.finfo(phi.dtype).tiny).log()
    log_terms = log_phi[:, None] - 0.5 * (
        mahalanobis + dim * math.log(2.0 * math.pi) + log_det[:, None]
    )
    return -torch.logsumexp(log_terms, dim=0)


def covariance_penalty(cov: torch.Tensor) -> torch.Tensor:
    """P(Sigma) = sum_k sum_j 1 / Sigma_kjj: keeps the mixture away from singular covariances.

    Parameters
    ----------
    cov : torch.Tensor of shape (K, m, m)
        Covariance matrices.

    Returns
    -------
    torch.Tensor
        The 0-d penalty.
    """
    return torch.diagonal(cov, dim1=-2, dim2=-1).reciprocal().sum()


def dagmm_objective(
    reconstruction: torch.Tensor,
    energy: torch.Tensor,
    penalty: torch.Tensor,
    lambda_energy: float,
    lambda_cov: float,
) -> torch.Tensor:
    """J = mean reconstruction error + lambda1 · mean energy + lambda2 · P(Sigma) (Eq. 7).

    Parameters
    ----------
    reconstruction : torch.Tensor
        The 0-d mean reconstruction error.
    energy : torch.Tensor of shape (n,)
        Sample energies of the batch.
    penalty : torch.Tensor
        The 0-d covariance penalty P(Sigma).
    lambda_energy : float
        lambda1, the energy weight.
    lambda_cov : float
        lambda2, the penalty weight.

    Returns
    -------
    torch.Tensor
        The 0-d objective J.
    """
    return reconstruction + lambda_energy * energy.mean() + lambda_cov * penalty
