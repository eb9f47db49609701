"""f-AnoGAN detector: WGAN-GP, then an izi_f encoder; score A_R + κ·A_D (METHODS §5.2, B-3)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch

from ... import _validation as V
from ...base import BaseDetector
from ...nn import adam
from ...nn.layers import HIDDEN_ACTIVATIONS
from ...presets import TABLE1
from ...registry import register_detector
from ...scoring import ComponentScoringMixin
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, fixed_epochs
from . import losses
from .networks import build_fanogan
from .training import EncoderStep, GANStep, adam_eps, make_gan_optimisers

__all__ = ["FAnoGAN"]


def _da3d_preset(dims: tuple[int, ...] | None, batch: int) -> MappingProxyType:
    """[CODE-DA3D] `baselines/anogan`: AAE-shaped nets, latent 8, sigmoid D with linear losses,
    no GP/clipping, Adam 1e-4, 500 GAN + 500 encoder epochs (izi_f, κ = 1)."""
    return MappingProxyType(
        {
            "architecture": "aae",
            "aae_dims": dims,
            "latent_dim": 8,
            "gan_loss": "linear",
            "activation": "lrelu",
            "negative_slope": 0.01,
            "dropout": 0.1,
            "lr": 1e-4,
            "beta1": 0.9,
            "beta2": 0.999,
            "gan_epochs": 500,
            "encoder_epochs": 500,
            "batch_size": batch,
            "encoder_loss": "izi_f",
            "kappa": 1.0,
        }
    )


def _presets() -> MappingProxyType:
    presets: dict[str, Any] = {
        f"da3d_{name}": _da3d_preset(dims, batch) for name, (dims, _, batch) in TABLE1.items()
    }
    presets["smoke"] = MappingProxyType(
        {
            "latent_dim": 4,
            "g_hidden": (16,),
            "d_hidden": (16,),
            "e_hidden": (16,),
            "conv_widths": (4, 8),
            "gan_epochs": 1,
            "encoder_epochs": 1,
            "batch_size": 32,
            "n_critic": 2,
        }
    )
    # Stand-alone f-AnoGAN (B-3): WGAN-GP λ = 10, n_critic = 5, Adam(1e-4, 0, 0.9), izi_f, κ = 1.
    presets["kdd99"] = MappingProxyType(
        {
            "latent_dim": 32,
            "g_hidden": (64, 128),
            "d_hidden": (256, 128, 128),
            "e_hidden": (128, 64),
            "gan_epochs": 50,
            "encoder_epochs": 50,
            "batch_size": 64,
        }
    )
    presets["mnist"] = MappingProxyType(
        {
            "latent_dim": 100,
            "conv_widths": (64, 128),
            "gan_epochs": 50,
            "encoder_epochs": 50,
            "batch_size": 64,
        }
    )
    return fixed_epochs(presets)


@register_detector
class FAnoGAN(ComponentScoringMixin, BaseDetector):
    """f-AnoGAN (Schlegl et al. 2019): a WGAN-GP on normal data, then an encoder E trained with
    G and the critic frozen; one forward pass per sample at scoring time.

    Components: "residual" A_R = mean (x − G(E(x)))², "feature_matching" A_D =
    mean (f(x) − f(G(E(x))))² (f = the critic's last hidden layer), "latent_norm" ‖E(x)‖.
    Score = residual + kappa·feature_matching.

    `gan_loss`: "wgan-gp" (default), "wgan-clip" (WGAN weight clipping, RMSProp), or "linear"
    (the DA3D-table variant: sigmoid D, linear losses, no GP; use with `architecture="aae"`,
    see the `da3d_<dataset>` presets).

    Parameters
    ----------
    architecture : {"dcgan", "aae"}, default="dcgan"
        "dcgan": dense or DCGAN generator, critic and encoder (`g_hidden`, `d_hidden`,
        `e_hidden`, `conv_widths`); "aae": fresh copies of the AAE's shapes (`aae_dims`), the
        DA3D-table variant.
    latent_dim : int >= 1, default=32
        Width of the latent codes z (prior N(0, I)).
    g_hidden : tuple of int, default=(64, 128)
        Hidden widths of the dense generator ("dcgan", tabular input; ReLU).
    d_hidden : tuple of int, default=(256, 128)
        Hidden widths of the dense critic ("dcgan", tabular input); the last is the feature
        layer f.
    e_hidden : tuple of int, default=(128, 64)
        Hidden widths of the dense encoder ("dcgan", tabular input).
    conv_widths : tuple of int, default=(64, 128)
        Channels of the DCGAN stride-2 stages ("dcgan", image input).
    aae_dims : tuple of int or None, default=None
        AAE encoder widths of the "aae" networks, the last one the code size. None:
        `ganad.nn.sizing.default_aae_dims` of the feature count.
    activation : {"lrelu", "relu", "selu", "tanh", "elu"}, default="lrelu"
        Hidden activation of the dense critic and encoder ("dcgan"), or of every "aae"
        network.
    negative_slope : float in [0, 1], default=0.2
        LeakyReLU slope of the "dcgan" networks.
    dropout : float in [0, 1), default=0.0
        Dropout rate of the dense critic ("dcgan"), or of every "aae" network.
    gan_loss : {"wgan-gp", "wgan-clip", "linear"}, default="wgan-gp"
        The GAN objective (see above).
    n_critic : int >= 1, default=5
        Critic updates per generator update (WGAN losses).
    gp_weight : float >= 0, default=10.0
        Weight λ of the gradient penalty ("wgan-gp").
    clip_value : float > 0, default=0.01
        Weight-clipping bound of the critic ("wgan-clip").
    gan_epochs : int >= 1, default=100
        Epochs of the GAN stage (the upper bound when `updates` is set).
    encoder_epochs : int >= 1, default=100
        Epochs of the encoder stage (the upper bound when `updates` is set).
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    batch_size : int >= 1, default=64
        Mini-batch size of both stages.
    lr : float > 0, default=1e-4
        Learning rate of every optimiser.
    beta1 : float in [0, 1), default=0.0
        Adam's β₁ (not used by "wgan-clip", which trains the GAN with RMSprop).
    beta2 : float in [0, 1), default=0.9
        Adam's β₂.
    encoder_loss : {"izi_f", "izi", "ziz"}, default="izi_f"
        The encoder stage's loss (see `ganad.detectors.fanogan.losses`).
    kappa : float >= 0, default=1.0
        κ, the weight of the feature term in "izi_f" and in the score.
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

    name: ClassVar[str] = "fanogan"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "architecture": V.Options({"dcgan", "aae"}),
        "latent_dim": V.Interval(int, 1, None),
        "g_hidden": V.positive_int_sequence(),
        "d_hidden": V.positive_int_sequence(),
        "e_hidden": V.positive_int_sequence(),
        "conv_widths": V.positive_int_sequence(),
        "aae_dims": V.positive_int_sequence(allow_none=True),
        "activation": V.Options(set(HIDDEN_ACTIVATIONS)),
        "negative_slope": V.Interval(float, 0.0, 1.0),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "gan_loss": V.Options({"wgan-gp", "wgan-clip", "linear"}),
        "n_critic": V.Interval(int, 1, None),
        "gp_weight": V.Interval(float, 0.0, None),
        "clip_value": V.Interval(float, 0.0, None, closed="neither"),
        "gan_epochs": V.Interval(int, 1, None),
        "encoder_epochs": V.Interval(int, 1, None),
        "updates": V.UPDATES,
        "batch_size": V.Interval(int, 1, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "beta1": V.Interval(float, 0.0, 1.0, closed="left"),
        "beta2": V.Interval(float, 0.0, 1.0, closed="left"),
        "encoder_loss": V.Options({"izi_f", "izi", "ziz"}),
        "kappa": V.Interval(float, 0.0, None),
    }
    PRESETS: ClassVar = _presets()

    def __ganad_tags__(self) -> DetectorTags:
        # Both stages save their optimisers and the GAN step's counters: checkpointed fits
        # resume exactly.
        return replace(super().__ganad_tags__(), supports_checkpoint=True)

    def __init__(
        self,
        *,
        architecture: str = "dcgan",
        latent_dim: int = 32,
        g_hidden: tuple[int, ...] = (64, 128),
        d_hidden: tuple[int, ...] = (256, 128),
        e_hidden: tuple[int, ...] = (128, 64),
        conv_widths: tuple[int, ...] = (64, 128),
        aae_dims: tuple[int, ...] | None = None,
        activation: str = "lrelu",
        negative_slope: float = 0.2,
        dropout: float = 0.0,
        gan_loss: str = "wgan-gp",
        n_critic: int = 5,
        gp_weight: float = 10.0,
        clip_value: float = 0.01,
        gan_epochs: int = 100,
        encoder_epochs: int = 100,
        updates: int | None = DEFAULT_UPDATES,
        batch_size: int = 64,
        lr: float = 1e-4,
        beta1: float = 0.0,
        beta2: float = 0.9,
        encoder_loss: str = "izi_f",
        kappa: float = 1.0,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.architecture = architecture
        self.latent_dim = latent_dim
        self.g_hidden = g_hidden
        self.d_hidden = d_hidden
        self.e_hidden = e_hidden
        self.conv_widths = conv_widths
        self.aae_dims = aae_dims
        self.activation = activation
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.gan_loss = gan_loss
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.gan_epochs = gan_epochs
        self.encoder_epochs = encoder_epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.encoder_loss = encoder_loss
        self.kappa = kappa
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
            build_fanogan(
                self.input_shape_,
                architecture=self.architecture,
                latent_dim=self.latent_dim,
                g_hidden=self.g_hidden,
                d_hidden=self.d_hidden,
                e_hidden=self.e_hidden,
                conv_widths=self.conv_widths,
                aae_dims=self.aae_dims,
                activation=self.activation,
                negative_slope=self.negative_slope,
                dropout=self.dropout,
            )
        )

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        gen, critic, enc = (self.networks_[k] for k in ("generator", "critic", "encoder"))
        data = context.tensor(X)
        betas = (self.beta1, self.beta2)
        # Stage 1: the GAN.
        optimisers = make_gan_optimisers(
            gen, critic, gan_loss=self.gan_loss, lr=self.lr, betas=betas
        )
        step = GANStep(
            gen,
            critic,
            optimisers,
            gan_loss=self.gan_loss,
            latent_dim=self.latent_dim,
            n_critic=self.n_critic,
            gp_weight=self.gp_weight,
            clip_value=self.clip_value,
        )
        context.run(
            step,
            data,
            epochs=self.gan_epochs,
            batch_size=self.batch_size,
            stage="gan",
            optimisers={**optimisers, "step": step},
            updates=self.updates,
        )
        # Stage 2: the encoder, G and critic frozen.
        enc_opt = adam(enc, self.lr, betas=betas, eps=adam_eps(self.gan_loss))
        enc_step = EncoderStep(
            enc,
            gen,
            critic,
            enc_opt,
            mode=self.encoder_loss,
            kappa=self.kappa,
            latent_dim=self.latent_dim,
        )
        context.run(
            enc_step,
            data,
            epochs=self.encoder_epochs,
            batch_size=self.batch_size,
            stage="encoder",
            optimisers={"encoder": enc_opt},
            updates=self.updates,
        )
        # Training leaves gradients behind; drop them (memory, and scoring must not see any).
        self.networks_.zero_grad(set_to_none=True)

    def score_weights(self) -> dict[str, float]:
        """Weights of the reported score: 1 on the residual, kappa on the feature matching.

        Returns
        -------
        dict of str to float
            "residual" and "feature_matching".
        """
        return {"residual": 1.0, "feature_matching": self.kappa}

    def _reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """G(E(x)) of scaled rows (what `explain` compares them with)."""
        return self.networks_["generator"](self.networks_["encoder"](x))

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        gen, critic, enc = (self.networks_[k] for k in ("generator", "critic", "encoder"))
        z = enc(x)
        x_rec = gen(z)
        _, (f_x,) = critic(x, return_hidden=True)
        _, (f_rec,) = critic(x_rec, return_hidden=True)
        return {
            "residual": losses.mean_squared_per_sample(x, x_rec),
            "feature_matching": losses.mean_squared_per_sample(f_x, f_rec),
            "latent_norm": z.norm(dim=1),
        }
