"""Refusals before any work is done (exit 2 now, not after an hour of training): unknown
detectors and parameters, unknown data sets, an unwritable model directory."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    from ..bench.experiment import Experiment

__all__ = ["check_detector_params", "check_known_datasets", "check_output_dir"]


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=3)
    return f" Did you mean {', '.join(close)}?" if close else ""


def check_detector_params(name: str, params: dict[str, Any], preset: str | None) -> type:
    """The detector class of `name`, after checking the parameter names and the preset.

    Parameters
    ----------
    name : str
        Registry name of the detector.
    params : dict of str to Any
        Parameters given on the command line (`--set`); only the names are checked.
    preset : str or None
        Preset name, or None.

    Returns
    -------
    type
        The detector class; an unknown name, parameter or preset raises `UsageError`.
    """
    from ..registry import detector_class, list_detectors

    try:
        cls = detector_class(name)
    except ValueError:
        hint = _did_you_mean(name, list_detectors())
        raise UsageError(
            f"unknown detector {name!r}.{hint} Available: {', '.join(list_detectors())} (see "
            "`ganad list`)."
        ) from None
    valid = sorted(cls._get_param_names())
    for key in params:
        if key not in valid:
            hint = _did_you_mean(key, valid)
            raise UsageError(
                f"unknown parameter {key!r} for detector {name!r}.{hint} Valid keys: "
                f"{', '.join(valid)}."
            )
    if preset is not None and preset not in cls.PRESETS:
        raise UsageError(
            f"detector {name!r} has no preset {preset!r}; presets: "
            f"{', '.join(sorted(cls.PRESETS)) or 'none'}."
        )
    return cls


def check_known_datasets(exp: Experiment) -> None:
    """An experiment naming a data set nobody knows is a typo (exit 2), not a grid of zero
    runs; a known set that is merely absent here is skipped by the runner, as documented.

    Parameters
    ----------
    exp : Experiment
        The experiment; data-set entries that are file names are not checked.
    """
    from ..bench.runner import dataset_available
    from ..data.sources import get_info
    from ..data.table import is_data_file_name

    unknown = []
    for spec in exp.datasets:
        if is_data_file_name(spec.name):
            continue
        try:
            get_info(spec.name)
        except ValueError:
            unknown.append(spec.name)
    if unknown:
        _, why = dataset_available(unknown[0])
        raise UsageError(f"experiment {exp.name!r} names unknown data set(s) {unknown}: {why}")


def check_output_dir(out: Path) -> None:
    """Fail before training when the model directory cannot be written (exit 2, not after an
    hour of training): an existing file, a non-model directory, an unwritable parent.

    Parameters
    ----------
    out : pathlib.Path
        The model directory `--out`.
    """
    from ..persistence import CONFIG

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is an existing file; give a directory for the model.")
    if out.is_dir() and any(out.iterdir()) and not (out / CONFIG).is_file():
        raise UsageError(
            f"--out {out} is a non-empty directory that is not a ganad model; refusing to "
            "replace it."
        )
    parent = out.parent  # the save stages beside `out` and renames there
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: {parent} is not writable.")
