"""GANomaly detector (METHODS §5.5, B-6)."""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch

from ... import _validation as V
from ...base import BaseDetector
from ...nn.losses import mean_squared_per_sample
from ...nn.sizing import default_aae_dims
from ...presets import TABLE1
from ...registry import register_detector
from ...scoring import ComponentScoringMixin
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from . import losses
from .networks import build_ganomaly
from .training import GANomalyStep, make_ganomaly_optimisers

__all__ = ["GANomaly"]

IMAGE_LATENT_DIM = 100


def _da3d_preset(dims: tuple[int, ...] | None, batch: int) -> MappingProxyType:
    """DA3D's table (METHODS §5.5): encoder sizes = the data set's AAE sizes, its batch size;
    GANomaly's own defaults otherwise (15 epochs, Adam 2e-4, β₁ 0.5, weights 1/50/1)."""
    if dims is None:
        return MappingProxyType({"latent_dim": IMAGE_LATENT_DIM, "batch_size": batch, "epochs": 15})
    return MappingProxyType(
        {"enc_hidden": dims[:-1], "latent_dim": dims[-1], "batch_size": batch, "epochs": 15}
    )


def _presets() -> MappingProxyType:
    presets: dict[str, Any] = {
        f"da3d_{name}": _da3d_preset(dims, batch) for name, (dims, _, batch) in TABLE1.items()
    }
    presets["smoke"] = MappingProxyType(
        {"enc_hidden": (16,), "latent_dim": 4, "conv_widths": (4, 8), "epochs": 2, "batch_size": 32}
    )
    presets["mnist"] = MappingProxyType(
        {"latent_dim": IMAGE_LATENT_DIM, "conv_widths": (64, 128), "epochs": 15, "batch_size": 64}
    )
    # The paper's score (the latent error alone) in every preset.
    return fixed_epochs({k: {"score": "latent_error", **v} for k, v in presets.items()})


@register_detector
class GANomaly(ComponentScoringMixin, BaseDetector):
    """GANomaly (Akçay et al. 2018): encoder–decoder–encoder generator and a discriminator.

    Trained with L_G = w_adv·L_adv + w_con·L_con + w_enc·L_enc (1, 50, 1) and D's BCE, in the
    official order (G step, then D step; D is re-initialised if its loss drops below 1e-5).

    Components: "latent_error" mean (G_E(x) − E(G(x)))² (the official score), "residual"
    mean |x − G(x)|, "feature_matching" mean (f(x) − f(G(x)))², "latent_norm" ‖G_E(x)‖.
    Score (the paper, every preset: ``score="latent_error"``) = latent_error (weight 1).
    Defaults for unknown data (issue #15, measured in ``docs/results/one_class/``):
    ``score="latent_error+residual"``, the logs of both standardised on the training rows and
    summed (the review's score composition; the latent error alone was inverted on vowels,
    .12), and about 2,000 updates (``updates``) with ``epochs=500`` as the cap instead of 15
    epochs (270 updates on a 1,100-row table). Tabular defaults: `enc_hidden`/`latent_dim` None take the
    AAE sizing rule of `ganad.detectors.aae` (DA3D's table used the data set's AAE sizes, see the
    `da3d_<dataset>` presets); images use latent 100.

    Parameters
    ----------
    enc_hidden : tuple of int or None, default=None
        Hidden widths of the dense encoders and discriminator (the decoder mirrors them).
        None: `ganad.nn.sizing.default_aae_dims` of the feature count without its last entry.
        Ignored for images.
    latent_dim : int >= 1 or None, default=None
        Width of the latent code. None: the last entry of the AAE sizing rule (tables) or
        100 (images).
    conv_widths : tuple of int, default=(64, 128)
        Channels of the DCGAN stride-2 stages for image input.
    negative_slope : float in [0, 1], default=0.2
        LeakyReLU slope of the encoders and the discriminator.
    epochs : int >= 1, default=500
        Training epochs (the upper bound when `updates` is set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    score : {"latent_error", "latent_error+residual"}, default="latent_error+residual"
        The latent error alone (the paper), or the composed score of the logs of the latent
        error and the residual, standardised on the training rows.
    batch_size : int >= 1, default=64
        Mini-batch size.
    lr : float > 0, default=2e-4
        Adam learning rate of the generator and the discriminator.
    beta1 : float in [0, 1), default=0.5
        Adam's β₁ (β₂ = 0.999).
    w_adv : float >= 0, default=1.0
        Weight of the adversarial (feature-matching) term of the generator loss.
    w_con : float >= 0, default=50.0
        Weight of the contextual (reconstruction) term.
    w_enc : float >= 0, default=1.0
        Weight of the latent (encoder) term.
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

    name: ClassVar[str] = "ganomaly"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "enc_hidden": V.positive_int_sequence(allow_none=True),
        "latent_dim": V.Interval(int, 1, None, allow_none=True),
        "conv_widths": V.positive_int_sequence(),
        "negative_slope": V.Interval(float, 0.0, 1.0),
        "epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "score": V.Options({"latent_error", "latent_error+residual"}),
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "beta1": V.Interval(float, 0.0, 1.0, closed="left"),
        "w_adv": V.Interval(float, 0.0, None),
        "w_con": V.Interval(float, 0.0, None),
        "w_enc": V.Interval(float, 0.0, None),
    }
    PRESETS: ClassVar = _presets()
    # Models saved before `updates` and `score` existed: fixed epochs, the latent error alone.
    SAVED_BEFORE: ClassVar = MappingProxyType(
        {**BaseDetector.SAVED_BEFORE, "score": "latent_error"}
    )

    def __ganad_tags__(self) -> DetectorTags:
        # The stage saves its optimisers: checkpointed fits resume exactly.
        return replace(super().__ganad_tags__(), supports_checkpoint=True)

    def __init__(
        self,
        *,
        enc_hidden: tuple[int, ...] | None = None,
        latent_dim: int | None = None,
        conv_widths: tuple[int, ...] = (64, 128),
        negative_slope: float = 0.2,
        epochs: int = 500,
        updates: int | None = DEFAULT_UPDATES,
        score: str = "latent_error+residual",
        batch_size: int = 64,
        lr: float = 2e-4,
        beta1: float = 0.5,
        w_adv: float = 1.0,
        w_con: float = 50.0,
        w_enc: float = 1.0,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.enc_hidden = enc_hidden
        self.latent_dim = latent_dim
        self.conv_widths = conv_widths
        self.negative_slope = negative_slope
        self.epochs = epochs
        self.updates = updates
        self.score = score
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.w_adv = w_adv
        self.w_con = w_con
        self.w_enc = w_enc
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _sizes(self) -> tuple[tuple[int, ...], int]:
        """(encoder hidden sizes, latent dimension) after applying the defaults."""
        if self._is_image():
            return (), int(self.latent_dim or IMAGE_LATENT_DIM)
        rule = default_aae_dims(math.prod(self.input_shape_))
        hidden = tuple(self.enc_hidden) if self.enc_hidden is not None else rule[:-1]
        return hidden, int(self.latent_dim or rule[-1])

    def _build_networks(self) -> torch.nn.ModuleDict:
        hidden, latent = self._sizes()
        self.latent_dim_ = latent
        return torch.nn.ModuleDict(
            build_ganomaly(
                self.input_shape_,
                latent_dim=latent,
                enc_hidden=hidden,
                conv_widths=self.conv_widths,
                negative_slope=self.negative_slope,
            )
            | self._component_stats_network()
        )

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        nets = dict(self.networks_.items())
        optimisers = make_ganomaly_optimisers(nets, lr=self.lr, beta1=self.beta1)
        step = GANomalyStep(nets, optimisers, weights=(self.w_adv, self.w_con, self.w_enc))
        context.run(
            step,
            context.tensor(X),
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="ganomaly",
            optimisers=optimisers,
            updates=self.updates,
        )
        # Training leaves gradients behind; drop them (memory, and scoring must not see any).
        self.networks_.zero_grad(set_to_none=True)
        self.fit_component_stats(context.tensor(X))

    def score_weights(self) -> dict[str, float]:
        """Weights of the weighted-sum score (``score="latent_error"``): the latent error.

        Returns
        -------
        dict of str to float
            ``{"latent_error": 1.0}``.
        """
        return {"latent_error": 1.0}

    def composed(self) -> tuple[str, ...]:
        """Components of the composed score: none for ``score="latent_error"``.

        Returns
        -------
        tuple of str
            ``()`` or ``("latent_error", "residual")``.
        """
        return () if self.score == "latent_error" else ("latent_error", "residual")

    def _reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """G_D(G_E(x)) of scaled rows (what `explain` compares them with)."""
        return self.networks_["decoder"](self.networks_["encoder"](x))

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        g_enc, g_dec, enc2, disc = (
            self.networks_[k] for k in ("encoder", "decoder", "encoder2", "discriminator")
        )
        z = g_enc(x)
        x_rec = g_dec(z)
        z_rec = enc2(x_rec)
        _, (f_x,) = disc(x, return_hidden=True)
        _, (f_rec,) = disc(x_rec, return_hidden=True)
        return {
            "latent_error": losses.latent_distance(z, z_rec),
            "residual": (x - x_rec).flatten(1).abs().mean(dim=1),
            "feature_matching": mean_squared_per_sample(f_x, f_rec),
            "latent_norm": z.norm(dim=1),
        }
