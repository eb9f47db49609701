"""Sizing rules for data without a paper preset, shared by several detectors.

They were fitted to [DA3D-A] Table 1 (`ganad.presets.TABLE1`) and are used by the AAE, DA3D,
A3 and the baselines of DA3D's Table 2 (f-AnoGAN, GANomaly, Deep SVDD), so they live here and
not in any one detector's folder.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "BIG_ALARM",
    "CONV_CODE_DIM",
    "SMALL_ALARM",
    "default_aae_dims",
    "default_alarm_hidden",
    "default_batch_size",
    "is_conv_input",
    "wide_aae_dims",
    "wide_code_aae_dims",
]

#: Code size of the convolutional AAE for 28x28 images (METHODS §2.2.2).
CONV_CODE_DIM = 16
#: The alarm network sizes of [DA3D-A] Table 1: the big one, and the small one (Mammography).
BIG_ALARM = (1000, 500, 200, 75)
SMALL_ALARM = (100, 50, 25, 10)


def is_conv_input(input_shape: Sequence[int]) -> bool:
    """The convolutional networks apply to 28x28 images with any channel count (MNIST-like).

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample, e.g. ``(d,)`` for a table or ``(C, H, W)`` for images.

    Returns
    -------
    bool
        True for ``(C, 28, 28)``.
    """
    return len(input_shape) == 3 and tuple(input_shape[1:]) == (28, 28)


def default_aae_dims(n_features: int) -> tuple[int, ...]:
    """Encoder sizes for data sets without a paper preset.

    Fitted to DA3D's Table 1 (Mammo 6 -> 12..2, CC 29 -> 50..5, KDD 126 -> 150..10, Census 510 ->
    600..15): code = clip(round(sqrt(d)), 2, 16); first width = round(1.2 d + 10); six layers in
    total, widths geometric between the first width and the code.

    Parameters
    ----------
    n_features : int
        Input features d.

    Returns
    -------
    tuple of int
        Six encoder widths, the last one the code size.
    """
    code = int(np.clip(round(math.sqrt(n_features)), 2, 16))
    first = round(1.2 * n_features + 10)
    widths = np.geomspace(first, code, 6)
    dims = [max(round(float(w)), code) for w in widths[:-1]] + [code]
    return tuple(dims)


def wide_aae_dims(n_features: int) -> tuple[int, ...]:
    """Encoder sizes of DA3D's AAE for unknown data (`aae_sizing="wide"`, issue #15).

    Two hidden layers of at least 64 and 32 units (the feature count and half of it for wider
    data) and a code of half the features, clipped to [2, 32]: (64, 32, 3) for 6 features,
    (64, 32, 16) for 32, (126, 63, 32) for 126. Table 1's rule (`default_aae_dims`) gives
    codes of about sqrt(d), 2-16 values, which a plain autoencoder's 32 outdo on multimodal
    normal data (vowels: ROC-AUC .820 with Table 1's sizes, .930 with these).

    Parameters
    ----------
    n_features : int
        The number of input features.

    Returns
    -------
    tuple of int
        The encoder widths, the last one the code size.
    """
    half = round(n_features / 2)
    return (max(64, n_features), max(32, half), int(np.clip(half, 2, 32)))


#: Code size of `wide_code_aae_dims`: the bottleneck of PyOD's AutoEncoder (hidden 64, 32).
WIDE_CODE_DIM = 32


def wide_code_aae_dims(n_features: int) -> tuple[int, ...]:
    """Encoder sizes of DA3D's AAE for unknown data (`aae_sizing="wide_code"`, the default):
    the hidden layers of `wide_aae_dims` and a code of `WIDE_CODE_DIM` values whatever the
    feature count.

    On narrow tables the code is wider than the input, as in a plain autoencoder's 32-unit
    bottleneck: what keeps the AAE from copying its input is the prior regularisation, which
    pulls the codes to N(0, I), and dropout, not the width. Halving the features lost detail of
    multimodal normal data (development sets and synthetic local-anomaly tables, issue #15: mean
    ROC-AUC .929 with half-width codes, .935 with these, over seeds 0-2;
    ``docs/results/one_class/dev_round7.csv``).

    Parameters
    ----------
    n_features : int
        The number of input features.

    Returns
    -------
    tuple of int
        The encoder widths, the last one the code size: (64, 32, 32) for 6 features,
        (126, 63, 32) for 126.
    """
    return (*wide_aae_dims(n_features)[:-1], WIDE_CODE_DIM)


def default_batch_size(n_samples: int) -> int:
    """The power of two nearest n/64, clipped to [64, 4096].

    Close to the DA3D code's per-data-set choices (Mammography 8.8k -> 128, CC 230k -> 4096).

    Parameters
    ----------
    n_samples : int
        Training rows n.

    Returns
    -------
    int
        The mini-batch size.
    """
    return int(np.clip(2 ** round(math.log2(max(n_samples, 1) / 64)), 64, 4096))


def default_alarm_hidden(activation_dim: int) -> tuple[int, ...]:
    """The paper's small alarm for tiny activation vectors (Mammography's 39), the big one
    otherwise (every other data set of Table 1 has >= 150).

    Parameters
    ----------
    activation_dim : int
        Width of the activation vector the alarm reads.

    Returns
    -------
    tuple of int
        `SMALL_ALARM` below 100 activations, else `BIG_ALARM`.
    """
    return SMALL_ALARM if activation_dim < 100 else BIG_ALARM
