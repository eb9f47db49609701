"""ganad: generative anomaly detection (DA3D, A3, Fence GAN and GAN-based detectors)."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .exceptions import NotFittedError, TrainingDivergedError
from .persistence import load
from .registry import get_detector, list_detectors

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str):
    # The pipeline pulls in pandas and scikit-learn's transformers: imported on first use, so
    # `import ganad` stays fast.
    if name in ("AnomalyPipeline", "make_pipeline"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'ganad' has no attribute {name!r}")


__all__ = [
    "AnomalyPipeline",
    "NotFittedError",
    "TrainingDivergedError",
    "__version__",
    "get_detector",
    "list_detectors",
    "load",
    "make_pipeline",
]
