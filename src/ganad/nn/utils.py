"""Small training utilities: freezing, gradient clipping, input scaling."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn

__all__ = [
    "ADAM_EPS",
    "InputScaler",
    "ScoreStats",
    "adam",
    "clip_grad_norm",
    "frozen",
    "keras_time_decay",
    "set_requires_grad",
]


#: Adam epsilon of the TensorFlow/PyTorch reference code of the review's GANs (AnoGAN, EGBAD,
#: ALAD, GANomaly): 1e-8, where `adam`'s default is Keras' 1e-7 (DA3D's code).
ADAM_EPS = 1e-8


def adam(
    params: nn.Module | Iterator[nn.Parameter] | list,
    lr: float,
    *,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-7,
    weight_decay: float = 0.0,
) -> torch.optim.Adam:
    """Adam with Keras' epsilon (1e-7, METHODS §2.12) and the fused kernel where torch has one.

    The fused implementation is the same algorithm in one kernel; for the small networks of
    these papers it halves the time of an update step on a CPU.

    Parameters
    ----------
    params : torch.nn.Module or iterable of torch.nn.Parameter
        A module (all its parameters are optimised) or the parameters themselves.
    lr : float
        Learning rate.
    betas : tuple of (float, float), default=(0.9, 0.999)
        Adam's decay rates of the first and second moment estimates.
    eps : float, default=1e-7
        Term added to the denominator (Keras' default; the review's GANs use `ADAM_EPS`).
    weight_decay : float, default=0.0
        L2 penalty added to the gradients (torch's Adam, not AdamW).

    Returns
    -------
    torch.optim.Adam
        The optimiser, fused where the device and dtypes allow it.
    """
    plist = list(params.parameters()) if isinstance(params, nn.Module) else list(params)
    try:
        return torch.optim.Adam(
            plist, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, fused=True
        )
    except (RuntimeError, TypeError):  # devices/dtypes without a fused kernel
        return torch.optim.Adam(plist, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def keras_time_decay(
    optimizer: torch.optim.Optimizer, decay: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Keras' `decay` argument: lr_t = lr / (1 + decay * t), t = updates made so far by this
    optimiser. Step the returned scheduler once after every optimiser step.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimiser whose learning rate decays.
    decay : float
        Keras' `decay`: >= 0, 0 keeps the learning rate constant.

    Returns
    -------
    torch.optim.lr_scheduler.LambdaLR
        The scheduler applying the decay.
    """
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 1.0 / (1.0 + decay * t))


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    """Freeze (False) or unfreeze a module; freezing also drops stale gradients from training.

    Parameters
    ----------
    module : torch.nn.Module
        The module whose parameters change.
    flag : bool
        `requires_grad` of every parameter; False also sets their `.grad` to None.
    """
    for p in module.parameters():
        p.requires_grad_(flag)
        if not flag:
            p.grad = None


@contextlib.contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """Temporarily stop gradients from accumulating in `modules` (gradients still flow *through*
    them to earlier inputs), restoring each parameter's previous flag on exit.

    Parameters
    ----------
    *modules : torch.nn.Module
        The modules frozen for the body of the ``with`` block.

    Yields
    ------
    None
    """
    params = [p for m in modules for p in m.parameters()]
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, f in zip(params, flags, strict=True):
            p.requires_grad_(f)


def clip_grad_norm(module: nn.Module, max_norm: float | None) -> None:
    """Global-norm gradient clipping (Keras `clip_by_global_norm`); no-op when max_norm is None.

    Parameters
    ----------
    module : torch.nn.Module
        The module whose parameters' gradients are rescaled in place.
    max_norm : float or None
        Largest global L2 norm of all its gradients together; None: no clipping.
    """
    if max_norm is not None:
        torch.nn.utils.clip_grad_norm_(module.parameters(), max_norm)


#: Scaled inputs are clipped to +-this (10^6 training ranges or standard deviations): far
#: beyond any real row, small enough that no network overflows float32 on it.
SCALED_BOUND = 1e6


class InputScaler(nn.Module):
    """Scaling learned on the training data, stored as buffers so it saves with the model.

    mode "feature": per-feature min-max (tabular data, like scikit-learn's MinMaxScaler; constant
    features get scale 1). mode "global": one min/max over all values (images, e.g. uint8 0..255
    becomes [0, 1]). mode "standard": per-feature z-score, like scikit-learn's StandardScaler
    (population std; constant features get scale 1), the preprocessing of the DTE and K-DSM
    papers. mode "none": identity. Values outside the training range are kept, up to +-SCALED_BOUND
    scaled units (clipped there, so that no network overflows).

    Parameters
    ----------
    shape : tuple of int
        Shape of one sample; `offset` and `scale` have this shape.
    mode : {"feature", "global", "standard", "none"}, default="feature"
        The scaling (see above).
    """

    offset: torch.Tensor
    scale: torch.Tensor

    def __init__(self, shape: tuple[int, ...], mode: str = "feature"):
        super().__init__()
        self.mode = mode
        self.register_buffer("offset", torch.zeros(shape))
        self.register_buffer("scale", torch.ones(shape))

    @torch.no_grad()
    def fit(self, X: np.ndarray) -> InputScaler:
        """Learn `offset` and `scale` from the training data (nothing for mode "none").

        Parameters
        ----------
        X : numpy.ndarray of shape (n_samples, *shape)
            The training rows, float32.

        Returns
        -------
        InputScaler
            self.
        """
        if self.mode == "feature":
            lo, hi = X.min(axis=0), X.max(axis=0)
        elif self.mode == "global":
            lo = np.full(X.shape[1:], X.min(), dtype=np.float32)
            hi = np.full(X.shape[1:], X.max(), dtype=np.float32)
        elif self.mode == "standard":
            X64 = np.asarray(X, dtype=np.float64)
            lo, std = X64.mean(axis=0), X64.std(axis=0)
            # A feature constant to float32 rounding (std within a few ulps of its mean) keeps
            # scale 1 instead of being blown up to dominate every distance.
            tiny = 10 * np.finfo(np.float32).eps * np.maximum(1.0, np.abs(lo))
            hi = lo + np.where(std > tiny, std, 0.0)
        else:
            return self
        # The same arithmetic as always (float32 for float32 data, so scales are bit-identical),
        # with two repairs: a range that overflows float32 (+-3e38) is taken in float64, and a
        # spread whose inverse float32 cannot hold (1e-42) is below its resolution: constant.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            rng = hi - lo
            rng = np.where(rng > 0, rng, 1.0)
            inv = 1.0 / rng
            overflowed = ~np.isfinite(rng)
            if overflowed.any():
                wide = np.asarray(hi, dtype=np.float64) - np.asarray(lo, dtype=np.float64)
                inv = np.where(overflowed, 1.0 / np.where(overflowed, wide, 1.0), inv)
        inv = np.where(np.isfinite(inv) & (inv <= np.finfo(np.float32).max), inv, 1.0)
        self.offset.copy_(torch.from_numpy(np.asarray(lo, dtype=np.float32)))
        self.scale.copy_(torch.from_numpy(np.asarray(inv, dtype=np.float32)))
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scale a batch: ``(x - offset) * scale``, clipped to +-SCALED_BOUND.

        Parameters
        ----------
        x : torch.Tensor of shape (n, *shape)
            Rows in the caller's units.

        Returns
        -------
        torch.Tensor of shape (n, *shape)
            The scaled rows (`x` itself for mode "none").
        """
        if self.mode == "none":
            return x
        # Bounded, so that an extreme but finite row (e.g. 3e38) cannot overflow the networks;
        # no training row comes near the bound.
        return torch.clamp((x - self.offset) * self.scale, -SCALED_BOUND, SCALED_BOUND)


class ScoreStats(nn.Module):
    """Mean and std of each score component on the training rows (buffers, saved with the
    model), for composing components on one scale.

    Parameters
    ----------
    n_components : int
        Number of score components (columns) tracked.
    """

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, n_components: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_components, dtype=torch.float64))
        self.register_buffer("std", torch.ones(n_components, dtype=torch.float64))

    def set_(self, components: torch.Tensor, *, floor: float = 0.0) -> None:
        """Mean and std of `components` (rows x components); a std of 0 becomes 1, or with
        `floor` every std is at least `floor`.

        Parameters
        ----------
        components : torch.Tensor of shape (n_rows, n_components)
            Score components of the training rows.
        floor : float, default=0.0
            Lower bound of every std when > 0; 0: only a std of 0 is replaced (by 1).
        """
        self.mean.copy_(components.mean(dim=0))
        std = components.std(dim=0)
        if floor > 0:
            std = std.clamp(min=floor)
        self.std.copy_(torch.where(std > 0, std, torch.ones_like(std)))

    def standardised(self, components: torch.Tensor) -> torch.Tensor:
        """Each component minus its training mean, divided by its training std.

        Parameters
        ----------
        components : torch.Tensor of shape (n_rows, n_components)
            Score components of some rows.

        Returns
        -------
        torch.Tensor of shape (n_rows, n_components)
            The standardised components (float64).
        """
        return (components - self.mean) / self.std

    @torch.no_grad()
    def set_batched(
        self, components: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, rows: int
    ) -> None:
        """`set_` from `components` of `x`, computed `rows` rows at a time (bounded memory).

        Parameters
        ----------
        components : callable
            Maps a batch of rows to its (batch, n_components) score components.
        x : torch.Tensor of shape (n_rows, ...)
            The training rows.
        rows : int
            Rows per call of `components`.
        """
        self.set_(
            torch.cat([components(x[start : start + rows]) for start in range(0, len(x), rows)])
        )
