"""DTE and DTE-NP detectors (Livernoche et al., ICLR 2024, arXiv 2305.18593).

Both estimate how long a sample would have had to diffuse, starting from the normal data, to
look the way it does; the estimate (higher = more anomalous) is the anomaly score.

* `DTENonParametric` (DTE-NP): the posterior of the diffusion variance in closed form from the
  k nearest training rows (no training; the training rows are stored with the model).
* `DTE`: an MLP trained to classify the (binned) diffusion step of noised training rows; the
  score is the expected bin under its softmax. Scoring is one forward pass.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn import adam
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import TrainingContext, budget_epochs
from . import losses
from .networks import ReferenceSet, build_time_classifier
from .training import DTEStep

__all__ = ["DTE", "DTENonParametric"]

_SCHEDULE_CONSTRAINTS: dict[str, Any] = {
    "n_steps": V.Interval(int, 2, None),
    "beta_start": V.Interval(float, 0.0, 1.0, closed="neither"),
    "beta_end": V.Interval(float, 0.0, 1.0, closed="neither"),
}


def _check_schedule(det: BaseDetector) -> None:
    if det.beta_end < det.beta_start:
        raise ValueError(
            f"Parameter 'beta_end' ({det.beta_end}) must not be below 'beta_start' ({det.beta_start})."
        )


@register_detector
class DTENonParametric(BaseDetector):
    """DTE-NP: closed-form diffusion-time posterior from the k nearest training rows.

    Score: with m the mean squared distance to the `n_neighbors` nearest training rows, the
    posterior of the diffusion variance over the schedule's T steps is inverse gamma
    (shape d/2 - 1, scale m/2). `score="mode"` is the paper's estimate (the most probable step,
    an integer); `score="mean"` (default) is the posterior mean step, which orders samples the
    same way but without the ties of the integer grid. The grid ends at sigma^2 ~ 0.78 and the
    mode sits near m / d: with many features (standardised data, d of a few tens or more) most
    rows can tie at the last step under `"mode"`, which then ranks and thresholds poorly; the
    posterior mean keeps their order.

    * `max_reference`: keep at most this many training rows (a seeded random subset) as the
      reference set; None keeps all. Scoring costs O(reference rows x features) per row.
    * The reference rows are saved with the model (they are the model).
    * `scaling="auto"` standardises each feature on the training rows, as the paper does.

    Parameters
    ----------
    n_neighbors : int >= 1, default=5
        Nearest reference rows k whose mean squared distance m enters the posterior.
    n_steps : int >= 2, default=300
        Diffusion steps T of the variance grid.
    beta_start : float in (0, 1), default=1e-4
        First beta of the linear schedule.
    beta_end : float in (0, 1), default=1e-2
        Last beta of the linear schedule (not below `beta_start`).
    score : {"mean", "mode"}, default="mean"
        The posterior mean step, or the most probable step (the paper's estimate).
    max_reference : int >= 1 or None, default=None
        Keep at most this many training rows (a seeded random subset) as the reference set;
        None keeps all.
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "global" for images, "standard" for tables (the paper's preprocessing).
    contamination : float in (0, 0.5] or None, default=0.1
        Expected share of anomalies in the training rows: `threshold_` flags that share of
        them (PyOD's convention). None: the training rows are clean, and `fpr` sets the
        threshold.
    fpr : float in (0, 0.5], default=0.01
        With ``contamination=None``, the share of normal rows flagged (the target
        false-positive rate).
    random_state : int in [0, 2**32) or None, default=None
        Seed of the fit (here: the reference subset); None draws a fresh seed.
    device : str, default="auto"
        "auto" (CUDA when available, else the CPU), "cpu", "cuda", "cuda:<i>" or "mps".
    n_jobs : int or None, default=None
        CPU threads, read as scikit-learn does (k > 0: k threads, -1: all cores, -2: all but
        one). None: one thread for small workloads, else the idle cores (scoring).
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        "bfloat16": bf16 autocast in training and scoring (CPU or CUDA only). "auto":
        bfloat16 only where the device has native bf16 and the detector is measured to keep
        its accuracy under it (tag `auto_bf16`), else float32.
    verbose : int, default=0
        Progress bars of the training stages from 1, kept on screen from 2 (DTE-NP has no
        training stage).
    """

    name: ClassVar[str] = "dte_np"
    score_batch_size: ClassVar[int] = 1024
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "n_neighbors": V.Interval(int, 1, None),
        "score": V.Options({"mean", "mode"}),
        "max_reference": V.Interval(int, 1, None, allow_none=True),
        **_SCHEDULE_CONSTRAINTS,
    }
    PRESETS: ClassVar = MappingProxyType(
        {
            "smoke": MappingProxyType({"n_neighbors": 3, "n_steps": 50}),
            # The paper's ADBench configuration: K = 5, T = 300, argmax of the posterior.
            "paper": MappingProxyType({"n_neighbors": 5, "n_steps": 300, "score": "mode"}),
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            # The paper standardises every feature on the training rows (StandardScaler).
            tabular_scaling="standard",
        )

    def __init__(
        self,
        *,
        n_neighbors: int = 5,
        n_steps: int = 300,
        beta_start: float = 1e-4,
        beta_end: float = 1e-2,
        score: str = "mean",
        max_reference: int | None = None,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.n_neighbors = n_neighbors
        self.n_steps = n_steps
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.score = score
        self.max_reference = max_reference
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _validate_params(self) -> None:
        super()._validate_params()
        _check_schedule(self)

    def _configure(self, X: np.ndarray) -> None:
        n = len(X) if self.max_reference is None else min(len(X), self.max_reference)
        if n < self.n_neighbors + 1:
            raise ValueError(
                f"DTENonParametric needs more training rows ({len(X)}) than n_neighbors "
                f"({self.n_neighbors}) to score its own training data."
            )
        self.n_reference_ = int(n)

    def _extra_state(self) -> dict[str, Any]:
        return {"n_reference_": self.n_reference_}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        self.n_reference_ = int(state["n_reference_"])

    def _build_networks(self) -> nn.ModuleDict:
        return nn.ModuleDict(
            {"reference": ReferenceSet(self.n_reference_, math.prod(self.input_shape_))}
        )

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        rows = X.reshape(len(X), -1)
        self._reference_index = np.ones(len(rows), dtype=bool)
        if self.n_reference_ < len(rows):
            keep = np.sort(context.rng.choice(len(rows), self.n_reference_, replace=False))
            self._reference_index[:] = False
            self._reference_index[keep] = True
            rows = rows[keep]
        self._reference().set_(context.tensor(np.ascontiguousarray(rows)))
        self.history_["reference/rows"] = [float(self.n_reference_)]

    def _cpu_tile_rows(self) -> int:
        # The widest intermediate is the (batch x reference rows) distance matrix.
        return max(16, (1 << 22) // self.n_reference_)

    def _macs_per_row(self) -> float:
        # Scoring is the (row x reference rows) distance product.
        return float(self.n_reference_ * math.prod(self.input_shape_))

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return self._scores_of(x, exclude_nearest=False)

    def _reference(self) -> ReferenceSet:
        """DTE-NP's reference rows among `networks_` (built by `_build_networks`)."""
        return cast(ReferenceSet, self.networks_["reference"])

    def _scores_of(self, x: torch.Tensor, *, exclude_nearest: bool) -> torch.Tensor:
        ref = self._reference()
        m = losses.knn_mean_squared_distance(
            ref.centred(x.flatten(1)),
            ref.rows,
            ref.sq_norms,
            self.n_neighbors,
            exclude_nearest=exclude_nearest,
        )
        variances = losses.diffusion_variances(self.n_steps, self.beta_start, self.beta_end)
        log_post = losses.inverse_gamma_log_posterior(m, variances, ref.rows.shape[1])
        if self.score == "mode":
            return log_post.argmax(dim=1).double()
        steps = torch.arange(self.n_steps, dtype=log_post.dtype, device=log_post.device)
        return log_post.exp() @ steps

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        # A training row in the reference set is its own nearest neighbour at distance 0. As
        # PyOD's KNN does for its training scores, leave it out (k + 1 neighbours, itself
        # dropped), so that the threshold matches what unseen normal rows score.
        in_reference = self._reference_index
        del self._reference_index
        scores = np.empty(len(X), dtype=np.float64)
        scores[~in_reference] = self._score_array(X[~in_reference])
        scores[in_reference] = self._score_array(
            X[in_reference], score_batch=partial(self._scores_of, exclude_nearest=True)
        )
        return scores


@register_detector
class DTE(BaseDetector):
    """DTE (categorical): an MLP that classifies the diffusion step of noised normal data.

    Training: for each mini-batch draw steps t ~ U{0..T-1} and noise, form
    x_t = x_0 + sigma_t eps, and minimise the cross entropy between the network's logits and the
    bin of t (T steps in `n_bins` equal bins). Score: the expected bin sum_b b p(b | x).

    * Defaults are the paper's ADBench configuration (256-512-256 ReLU MLP, dropout 0.5, Adam
      lr 1e-4 with L2 5e-4, batch 64, T = 400, 7 bins), except the budget: `epochs=None` trains
      for about `updates` mini-batch updates (at most 400 epochs, at least 1), so that a large
      table costs the same as a small one instead of 400 full passes.
    * `scaling="auto"` standardises each feature on the training rows, as the paper does.

    Parameters
    ----------
    hidden : tuple of int, default=(256, 512, 256)
        Hidden widths of the ReLU classifier.
    n_bins : int >= 2, default=7
        Equal bins of the T diffusion steps: the classes.
    dropout : float in [0, 1), default=0.5
        Dropout rate after every hidden activation.
    epochs : int >= 1 or None, default=None
        Training epochs; None: about `updates` mini-batch updates (1 to 400 epochs).
    updates : int >= 1, default=4000
        Mini-batch updates of training when `epochs` is None.
    batch_size : int >= 1, default=64
        Mini-batch size.
    lr : float > 0, default=1e-4
        Adam learning rate.
    weight_decay : float >= 0, default=5e-4
        Adam's L2 weight decay.
    n_steps : int >= 2, default=400
        Diffusion steps T of the schedule.
    beta_start : float in (0, 1), default=1e-4
        First beta of the linear schedule.
    beta_end : float in (0, 1), default=1e-2
        Last beta of the linear schedule (not below `beta_start`).
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "global" for images, "standard" for tables (the paper's preprocessing).
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

    name: ClassVar[str] = "dte"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "hidden": V.positive_int_sequence(),
        "n_bins": V.Interval(int, 2, None),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        **V.UPDATE_BUDGET,
        **_SCHEDULE_CONSTRAINTS,
    }
    PRESETS: ClassVar = MappingProxyType(
        {
            "smoke": MappingProxyType(
                {"hidden": (16, 16), "epochs": 2, "batch_size": 32, "n_steps": 50}
            ),
            # The paper's configuration, full length (400 epochs whatever the data size).
            "paper": MappingProxyType({"epochs": 400}),
        }
    )
    _MAX_AUTO_EPOCHS: ClassVar[int] = 400

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            # The stage saves its optimiser: checkpointed fits resume exactly.
            supports_checkpoint=True,
            tabular_scaling="standard",
        )

    def __init__(
        self,
        *,
        hidden: tuple[int, ...] = (256, 512, 256),
        n_bins: int = 7,
        dropout: float = 0.5,
        epochs: int | None = None,
        updates: int = 4000,
        batch_size: int = 64,
        lr: float = 1e-4,
        weight_decay: float = 5e-4,
        n_steps: int = 400,
        beta_start: float = 1e-4,
        beta_end: float = 1e-2,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.hidden = hidden
        self.n_bins = n_bins
        self.dropout = dropout
        self.epochs = epochs
        self.updates = updates
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.n_steps = n_steps
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _validate_params(self) -> None:
        super()._validate_params()
        _check_schedule(self)

    def _build_networks(self) -> nn.ModuleDict:
        return nn.ModuleDict(
            {
                "classifier": build_time_classifier(
                    math.prod(self.input_shape_), self.hidden, self.n_bins, self.dropout
                )
            }
        )

    def n_epochs_for(self, n_rows: int) -> int:
        """Epochs run on `n_rows` training rows: `epochs`, or about `updates` updates.

        Parameters
        ----------
        n_rows : int
            Training rows.

        Returns
        -------
        int
            The epoch count (with ``epochs=None``: 1 to 400).
        """
        if self.epochs is not None:
            return int(self.epochs)
        return budget_epochs(n_rows, self.batch_size, self.updates, self._MAX_AUTO_EPOCHS)

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        classifier = self.networks_["classifier"]
        optimiser = adam(classifier, self.lr, weight_decay=self.weight_decay)
        sigmas = losses.diffusion_variances(self.n_steps, self.beta_start, self.beta_end).sqrt()
        sigmas = sigmas.float().to(self.device_)

        step = DTEStep(
            classifier, optimiser, sigmas=sigmas, n_steps=self.n_steps, n_bins=self.n_bins
        )
        context.run(
            step,
            context.tensor(X),
            epochs=self.n_epochs_for(len(X)),
            batch_size=self.batch_size,
            stage="train",
            optimisers={"classifier": optimiser},
        )

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return losses.expected_bin(self.networks_["classifier"](x.flatten(1)))
