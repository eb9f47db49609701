"""Detector registry: `get_detector(name, preset=None, **params)` and `list_detectors()`.

Names map to "module:Class" strings and are imported lazily, so `import ganad` stays fast and a
detector's heavy dependencies load only when it is used.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__all__ = ["describe_detector", "detector_class", "get_detector", "list_detectors"]

_REGISTRY: dict[str, str] = {
    "auto": "ganad.detectors.auto.detector:AutoDetector",
    "da3d": "ganad.detectors.da3d.detector:DA3D",
    "a3": "ganad.detectors.a3.detector:A3",
    "aae": "ganad.detectors.aae.detector:AAE",
    "fence_gan": "ganad.detectors.fence_gan.detector:FenceGAN",
    "anogan": "ganad.detectors.anogan.detector:AnoGAN",
    "fanogan": "ganad.detectors.fanogan.detector:FAnoGAN",
    "egbad": "ganad.detectors.egbad.detector:EGBAD",
    "alad": "ganad.detectors.alad.detector:ALAD",
    "ganomaly": "ganad.detectors.ganomaly.detector:GANomaly",
    "deepsvdd": "ganad.detectors.deepsvdd.detector:DeepSVDD",
    "dagmm": "ganad.detectors.dagmm.detector:DAGMM",
    "devnet": "ganad.detectors.devnet.detector:DevNet",
    "repen": "ganad.detectors.repen.detector:REPEN",
    "dte": "ganad.detectors.dte.detector:DTE",
    "dte_np": "ganad.detectors.dte.detector:DTENonParametric",
    "kdsm": "ganad.detectors.kdsm.detector:KDSM",
}


def _available(target: str) -> bool:
    module = target.split(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def list_detectors() -> list[str]:
    """Names of the detectors available in this installation."""
    return [name for name, target in _REGISTRY.items() if _available(target)]


def detector_class(name: str) -> type:
    if not isinstance(name, str) or name not in _REGISTRY or not _available(_REGISTRY[name]):
        raise ValueError(f"Unknown detector {name!r}; available: {', '.join(list_detectors())}.")
    module, cls = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)


def get_detector(name: str, preset: str | None = None, **params: Any):
    """Build a detector by registry name; `preset` picks a named parameter set (e.g. "kdd"),
    and explicit `params` override it."""
    cls = detector_class(name)
    base: dict[str, Any] = {}
    if preset is not None:
        if preset not in cls.PRESETS:
            raise ValueError(
                f"Detector {name!r} has no preset {preset!r}; presets: {', '.join(sorted(cls.PRESETS)) or 'none'}."
            )
        base = dict(cls.PRESETS[preset])
    merged = {**base, **params}
    valid = set(cls().get_params(deep=False))
    unknown = sorted(set(merged) - valid)
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown} for detector {name!r}; valid: {', '.join(sorted(valid))}."
        )
    return cls(**merged)


def describe_detector(name: str) -> str:
    """First line of the detector's docstring."""
    doc = detector_class(name).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
