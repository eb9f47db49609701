"""Save and load detectors without pickle.

A saved model is a directory holding
  * `config.json`: format marker, ganad version, registry name, constructor parameters and the
    fitted attributes (threshold, shapes, history, detector-specific JSON state);
  * `weights.safetensors`: every network's state dict plus the training scores.
Loading rebuilds the networks from the parameters and input shape, then loads the tensors
strictly (missing, unexpected or mis-shaped tensors are refused). Nothing is unpickled.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .exceptions import ModelFileError

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save_detector"]

logger = logging.getLogger(__name__)

FORMAT = "ganad-model"
FORMAT_VERSION = 1
CONFIG = "config.json"
WEIGHTS = "weights.safetensors"
_SCORES_KEY = "__decision_scores__"


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tuples(value: Any) -> Any:
    """JSON has no tuples; parameters use tuples (immutable defaults), so restore them."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def save_detector(detector: Any, path: str | os.PathLike) -> None:
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(detector, "networks_")
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ganad_version": __version__,
        "detector": detector.name,
        "class": type(detector).__name__,
        "params": _jsonable(detector.get_params(deep=False)),
        "fitted": {
            "threshold_": detector.threshold_,
            "input_shape_": list(detector.input_shape_),
            "seed_": detector.seed_,
            "device_": detector.device_,
            "precision_": detector.precision_,
            "history_": detector.history_,
            "extra": _jsonable(detector._extra_state()),
        },
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in detector.networks_.state_dict().items()}
    tensors[_SCORES_KEY] = torch.from_numpy(np.ascontiguousarray(detector.decision_scores_))
    # Write to temporary names, then rename, so an interrupted save never leaves a half model.
    for name, writer in (
        (WEIGHTS, lambda p: save_file(tensors, p, metadata={"format": FORMAT})),
        (CONFIG, lambda p: Path(p).write_text(json.dumps(config, indent=1))),
    ):
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.")
        os.close(fd)
        try:
            writer(tmp)
            os.replace(tmp, out / name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _read_config(root: Path) -> dict[str, Any]:
    if not root.is_dir():
        raise ModelFileError(
            f"{root} is not a saved ganad model (expected a directory with {CONFIG} and {WEIGHTS})."
        )
    try:
        config = json.loads((root / CONFIG).read_text())
    except FileNotFoundError as exc:
        raise ModelFileError(f"{root} has no {CONFIG}; not a saved ganad model.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{root / CONFIG} is corrupted (not valid JSON: {exc}).") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(
            f"{root / CONFIG} is not a ganad model config (missing format marker {FORMAT!r})."
        )
    if config.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{root} uses model format version {config.get('format_version')}; this ganad reads version {FORMAT_VERSION}."
        )
    return config


def load(path: str | os.PathLike, *, device: str | None = None):
    """Load a detector saved with `save()`. `device` overrides the saved device setting; a model
    trained on a GPU loads on a machine without one (falling back to the CPU with a warning)."""
    from ._device import resolve_device
    from .registry import get_detector

    root = Path(path)
    config = _read_config(root)
    try:
        params = _tuples(dict(config["params"]))
        fitted = config["fitted"]
        detector = get_detector(config["detector"], **params)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{root / CONFIG} is inconsistent: {exc}") from exc
    if device is not None:
        detector.set_params(device=device)
    try:
        dev = resolve_device(detector.device)
    except ValueError:
        logger.warning(
            "Saved device %r is not available here; loading the model on the CPU.", detector.device
        )
        detector.set_params(device="cpu")
        dev = torch.device("cpu")
    try:
        tensors = load_file(str(root / WEIGHTS), device="cpu")
    except FileNotFoundError as exc:
        raise ModelFileError(f"{root} has no {WEIGHTS}.") from exc
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(
            f"{root / WEIGHTS} is corrupted or not a safetensors file: {exc}"
        ) from exc
    try:
        scores = tensors.pop(_SCORES_KEY).double().numpy()
        detector.input_shape_ = tuple(int(s) for s in fitted["input_shape_"])
        detector.n_features_in_ = int(np.prod(detector.input_shape_))
        detector.seed_ = int(fitted["seed_"])
        detector.device_ = str(dev)
        # Scored in the precision it was trained in, so saved and loaded scores agree anywhere.
        detector.precision_ = str(fitted.get("precision_", "float32"))
        if detector.precision_ not in ("float32", "bfloat16"):
            raise ValueError(f"unknown precision_ {detector.precision_!r}")
        detector.history_ = {k: list(v) for k, v in fitted["history_"].items()}
        detector._set_extra_state(fitted.get("extra", {}))
        networks = detector._assemble_networks()
        networks.load_state_dict(tensors, strict=True)
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{root} does not match a {config['detector']} model with its saved parameters: {exc}"
        ) from exc
    detector.networks_ = networks.to(dev).eval()
    detector.decision_scores_ = scores
    detector.threshold_ = float(fitted["threshold_"])
    detector.labels_ = (scores > detector.threshold_).astype(np.int64)
    return detector
