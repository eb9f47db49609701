"""DevNet scoring network (Pang et al. 2019, `dev_network_s`): input -> Dense(20, ReLU) -> Dense(1).

`hidden=(1000, 250, 20)` gives the paper's deeper `dev_network_d`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from torch import nn

from ...nn import MLP

__all__ = ["build_devnet"]


def build_devnet(input_shape: Sequence[int], hidden: Sequence[int]) -> dict[str, nn.Module]:
    """One network: ReLU hidden layers and a linear scalar anomaly score.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample (flattened).
    hidden : sequence of int
        Hidden widths.

    Returns
    -------
    dict of str to torch.nn.Module
        ``{"scorer": MLP}``.
    """
    return {"scorer": MLP(int(np.prod(input_shape)), tuple(hidden), 1, activation="relu")}
