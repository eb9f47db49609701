"""A3 training: the target autoencoder on normal data, then the alarm on its activations."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn import adam, set_requires_grad
from ...nn.sizing import default_aae_dims, default_alarm_hidden, default_batch_size
from ...presets import TABLE1
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from .networks import build_alarm, build_target
from .training import AlarmStep, TargetStep

__all__ = ["A3"]


def _presets() -> MappingProxyType:
    # The "A3" column of DA3D's Table 2 uses the DA3D layer sizes and batch sizes.
    presets: dict[str, Any] = {
        name: MappingProxyType(
            {
                "target_dims": dims,
                "alarm_hidden": alarm,
                "batch_size": batch,
                "epochs": 500,
                "lr": 1e-4,
            }
        )
        for name, (dims, alarm, batch) in TABLE1.items()
    }
    # The original semi-supervised A3 (Fraunhofer-AISEC/A3): NSL-KDD and MNIST settings.
    original = {
        "architecture": "a3",
        "alarm_hidden": (1000, 500, 200, 75),
        "epochs": 60,
        "lr": 1e-5,
        "target_epochs": 30,
        "target_lr": 1e-3,
        "batch_size": 256,
    }
    presets["a3_kdd"] = MappingProxyType({**original, "target_dims": (200, 100, 50, 25)})
    presets["a3_mnist"] = MappingProxyType(original)
    presets["smoke"] = MappingProxyType(
        {"target_dims": (8, 4, 2), "alarm_hidden": (16, 8), "epochs": 2, "batch_size": 32}
    )
    return fixed_epochs(presets)


@register_detector
class A3(BaseDetector):
    """A3: an alarm network on a frozen autoencoder's hidden activations, trained with noise
    anomalies N(0.5, 1) and, when given, known anomalies (y == 1) (Sperl et al., 2020).

    Without labelled anomalies this is the unsupervised "A3" ablation of DA3D's Table 2
    (``architecture="da3d"``, the default: presets per data set, e.g. ``preset="kdd"``). The
    original semi-supervised A3 is ``preset="a3_kdd"`` / ``"a3_mnist"`` (lr 1e-5, 60 epochs).
    """

    name: ClassVar[str] = "a3"
    PRESETS: ClassVar = _presets()
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "target_dims": V.positive_int_sequence(allow_none=True),
        "alarm_hidden": V.positive_int_sequence(allow_none=True),
        "architecture": V.Options({"da3d", "a3"}),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "epochs": V.Interval(int, 1, None),
        "target_epochs": V.Interval(int, 0, None, allow_none=True),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None, allow_none=True),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "target_lr": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
        "trivial_mean": V.Interval(float),
        "trivial_std": V.Interval(float, 0.0, None, closed="neither"),
        "noise_weight": V.Interval(float, 0.0, None),
    }

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
            uses_labels=True,
        )

    def __init__(
        self,
        *,
        target_dims: tuple[int, ...] | None = None,
        alarm_hidden: tuple[int, ...] | None = None,
        architecture: str = "da3d",
        dropout: float = 0.1,
        epochs: int = 500,
        target_epochs: int | None = None,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int | None = None,
        lr: float = 1e-4,
        target_lr: float | None = None,
        trivial_mean: float = 0.5,
        trivial_std: float = 1.0,
        noise_weight: float = 1.0,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.target_dims = target_dims
        self.alarm_hidden = alarm_hidden
        self.architecture = architecture
        self.dropout = dropout
        self.epochs = epochs
        self.target_epochs = target_epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.target_lr = target_lr
        self.trivial_mean = trivial_mean
        self.trivial_std = trivial_std
        self.noise_weight = noise_weight
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_networks(self) -> nn.ModuleDict:
        dims = (
            self.target_dims
            if self.target_dims is not None
            else default_aae_dims(self.n_features_in_)
        )
        target = build_target(
            self.input_shape_, dims, architecture=self.architecture, dropout=self.dropout
        )
        hidden = (
            self.alarm_hidden
            if self.alarm_hidden is not None
            else default_alarm_hidden(target.activation_dim)
        )
        alarm = build_alarm(
            target.activation_dim, hidden, architecture=self.architecture, dropout=self.dropout
        )
        return nn.ModuleDict({"target": target, "alarm": alarm})

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        target, alarm = self.networks_["target"], self.networks_["alarm"]
        labels = np.zeros(len(X), dtype=np.int64) if y is None else y
        normal = X[labels == 0]
        if len(normal) == 0:
            raise ValueError(
                "A3 needs normal training samples (y == 0); all samples are labelled anomalous."
            )
        batch_size = self.batch_size or default_batch_size(len(normal))

        # Stage 1: the target autoencoder on normal data only, then frozen.
        opt_target = adam(target, self.target_lr or self.lr)

        target_step = TargetStep(target, opt_target)
        target_epochs = self.epochs if self.target_epochs is None else self.target_epochs
        context.run(
            target_step,
            context.tensor(normal),
            epochs=target_epochs,
            batch_size=batch_size,
            stage="target",
            optimisers={"target": opt_target},
            updates=self.updates,
        )
        target.eval()
        set_requires_grad(target, False)

        # The frozen target's activations of the training data never change: compute them once.
        acts = self._activations_of(context.tensor(X))
        y_t = torch.from_numpy(labels).to(self.device_)
        opt_alarm = adam(alarm, self.lr)

        # Stage 2: the alarm on (activations, label) plus as many noise anomalies per batch.
        alarm_step = AlarmStep(
            target,
            alarm,
            opt_alarm,
            input_shape=self.input_shape_,
            trivial_mean=self.trivial_mean,
            trivial_std=self.trivial_std,
            noise_weight=self.noise_weight,
        )
        context.run(
            alarm_step,
            (acts, y_t),
            epochs=self.epochs,
            batch_size=batch_size,
            stage="alarm",
            optimisers={"alarm": opt_alarm},
            updates=self.updates,
        )

    @torch.no_grad()
    def _activations_of(self, x: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
        target = self.networks_["target"]
        return torch.cat([target.activations(x[s : s + chunk]) for s in range(0, len(x), chunk)])

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        # float64 sigmoid: see DA3D._score_batch (float32 saturates to ties at 1.0).
        return torch.sigmoid(
            self.networks_["alarm"](self.networks_["target"].activations(x)).double()
        ).squeeze(1)
