"""K-DSM detector (Livernoche, Zan, Rabbany, arXiv 2605.06955, 2026)."""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn import adam
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import TrainingContext, budget_epochs
from . import losses
from .networks import NoiseScales, ScoreResNet
from .training import KDSMStep

__all__ = ["KDSM"]


@register_detector
class KDSM(BaseDetector):
    """K-DSM: single-scale denoising score matching with kurtosis-guided per-feature noise.

    Training: sigma_j per feature from its kurtosis (`ganad.detectors.kdsm.losses.kurtosis_noise_scales`:
    sigma0 = 0.5, c = 0.33, clipped to [0.1, 3]); each mini-batch is repeated `copies` times,
    noised as x + sigma * eps, and a ResNet MLP learns f(x + sigma eps) = -eps (DSM loss).
    Score: ||f(x)|| at the clean point, in eval mode (one forward pass).

    * Network: ResNet of `n_blocks` residual blocks of `width` (BatchNorm, ReLU, dropout 0.2 in
      the block and 0.1 on the residual). Adam(lr 5e-4, L2 5e-5), batch 128 (at most the
      number of training rows).
    * The paper trains 6 blocks of 512 for 500 epochs (`preset="paper"`). The default is a
      CPU budget: 3 blocks of 128, about `updates` (1,500) mini-batch updates (`epochs=None`; at most
      500 epochs), so a 20,000-row table costs what a 2,000-row one does.
    * `scaling="auto"` standardises each feature as the paper does. The paper leaves binary and
      ternary ({0, 1}, {-1, 0, 1}) columns unscaled and gives them sigma = 0.302; here they are
      standardised with the rest and their sigma is rescaled by the same factor, which is the
      same noise in the column's own units.

    Parameters
    ----------
    width : int >= 1, default=128
        Width of the residual blocks.
    n_blocks : int >= 0, default=3
        Number of residual blocks.
    copies : int >= 1, default=3
        Noised copies of each mini-batch row per update.
    sigma0 : float > 0, default=0.5
        Base noise scale of the kurtosis rule.
    kurtosis_weight : float >= 0, default=0.33
        c, the weight of the excess kurtosis in the noise scale.
    sigma_min : float > 0, default=0.1
        Lower clip of the noise scales.
    sigma_max : float > 0, default=3.0
        Upper clip of the noise scales (not below `sigma_min`; constant features get it).
    epochs : int >= 1 or None, default=None
        Training epochs; None: about `updates` mini-batch updates (1 to 500 epochs).
    updates : int >= 1, default=1500
        Mini-batch updates of training when `epochs` is None.
    batch_size : int >= 1, default=128
        Mini-batch size (at most the number of training rows).
    lr : float > 0, default=5e-4
        Adam learning rate.
    weight_decay : float >= 0, default=5e-5
        Adam's L2 weight decay.
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "standard" (the paper's preprocessing).
    contamination : float in (0, 0.5] or None, default=0.1
        Expected share of anomalies in the training rows: `threshold_` flags that share of
        them (PyOD's convention). None: the training rows are clean, and `fpr` sets the
        threshold.
    fpr : float in (0, 0.5], default=0.01
        With ``contamination=None``, the share of normal rows flagged (the target
        false-positive rate).
    random_state : int in [0, 2**32) or None, default=None
        Seed of the fit (NumPy and torch generators); None draws a fresh seed.
    device : str, default="auto"
        "auto" (CUDA when available, else the CPU), "cpu", "cuda", "cuda:<i>" or "mps".
    n_jobs : int or None, default=None
        CPU threads, read as scikit-learn does (k > 0: k threads, -1: all cores, -2: all but
        one). None: one thread for small networks, else every core to train and the idle
        cores to score.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        "bfloat16": bf16 autocast in training and scoring (weights stay float32; CPU or CUDA
        only). "auto": bfloat16 only where the device has native bf16 and the detector is
        measured to keep its accuracy under it (tag `auto_bf16`), else float32.
    verbose : int, default=0
        Progress bars of the training stages from 1, kept on screen from 2.
    """

    name: ClassVar[str] = "kdsm"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "width": V.Interval(int, 1, None),
        "n_blocks": V.Interval(int, 0, None),
        "copies": V.Interval(int, 1, None),
        "sigma0": V.Interval(float, 0.0, None, closed="neither"),
        "kurtosis_weight": V.Interval(float, 0.0, None),
        "sigma_min": V.Interval(float, 0.0, None, closed="neither"),
        "sigma_max": V.Interval(float, 0.0, None, closed="neither"),
        **V.UPDATE_BUDGET,
    }
    PRESETS: ClassVar = MappingProxyType(
        {
            "smoke": MappingProxyType({"width": 16, "n_blocks": 1, "epochs": 2, "batch_size": 32}),
            "paper": MappingProxyType({"width": 512, "n_blocks": 6, "epochs": 500}),
        }
    )
    _MAX_AUTO_EPOCHS: ClassVar[int] = 500

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
            tabular_scaling="standard",
            supports_images=False,
        )

    def __init__(
        self,
        *,
        width: int = 128,
        n_blocks: int = 3,
        copies: int = 3,
        sigma0: float = 0.5,
        kurtosis_weight: float = 0.33,
        sigma_min: float = 0.1,
        sigma_max: float = 3.0,
        epochs: int | None = None,
        updates: int = 1500,
        batch_size: int = 128,
        lr: float = 5e-4,
        weight_decay: float = 5e-5,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.width = width
        self.n_blocks = n_blocks
        self.copies = copies
        self.sigma0 = sigma0
        self.kurtosis_weight = kurtosis_weight
        self.sigma_min = sigma_min
        self.sigma_max = sigma_max
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.sigma_max < self.sigma_min:
            raise ValueError(
                f"Parameter 'sigma_max' ({self.sigma_max}) must not be below 'sigma_min' "
                f"({self.sigma_min})."
            )

    def _build_networks(self) -> nn.ModuleDict:
        d = math.prod(self.input_shape_)
        return nn.ModuleDict(
            {"score": ScoreResNet(d, self.width, self.n_blocks), "noise": NoiseScales(d)}
        )

    @property
    def noise_scales_(self) -> np.ndarray:
        """sigma_j per feature, in the units the network sees (after `scaling`)."""
        return self._noise().sigma.detach().cpu().numpy().copy()

    def _noise(self) -> NoiseScales:
        """The noise scales' buffer module among `networks_` (built by `_build_networks`)."""
        return cast(NoiseScales, self.networks_["noise"])

    def n_epochs_for(self, n_rows: int) -> int:
        """Epochs run on `n_rows` training rows: `epochs`, or about `updates` updates.

        Parameters
        ----------
        n_rows : int
            Training rows.

        Returns
        -------
        int
            The epoch count (with ``epochs=None``: 1 to 500).
        """
        if self.epochs is not None:
            return int(self.epochs)
        return budget_epochs(n_rows, self._batch(n_rows), self.updates, self._MAX_AUTO_EPOCHS)

    def _batch(self, n_rows: int) -> int:
        return min(self.batch_size, n_rows)

    # -- fitting -----------------------------------------------------------------------------

    def _noise_scales(self, X: np.ndarray) -> np.ndarray:
        """sigma_j of the (scaled) training rows; binary columns judged in their raw units."""
        scaler = self._input_scaler()
        scale = scaler.scale.cpu().numpy().astype(np.float64)
        raw = X / scale + scaler.offset.cpu().numpy() if scaler.mode != "none" else X
        sigmas = losses.kurtosis_noise_scales(
            raw,
            sigma0=self.sigma0,
            c=self.kurtosis_weight,
            sigma_min=self.sigma_min,
            sigma_max=self.sigma_max,
        )
        if scaler.mode != "none":
            binary = np.array([losses.feature_is_binary(raw[:, j]) for j in range(raw.shape[1])])
            sigmas = np.where(binary, sigmas * scale, sigmas)
        return sigmas

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        net = self.networks_["score"]
        sigma = self._noise().sigma
        sigma.copy_(torch.from_numpy(self._noise_scales(X)).float())
        optimiser = adam(net, self.lr, weight_decay=self.weight_decay)

        step = KDSMStep(net, sigma, optimiser, copies=self.copies)
        context.run(
            step,
            context.tensor(X),
            epochs=self.n_epochs_for(len(X)),
            batch_size=self._batch(len(X)),
            stage="train",
            optimisers={"score": optimiser},
        )

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return losses.score_norm(self.networks_["score"](x))
