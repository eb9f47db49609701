"""What a detector can do, declared next to its class (like scikit-learn's `__sklearn_tags__`).

Code that treats detectors generically (the runner, the command line, `explain`, the plots,
`fit` itself) reads `get_tags(detector)` instead of probing attributes by name. A detector
declares its own by overriding `__ganad_tags__`, starting from its parent's::

    def __ganad_tags__(self) -> DetectorTags:
        return replace(super().__ganad_tags__(), uses_labels=True)

Tags may depend on parameters (Fence GAN needs validation data only with
`model_selection="best_validation"`), so they are computed per instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DetectorTags", "get_tags"]


@dataclass(frozen=True)
class DetectorTags:
    """Capabilities of one detector instance.

    Parameters
    ----------
    uses_labels : bool, default False
        `fit(X, y)` reads `y` (1 = known anomaly); otherwise `y` is ignored, as scikit-learn's
        outlier detectors do.
    supports_images : bool, default True
        4-D image input (n, C, H, W) is accepted.
    supports_checkpoint : bool, default False
        Every training stage runs through the shared loop with its optimisers and counters, so
        `fit(checkpoint=...)` resumes exactly.
    accepts_validation_data : bool, default False
        `fit(..., validation_data=(X_val, y_val))` is used (validation metrics in `history_`).
    requires_validation_data : bool, default False
        `fit` needs `validation_data` (model selection on labelled validation rows).
    tabular_scaling : {"feature", "standard"}, default "feature"
        What `scaling="auto"` means for tabular data: "feature" (min-max, the papers' protocol
        for the GAN detectors) or "standard" (z-score, the DTE papers' preprocessing).
    tiled_cpu_scoring : bool, default True
        On a CPU, a scoring batch may be cut into cache-sized slices with identical results.
        False where the batch itself is part of the result (a batched latent search whose
        random starts are drawn per batch).
    differentiable_score : bool, default True
        The score is differentiable in the input (integrated gradients apply); otherwise
        `explain` falls back to feature ablation.
    auto_bf16 : bool, default False
        `precision="auto"` trains and scores under bfloat16 autocast on devices with native
        bf16; only where measured to keep the detector's accuracy.
    samples_anomalous_codes : bool, default False
        The detector can draw anomalies in its code space (`anomalous_codes`), e.g. DA3D's
        generator; plots decode them.
    """

    uses_labels: bool = False
    supports_images: bool = True
    supports_checkpoint: bool = False
    accepts_validation_data: bool = False
    requires_validation_data: bool = False
    tabular_scaling: Literal["feature", "standard"] = "feature"
    tiled_cpu_scoring: bool = True
    differentiable_score: bool = True
    auto_bf16: bool = False
    samples_anomalous_codes: bool = False


def get_tags(detector: object) -> DetectorTags:
    """The tags of a detector instance (defaults for objects that declare none).

    Parameters
    ----------
    detector : object
        A detector instance (or any object); its class's `__ganad_tags__` is called if it has
        one.

    Returns
    -------
    DetectorTags
        The detector's capabilities.
    """
    declare = getattr(type(detector), "__ganad_tags__", None)
    return declare(detector) if declare is not None else DetectorTags()
