"""Activation factory shared by the networks."""

from __future__ import annotations

from torch import nn

__all__ = ["ACTIVATIONS", "HIDDEN_ACTIVATIONS", "make_activation"]

#: Activations offered for hidden layers (the detectors' `activation` parameters).
HIDDEN_ACTIVATIONS = ("lrelu", "relu", "selu", "tanh", "elu")
#: Every activation `make_activation` builds (sigmoid too, for outputs and DAGMM's layers).
ACTIVATIONS = (*HIDDEN_ACTIVATIONS, "sigmoid")


def make_activation(name: str, negative_slope: float = 0.01) -> nn.Module:
    """LeakyReLU uses slope 0.01 by default: the DA3D code always passes 0.01 (Keras' own default is 0.3).

    Parameters
    ----------
    name : str
        One of `ACTIVATIONS`: "lrelu", "relu", "selu", "tanh", "elu" or "sigmoid".
    negative_slope : float, default=0.01
        Slope of LeakyReLU for negative inputs (used by "lrelu" only).

    Returns
    -------
    torch.nn.Module
        A fresh activation module.

    Raises
    ------
    ValueError
        For an unknown `name`.
    """
    if name == "lrelu":
        return nn.LeakyReLU(negative_slope)
    if name == "relu":
        return nn.ReLU()
    if name == "selu":
        return nn.SELU()
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "elu":
        return nn.ELU()
    raise ValueError(f"Unknown activation {name!r}; choose from {ACTIVATIONS}.")
