"""Save and load detectors without pickle.

A saved model is a directory holding
  * `config.json`: format marker, ganad version, registry name, constructor parameters and the
    fitted attributes (threshold, shapes, history, detector-specific JSON state);
  * `weights.safetensors`: every network's state dict plus the training scores, its SHA-256
    recorded in the config and checked on load.
Loading rebuilds the networks from the parameters and input shape, then loads the tensors
strictly (missing, unexpected or mis-shaped tensors are refused). Nothing is unpickled.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import math
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ._files import remove_stale, temp_prefix
from ._json import jsonable as _jsonable
from .exceptions import ModelFileError

if TYPE_CHECKING:
    from .base import BaseDetector

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "load_detector", "save_detector"]

logger = logging.getLogger(__name__)

FORMAT = "ganad-model"
#: 2: the config records the weights' SHA-256. Version 1 files (no digest) still load, with a
#: warning that their integrity cannot be checked.
FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)
CONFIG = "config.json"
WEIGHTS = "weights.safetensors"
_SCORES_KEY = "__decision_scores__"
#: Held-back normal rows' scores when `set_threshold(X=...)` set the threshold on them.
_CALIBRATION_KEY = "__calibration_scores__"
#: The training median row (`feature_medians_`, the baseline of `explain`).
_MEDIANS_KEY = "__feature_medians__"


def _tuples(value: Any) -> Any:
    """JSON has no tuples; parameters use tuples (immutable defaults), so restore them."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def save_detector(
    detector: BaseDetector,
    path: str | os.PathLike,
    *,
    extra_files: Mapping[str, str] | None = None,
) -> None:
    """Write the model (and `extra_files`, name -> text, e.g. the CLI's preprocessing) into a
    temporary sibling directory, then swap it in for `path` in one step: an interrupted save
    leaves the previous model or the new one, never a mix, and no file of an earlier save
    survives a save of another model.

    Parameters
    ----------
    detector : BaseDetector
        A fitted ganad detector.
    path : str or path-like
        The model directory; an existing one is replaced only if it is a ganad model (or
        empty).
    extra_files : mapping of str to str or None, default None
        Further files to write next to `config.json`: file name to text content.
    """
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(detector, "networks_")
    out = Path(path)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out, kinds=("tmp", "old"))
    tensors = {k: v.detach().cpu().contiguous() for k, v in detector.networks_.state_dict().items()}
    tensors[_SCORES_KEY] = torch.from_numpy(np.ascontiguousarray(detector.decision_scores_))
    calibration = getattr(detector, "calibration_scores_", detector.decision_scores_)
    if calibration is not detector.decision_scores_:
        tensors[_CALIBRATION_KEY] = torch.from_numpy(np.ascontiguousarray(calibration))
    if hasattr(detector, "feature_medians_"):
        medians = np.ascontiguousarray(detector.feature_medians_, dtype=np.float32)
        tensors[_MEDIANS_KEY] = torch.from_numpy(medians)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=temp_prefix(out, "tmp")))
    try:
        save_file(tensors, str(staging / WEIGHTS), metadata={"format": FORMAT})
        config = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "ganad_version": __version__,
            "detector": detector.name,
            "class": type(detector).__name__,
            "params": _jsonable(detector.get_params(deep=False)),
            "fitted": {
                "threshold_": detector.threshold_,
                "threshold_source_": getattr(detector, "threshold_source_", "training"),
                "feature_names_in_": (
                    [str(c) for c in detector.feature_names_in_]
                    if hasattr(detector, "feature_names_in_")
                    else None
                ),
                "input_shape_": list(detector.input_shape_),
                "seed_": detector.seed_,
                "device_": detector.device_,
                "precision_": detector.precision_,
                "history_": detector.history_,
                "extra": _jsonable(detector._extra_state()),
            },
            "sha256": {WEIGHTS: _sha256(staging / WEIGHTS)},
        }
        (staging / CONFIG).write_text(json.dumps(config, indent=1))
        for name, text in (extra_files or {}).items():
            (staging / name).write_text(text)
        for file in staging.iterdir():
            _fsync(file)
        _swap_in(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _check_replaceable(out: Path) -> None:
    """Refuse to replace a file, or a directory that holds files but is not a ganad model."""
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise ModelFileError(f"{out} exists and is not a directory; cannot save a model there.")
        if any(out.iterdir()) and not (out / CONFIG).is_file():
            raise ModelFileError(
                f"{out} is a non-empty directory without a {CONFIG}; refusing to replace it with "
                "a model (choose a new or empty directory)."
            )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(staging: Path, out: Path) -> None:
    """Make `staging` the directory at `out`: one rename when `out` is new, else an atomic
    exchange (Linux renameat2) or, where that is missing, rename-aside + rename."""
    if not out.exists():
        os.rename(staging, out)
        return
    if not _exchange(staging, out):
        aside = Path(tempfile.mkdtemp(dir=out.parent, prefix=temp_prefix(out, "old")))
        os.rmdir(aside)
        os.rename(out, aside)
        try:
            os.rename(staging, out)
        except OSError:
            os.rename(aside, out)  # the previous model stays in place
            raise
        staging = aside
    shutil.rmtree(staging, ignore_errors=True)  # now holds the previous model


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: A config larger than this is not one ganad wrote (the loss history is the largest part).
_MAX_CONFIG_BYTES = 64 << 20


def _regular_file(path: Path, what: str) -> Path:
    """`path` if it is a regular file; FIFOs, devices, directories and dangling links are
    refused before anything opens them (a FIFO would block the read forever)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise ModelFileError(f"{path.parent} has no {path.name}; not a saved ganad model.") from exc
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read: {exc}") from exc
    if not stat.S_ISREG(mode):
        raise ModelFileError(f"{path} ({what}) is not a regular file.")
    return path


def _read_config(root: Path) -> dict[str, Any]:
    if not root.is_dir():
        raise ModelFileError(
            f"{root} is not a saved ganad model (expected a directory with {CONFIG} and {WEIGHTS})."
        )
    path = _regular_file(root / CONFIG, "the model config")
    if path.stat().st_size > _MAX_CONFIG_BYTES:
        raise ModelFileError(
            f"{path} is larger than {_MAX_CONFIG_BYTES >> 20} MiB; not a ganad config."
        )
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise ModelFileError(f"{path} is corrupted (not valid JSON: {reason}).") from exc
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(
            f"{path} is not a ganad model config (missing format marker {FORMAT!r})."
        )
    if config.get("format_version") not in _READABLE_VERSIONS:
        raise ModelFileError(
            f"{root} uses model format version {config.get('format_version')}; this ganad reads versions {_READABLE_VERSIONS}."
        )
    return config


def load(path: str | os.PathLike, *, device: str | None = None):
    """Load a saved model: an `AnomalyPipeline` (preprocessing + detector: what `ganad fit` and
    `pipeline.save()` write, scoring raw rows) or a detector saved with `detector.save()`.
    `device` and the errors are those of `load_detector`.

    Parameters
    ----------
    path : str or path-like
        A model directory written by `save()` or `ganad fit`.
    device : str or None, default None
        Device to load onto ("cpu", "cuda", "cuda:<i>", "mps", "auto"); None: the saved
        setting, falling back to the CPU where that device is missing.

    Returns
    -------
    AnomalyPipeline or BaseDetector
        The fitted model.
    """
    from .pipeline import is_pipeline_dir, load_pipeline

    if is_pipeline_dir(path):
        return load_pipeline(path, device=device)
    return load_detector(path, device=device)


def load_detector(path: str | os.PathLike, *, device: str | None = None):
    """Load a detector saved with `save()` (of a pipeline directory: its detector alone). `device` overrides the saved device setting; a model
    trained on a GPU loads on a machine without one (falling back to the CPU with a warning).

    Every problem with the files is a `ModelFileError` naming the file: a weights file whose
    digest differs from the one recorded at save time (flipped bytes, another model's file),
    non-finite weights or threshold, stored parameters outside the detector's constraints,
    missing keys, non-regular files.

    Parameters
    ----------
    path : str or path-like
        A directory written by `detector.save()` (or a pipeline directory).
    device : str or None, default None
        Device to load onto ("cpu", "cuda", "cuda:<i>", "mps", "auto"); None: the saved
        setting, falling back to the CPU where that device is missing.

    Returns
    -------
    BaseDetector
        The fitted detector.
    """
    root = Path(path)
    config = _read_config(root)
    try:
        return _load(root, config, device)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
        what = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ModelFileError(f"{root / CONFIG} is inconsistent: {what}") from exc


def _detector_from_config(config: dict[str, Any], device: str | None) -> tuple[Any, torch.device]:
    """The unfitted detector of `config`'s parameters and the device it loads on: `device`, else
    the saved one, else the CPU."""
    from ._device import resolve_device
    from .registry import detector_class, get_detector

    params = _tuples(dict(config["params"]))
    cls = detector_class(config["detector"])
    # A model saved before a parameter existed was trained (and scores) as it was then.
    valid = set(cls._get_param_names())
    params = {
        **{k: v for k, v in cls.SAVED_BEFORE.items() if k in valid and k not in params},
        **params,
    }
    detector = get_detector(config["detector"], **params)
    detector._validate_params()  # stored hyperparameters obey the detector's own constraints
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
    return detector, dev


def _checked_tensors(root: Path, config: dict[str, Any]) -> tuple[Path, dict[str, torch.Tensor]]:
    """The weights file and its tensors, refused when its digest or values are wrong."""
    weights = _regular_file(root / WEIGHTS, "the model weights")
    expected = (config.get("sha256") or {}).get(WEIGHTS)
    if config.get("format_version") == 1:
        logger.warning(
            "%s was saved by an older ganad (format 1, no digest): its weights cannot be checked "
            "for corruption; save it again to record one.",
            root,
        )
    elif not isinstance(expected, str):
        raise ModelFileError(f"{root / CONFIG} records no digest of {WEIGHTS}.")
    elif _sha256(weights) != expected:
        raise ModelFileError(
            f"{weights} does not match the digest recorded in {CONFIG} (corrupted, or the "
            "weights of another model)."
        )
    try:
        tensors = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"{weights} is corrupted or not a safetensors file: {exc}") from exc
    bad = [k for k, t in tensors.items() if t.is_floating_point() and not torch.isfinite(t).all()]
    if bad:
        raise ModelFileError(f"{weights} holds non-finite values in {bad[:5]}.")
    return weights, tensors


def _checked_threshold(root: Path, fitted: dict[str, Any]) -> float:
    threshold = fitted["threshold_"]
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not math.isfinite(threshold)
    ):
        raise ModelFileError(
            f"{root / CONFIG}: threshold_ must be a finite number, got {threshold!r}."
        )
    return float(threshold)


def _load(root: Path, config: dict[str, Any], device: str | None):
    fitted = config["fitted"]
    detector, dev = _detector_from_config(config, device)
    weights, tensors = _checked_tensors(root, config)
    threshold = _checked_threshold(root, fitted)
    try:
        scores = tensors.pop(_SCORES_KEY).double().numpy()
        calibration = tensors.pop(_CALIBRATION_KEY, None)
        medians = tensors.pop(_MEDIANS_KEY, None)
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
    detector.calibration_scores_ = scores if calibration is None else calibration.double().numpy()
    detector.threshold_source_ = str(fitted.get("threshold_source_", "training"))
    if medians is not None:  # absent from models saved before `explain`
        if tuple(medians.shape) != detector.input_shape_:
            raise ModelFileError(f"{weights}: {_MEDIANS_KEY} does not match the input shape.")
        detector.feature_medians_ = medians.numpy()
    names = fitted.get("feature_names_in_")
    if names is not None:
        if not isinstance(names, list) or len(names) != detector.n_features_in_:
            raise ModelFileError(f"{root / CONFIG}: feature_names_in_ does not match the input.")
        detector.feature_names_in_ = np.asarray([str(c) for c in names], dtype=object)
    detector.threshold_ = threshold
    detector.labels_ = (scores > detector.threshold_).astype(np.int64)
    return detector
