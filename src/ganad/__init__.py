"""ganad: generative anomaly detection (DA3D, A3, Fence GAN and GAN-based detectors)."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .exceptions import NotFittedError, TrainingDivergedError
from .persistence import load
from .registry import get_detector, list_detectors

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "NotFittedError",
    "TrainingDivergedError",
    "__version__",
    "get_detector",
    "list_detectors",
    "load",
]
