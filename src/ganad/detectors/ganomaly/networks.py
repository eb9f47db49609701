"""GANomaly networks (METHODS §5.5): G = (G_E, G_D) plus a second encoder E, and D with a
feature layer f.

x -> z = G_E(x) -> x̂ = G_D(z) -> ẑ = E(x̂). Tabular: dense encoders with the given hidden sizes
(DA3D's table used the data set's AAE sizes), the decoder mirrors them. Images: DCGAN nets
(LeakyReLU 0.2 encoders, ReLU decoder, BatchNorm), sigmoid output because inputs are in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ...nn.gan import Critic, make_encoder, make_generator, make_trunk

__all__ = ["build_ganomaly"]


def build_ganomaly(
    input_shape: Sequence[int],
    *,
    latent_dim: int,
    enc_hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float = 0.2,
) -> dict[str, nn.Module]:
    """{"encoder" G_E, "decoder" G_D, "encoder2" E, "discriminator" D}.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense networks) or ``(C, H, W)`` (DCGAN).
    latent_dim : int
        Width of the latent code.
    enc_hidden : sequence of int
        Hidden widths of the dense encoders and discriminator (the decoder mirrors them).
    conv_widths : sequence of int
        Channels of the DCGAN stages (image input).
    negative_slope : float, default=0.2
        LeakyReLU slope of the encoders and the discriminator.

    Returns
    -------
    dict of str to torch.nn.Module
        The four networks by name.
    """

    def encoder() -> nn.Module:
        return make_encoder(
            input_shape,
            latent_dim,
            hidden=enc_hidden,
            conv_widths=conv_widths,
            negative_slope=negative_slope,
        )

    decoder = make_generator(
        latent_dim,
        input_shape,
        hidden=tuple(reversed(enc_hidden)),
        conv_widths=conv_widths,
        activation="relu",
        negative_slope=negative_slope,
    )
    disc = Critic(
        make_trunk(
            input_shape, hidden=enc_hidden, conv_widths=conv_widths, negative_slope=negative_slope
        )
    )
    return {"encoder": encoder(), "decoder": decoder, "encoder2": encoder(), "discriminator": disc}
