"""Deep SVDD as configured for DA3D's Table 2 (METHODS §5.9, §7 B-2)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn.utils import keras_time_decay
from ...presets import TABLE1
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from . import losses
from .networks import SVDDCenter, build_deepsvdd
from .training import OneClassStep, PretrainStep

__all__ = ["DeepSVDD"]

# METHODS §2.2.7: the AAE encoder dims and the DA3D batch size per data set.
_DA3D_DATASETS: dict[str, dict[str, Any]] = {
    name: ({"dims": dims} if dims is not None else {}) | {"batch_size": batch}
    for name, (dims, _, batch) in TABLE1.items()
}


@register_detector
class DeepSVDD(BaseDetector):
    """Deep SVDD (one-class): AE pre-training, then mean ‖phi(x) - c‖² minimised.

    Score: ‖phi(x) - c‖² (higher = more anomalous).

    * Networks: bias-free LReLU(0.01) dense encoder with the AAE dims (`dims`, linear code) or, for
      (C, 28, 28) images, the conv network of METHODS §5.9 (32-d code).
    * Pre-training: the encoder plus a mirrored decoder, MSE, Adam(`pretrain_lr`) for
      `pretrain_epochs` epochs. The DA3D baseline's decoder output is undocumented;
      `ae_output="linear"` (default) lets the bias-free decoder reconstruct near-zero inputs
      (min-max data), `"sigmoid"` is the AAE-style output. On Mammography the sigmoid variant
      reconstructs poorly (MSE 0.13 vs 0.008 after 25 epochs) and pushes c far from the data.
    * Centre c: the mean embedding of the training data under the pre-trained network, with
      coordinates of magnitude < `center_eps` pushed to ±`center_eps`; computed once and stored as
      a buffer (saved with the weights). `center="recompute"` reproduces the DA3D code's quirk of
      recomputing c from the *trained* network before scoring (METHODS §7 B-2). A checkpointed
      fit (`fit(checkpoint=...)`) saves c with the one-class stage, so a resumed fit keeps the
      pre-trained network's c.
    * One-class training: Adam(`lr`) with Keras time decay `lr_decay` (the DA3D code's
      Adam(1e-3, decay=1e-5)), weight decay `weight_decay`, for `epochs` epochs.

    `epochs=0` (or `pretrain_epochs=0`) skips that stage.

    Parameters
    ----------
    dims : tuple of int or None, default=None
        Widths of the dense encoder, the last one the code size; the pre-training decoder
        mirrors them. None: `ganad.nn.sizing.default_aae_dims` of the feature count. Ignored
        for (C, 28, 28) images, which use the convolutional network.
    epochs : int >= 0, default=500
        Epochs of the one-class stage; 0 skips it (the upper bound when `updates` is set).
    pretrain_epochs : int >= 0, default=500
        Epochs of the autoencoder pre-training; 0 skips it (the upper bound when `updates` is
        set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int >= 1, default=128
        Mini-batch size of both stages.
    lr : float > 0, default=1e-3
        Adam learning rate of the one-class stage.
    lr_decay : float >= 0, default=1e-5
        Keras time decay of that learning rate: lr / (1 + lr_decay · updates so far).
    pretrain_lr : float > 0, default=1e-4
        Adam learning rate of the pre-training.
    weight_decay : float >= 0, default=0.0
        Adam weight decay of the one-class stage.
    center : {"initial", "recompute"}, default="initial"
        "initial": c from the pre-trained network; "recompute": c recomputed from the trained
        network after the one-class stage (the DA3D code's quirk).
    center_eps : float >= 0, default=0.1
        Coordinates of c smaller than this in magnitude are pushed to ±center_eps.
    ae_output : {"linear", "sigmoid"}, default="linear"
        Output of the pre-training decoder.
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

    name: ClassVar[str] = "deepsvdd"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "dims": V.positive_int_sequence(allow_none=True),
        "epochs": V.Interval(int, 0, None),
        "pretrain_epochs": V.Interval(int, 0, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "lr_decay": V.Interval(float, 0.0, None),
        "pretrain_lr": V.Interval(float, 0.0, None, closed="neither"),
        "weight_decay": V.Interval(float, 0.0, None),
        "center": V.Options({"initial", "recompute"}),
        "center_eps": V.Interval(float, 0.0, None),
        "ae_output": V.Options({"linear", "sigmoid"}),
    }
    PRESETS: ClassVar = fixed_epochs(
        {
            "smoke": MappingProxyType(
                {"dims": (8, 4, 2), "epochs": 2, "pretrain_epochs": 1, "batch_size": 64}
            ),
            **{name: MappingProxyType(cfg) for name, cfg in _DA3D_DATASETS.items()},
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        # Both stages save their optimisers, the one-class stage also its decay schedule and the
        # centre: checkpointed fits resume exactly.
        return replace(super().__ganad_tags__(), supports_checkpoint=True)

    def __init__(
        self,
        *,
        dims: tuple[int, ...] | None = None,
        epochs: int = 500,
        pretrain_epochs: int = 500,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 128,
        lr: float = 1e-3,
        lr_decay: float = 1e-5,
        pretrain_lr: float = 1e-4,
        weight_decay: float = 0.0,
        center: str = "initial",
        center_eps: float = 0.1,
        ae_output: str = "linear",
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.dims = dims
        self.epochs = epochs
        self.pretrain_epochs = pretrain_epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.lr_decay = lr_decay
        self.pretrain_lr = pretrain_lr
        self.weight_decay = weight_decay
        self.center = center
        self.center_eps = center_eps
        self.ae_output = ae_output
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_networks(self) -> nn.ModuleDict:
        return nn.ModuleDict(build_deepsvdd(self.input_shape_, self.dims))

    @property
    def center_(self) -> np.ndarray:
        """The stored hypersphere centre c (a copy)."""
        return self._center().c.detach().cpu().numpy().copy()

    def _center(self) -> SVDDCenter:
        """The centre's buffer module among `networks_` (built by `build_deepsvdd`)."""
        return cast(SVDDCenter, self.networks_["center"])

    # -- fitting -----------------------------------------------------------------------------

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        data = context.tensor(X)
        # Stage 1 ("pretrain"): the autoencoder.
        if self.pretrain_epochs > 0:
            self._pretrain(data, context)
        # Between the stages: c, fixed from the pre-trained network. A fit resumed inside the
        # one-class stage computes it here from the restored, partly trained encoder; that
        # stage's restore then puts the saved centre back before its first epoch (the centre
        # buffer of `networks_`, and the one-class step's state), so it trains around the
        # pre-trained network's c as an uninterrupted fit does.
        self._center().set_(self._center_of(data))
        # Stage 2 ("one_class"): the encoder pulled towards c.
        if self.epochs > 0:
            self._train_one_class(data, context)
        # The DA3D code's quirk: c recomputed from the trained network (restored on resume).
        if self.center == "recompute":
            self._center().set_(self._center_of(data))

    def _pretrain(self, data: torch.Tensor, context: TrainingContext) -> None:
        """Stage 1: encoder and decoder trained as an autoencoder (checkpointed with Adam)."""
        encoder, decoder = self.networks_["encoder"], self.networks_["decoder"]
        optimiser = torch.optim.Adam(
            [*encoder.parameters(), *decoder.parameters()], lr=self.pretrain_lr, eps=1e-7
        )
        context.run(
            PretrainStep(encoder, decoder, optimiser, ae_output=self.ae_output),
            data,
            epochs=self.pretrain_epochs,
            batch_size=self.batch_size,
            stage="pretrain",
            updates=self.updates,
            optimisers={"autoencoder": optimiser},
        )

    def _train_one_class(self, data: torch.Tensor, context: TrainingContext) -> None:
        """Stage 2: the encoder trained towards the centre; Adam, its decay schedule and the
        centre (the step's state) are checkpointed."""
        encoder = self.networks_["encoder"]
        optimiser = torch.optim.Adam(
            encoder.parameters(), lr=self.lr, eps=1e-7, weight_decay=self.weight_decay
        )
        schedule = keras_time_decay(optimiser, self.lr_decay)
        step = OneClassStep(encoder, self._center().c, optimiser, schedule)
        context.run(
            step,
            data,
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="one_class",
            updates=self.updates,
            optimisers={"encoder": optimiser, "schedule": schedule, "step": step},
        )

    @torch.no_grad()
    def _center_of(self, data: torch.Tensor) -> torch.Tensor:
        """Mean embedding of the training data (eval mode), with small coordinates pushed out."""
        encoder = self.networks_["encoder"]
        encoder.eval()
        total: torch.Tensor | None = None
        for start in range(0, len(data), self.score_batch_size):
            part = encoder(data[start : start + self.score_batch_size]).double().sum(dim=0)
            total = part if total is None else total + part
        if total is None:  # unreachable: `fit` refuses an empty X
            raise ValueError("Deep SVDD's centre needs at least one training row.")
        return losses.center_from_embeddings((total / len(data)).float(), self.center_eps)

    # -- scoring -----------------------------------------------------------------------------

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return losses.squared_distance(self.networks_["encoder"](x), self._center().c)
