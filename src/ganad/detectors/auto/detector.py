"""`auto`: the detector ganad recommends for a table nobody tuned for.

It picks, from the data's kind and size only (never from labels), one of the detectors that
lead the one-class benchmark (`docs/results/one_class/`), and then behaves exactly as that
detector with its defaults:

* tabular data whose nearest-neighbour scoring stays cheap (reference rows x features
  <= `knn_budget`): DTE-NP, the closed-form diffusion-time posterior from the nearest training
  rows, which needs no training;
* larger tables and images: the neural DTE, whose scoring is one forward pass whatever the
  training-set size, with its training budget scaled to the data (about 4,000 updates).

`kind` forces one of the two. The choice is fitted state (`kind_`), saved with the model.
"""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ... import _validation as V
from ...base import COMMON_CONSTRAINTS, BaseDetector
from ...registry import detector_class, register_detector
from ...tags import DetectorTags
from ...training import TrainingContext

__all__ = ["AutoDetector", "choose_kind"]

KINDS = ("dte_np", "dte")

#: Reference rows x features of DTE-NP's scoring: about 1e6 multiply-adds per scored row. On one
#: CPU core DTE-NP scores ~2,000 rows/s at 20,000 x 100 and the neural DTE ~100,000
#: (benchmarks/auto_speed.py, docs/results/one_class), so above this the neural DTE is chosen.
DEFAULT_KNN_BUDGET = 1_000_000


#: DTE-NP needs more training rows than its neighbours (5) to leave each row out of its own score.
_MIN_KNN_ROWS = 6


def choose_kind(n_rows: int, input_shape: tuple[int, ...], knn_budget: int) -> str:
    """DTE-NP ("dte_np") for tabular data with n_rows x n_features <= knn_budget and enough rows
    for its neighbours, else the neural DTE ("dte").

    Parameters
    ----------
    n_rows : int
        Training rows.
    input_shape : tuple of int
        Shape of one sample; anything but ``(d,)`` (e.g. images) gets the neural DTE.
    knn_budget : int
        The largest n_rows x n_features for which DTE-NP is chosen.

    Returns
    -------
    {"dte_np", "dte"}
        The registry name of the chosen detector.
    """
    if len(input_shape) > 1 or n_rows < _MIN_KNN_ROWS:
        return "dte"
    return "dte_np" if n_rows * math.prod(input_shape) <= knn_budget else "dte"


@register_detector
class AutoDetector(BaseDetector):
    """Recommended detector: DTE-NP for small and medium tables, the neural DTE otherwise.

    Parameters: `kind` ("auto", "dte_np" or "dte"), `knn_budget` (the largest reference rows x
    features for which "auto" picks DTE-NP), and the common parameters. Everything else is the
    chosen detector's default. After `fit`, `kind_` says which one runs.

    Parameters
    ----------
    kind : {"auto", "dte_np", "dte"}, default="auto"
        The detector to run; "auto" chooses from the training data's kind and size
        (`choose_kind`).
    knn_budget : int >= 1, default=1_000_000
        The largest reference rows x features for which "auto" picks DTE-NP.
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "global" for images, "standard" for tables (the DTE papers' preprocessing).
    contamination : float in (0, 0.5] or None, default=0.1
        Expected share of anomalies in the training rows: `threshold_` flags that share of
        them (PyOD's convention). None: the training rows are clean, and `fpr` sets the
        threshold.
    fpr : float in (0, 0.5], default=0.01
        With ``contamination=None``, the share of normal rows flagged (the target
        false-positive rate).
    random_state : int in [0, 2**32) or None, default=None
        Seed of the fit (NumPy and torch generators); None draws a fresh seed.
    device : str, default="auto"
        "auto" (CUDA when available, else the CPU), "cpu", "cuda", "cuda:<i>" or "mps".
    n_jobs : int or None, default=None
        CPU threads, read as scikit-learn does (k > 0: k threads, -1: all cores, -2: all but
        one). None: one thread for small networks, else every core to train and the idle
        cores to score.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        "bfloat16": bf16 autocast in training and scoring (weights stay float32; CPU or CUDA
        only). "auto": bfloat16 only where the device has native bf16 and the detector is
        measured to keep its accuracy under it (tag `auto_bf16`), else float32.
    verbose : int, default=0
        Progress bars of the training stages from 1, kept on screen from 2.
    """

    name: ClassVar[str] = "auto"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "kind": V.Options({"auto", *KINDS}),
        "knn_budget": V.Interval(int, 1, None),
    }
    PRESETS: ClassVar = MappingProxyType(
        # The chosen detector's own defaults: on the contract tests' small tables that is
        # DTE-NP, which trains nothing (images get the full-size neural DTE).
        {"smoke": MappingProxyType({})}
    )

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            # The checkpoint goes to the chosen detector's training: the neural DTE resumes
            # exactly; DTE-NP trains nothing (it stores its reference rows), so its fit never
            # writes one.
            supports_checkpoint=True,
        )

    #: Fitted attributes (set by `_configure` / `_set_extra_state`, absent before).
    kind_: str
    _delegate_cache: BaseDetector | None

    def __init__(
        self,
        *,
        kind: str = "auto",
        knn_budget: int = DEFAULT_KNN_BUDGET,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.kind = kind
        self.knn_budget = knn_budget
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    # -- the delegate ------------------------------------------------------------------------

    def _delegate(self) -> BaseDetector:
        """The chosen detector, sharing this one's fitted attributes and networks (cached)."""
        det = getattr(self, "_delegate_cache", None)
        if det is None or det.name != self.kind_:
            det = self._new_delegate()
        if hasattr(self, "networks_"):  # built after _configure; the same modules, never copies
            det.networks_ = self.networks_
        return det

    def _new_delegate(self) -> BaseDetector:
        det = detector_class(self.kind_)(**{k: getattr(self, k) for k in COMMON_CONSTRAINTS})
        det.input_shape_ = self.input_shape_
        det.n_features_in_ = self.n_features_in_
        det.seed_ = self.seed_
        det.device_ = self.device_
        det.precision_ = self.precision_
        det.history_ = self.history_
        if self.delegate_state_:
            det._set_extra_state(self.delegate_state_)
        self._delegate_cache = det
        return det

    @property
    def score_batch_size(self) -> int:  # type: ignore[override]  # the delegate's, per instance
        return type(self._delegate()).score_batch_size if hasattr(self, "kind_") else 8192

    # -- fitting -----------------------------------------------------------------------------

    def _configure(self, X: np.ndarray) -> None:
        self._delegate_cache = None
        self.kind_ = (
            choose_kind(len(X), self.input_shape_, self.knn_budget)
            if self.kind == "auto"
            else self.kind
        )
        self.delegate_state_: dict[str, Any] = {}
        det = self._delegate()
        det._configure(X)
        self.delegate_state_ = det._extra_state()

    def _extra_state(self) -> dict[str, Any]:
        return {"kind_": self.kind_, "delegate_state_": self.delegate_state_}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        self._delegate_cache = None
        kind = state["kind_"]
        if kind not in KINDS:
            raise ValueError(f"unknown auto kind {kind!r}; expected one of {KINDS}.")
        self.kind_ = kind
        self.delegate_state_ = dict(state["delegate_state_"])

    def _build_networks(self) -> nn.ModuleDict:
        return self._delegate()._build_networks()

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        det = self._delegate()
        det._fit(X, y, context)
        self.delegate_state_ = det._extra_state()

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        return self._delegate()._training_scores(X)

    # -- scoring -----------------------------------------------------------------------------

    def _scaling_mode(self) -> str:
        return self._delegate()._scaling_mode()

    def _cpu_tile_rows(self) -> int:
        return self._delegate()._cpu_tile_rows()

    def _macs_per_row(self) -> float:
        return self._delegate()._macs_per_row()

    def _train_batch_rows(self) -> int:
        return self._delegate()._train_batch_rows()

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return self._delegate()._score_batch(x)
