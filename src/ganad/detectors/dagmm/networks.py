"""DAGMM networks (METHODS §5.9; Zong et al. 2018; tnakae/DAGMM as run by DA3D).

Compression network: a tanh autoencoder whose code is linear and whose reconstruction is linear.
Estimation network: tanh MLP with dropout, softmax membership over the K mixture components
(the softmax is applied by the caller). The fitted mixture (phi, mu, Sigma and Sigma's Cholesky
factor) lives in buffers of `GaussianMixtureState`, so it is saved with the weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ...nn import MLP

__all__ = ["N_RECONSTRUCTION_FEATURES", "CompressionNetwork", "GaussianMixtureState", "build_dagmm"]

#: Relative Euclidean distance and cosine similarity are appended to the code.
N_RECONSTRUCTION_FEATURES = 2


class CompressionNetwork(nn.Module):
    """Encoder d -> dims[:-1] (tanh) -> dims[-1] (linear code); decoder mirrored -> d (linear).

    Parameters
    ----------
    in_features : int
        Input features d.
    dims : sequence of int
        Encoder widths, the last one the code size.
    activation : str, default="tanh"
        Hidden activation (a name of `ganad.nn.layers.ACTIVATIONS`).
    """

    def __init__(self, in_features: int, dims: Sequence[int], activation: str = "tanh"):
        super().__init__()
        dims = tuple(int(d) for d in dims)
        self.code_dim = dims[-1]
        self.encoder = MLP(in_features, dims[:-1], dims[-1], activation=activation)
        self.decoder = MLP(dims[-1], tuple(reversed(dims[:-1])), in_features, activation=activation)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(code, reconstruction), both flat: (n, code_dim) and (n, d).

        Parameters
        ----------
        x : torch.Tensor of shape (n, d)
            Flattened inputs.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The codes and the reconstructions.
        """
        code = self.encoder(x)
        return code, self.decoder(code)


class GaussianMixtureState(nn.Module):
    """The mixture fitted on the training data after training: weights phi (K,), means mu (K, z),
    covariances cov (K, z, z) and their lower Cholesky factors (jitter included).

    Parameters
    ----------
    n_components : int
        Number K of mixture components.
    dim : int
        Width z of the latent rows.
    """

    phi: torch.Tensor
    mu: torch.Tensor
    cov: torch.Tensor
    cholesky: torch.Tensor

    def __init__(self, n_components: int, dim: int):
        super().__init__()
        self.register_buffer("phi", torch.full((n_components,), 1.0 / n_components))
        self.register_buffer("mu", torch.zeros(n_components, dim))
        self.register_buffer("cov", torch.eye(dim).repeat(n_components, 1, 1))
        self.register_buffer("cholesky", torch.eye(dim).repeat(n_components, 1, 1))

    @torch.no_grad()
    def set_(
        self, phi: torch.Tensor, mu: torch.Tensor, cov: torch.Tensor, cholesky: torch.Tensor
    ) -> None:
        """Store a fitted mixture in the buffers (in place).

        Parameters
        ----------
        phi : torch.Tensor of shape (K,)
            Mixture weights.
        mu : torch.Tensor of shape (K, z)
            Component means.
        cov : torch.Tensor of shape (K, z, z)
            Component covariances.
        cholesky : torch.Tensor of shape (K, z, z)
            Their lower Cholesky factors.
        """
        for name, value in (("phi", phi), ("mu", mu), ("cov", cov), ("cholesky", cholesky)):
            getattr(self, name).copy_(value)


def build_dagmm(
    input_shape: Sequence[int],
    compression_dims: Sequence[int],
    estimation_dims: Sequence[int],
    *,
    activation: str = "tanh",
    dropout: float = 0.5,
) -> dict[str, nn.Module]:
    """Compression network, estimation network (last of `estimation_dims` = K) and the mixture
    state. Images are flattened, as the DA3D baseline's dense image configuration does.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample (flattened to d values).
    compression_dims : sequence of int
        Encoder widths of the compression network, the last one the code size.
    estimation_dims : sequence of int
        Widths of the estimation network, the last one the number K of components.
    activation : str, default="tanh"
        Hidden activation of both networks.
    dropout : float, default=0.5
        Dropout rate of the estimation network's hidden layers.

    Returns
    -------
    dict of str to torch.nn.Module
        "compression", "estimation" and "gmm".
    """
    d = int(np.prod(input_shape))
    z_dim = int(compression_dims[-1]) + N_RECONSTRUCTION_FEATURES
    n_components = int(estimation_dims[-1])
    return {
        "compression": CompressionNetwork(d, compression_dims, activation),
        "estimation": MLP(
            z_dim, tuple(estimation_dims[:-1]), n_components, activation=activation, dropout=dropout
        ),
        "gmm": GaussianMixtureState(n_components, z_dim),
    }
