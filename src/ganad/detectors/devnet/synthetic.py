"""Synthetic "simple" anomalies for DevNet without labels ([DA3D-B] experiment 3).

DA3D-B fed DevNet 100 anomalies made by decoding latent samples drawn from N(0, 1.5) (variance)
through a pre-trained AAE. `latent_gaussian_anomalies` does that with any fitted ganad detector
that has a `decoder` network (e.g. `ganad.get_detector("aae")`); pass the result as
`DevNet(synthetic_anomalies=...)`.
"""

from __future__ import annotations

from typing import SupportsInt, cast

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ...base import BaseDetector
from ...nn.utils import InputScaler

__all__ = ["latent_gaussian_anomalies"]


def _code_dim(decoder: torch.nn.Module) -> int:
    if hasattr(decoder, "code_dim"):  # a plain int attribute (e.g. `ConvDecoder28`)
        return int(cast(SupportsInt, decoder.code_dim))
    first = next((m for m in decoder.modules() if isinstance(m, torch.nn.Linear)), None)
    if first is None:
        raise TypeError(f"Cannot infer the code size of decoder {type(decoder).__name__}.")
    return int(first.in_features)


@torch.no_grad()
def latent_gaussian_anomalies(
    autoencoder: BaseDetector,
    n: int = 100,
    *,
    variance: float = 1.5,
    random_state: int | None = None,
) -> np.ndarray:
    """`n` samples sigmoid(decoder(z)), z ~ N(0, variance·I), mapped back to the autoencoder's
    input units (its min-max scaling inverted), shape (n, *input_shape), float32.

    Parameters
    ----------
    autoencoder : BaseDetector
        A fitted detector with a "decoder" network (e.g. the AAE), applied in eval mode.
    n : int, default=100
        Number of samples (>= 1).
    variance : float, default=1.5
        Variance of the latent Gaussian (> 0).
    random_state : int or None, default=None
        Seed of the latent draws; None: fresh entropy.

    Returns
    -------
    numpy.ndarray of shape (n, *input_shape)
        The decoded samples in the autoencoder's input units.
    """
    check_is_fitted(autoencoder, "networks_")
    if "decoder" not in autoencoder.networks_:
        raise TypeError(
            f"{type(autoencoder).__name__} has no 'decoder' network to decode latent samples with."
        )
    if n < 1 or variance <= 0:
        raise ValueError(f"n must be >= 1 and variance > 0, got n={n}, variance={variance}.")
    decoder = autoencoder.networks_["decoder"].eval()
    rng = np.random.default_rng(random_state)
    z = rng.normal(0.0, np.sqrt(variance), size=(n, _code_dim(decoder))).astype(np.float32)
    param = next(decoder.parameters())
    scaled = torch.sigmoid(decoder(torch.from_numpy(z).to(param.device)))
    scaled = scaled.reshape(n, *autoencoder.input_shape_).cpu()
    scaler = cast(InputScaler, autoencoder.networks_["scaler"])
    if scaler.mode == "none":
        return scaled.numpy()
    return (scaled / scaler.scale.cpu() + scaler.offset.cpu()).numpy().astype(np.float32)
