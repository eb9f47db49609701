"""The adversarial autoencoder block (METHODS §2.2.1–§2.3): networks, losses and the three-phase
update step. The AAE detector scores with it; DA3D trains it as its stage 1 and then freezes it,
so it lives here and not in either detector's folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _validation as V
from .conv import ConvDecoder28, ConvEncoder28
from .mlp import MLP
from .sizing import CONV_CODE_DIM, default_aae_dims, is_conv_input
from .utils import adam, clip_grad_norm, frozen

__all__ = [
    "AAEStep",
    "build_aae",
    "encoder_regularisation_loss",
    "make_aae_optimisers",
    "prior_discriminator_loss",
    "reconstruction_loss",
    "standardised_reconstruction_loss",
]


# -- networks --------------------------------------------------------------------------------


def build_aae(
    input_shape: Sequence[int],
    dims: Sequence[int] | None,
    *,
    prior_hidden: Sequence[int] = (40, 20, 10, 5),
    activation: str = "lrelu",
    dropout: float = 0.1,
) -> dict[str, nn.Module]:
    """Encoder (linear code), decoder (logit output; sigmoid applied by the caller) and the prior
    discriminator D_prior (sigmoid output). Image input 1x28x28 uses the conv AAE of §2.2.2.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense MLPs) or ``(C, 28, 28)`` (the convolutional AAE,
        code size `CONV_CODE_DIM`); other image shapes are refused.
    dims : sequence of int or None
        Dense encoder widths, the last one the code size; the decoder mirrors them. None:
        `default_aae_dims` of the feature count. Ignored for images.
    prior_hidden : sequence of int, default=(40, 20, 10, 5)
        Hidden widths of the prior discriminator D_prior.
    activation : str, default="lrelu"
        Hidden activation of the dense networks and D_prior (a name of
        `ganad.nn.layers.HIDDEN_ACTIVATIONS`).
    dropout : float, default=0.1
        Dropout rate after every hidden activation of the dense networks and D_prior.

    Returns
    -------
    dict of str to torch.nn.Module
        ``{"encoder": ..., "decoder": ..., "prior": ...}``.
    """
    if len(input_shape) == 3:
        if not is_conv_input(input_shape):
            raise ValueError(
                f"The convolutional AAE expects (C, 28, 28) images, got {tuple(input_shape)}; "
                "flatten the images to use the dense AAE."
            )
        channels = int(input_shape[0])
        encoder: nn.Module = ConvEncoder28(channels, CONV_CODE_DIM)
        decoder: nn.Module = ConvDecoder28(channels, CONV_CODE_DIM)
        code_dim = CONV_CODE_DIM
    else:
        d = int(np.prod(input_shape))
        dims = tuple(dims) if dims is not None else default_aae_dims(d)
        code_dim = dims[-1]
        encoder = MLP(d, dims[:-1], code_dim, activation=activation, dropout=dropout)
        decoder = MLP(
            code_dim, tuple(reversed(dims[:-1])), d, activation=activation, dropout=dropout
        )
    prior = MLP(
        code_dim, prior_hidden, 1, activation=activation, dropout=dropout, out_activation="sigmoid"
    )
    return {"encoder": encoder, "decoder": decoder, "prior": prior}


# -- losses (pure functions of network outputs) ----------------------------------------------


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean element-wise binary cross-entropy between x and sigmoid(logits).

    Parameters
    ----------
    logits : torch.Tensor
        The decoder's output logits, shaped like `x`.
    x : torch.Tensor
        The inputs, scaled to [0, 1].

    Returns
    -------
    torch.Tensor
        The 0-d mean loss.
    """
    return F.binary_cross_entropy_with_logits(logits, x)


def standardised_reconstruction_loss(
    logits: torch.Tensor, x: torch.Tensor, std: torch.Tensor
) -> torch.Tensor:
    """Mean squared error between x and sigmoid(logits), each value's error in units of its
    training spread `std`: the loss of z-scored data, so a feature squeezed into a sliver of
    [0, 1] by min-max scaling counts as much as a uniform one (and as much as in a standardised
    reconstruction score).

    Parameters
    ----------
    logits : torch.Tensor
        The decoder's output logits, shaped like `x`.
    x : torch.Tensor
        The inputs, scaled to [0, 1].
    std : torch.Tensor
        Per-value training std, shaped like one row of `x` (all > 0).

    Returns
    -------
    torch.Tensor
        The 0-d mean loss.
    """
    return ((torch.sigmoid(logits) - x) / std).pow(2).mean()


def prior_discriminator_loss(d_prior_samples: torch.Tensor, d_codes: torch.Tensor) -> torch.Tensor:
    """L_D = -mean D(p) + mean D(h): D_prior learns high values for prior samples, low for codes.
    WGAN-style and linear in the (sigmoid-bounded) outputs, as in the DA3D code.

    Parameters
    ----------
    d_prior_samples : torch.Tensor
        D_prior's outputs on samples p of the N(0, I) prior.
    d_codes : torch.Tensor
        D_prior's outputs on the encoder's codes h.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return -d_prior_samples.mean() + d_codes.mean()


def encoder_regularisation_loss(d_codes: torch.Tensor) -> torch.Tensor:
    """L_E = -mean D(f_enc(x)): the encoder moves its codes to where D_prior sees the prior.

    Parameters
    ----------
    d_codes : torch.Tensor
        D_prior's outputs on the encoder's codes.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return -d_codes.mean()


# -- the update step ---------------------------------------------------------------------------


def make_aae_optimisers(
    encoder: nn.Module, decoder: nn.Module, prior: nn.Module, lr: float
) -> dict[str, torch.optim.Optimizer]:
    """Three Adam optimisers as in the code: reconstruction (encoder + decoder), prior
    discriminator, encoder regularisation. Keras' epsilon 1e-7.

    Parameters
    ----------
    encoder : torch.nn.Module
        The AAE's encoder.
    decoder : torch.nn.Module
        The AAE's decoder.
    prior : torch.nn.Module
        The prior discriminator D_prior.
    lr : float
        Learning rate of all three.

    Returns
    -------
    dict of str to torch.optim.Optimizer
        Keys "reconstruction", "prior" and "regularisation", as `AAEStep` takes them.
    """
    return {
        "reconstruction": adam([*encoder.parameters(), *decoder.parameters()], lr),
        "prior": adam(prior, lr),
        "regularisation": adam(encoder, lr),
    }


class AAEStep:
    """One AAE mini-batch update, in the order of the DA3D code: 1. reconstruction (encoder and
    decoder), 2. the prior discriminator D_prior, 3. the encoder's regularisation against D_prior.
    `clip_norm` bounds the gradient norm of phases 2 and 3 (None: no clipping).

    Parameters
    ----------
    encoder : torch.nn.Module
        The encoder, x -> code.
    decoder : torch.nn.Module
        The decoder, code -> reconstruction logits.
    prior : torch.nn.Module
        The prior discriminator D_prior, code -> value in (0, 1).
    optimisers : mapping of str to torch.optim.Optimizer
        Keys "reconstruction", "prior" and "regularisation" (see `make_aae_optimisers`).
    clip_norm : float or None, default=0.01
        Largest global gradient norm of phases 2 and 3; None: no clipping.
    loss : callable, default=reconstruction_loss
        Phase 1's loss, ``loss(logits, x)`` (e.g. `standardised_reconstruction_loss` bound to
        the training std).
    regularise_every : int >= 1, default=1
        Phase 3 runs on every `regularise_every`-th update only (the first, then every k-th): a
        weaker pull of the codes to the prior; 1 is the paper's every update. The count of
        updates is this step's state (`state_dict`), saved with checkpoints.
    """

    def __init__(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        prior: nn.Module,
        optimisers: Mapping[str, torch.optim.Optimizer],
        *,
        clip_norm: float | None = 0.01,
        loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = reconstruction_loss,
        regularise_every: int = 1,
    ):
        V.Interval(int, 1, None).check("regularise_every", regularise_every)
        self.encoder = encoder
        self.decoder = decoder
        self.prior = prior
        self.optimisers = optimisers
        self.clip_norm = clip_norm
        self.loss = loss
        self.regularise_every = regularise_every
        self.updates = 0

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        losses = {
            "reconstruction": self.reconstruction_phase(x),
            "prior": self.prior_phase(x),
        }
        # Phase 3 on every `regularise_every`-th update only: a weaker pull to the prior.
        if self.updates % self.regularise_every == 0:
            losses["regularisation"] = self.regularisation_phase(x)
        self.updates += 1
        return losses

    def state_dict(self) -> dict[str, int]:
        """The number of updates made, which decides when phase 3 runs next.

        Returns
        -------
        dict of str to int
            ``{"updates": n}``.
        """
        return {"updates": self.updates}

    def load_state_dict(self, state: Mapping[str, int]) -> None:
        """Restore the count saved by `state_dict` (a resumed fit regularises on schedule).

        Parameters
        ----------
        state : mapping of str to int
            What `state_dict` returned.
        """
        self.updates = int(state["updates"])

    def reconstruction_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one reconstruction update of encoder and decoder.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch, scaled to [0, 1].

        Returns
        -------
        torch.Tensor
            The 0-d reconstruction loss.
        """
        # 1. Reconstruction: encoder and decoder in train mode, no clipping.
        self.encoder.train()
        self.decoder.train()
        with frozen(self.prior):
            rec = self.loss(self.decoder(self.encoder(x)), x)
        self.optimisers["reconstruction"].zero_grad(set_to_none=True)
        rec.backward()
        self.optimisers["reconstruction"].step()
        return rec

    def prior_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 2: one update of D_prior on N(0, I) samples against the (detached) codes.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch, scaled to [0, 1].

        Returns
        -------
        torch.Tensor
            The 0-d prior-discriminator loss.
        """
        # 2. Prior discriminator: codes from the encoder in eval mode, detached.
        self.encoder.eval()
        self.prior.train()
        with torch.no_grad():
            h = self.encoder(x).flatten(1)
        p = torch.randn_like(h)
        # One pass over both inputs.
        d_prior, d_codes = self.prior(torch.cat([p, h.detach()])).split(len(h))
        d_loss = prior_discriminator_loss(d_prior, d_codes)
        self.optimisers["prior"].zero_grad(set_to_none=True)
        d_loss.backward()
        clip_grad_norm(self.prior, self.clip_norm)
        self.optimisers["prior"].step()
        return d_loss

    def regularisation_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 3: one update of the encoder against the frozen D_prior.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch, scaled to [0, 1].

        Returns
        -------
        torch.Tensor
            The 0-d encoder-regularisation loss.
        """
        # 3. Encoder regularisation: encoder in train mode, D_prior in eval mode and frozen.
        self.encoder.train()
        self.prior.eval()
        with frozen(self.prior):
            e_loss = encoder_regularisation_loss(self.prior(self.encoder(x).flatten(1)))
        self.optimisers["regularisation"].zero_grad(set_to_none=True)
        e_loss.backward()
        clip_grad_norm(self.encoder, self.clip_norm)
        self.optimisers["regularisation"].step()
        return e_loss
