"""EGBAD (BiGAN) detector (METHODS §5.3, B-5)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch

from ... import _validation as V
from ...base import BaseDetector
from ...nn.gan import ema_reset_
from ...nn.losses import residual_per_sample, sigmoid_ce_per_sample
from ...registry import register_detector
from ...scoring import ComponentScoringMixin
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from .networks import build_bigan
from .training import BiGANStep, make_bigan_optimisers

__all__ = ["EGBAD"]

_NETS = ("encoder", "generator", "discriminator")

_SMOKE = {
    "latent_dim": 4,
    "e_hidden": (16,),
    "g_hidden": (16,),
    "d_x_hidden": (16,),
    "d_z_hidden": (8,),
    "d_joint_hidden": (16,),
    "conv_widths": (4, 8),
    "epochs": 2,
    "batch_size": 32,
}
# Zenati et al.'s KDD99 code: latent 32, lr 1e-5, batch 50, EMA 0.9999, LReLU 0.1, dropout 0.2.
_KDD99 = {
    "latent_dim": 32,
    "e_hidden": (64,),
    "g_hidden": (64, 128),
    "d_x_hidden": (128,),
    "d_z_hidden": (128,),
    "d_joint_hidden": (128,),
    "negative_slope": 0.1,
    "dropout": 0.2,
    "lr": 1e-5,
    "batch_size": 50,
    "epochs": 50,
    "ema_decay": 0.9999,
}
_MNIST = {
    "latent_dim": 200,
    "conv_widths": (64, 128),
    "d_z_hidden": (512,),
    "d_joint_hidden": (1024,),
    "lr": 1e-5,
    "batch_size": 100,
    "epochs": 100,
    "ema_decay": 0.999,
}


@register_detector
class EGBAD(ComponentScoringMixin, BaseDetector):
    """EGBAD / BiGAN anomaly detector (Zenati et al. 2018).

    E, G and D(x, z) are trained jointly (Adam, β₁ = 0.5); an exponential moving average of the
    weights (`ema_decay`, with TensorFlow's num_updates warm-up) is kept as separate networks
    ("<name>_ema") and used for scoring.

    Components: "residual" ‖x − G(E(x))‖₁, "cross_entropy" σ_CE(D(G(E(x)), E(x)), 1),
    "feature_matching" ‖f_D(x, E(x)) − f_D(G(E(x)), E(x))‖₁, "latent_norm" ‖E(x)‖.
    Score = (1 − weight)·residual + weight·(feature_matching | cross_entropy per `disc_score`).

    Default for unknown data: `cycle_weight=100` adds ALICE's cycle-consistency term
    100·mean |x − G(E(x))| to the E/G loss (Li et al. 2017), which puts it on the scale of the
    adversarial BCE terms (an L1 residual of min-max data is ~0.01-0.1). Without it, after the
    default budget of ~2,000 updates, G(E(x)) had collapsed to 4-15 % of the data's spread and
    the residual ranked central anomalies as normal (seed 0 of the one-class benchmark: Pima
    .28 -> .68, vowels .46 -> .98, annthyroid .54 -> .89; cycle weights 1, 10, 30 measured in
    between; `docs/results/one_class/README.md`). The paper presets keep the plain BiGAN
    objective (`cycle_weight=0`).
    """

    name: ClassVar[str] = "egbad"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "latent_dim": V.Interval(int, 1, None),
        "e_hidden": V.positive_int_sequence(),
        "g_hidden": V.positive_int_sequence(),
        "d_x_hidden": V.positive_int_sequence(),
        "d_z_hidden": V.positive_int_sequence(),
        "d_joint_hidden": V.positive_int_sequence(),
        "conv_widths": V.positive_int_sequence(),
        "negative_slope": V.Interval(float, 0.0, 1.0),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "spectral_norm": V.BOOL,
        "epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "beta1": V.Interval(float, 0.0, 1.0, closed="left"),
        "ema_decay": V.Interval(float, 0.0, 1.0, closed="left"),
        "disc_score": V.Options({"fm", "ce"}),
        "weight": V.Interval(float, 0.0, 1.0),
        "cycle_weight": V.Interval(float, 0.0, None),
    }
    #: Models saved before `cycle_weight` existed trained the plain BiGAN objective.
    SAVED_BEFORE: ClassVar = MappingProxyType({**BaseDetector.SAVED_BEFORE, "cycle_weight": 0.0})
    PRESETS: ClassVar = fixed_epochs(
        {
            # The papers' objective: no cycle-consistency term.
            name: MappingProxyType({**p, "cycle_weight": 0.0})
            for name, p in (("smoke", _SMOKE), ("kdd99", _KDD99), ("mnist", _MNIST))
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        # The step's EMA counter is saved with the optimisers: checkpointed fits resume exactly.
        return replace(super().__ganad_tags__(), supports_checkpoint=True)

    def __init__(
        self,
        *,
        latent_dim: int = 32,
        e_hidden: tuple[int, ...] = (64,),
        g_hidden: tuple[int, ...] = (64, 128),
        d_x_hidden: tuple[int, ...] = (128,),
        d_z_hidden: tuple[int, ...] = (128,),
        d_joint_hidden: tuple[int, ...] = (128,),
        conv_widths: tuple[int, ...] = (64, 128),
        negative_slope: float = 0.1,
        dropout: float = 0.2,
        spectral_norm: bool = False,
        epochs: int = 50,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 64,
        lr: float = 1e-4,
        beta1: float = 0.5,
        ema_decay: float = 0.999,
        disc_score: str = "fm",
        weight: float = 0.1,
        cycle_weight: float = 100.0,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.latent_dim = latent_dim
        self.e_hidden = e_hidden
        self.g_hidden = g_hidden
        self.d_x_hidden = d_x_hidden
        self.d_z_hidden = d_z_hidden
        self.d_joint_hidden = d_joint_hidden
        self.conv_widths = conv_widths
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.spectral_norm = spectral_norm
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.ema_decay = ema_decay
        self.disc_score = disc_score
        self.weight = weight
        self.cycle_weight = cycle_weight
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_one(self) -> dict[str, torch.nn.Module]:
        return build_bigan(
            self.input_shape_,
            latent_dim=self.latent_dim,
            e_hidden=self.e_hidden,
            g_hidden=self.g_hidden,
            d_x_hidden=self.d_x_hidden,
            d_z_hidden=self.d_z_hidden,
            d_joint_hidden=self.d_joint_hidden,
            conv_widths=self.conv_widths,
            negative_slope=self.negative_slope,
            dropout=self.dropout,
            spectral_norm=self.spectral_norm,
        )

    def _build_networks(self) -> torch.nn.ModuleDict:
        live = self._build_one()
        average = {f"{k}_ema": v for k, v in self._build_one().items()}
        return torch.nn.ModuleDict({**live, **average})

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        nets = dict(self.networks_.items())
        for name in _NETS:
            ema_reset_(nets[f"{name}_ema"], nets[name])
        optimisers = make_bigan_optimisers(nets, lr=self.lr, beta1=self.beta1)
        step = BiGANStep(
            nets,
            optimisers,
            latent_dim=self.latent_dim,
            ema_decay=self.ema_decay,
            cycle_weight=self.cycle_weight,
        )
        context.run(
            step,
            context.tensor(X),
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="bigan",
            optimisers={**optimisers, "step": step},
            updates=self.updates,
        )
        # Training leaves gradients behind; drop them (memory, and scoring must not see any).
        self.networks_.zero_grad(set_to_none=True)

    def score_weights(self) -> dict[str, float]:
        disc = "feature_matching" if self.disc_score == "fm" else "cross_entropy"
        return {"residual": 1.0 - self.weight, disc: self.weight}

    def _reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """G(E(x)) of scaled rows, with the scoring (EMA) networks (what `explain` compares
        them with)."""
        enc, gen = (self.networks_[f"{k}_ema"] for k in _NETS[:2])
        return gen(enc(x))

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        enc, gen, disc = (self.networks_[f"{k}_ema"] for k in _NETS)
        z = enc(x)
        x_rec = gen(z)
        _, (f_real,) = disc(x, z, return_hidden=True)
        logits_rec, (f_rec,) = disc(x_rec, z, return_hidden=True)
        return {
            "residual": residual_per_sample(x, x_rec, "l1"),
            "cross_entropy": sigmoid_ce_per_sample(logits_rec),
            "feature_matching": residual_per_sample(f_real, f_rec, "l1"),
            "latent_norm": z.norm(dim=1),
        }
