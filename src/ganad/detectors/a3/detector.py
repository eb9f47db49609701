"""A3 training: the target autoencoder on normal data, then the alarm on its activations."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar, cast

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
from .networks import Target, build_alarm, build_target
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

    Parameters
    ----------
    target_dims : tuple of int or None, default=None
        Encoder widths of the dense target autoencoder, the last one the code size; the
        decoder mirrors them. None: `ganad.nn.sizing.default_aae_dims` of the feature count.
        Ignored for (C, 28, 28) images, which use the convolutional target.
    alarm_hidden : tuple of int or None, default=None
        Hidden widths of the alarm network. None: `ganad.nn.sizing.default_alarm_hidden` of
        the target's activation width.
    architecture : {"da3d", "a3"}, default="da3d"
        "da3d": the A3 of DA3D's Table 2 (dropout after every hidden layer, the code not
        read); "a3": the original A3 code (the code read too, one dropout before each output
        layer). See `ganad.detectors.a3.networks`.
    dropout : float in [0, 1), default=0.1
        Dropout rate of the target and the alarm (where `architecture` puts it).
    epochs : int >= 1, default=500
        Epochs of the alarm stage, and of the target stage when `target_epochs` is None
        (upper bounds when `updates` is set).
    target_epochs : int >= 0 or None, default=None
        Epochs of the target autoencoder stage; None: `epochs`.
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int or None, default=None
        Mini-batch size of both stages; None: `ganad.nn.sizing.default_batch_size` of the
        number of normal training rows.
    lr : float > 0, default=1e-4
        Adam learning rate of the alarm, and of the target when `target_lr` is None.
    target_lr : float > 0 or None, default=None
        Adam learning rate of the target autoencoder; None: `lr`.
    trivial_mean : float, default=0.5
        Mean of the noise anomalies N(trivial_mean, trivial_std²), in scaled input units.
    trivial_std : float > 0, default=1.0
        Standard deviation of the noise anomalies.
    noise_weight : float >= 0, default=1.0
        Weight of the noise anomalies' cross-entropy in the alarm loss.
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
        target, alarm = self._target(), self.networks_["alarm"]
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

    def _target(self) -> Target:
        """The target autoencoder among `networks_` (built by `_build_networks`)."""
        return cast(Target, self.networks_["target"])

    @torch.no_grad()
    def _activations_of(self, x: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
        target = self._target()
        return torch.cat([target.activations(x[s : s + chunk]) for s in range(0, len(x), chunk)])

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        # float64 sigmoid: see DA3D._score_batch (float32 saturates to ties at 1.0).
        return torch.sigmoid(
            self.networks_["alarm"](self._target().activations(x)).double()
        ).squeeze(1)
