"""AnoGAN detector: GAN on normal data; score = the per-sample latent-search loss (METHODS §5.1)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch

from ... import _validation as V
from ...base import BaseDetector
from ...nn.layers import HIDDEN_ACTIVATIONS
from ...registry import register_detector
from ...scoring import ComponentScoringMixin
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from .networks import build_anogan
from .search import latent_search
from .training import AnoGANStep, make_anogan_optimisers

__all__ = ["AnoGAN"]

_SMOKE = {
    "latent_dim": 4,
    "g_hidden": (16,),
    "d_hidden": (16,),
    "conv_widths": (4, 8),
    "epochs": 2,
    "batch_size": 32,
    "search_steps": 5,
}
# Zenati et al.'s KDD99 AnoGAN: latent 32, G 64-128 ReLU (linear output), D 256-128-128 LReLU(0.2)
# + dropout 0.2, Adam(1e-5, β₁ 0.5), batch 50; search: 500 Adam steps, lr 1e-3, λ = 0.1, feature
# matching. One addition: spectral normalisation in D (METHODS §5.8). Without it the generator
# collapses onto the dominant attack mode on KDD99 (G(z) std 0.0004 vs data 0.08 after 25 epochs)
# and the score degenerates to a distance to one point (ROC-AUC 0.75 -> 0.91 with it).
_KDD99 = {
    "latent_dim": 32,
    "g_hidden": (64, 128),
    "d_hidden": (256, 128, 128),
    "negative_slope": 0.2,
    "dropout": 0.2,
    "g_output": "linear",
    "spectral_norm": True,
    "lr": 1e-5,
    "batch_size": 50,
    "epochs": 50,
    "search_steps": 500,
    "search_lr": 1e-3,
    "lam": 0.1,
    "disc_loss": "fm",
}
# DCGAN on 28x28 digits (Schlegl et al. used DCGAN; sizes are ours).
_MNIST = {
    "latent_dim": 100,
    "conv_widths": (64, 128),
    "lr": 2e-4,
    "batch_size": 64,
    "epochs": 20,
    "search_steps": 500,
    "search_lr": 1e-3,
    "lam": 0.1,
    "disc_loss": "fm",
}


@register_detector
class AnoGAN(ComponentScoringMixin, BaseDetector):
    """AnoGAN (Schlegl et al. 2017): GAN on normal data, batched latent search at scoring time.

    Scoring searches, for every sample of a scoring batch at once, a latent z minimising
    L_total = (1 − λ)·L_res + λ·L_disc with Adam on z only (G and D frozen), for `search_steps`
    steps or until the sample's loss drops to `search_eps` (n_max = `search_steps`), from
    `restarts` random starts (the best per sample is kept). The score is L_total at the end.

    Components (`score_components`): "residual" (Σ|x − G(z)|), "cross_entropy" (σ_CE(D(G(z)), 1)),
    "feature_matching" (Σ|f(x) − f(G(z))|), "latent_norm" (‖z‖), "search_steps" (updates taken).
    Score = (1 − lam)·residual + lam·(feature_matching if disc_loss == "fm" else cross_entropy).
    """

    name: ClassVar[str] = "anogan"
    score_batch_size: ClassVar[int] = 4096
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "latent_dim": V.Interval(int, 1, None),
        "latent_prior": V.Options({"normal", "uniform"}),
        "g_hidden": V.positive_int_sequence(),
        "d_hidden": V.positive_int_sequence(),
        "conv_widths": V.positive_int_sequence(),
        "g_activation": V.Options(set(HIDDEN_ACTIVATIONS)),
        "d_activation": V.Options(set(HIDDEN_ACTIVATIONS)),
        "negative_slope": V.Interval(float, 0.0, 1.0),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "spectral_norm": V.BOOL,
        "g_output": V.Options({"sigmoid", "linear"}),
        "epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "beta1": V.Interval(float, 0.0, 1.0, closed="left"),
        "lam": V.Interval(float, 0.0, 1.0),
        "disc_loss": V.Options({"fm", "ce"}),
        "residual_norm": V.Options({"l1", "l2"}),
        "search_steps": V.Interval(int, 1, None),
        "search_lr": V.Interval(float, 0.0, None, closed="neither"),
        "search_eps": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
        "restarts": V.Interval(int, 1, None),
    }
    PRESETS: ClassVar = fixed_epochs(
        {
            name: MappingProxyType(p)
            for name, p in (("smoke", _SMOKE), ("kdd99", _KDD99), ("mnist", _MNIST))
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
            # The latent search's random starts are drawn per batch: the batch is part of the result.
            tiled_cpu_scoring=False,
        )

    def __init__(
        self,
        *,
        latent_dim: int = 32,
        latent_prior: str = "normal",
        g_hidden: tuple[int, ...] = (64, 128),
        d_hidden: tuple[int, ...] = (256, 128, 128),
        conv_widths: tuple[int, ...] = (64, 128),
        g_activation: str = "relu",
        d_activation: str = "lrelu",
        negative_slope: float = 0.2,
        dropout: float = 0.2,
        spectral_norm: bool = False,
        g_output: str = "sigmoid",
        epochs: int = 50,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 64,
        lr: float = 1e-4,
        beta1: float = 0.5,
        lam: float = 0.1,
        disc_loss: str = "fm",
        residual_norm: str = "l1",
        search_steps: int = 500,
        search_lr: float = 1e-3,
        search_eps: float | None = None,
        restarts: int = 1,
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
        self.latent_prior = latent_prior
        self.g_hidden = g_hidden
        self.d_hidden = d_hidden
        self.conv_widths = conv_widths
        self.g_activation = g_activation
        self.d_activation = d_activation
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.spectral_norm = spectral_norm
        self.g_output = g_output
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.lam = lam
        self.disc_loss = disc_loss
        self.residual_norm = residual_norm
        self.search_steps = search_steps
        self.search_lr = search_lr
        self.search_eps = search_eps
        self.restarts = restarts
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
            build_anogan(
                self.input_shape_,
                latent_dim=self.latent_dim,
                g_hidden=self.g_hidden,
                d_hidden=self.d_hidden,
                conv_widths=self.conv_widths,
                g_activation=self.g_activation,
                d_activation=self.d_activation,
                negative_slope=self.negative_slope,
                dropout=self.dropout,
                spectral_norm=self.spectral_norm,
                g_output=self.g_output,
            )
        )

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        gen, disc = self.networks_["generator"], self.networks_["discriminator"]
        optimisers = make_anogan_optimisers(gen, disc, lr=self.lr, betas=(self.beta1, 0.999))
        step = AnoGANStep(
            gen, disc, optimisers, latent_dim=self.latent_dim, prior=self.latent_prior
        )
        context.run(
            step,
            context.tensor(X),
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="gan",
            optimisers=optimisers,
            updates=self.updates,
        )
        # Training leaves gradients behind; drop them (memory, and scoring must not see any).
        self.networks_.zero_grad(set_to_none=True)

    def score_weights(self) -> dict[str, float]:
        disc = "feature_matching" if self.disc_loss == "fm" else "cross_entropy"
        return {"residual": 1.0 - self.lam, disc: self.lam}

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        result = latent_search(
            self.networks_["generator"],
            self.networks_["discriminator"],
            x,
            latent_dim=self.latent_dim,
            prior=self.latent_prior,
            lam=self.lam,
            disc_loss=self.disc_loss,
            residual_norm=self.residual_norm,
            steps=self.search_steps,
            lr=self.search_lr,
            eps=self.search_eps,
            restarts=self.restarts,
        )
        return {
            "residual": result.residual,
            "cross_entropy": result.cross_entropy,
            "feature_matching": result.feature_matching,
            "latent_norm": result.z.norm(dim=1),
            "search_steps": result.steps.to(torch.float64),
        }
