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
