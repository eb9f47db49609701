"""The adversarial autoencoder as a stand-alone detector (reconstruction-error score)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch

from ... import _validation as V
from ...base import BaseDetector
from ...nn.aae import AAEStep, build_aae, make_aae_optimisers
from ...nn.layers import HIDDEN_ACTIVATIONS
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs

__all__ = ["AAE"]


@register_detector
class AAE(BaseDetector):
    """Adversarial autoencoder (DA3D's pre-trained AAE); score = mean squared reconstruction error.

    Parameters mirror the AAE part of DA3D (METHODS §2.3): three Adam optimisers (lr 1e-4,
    eps 1e-7), reconstruction -> prior discriminator -> encoder regularisation per mini-batch,
    global-norm gradient clipping `clip_norm` on the two adversarial steps.
    """

    name: ClassVar[str] = "aae"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "aae_dims": V.positive_int_sequence(allow_none=True),
        "prior_hidden": V.positive_int_sequence(),
        "activation": V.Options(set(HIDDEN_ACTIVATIONS)),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "clip_norm": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
    }
    PRESETS: ClassVar = fixed_epochs(
        {
            "smoke": MappingProxyType({"aae_dims": (8, 4, 2), "epochs": 2, "batch_size": 64}),
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
        )

    def __init__(
        self,
        *,
        aae_dims: tuple[int, ...] | None = None,
        prior_hidden: tuple[int, ...] = (40, 20, 10, 5),
        activation: str = "lrelu",
        dropout: float = 0.1,
        epochs: int = 500,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 128,
        lr: float = 1e-4,
        clip_norm: float | None = 0.01,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.aae_dims = aae_dims
        self.prior_hidden = prior_hidden
        self.activation = activation
        self.dropout = dropout
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.clip_norm = clip_norm
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_networks(self) -> torch.nn.ModuleDict:
        return torch.nn.ModuleDict(
            build_aae(
                self.input_shape_,
                self.aae_dims,
                prior_hidden=self.prior_hidden,
                activation=self.activation,
                dropout=self.dropout,
            )
        )

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        enc, dec, prior = (self.networks_[k] for k in ("encoder", "decoder", "prior"))
        optimisers = make_aae_optimisers(enc, dec, prior, self.lr)
        step = AAEStep(enc, dec, prior, optimisers, clip_norm=self.clip_norm)
        context.run(
            step,
            context.tensor(X),
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="aae",
            optimisers=optimisers,
            updates=self.updates,
        )

    def _reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """The decoder's reconstruction of scaled rows (what `explain` compares them with)."""
        return torch.sigmoid(self.networks_["decoder"](self.networks_["encoder"](x)))

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        recon = torch.sigmoid(self.networks_["decoder"](self.networks_["encoder"](x)))
        return (recon - x).pow(2).flatten(1).mean(dim=1)
