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
    "auto": "ganad.auto.detector:AutoDetector",
    "da3d": "ganad.da3d.detector:DA3D",
    "a3": "ganad.a3.detector:A3",
    "aae": "ganad.aae.detector:AAE",
    "fence_gan": "ganad.fence_gan.detector:FenceGAN",
    "anogan": "ganad.anogan.detector:AnoGAN",
    "fanogan": "ganad.fanogan.detector:FAnoGAN",
    "egbad": "ganad.egbad.detector:EGBAD",
    "alad": "ganad.alad.detector:ALAD",
    "ganomaly": "ganad.ganomaly.detector:GANomaly",
    "deepsvdd": "ganad.deepsvdd.detector:DeepSVDD",
    "dagmm": "ganad.dagmm.detector:DAGMM",
    "devnet": "ganad.devnet.detector:DevNet",
    "repen": "ganad.repen.detector:REPEN",
    "dte": "ganad.dte.detector:DTE",
    "dte_np": "ganad.dte.detector:DTENonParametric",
    "kdsm": "ganad.kdsm.detector:KDSM",
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
