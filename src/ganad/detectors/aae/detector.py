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

    Parameters
    ----------
    aae_dims : tuple of int or None, default=None
        Encoder widths of the dense AAE, the last one the code size; the decoder mirrors them.
        None: `ganad.nn.sizing.default_aae_dims` of the feature count. Ignored for
        (C, 28, 28) images, which use the convolutional AAE.
    prior_hidden : tuple of int, default=(40, 20, 10, 5)
        Hidden widths of the prior discriminator D_prior.
    activation : {"lrelu", "relu", "selu", "tanh", "elu"}, default="lrelu"
        Hidden activation of the dense networks and D_prior.
    dropout : float in [0, 1), default=0.1
        Dropout rate after every hidden activation of the dense networks and D_prior.
    epochs : int >= 1, default=500
        Training epochs (the upper bound when `updates` is set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int >= 1, default=128
        Mini-batch size.
    lr : float > 0, default=1e-4
        Learning rate of the three Adam optimisers.
    clip_norm : float > 0 or None, default=0.01
        Largest global gradient norm of the prior-discriminator and encoder-regularisation
        updates; None: no clipping.
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "global" for images, "feature" for tables.
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
