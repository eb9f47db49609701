"""Detector registry: `get_detector(name, preset=None, **params)` and `list_detectors()`.

Each detector class registers itself with the `register_detector` decorator next to its
definition (torchvision's `register_model` pattern), under its `name`. The detector modules are
imported on the first registry call, not by `import ganad`, so importing the package stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the detectors import the registry; only the annotations need the base
    from .base import BaseDetector

__all__ = ["detector_class", "get_detector", "list_detectors", "register_detector"]

T = TypeVar("T", bound="type[BaseDetector]")

_REGISTRY: dict[str, type[BaseDetector]] = {}


def register_detector(cls: T) -> T:
    """Class decorator: make `cls` available as `get_detector(cls.name)`."""
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} needs a non-empty `name` to be registered.")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"detector name {name!r} is already registered by {_REGISTRY[name]}.")
    _REGISTRY[name] = cls
    return cls


def _registered() -> dict[str, type[BaseDetector]]:
    # Importing the detectors package imports every detector module, whose decorators fill the
    # registry.
    importlib.import_module("ganad.detectors")
    return _REGISTRY


def list_detectors() -> list[str]:
    """Names of the registered detectors, sorted."""
    return sorted(_registered())


def detector_class(name: str) -> type[BaseDetector]:
    """The class registered as `name`.

    Parameters
    ----------
    name : str
        A registry name from `list_detectors()`; anything else raises `ValueError`.

    Returns
    -------
    type
        The detector class.
    """
    registered = _registered()
    if not isinstance(name, str) or name not in registered:
        raise ValueError(f"Unknown detector {name!r}; available: {', '.join(sorted(registered))}.")
    return registered[name]


def get_detector(name: str, preset: str | None = None, **params: Any) -> BaseDetector:
    """Build a detector by registry name; `preset` picks a named parameter set (e.g. "kdd"),
    and explicit `params` override it.

    Parameters
    ----------
    name : str
        A registry name from `list_detectors()`.
    preset : str or None, default None
        A key of the detector's `PRESETS`; None: the class defaults.
    **params
        Constructor parameters of the detector; unknown names raise `ValueError`.

    Returns
    -------
    BaseDetector
        The unfitted detector.
    """
    cls = detector_class(name)
    base: dict[str, Any] = {}
    if preset is not None:
        if preset not in cls.PRESETS:
            raise ValueError(
                f"Detector {name!r} has no preset {preset!r}; presets: "
                f"{', '.join(sorted(cls.PRESETS)) or 'none'}."
            )
        base = dict(cls.PRESETS[preset])
    merged = {**base, **params}
    valid = set(cls._get_param_names())
    unknown = sorted(set(merged) - valid)
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown} for detector {name!r}; valid: {', '.join(sorted(valid))}."
        )
    return cls(**merged)
