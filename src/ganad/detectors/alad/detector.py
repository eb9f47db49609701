"""ALAD detector (METHODS §5.4)."""

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
from .networks import build_alad
from .training import NETS, ALADStep, make_alad_optimisers

__all__ = ["ALAD"]

_SCORE_KEYS = {
    "fm": "feature_matching",
    "ch": "cross_entropy",
    "l1": "residual_l1",
    "l2": "residual_l2",
}

_SMOKE = {
    "latent_dim": 4,
    "e_hidden": (16,),
    "g_hidden": (16,),
    "d_x_hidden": (16,),
    "d_z_hidden": (8,),
    "d_joint_hidden": (16,),
    "d_xx_hidden": (16,),
    "d_zz_hidden": (8,),
    "conv_widths": (4, 8),
    "epochs": 2,
    "batch_size": 32,
}
# Zenati et al.'s KDD99 code: latent 32, lr 1e-5, batch 50, EMA 0.999, LReLU 0.2; its KDD
# networks do not apply spectral normalisation (the flag is accepted but unused there).
_KDD99 = {
    "latent_dim": 32,
    "e_hidden": (64,),
    "g_hidden": (64, 128),
    "d_x_hidden": (128,),
    "d_z_hidden": (128,),
    "d_joint_hidden": (128,),
    "d_xx_hidden": (128,),
    "d_zz_hidden": (32,),
    "negative_slope": 0.2,
    "dropout": 0.2,
    "lr": 1e-5,
    "batch_size": 50,
    "epochs": 50,
    "ema_decay": 0.999,
    "spectral_norm": False,
}
_MNIST = {
    "latent_dim": 100,
    "conv_widths": (64, 128),
    "d_z_hidden": (512,),
    "d_joint_hidden": (1024,),
    "d_xx_hidden": (256,),
    "d_zz_hidden": (64,),
    "lr": 2e-4,
    "batch_size": 64,
    "epochs": 50,
}


@register_detector
class ALAD(ComponentScoringMixin, BaseDetector):
    """Adversarially Learned Anomaly Detection (Zenati et al. 2018).

    A BiGAN (E, G, D_xz) with cycle-consistency discriminators D_xx (data space) and D_zz (latent
    space, `use_dzz`), spectral normalisation on E and the discriminators (`spectral_norm`), Adam
    with β₁ = 0.5, and an exponential moving average of all weights ("<name>_ema" networks) that
    scoring uses, in eval mode (no dropout, fixed spectral-norm vectors).

    Components: "feature_matching" ‖f_xx(x, x) − f_xx(x, G(E(x)))‖₁, "cross_entropy"
    σ_CE(D_xx(x, G(E(x))), 1), "residual_l1" / "residual_l2" ‖x − G(E(x))‖₁,₂, "latent_norm"
    ‖E(x)‖. Score = the component selected by `score` ("fm" default, "ch", "l1", "l2"), weight 1.

    Parameters
    ----------
    latent_dim : int >= 1, default=32
        Width of the latent codes z (prior N(0, I)).
    e_hidden : tuple of int, default=(64,)
        Hidden widths of the dense encoder E (tabular input).
    g_hidden : tuple of int, default=(64, 128)
        Hidden widths of the dense generator G (tabular input; ReLU).
    d_x_hidden : tuple of int, default=(128,)
        Widths of D_xz's dense x branch (tabular input).
    d_z_hidden : tuple of int, default=(128,)
        Widths of D_xz's z branch.
    d_joint_hidden : tuple of int, default=(128,)
        Widths of D_xz's joint layers; the last is its feature layer.
    d_xx_hidden : tuple of int, default=(128,)
        Widths of D_xx's dense trunk (tabular input); the last is the feature-matching layer.
    d_zz_hidden : tuple of int, default=(32,)
        Widths of D_zz's trunk.
    conv_widths : tuple of int, default=(64, 128)
        Channels of the stride-2 convolution stages of E, G, D_xz and D_xx for image input
        (28x28 allows two stages).
    negative_slope : float in [0, 1], default=0.2
        LeakyReLU slope of the encoder and the discriminators.
    dropout : float in [0, 1), default=0.2
        Dropout rate of the discriminators' dense layers.
    spectral_norm : bool, default=True
        Spectral normalisation on every weight of E and the three discriminators (which then
        drop batch norm).
    use_dzz : bool, default=True
        Train the latent cycle discriminator D_zz and its cycle term.
    epochs : int >= 1, default=50
        Training epochs (the upper bound when `updates` is set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int >= 1, default=64
        Mini-batch size.
    lr : float > 0, default=1e-4
        Learning rate of every network's Adam optimiser.
    beta1 : float in [0, 1), default=0.5
        Adam's β₁ (β₂ = 0.999).
    ema_decay : float in [0, 1), default=0.999
        Decay of the moving averages of the weights that scoring uses (TensorFlow's schedule,
        `ganad.nn.gan.ema_decay_at`).
    score : {"fm", "ch", "l1", "l2"}, default="fm"
        The reported score: feature matching in D_xx, D_xx's cross-entropy, or the L1 / L2
        reconstruction residual (see above).
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

    name: ClassVar[str] = "alad"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "latent_dim": V.Interval(int, 1, None),
        "e_hidden": V.positive_int_sequence(),
        "g_hidden": V.positive_int_sequence(),
        "d_x_hidden": V.positive_int_sequence(),
        "d_z_hidden": V.positive_int_sequence(),
        "d_joint_hidden": V.positive_int_sequence(),
        "d_xx_hidden": V.positive_int_sequence(),
        "d_zz_hidden": V.positive_int_sequence(),
        "conv_widths": V.positive_int_sequence(),
        "negative_slope": V.Interval(float, 0.0, 1.0),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "spectral_norm": V.BOOL,
        "use_dzz": V.BOOL,
        "epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "beta1": V.Interval(float, 0.0, 1.0, closed="left"),
        "ema_decay": V.Interval(float, 0.0, 1.0, closed="left"),
        "score": V.Options(set(_SCORE_KEYS)),
    }
    PRESETS: ClassVar = fixed_epochs(
        {
            name: MappingProxyType(p)
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
        d_xx_hidden: tuple[int, ...] = (128,),
        d_zz_hidden: tuple[int, ...] = (32,),
        conv_widths: tuple[int, ...] = (64, 128),
        negative_slope: float = 0.2,
        dropout: float = 0.2,
        spectral_norm: bool = True,
        use_dzz: bool = True,
        epochs: int = 50,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 64,
        lr: float = 1e-4,
        beta1: float = 0.5,
        ema_decay: float = 0.999,
        score: str = "fm",
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
        self.d_xx_hidden = d_xx_hidden
        self.d_zz_hidden = d_zz_hidden
        self.conv_widths = conv_widths
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.spectral_norm = spectral_norm
        self.use_dzz = use_dzz
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.ema_decay = ema_decay
        self.score = score
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_one(self) -> dict[str, torch.nn.Module]:
        return build_alad(
            self.input_shape_,
            latent_dim=self.latent_dim,
            e_hidden=self.e_hidden,
            g_hidden=self.g_hidden,
            d_x_hidden=self.d_x_hidden,
            d_z_hidden=self.d_z_hidden,
            d_joint_hidden=self.d_joint_hidden,
            d_xx_hidden=self.d_xx_hidden,
            d_zz_hidden=self.d_zz_hidden,
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
        for name in NETS:
            ema_reset_(nets[f"{name}_ema"], nets[name])
        optimisers = make_alad_optimisers(nets, lr=self.lr, beta1=self.beta1)
        step = ALADStep(
            nets,
            optimisers,
            latent_dim=self.latent_dim,
            use_dzz=self.use_dzz,
            ema_decay=self.ema_decay,
        )
        context.run(
            step,
            context.tensor(X),
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="alad",
            optimisers={**optimisers, "step": step},
            updates=self.updates,
        )
        # Training leaves gradients behind; drop them (memory, and scoring must not see any).
        self.networks_.zero_grad(set_to_none=True)

    def score_weights(self) -> dict[str, float]:
        """Weights of the reported score: weight 1 on the component `score` selects.

        Returns
        -------
        dict of str to float
            One entry: "feature_matching", "cross_entropy", "residual_l1" or "residual_l2".
        """
        return {_SCORE_KEYS[self.score]: 1.0}

    def _reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """G(E(x)) of scaled rows, with the scoring (EMA) networks (what `explain` compares
        them with)."""
        return self.networks_["generator_ema"](self.networks_["encoder_ema"](x))

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        enc, gen, d_xx = (self.networks_[k] for k in ("encoder_ema", "generator_ema", "d_xx_ema"))
        z = enc(x)
        x_rec = gen(z)
        _, (f_real,) = d_xx(x, x, return_hidden=True)
        logits_rec, (f_rec,) = d_xx(x, x_rec, return_hidden=True)
        return {
            "feature_matching": residual_per_sample(f_real, f_rec, "l1"),
            "cross_entropy": sigmoid_ce_per_sample(logits_rec),
            "residual_l1": residual_per_sample(x, x_rec, "l1"),
            "residual_l2": residual_per_sample(x, x_rec, "l2"),
            "latent_norm": z.norm(dim=1),
        }
