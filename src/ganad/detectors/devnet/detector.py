"""DevNet as run in [DA3D-B] (METHODS §5.9, last row): deviation network with known anomalies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn import MLP
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import TrainingContext
from .networks import build_devnet
from .training import DeviationStep

__all__ = ["DevNet"]

# DA3D's "trivial" anomalies: N(0.5, std 1) in the min-max scaled input space (METHODS §8).
_TRIVIAL_MEAN, _TRIVIAL_STD = 0.5, 1.0
# A background over the scaled data's range and a margin around it (DA3D's defaults).
_UNIFORM_RANGE = (-0.1, 1.1)

#: `DevNet(synthetic_anomalies=...)`: None, "auto", "trivial", "uniform", rows in the input's
#: units, or a callable `(n_synthetic, rng) -> rows`.
SyntheticAnomalies = str | ArrayLike | Callable[[int, np.random.Generator], ArrayLike] | None


def _is_synthetic_spec(value: Any) -> bool:
    if value is None or callable(value):
        return True
    if isinstance(value, str):
        return value in {"trivial", "uniform", "auto"}
    return isinstance(value, np.ndarray | list | tuple) or hasattr(value, "__array__")


@register_detector
class DevNet(BaseDetector):
    """Deviation network (Pang et al. 2019): semi-supervised; known anomalies are `y == 1` in `fit`.

    * Network: input -> `hidden` (ReLU; L2 `l2` on the hidden kernels) -> linear score.
    * Loss: deviation loss with `n_reference` reference scores r ~ N(0, 1) drawn per step and
      margin `margin` (a = 5).
    * Training: `epochs` x `steps_per_epoch` mini-batches of `batch_size`, half drawn (with
      replacement) from the unlabelled/normal rows, half from the anomaly pool; RMSprop(`lr`,
      rho 0.9) with Keras' per-tensor gradient-norm clipping `clip_norm`, as the DevNet code.
    * The anomaly pool is the rows with `y == 1` plus the synthetic anomalies, if any:
      `synthetic_anomalies` = None (labels only), "trivial" (`n_synthetic` draws of N(0.5, std 1) in
      the scaled input space, DA3D's trivial anomalies), an array of samples in input units, or a
      callable `(n_synthetic, numpy Generator) -> array` in input units. [DA3D-B] experiment 3
      used 100 decoded N(0, 1.5) latent samples: see `ganad.detectors.devnet.latent_gaussian_anomalies`.
    * Score: the network output (higher = more anomalous).

    * Defaults for unknown data: `synthetic_anomalies="auto"` uses the labelled anomalies when
      `y` has any and otherwise, so that DevNet also runs on unlabelled data, `n_synthetic`
      (5,000) "trivial" draws N(0.5, 1) of the scaled space: they surround the data's min-max box
      on every side, so the scorer learns "far from the normal rows" in every direction. Measured
      on the one-class benchmark's sets (seed 0): 100 uniform draws on [-0.1, 1.1]^d (the
      previous default) left the score inverted where anomalies lie outside the box (http .02,
      shuttle .27, cover .43); 5,000 trivial draws .99, .99, .97
      (`docs/results/one_class/README.md`). The papers' runs set the anomalies explicitly
      (presets keep None, or 100 trivial draws).

    `fit` raises a `ValueError` if the pool is empty. Models whose `synthetic_anomalies` is an
    array or callable cannot be saved as given (JSON config): set it to None first (it only
    matters during `fit`).

    Parameters
    ----------
    hidden : tuple of int, default=(20,)
        Hidden widths of the scoring network (ReLU); (1000, 250, 20) is the paper's deeper
        network.
    epochs : int >= 1, default=50
        Training epochs, each `steps_per_epoch` balanced mini-batches.
    steps_per_epoch : int >= 1, default=20
        Mini-batch updates per epoch.
    batch_size : int >= 2, default=512
        Rows per mini-batch, half normal and half anomalous.
    lr : float > 0, default=1e-3
        RMSprop learning rate.
    clip_norm : float > 0 or None, default=0.001
        Largest norm of each gradient tensor (Keras' `clipnorm`); None: no clipping.
    l2 : float >= 0, default=0.01
        L2 weight on the hidden layers' kernels.
    margin : float > 0, default=5.0
        Deviation the known anomalies are pushed beyond (a).
    n_reference : int >= 2, default=5000
        Reference scores r ~ N(0, 1) drawn per update.
    synthetic_anomalies : str, array-like, callable or None, default="auto"
        Synthetic rows of the anomaly pool: None, "auto", "trivial", "uniform" (U(-0.1, 1.1)
        per scaled value), rows in input units, or a callable ``(n_synthetic, rng) -> rows``
        (see above).
    n_synthetic : int >= 1, default=5000
        Synthetic anomalies drawn for "trivial", "uniform" and callables.
    scaling : {"auto", "feature", "global", "standard", "none"}, default="auto"
        Input scaling fitted on the training rows: "feature" per-feature min-max, "global"
        one min-max over all values, "standard" per-feature z-score, "none" the raw values.
        "auto": "global" for images, "feature" for tables.
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

    name: ClassVar[str] = "devnet"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "hidden": V.positive_int_sequence(),
        "epochs": V.Interval(int, 1, None),
        "steps_per_epoch": V.Interval(int, 1, None),
        "batch_size": V.Interval(int, 2, None),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "clip_norm": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
        "l2": V.Interval(float, 0.0, None),
        "margin": V.Interval(float, 0.0, None, closed="neither"),
        "n_reference": V.Interval(int, 2, None),
        "synthetic_anomalies": V.Check(
            _is_synthetic_spec,
            'None, "auto", "trivial", "uniform", an array of samples or a callable (n, rng) -> array',
        ),
        "n_synthetic": V.Interval(int, 1, None),
    }
    PRESETS: ClassVar = MappingProxyType(
        {
            "smoke": MappingProxyType(
                {
                    "hidden": (8,),
                    "epochs": 2,
                    "steps_per_epoch": 2,
                    "batch_size": 32,
                    "synthetic_anomalies": None,
                    "n_synthetic": 100,
                }
            ),
            # [DA3D-B] exp. 3 without an AAE: DA3D's trivial anomalies instead of decoded ones.
            "unsupervised": MappingProxyType(
                {"synthetic_anomalies": "trivial", "n_synthetic": 100}
            ),
        }
    )

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            uses_labels=True,
            # Pang et al.'s network is for tabular data; flatten images to use it.
            supports_images=False,
            # The optimiser and the torch generator the step draws its batches from are saved:
            # checkpointed fits resume exactly.
            supports_checkpoint=True,
        )

    def __init__(
        self,
        *,
        hidden: tuple[int, ...] = (20,),
        epochs: int = 50,
        steps_per_epoch: int = 20,
        batch_size: int = 512,
        lr: float = 1e-3,
        clip_norm: float | None = 0.001,
        l2: float = 0.01,
        margin: float = 5.0,
        n_reference: int = 5000,
        synthetic_anomalies: SyntheticAnomalies = "auto",
        n_synthetic: int = 5000,
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
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.batch_size = batch_size
        self.lr = lr
        self.clip_norm = clip_norm
        self.l2 = l2
        self.margin = margin
        self.n_reference = n_reference
        self.synthetic_anomalies = synthetic_anomalies
        self.n_synthetic = n_synthetic
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    def _build_networks(self) -> nn.ModuleDict:
        return nn.ModuleDict(build_devnet(self.input_shape_, self.hidden))

    # -- fitting -----------------------------------------------------------------------------

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        labels = np.zeros(len(X), dtype=np.int64) if y is None else y
        normal = X[labels == 0]
        labelled = X[labels == 1]
        anomalies = np.concatenate([labelled, self._synthetic_pool(context.rng, len(labelled))])
        if len(anomalies) == 0:
            raise ValueError(
                "DevNet is semi-supervised and found no anomalies: pass known anomalies as y == 1 "
                "in fit(X, y), or set synthetic_anomalies ('trivial', an array, or a callable)."
            )
        if len(normal) == 0:
            raise ValueError("DevNet needs unlabelled/normal rows (y == 0) besides the anomalies.")
        self.n_anomalies_seen_ = len(anomalies)
        scorer = cast(MLP, self.networks_["scorer"])  # built by `build_devnet`
        optimiser = torch.optim.RMSprop(scorer.parameters(), lr=self.lr, alpha=0.9, eps=1e-7)
        step = DeviationStep(
            scorer,
            optimiser,
            context.tensor(normal),
            context.tensor(anomalies),
            batch_size=self.batch_size,
            n_reference=self.n_reference,
            margin=self.margin,
            l2=self.l2,
            clip_norm=self.clip_norm,
        )
        # An "epoch" is `steps_per_epoch` balanced mini-batches (the DevNet code's nb_batch); the
        # step draws its own rows from the global torch generator, which a checkpoint saves with
        # the optimiser. The anomaly pool above is redrawn identically on resume (seeded NumPy
        # generator, before any training).
        context.run(
            step,
            None,
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="devnet",
            steps_per_epoch=self.steps_per_epoch,
            optimisers={"scorer": optimiser},
        )

    def _synthetic_pool(self, rng: np.random.Generator, n_labelled: int) -> np.ndarray:
        """Synthetic anomalies in the *scaled* input space, shape (m, *input_shape)."""
        spec = self.synthetic_anomalies
        empty = np.empty((0, *self.input_shape_), dtype=np.float32)
        if isinstance(spec, str) and spec == "auto":
            spec = None if n_labelled else "trivial"
        if spec is None:
            return empty
        shape = (self.n_synthetic, *self.input_shape_)
        if isinstance(spec, str) and spec == "uniform":
            low, high = _UNIFORM_RANGE
            return rng.uniform(low, high, size=shape).astype(np.float32)
        if isinstance(spec, str):  # "trivial"
            return rng.normal(_TRIVIAL_MEAN, _TRIVIAL_STD, size=shape).astype(np.float32)
        raw = spec(self.n_synthetic, rng) if callable(spec) else spec
        checked = V.check_input(
            raw, name="synthetic_anomalies", input_shape=self.input_shape_, allow_images=False
        )
        return self._scale_numpy(checked)

    # -- scoring / persistence -----------------------------------------------------------------

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        return self.networks_["scorer"](x).reshape(-1)

    def _extra_state(self) -> dict[str, Any]:
        return {"n_anomalies_seen_": self.n_anomalies_seen_}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        self.n_anomalies_seen_ = int(state["n_anomalies_seen_"])

    def save(self, path: str) -> None:
        """Save like every ganad detector; refused while `synthetic_anomalies` is an array or a
        callable, which cannot go into the JSON config (set it to None: it only affects `fit`).

        Parameters
        ----------
        path : str or path-like
            The directory to write (created if missing); reload it with `ganad.load(path)`.
        """
        if not (self.synthetic_anomalies is None or isinstance(self.synthetic_anomalies, str)):
            raise ValueError(
                "DevNet.save: synthetic_anomalies is an array/callable and cannot be stored in the "
                "JSON config; it is only used during fit, so call "
                "det.set_params(synthetic_anomalies=None) before saving."
            )
        super().save(path)
