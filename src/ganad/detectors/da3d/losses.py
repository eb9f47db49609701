"""DA3D losses (METHODS §2.6), as pure functions of network outputs.

Sign conventions: the alarm outputs a logit; sigmoid(logit) = P(anomalous). The critic outputs
c in [0, 1]; it learns LOW values for the wide Gaussian and HIGH values for normal and
generated codes. The generator minimises alarm probability + critic value of its codes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["alarm_loss", "critic_loss", "generator_loss"]


def _bce_logits(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def alarm_loss(
    normal: torch.Tensor,
    anomalous: dict[str, torch.Tensor],
    weights: dict[str, float],
    normal_weight: float = 1.0,
) -> torch.Tensor:
    """w_norm·BCE(normal, 0) + Σ_k w_k·BCE(anomalous_k, 1), each term a mean over its own batch.

    This is [DA3D-A] Eq. (1) with the sign fixed (the printed equation lacks a minus): the
    negative log-likelihood of "normal is 0, every anomaly kind is 1".

    Parameters
    ----------
    normal : torch.Tensor
        The alarm's logits of normal rows.
    anomalous : dict of str to torch.Tensor
        The alarm's logits of each anomaly kind ("trivial", "generated", "simple", "known").
    weights : dict of str to float
        The weight w_k of each kind in `anomalous`.
    normal_weight : float, default=1.0
        The weight w_norm of the normal term.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    loss = normal_weight * _bce_logits(normal, 0.0)
    for kind, logits in anomalous.items():
        loss = loss + weights[kind] * _bce_logits(logits, 1.0)
    return loss


def generator_loss(
    alarm_prob_generated: torch.Tensor, critic_generated: torch.Tensor
) -> torch.Tensor:
    """[DA3D-A] Eq. (3): mean alarm probability + mean critic value of generated codes.

    Linear in both outputs (a "Wasserstein" loss): codes the alarm still calls normal and the
    critic places in the wide Gaussian are rewarded.

    Parameters
    ----------
    alarm_prob_generated : torch.Tensor
        The alarm's probabilities (sigmoid of its logits) of generated codes.
    critic_generated : torch.Tensor
        The critic's values in [0, 1] of generated codes.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return alarm_prob_generated.mean() + critic_generated.mean()


def critic_loss(
    critic_noise: torch.Tensor,
    critic_normal: torch.Tensor,
    critic_generated: torch.Tensor,
    weights: tuple[float, float, float] = (1.0, 2.0, 2.0),
) -> torch.Tensor:
    """[DA3D-A] Eq. (2): w_gauss·E[c(n_h)] − w_norm·E[c(f_enc(x))] − w_gen·E[c(f_gen(n))].

    Defaults (1, 2, 2) are the code's `w_crit_gauss`, `w_crit_norm`, `w_crit_anom` ("penalise
    the generation of normal samples more").

    Parameters
    ----------
    critic_noise : torch.Tensor
        The critic's values of wide-Gaussian codes n_h.
    critic_normal : torch.Tensor
        Its values of normal codes f_enc(x).
    critic_generated : torch.Tensor
        Its values of generated codes f_gen(n).
    weights : tuple of (float, float, float), default=(1.0, 2.0, 2.0)
        (w_gauss, w_norm, w_gen).

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    w_gauss, w_norm, w_gen = weights
    return (
        w_gauss * critic_noise.mean()
        - w_norm * critic_normal.mean()
        - w_gen * critic_generated.mean()
    )
