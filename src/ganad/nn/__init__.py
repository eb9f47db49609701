"""Network building blocks shared by the detectors."""

from .conv import ConvDecoder28, ConvEncoder28, keras_batchnorm
from .init import keras_init_, normal_init_
from .layers import make_activation
from .mlp import MLP
from .utils import InputScaler, adam, clip_grad_norm, frozen, set_requires_grad

__all__ = [
    "MLP",
    "ConvDecoder28",
    "ConvEncoder28",
    "InputScaler",
    "adam",
    "clip_grad_norm",
    "frozen",
    "keras_batchnorm",
    "keras_init_",
    "make_activation",
    "normal_init_",
    "set_requires_grad",
]
