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

    Parameters
    ----------
    latent_dim : int >= 1, default=32
        Width of the latent codes z.
    latent_prior : {"normal", "uniform"}, default="normal"
        Prior of z in training and of the search's random starts: N(0, I) or U(-1, 1).
    g_hidden : tuple of int, default=(64, 128)
        Hidden widths of the dense generator (tabular input).
    d_hidden : tuple of int, default=(256, 128, 128)
        Hidden widths of the dense discriminator (tabular input); the last is the
        feature-matching layer.
    conv_widths : tuple of int, default=(64, 128)
        Channels of the DCGAN stride-2 stages of both networks for image input.
    g_activation : {"lrelu", "relu", "selu", "tanh", "elu"}, default="relu"
        Hidden activation of the dense generator.
    d_activation : {"lrelu", "relu", "selu", "tanh", "elu"}, default="lrelu"
        Hidden activation of the dense discriminator.
    negative_slope : float in [0, 1], default=0.2
        LeakyReLU slope of both networks.
    dropout : float in [0, 1), default=0.2
        Dropout rate of the dense discriminator.
    spectral_norm : bool, default=False
        Spectral normalisation on every discriminator weight (which then drops batch norm).
    g_output : {"sigmoid", "linear"}, default="sigmoid"
        Output of the generator: in [0, 1] like the scaled data, or linear (Zenati et al.'s
        KDD generator).
    epochs : int >= 1, default=50
        GAN training epochs (the upper bound when `updates` is set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int >= 1, default=64
        Mini-batch size of training.
    lr : float > 0, default=1e-4
        Adam learning rate of both networks.
    beta1 : float in [0, 1), default=0.5
        Adam's β₁ of both networks (β₂ = 0.999).
    lam : float in [0, 1], default=0.1
        λ, the weight of the discrimination term in the search loss and the score.
    disc_loss : {"fm", "ce"}, default="fm"
        Discrimination term: feature matching in the discriminator's last hidden layer, or
        its cross-entropy σ_CE(D(G(z)), 1).
    residual_norm : {"l1", "l2"}, default="l1"
        Norm of the residual (and of the feature-matching term).
    search_steps : int >= 1, default=500
        Adam steps of the latent search per sample (the maximum with `search_eps`).
    search_lr : float > 0, default=1e-3
        Learning rate of the latent search.
    search_eps : float > 0 or None, default=None
        Stop a sample's search once its loss is at or below this; None: always
        `search_steps` steps.
    restarts : int >= 1, default=1
        Random starts of the search per sample; the one with the lowest final loss counts.
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
        """Weights of the reported score: 1 − lam on the residual, lam on the discrimination.

        Returns
        -------
        dict of str to float
            "residual" and "feature_matching" (``disc_loss="fm"``) or "cross_entropy".
        """
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
