"""AnoGAN's latent search (METHODS §5.1, B-4), batched over samples and restarts.

Every sample of a scoring batch (times `restarts`) gets its own latent vector; one forward and one
backward pass per step serve them all. Because the per-sample losses are *summed* (not averaged)
and Adam is element-wise, each row follows exactly the trajectory it would follow alone (G and D
are in eval mode, so nothing couples the rows). The networks are frozen: gradients are taken with
respect to z only (`torch.autograd.grad`), so no parameter ever receives a gradient.

Stopping: a fixed number of steps, or per-sample ε early stopping with `steps` as n_max; finished
rows are dropped from the computation (their z is kept), so early stopping also saves time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ...nn import frozen
from ...nn.gan import sample_latent, sn_cached
from . import losses

__all__ = ["SearchResult", "latent_search", "search_loss_terms"]


@dataclass(frozen=True)
class SearchResult:
    """Per-sample results at the end of the search (best restart per sample).

    Parameters
    ----------
    z : torch.Tensor of shape (n, latent_dim)
        The final latent vector of each sample.
    residual : torch.Tensor of shape (n,)
        L_res at z.
    cross_entropy : torch.Tensor of shape (n,)
        σ_CE(D(G(z)), 1) at z.
    feature_matching : torch.Tensor of shape (n,)
        The feature-matching term at z.
    loss : torch.Tensor of shape (n,)
        L_total at z (the anomaly score).
    steps : torch.Tensor of shape (n,)
        Adam updates taken by the chosen restart (int64).
    """

    z: torch.Tensor
    residual: torch.Tensor
    cross_entropy: torch.Tensor
    feature_matching: torch.Tensor
    loss: torch.Tensor
    steps: torch.Tensor  # Adam updates taken by the chosen restart


def search_loss_terms(
    generator: nn.Module,
    discriminator: nn.Module,
    x: torch.Tensor,
    f_x: torch.Tensor,
    z: torch.Tensor,
    *,
    residual_norm: str,
) -> dict[str, torch.Tensor]:
    """Residual, σ-CE and feature-matching terms of every row at latent z (differentiable in z).

    Parameters
    ----------
    generator : torch.nn.Module
        G, z -> x.
    discriminator : torch.nn.Module
        D, returning its logit and ``[features]`` with ``return_hidden=True``.
    x : torch.Tensor of shape (n, ...)
        The samples searched for.
    f_x : torch.Tensor of shape (n, k)
        Their discriminator features f(x).
    z : torch.Tensor of shape (n, latent_dim)
        The current latent vectors.
    residual_norm : {"l1", "l2"}
        Norm of the residual and feature-matching terms.

    Returns
    -------
    dict of str to torch.Tensor
        "residual", "cross_entropy" and "feature_matching", each of shape (n,).
    """
    x_gen = generator(z)
    logits, (f_gen,) = discriminator(x_gen, return_hidden=True)
    return {
        "residual": losses.residual_per_sample(x, x_gen, residual_norm),
        "cross_entropy": losses.sigmoid_ce_per_sample(logits),
        "feature_matching": losses.feature_matching_per_sample(f_x, f_gen, residual_norm),
    }


def _objective(terms: dict[str, torch.Tensor], disc_loss: str, lam: float) -> torch.Tensor:
    disc = terms["feature_matching"] if disc_loss == "fm" else terms["cross_entropy"]
    return losses.total_loss(terms["residual"], disc, lam)


def latent_search(
    generator: nn.Module,
    discriminator: nn.Module,
    x: torch.Tensor,
    *,
    latent_dim: int,
    prior: str = "normal",
    lam: float = 0.1,
    disc_loss: str = "fm",
    residual_norm: str = "l1",
    steps: int = 500,
    lr: float = 1e-3,
    eps: float | None = None,
    restarts: int = 1,
    betas: tuple[float, float] = (0.9, 0.999),
    adam_eps: float = 1e-8,
    z0: torch.Tensor | None = None,
) -> SearchResult:
    """Minimise L_total(z; x) = (1 − λ)·L_res + λ·L_disc over z for every sample of `x` at once.

    `z0` (shape (restarts·n, latent_dim), restart-major) overrides the random start drawn from
    the prior with the global torch RNG. G and D must be in eval mode; their weights are not
    touched. The returned terms are those at the final z of the restart with the lowest loss.

    Parameters
    ----------
    generator : torch.nn.Module
        G, z -> x, in eval mode.
    discriminator : torch.nn.Module
        D, in eval mode, returning ``[features]`` with ``return_hidden=True``.
    x : torch.Tensor of shape (n, ...)
        The samples (scaled like the training data).
    latent_dim : int
        Width of z.
    prior : {"normal", "uniform"}, default="normal"
        Prior of the random starts.
    lam : float, default=0.1
        λ, the weight of the discrimination term.
    disc_loss : {"fm", "ce"}, default="fm"
        Discrimination term: feature matching or σ-CE.
    residual_norm : {"l1", "l2"}, default="l1"
        Norm of the residual and feature-matching terms.
    steps : int, default=500
        Adam steps per row (the maximum with `eps`).
    lr : float, default=1e-3
        Adam learning rate on z.
    eps : float or None, default=None
        Per-row early stopping once the loss is at or below `eps`; None: `steps` steps.
    restarts : int, default=1
        Random starts per sample.
    betas : tuple of (float, float), default=(0.9, 0.999)
        Adam's β₁ and β₂.
    adam_eps : float, default=1e-8
        Adam's epsilon.
    z0 : torch.Tensor or None, default=None
        Starting points (see above); None: drawn from `prior`.

    Returns
    -------
    SearchResult
        The per-sample results of the best restart.
    """
    n = len(x)
    rows = restarts * n
    xr = x.repeat(restarts, *([1] * (x.dim() - 1)))
    z = _starting_points(z0, rows, latent_dim, prior, device=x.device)
    m, v = torch.zeros_like(z), torch.zeros_like(z)  # Adam's moments, per row
    taken = torch.zeros(rows, dtype=torch.long, device=x.device)
    active = torch.ones(rows, dtype=torch.bool, device=x.device) if eps is not None else None
    # Frozen networks: spectral-norm weights are computed once for the whole search.
    with frozen(generator, discriminator), sn_cached(), torch.enable_grad():
        with torch.no_grad():
            _, (f_x,) = discriminator(x, return_hidden=True)
            f_xr = f_x.repeat(restarts, 1)
        for t in range(1, steps + 1):
            idx = None if active is None else active.nonzero().squeeze(1)
            if idx is not None and len(idx) == 0:
                break
            zt = (z.detach() if idx is None else z[idx]).requires_grad_(True)
            x_t, f_t = (xr, f_xr) if idx is None else (xr[idx], f_xr[idx])
            loss = _objective(
                search_loss_terms(
                    generator, discriminator, x_t, f_t, zt, residual_norm=residual_norm
                ),
                disc_loss,
                lam,
            )
            (grad,) = torch.autograd.grad(loss.sum(), zt)
            with torch.no_grad():
                if idx is not None:
                    # Rows already at or below ε stop here and keep the z that reached it.
                    if active is None or eps is None:  # unreachable: idx is set only with eps
                        raise RuntimeError("latent_search: early stopping without eps.")
                    go = loss.detach() > eps
                    active[idx[~go]] = False
                    idx, grad = idx[go], grad[go]
                _adam_update_(z, m, v, taken, grad, t, idx, lr=lr, betas=betas, eps=adam_eps)
        with torch.no_grad():
            terms = search_loss_terms(
                generator, discriminator, xr, f_xr, z, residual_norm=residual_norm
            )
            total = _objective(terms, disc_loss, lam)
    return _best_restart(z, terms, total, taken, n=n, restarts=restarts)


def _starting_points(
    z0: torch.Tensor | None, rows: int, latent_dim: int, prior: str, *, device: torch.device
) -> torch.Tensor:
    """The search's start z: a copy of `z0` (checked to be (rows, latent_dim)), else drawn from
    the prior with the global torch RNG."""
    if z0 is None:
        return sample_latent(rows, latent_dim, prior, device=device)
    if z0.shape != (rows, latent_dim):
        raise ValueError(f"z0 must have shape {(rows, latent_dim)}, got {tuple(z0.shape)}.")
    return z0.detach().clone()


def _adam_update_(
    z: torch.Tensor,
    m: torch.Tensor,
    v: torch.Tensor,
    taken: torch.Tensor,
    grad: torch.Tensor,
    t: int,
    rows: torch.Tensor | None,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> None:
    """One Adam update of the given `rows` of z (None: every row), in place, counted in `taken`.

    `grad` holds the gradients of those rows only.
    """
    b1, b2 = betas
    if rows is None:
        _adam_step_(z, m, v, grad, t, lr, b1, b2, eps)
        taken += 1
        return
    zs, ms, vs = z[rows], m[rows], v[rows]
    _adam_step_(zs, ms, vs, grad, t, lr, b1, b2, eps)
    z[rows], m[rows], v[rows] = zs, ms, vs
    taken[rows] += 1


def _best_restart(
    z: torch.Tensor,
    terms: dict[str, torch.Tensor],
    total: torch.Tensor,
    taken: torch.Tensor,
    *,
    n: int,
    restarts: int,
) -> SearchResult:
    """The `SearchResult` of the restart with the lowest final loss, per sample (rows are
    restart-major: row r·n + i is restart r of sample i)."""
    best = total.reshape(restarts, n).argmin(dim=0)
    pick = best * n + torch.arange(n, device=z.device)
    return SearchResult(
        z=z[pick],
        residual=terms["residual"][pick],
        cross_entropy=terms["cross_entropy"][pick],
        feature_matching=terms["feature_matching"][pick],
        loss=total[pick],
        steps=taken[pick],
    )


def _adam_step_(
    z: torch.Tensor,
    m: torch.Tensor,
    v: torch.Tensor,
    grad: torch.Tensor,
    t: int,
    lr: float,
    b1: float,
    b2: float,
    eps: float,
) -> None:
    """Adam (Kingma & Ba, as torch.optim.Adam) on each row; t = updates taken by these rows.

    All rows still moving started together, so they share the step count t."""
    m.mul_(b1).add_(grad, alpha=1.0 - b1)
    v.mul_(b2).addcmul_(grad, grad, value=1.0 - b2)
    m_hat = m / (1.0 - b1**t)
    v_hat = v / (1.0 - b2**t)
    z.sub_(lr * m_hat / (v_hat.sqrt() + eps))
