"""Fence GAN (Ngo et al., ICTAI 2019) as a ganad detector: score = 1 - D(x)."""

from __future__ import annotations

import copy
import logging
import math
import numbers
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, cast

import numpy as np
import torch
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.utils.validation import check_is_fitted

from ... import _validation as V
from ...base import BaseDetector
from ...nn.layers import ACTIVATIONS
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import TrainingContext
from .losses import ENCIRCLEMENT_VARIANTS
from .networks import ARCHITECTURES, build_fence_gan
from .presets import PRESETS
from .training import (
    D_UPDATES,
    OPTIMISERS,
    UPDATE_ORDERS,
    AdversarialStep,
    DiscriminatorStep,
    GeneratorStep,
    NetworkOptimiser,
    make_optimiser,
)

__all__ = ["MODEL_SELECTIONS", "VALIDATION_METRICS", "FenceGAN", "compute_validation_metric"]

logger = logging.getLogger(__name__)

MODEL_SELECTIONS = ("last", "best_validation")
VALIDATION_METRICS = ("auroc", "average_precision", "auprc_normal")


def _is_betas(value: Any) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(
            isinstance(b, numbers.Real) and not isinstance(b, bool) and 0.0 <= cast(float, b) < 1.0
            for b in value
        )
    )


BETAS = V.Check(_is_betas, "a pair (beta1, beta2) of floats in [0, 1)")
LR = V.Interval(float, 0.0, None, closed="neither")
DECAY = V.Interval(float, 0.0, None, closed="left")
DROPOUT = V.Interval(float, 0.0, 1.0, closed="left")


def compute_validation_metric(metric: str, y_anomaly: np.ndarray, d_normal: np.ndarray) -> float:
    """Checkpoint-selection metric from labels (1 = anomaly) and D's probabilities (1 = normal).

    "auroc": ROC-AUC (the same for either positive class); "average_precision": AP with the
    anomalies positive and score 1 - D (DA3D-style); "auprc_normal": the code's MNIST metric,
    trapezoidal area under the PR curve with *normal* data positive and score D (F-9).

    Parameters
    ----------
    metric : {"auroc", "average_precision", "auprc_normal"}
        The metric (see above).
    y_anomaly : numpy.ndarray of shape (n,)
        Labels: 1 anomaly, 0 normal.
    d_normal : numpy.ndarray of shape (n,)
        D's probabilities that the rows are normal.

    Returns
    -------
    float
        The metric's value (higher is better).
    """
    if metric == "auroc":
        return float(roc_auc_score(y_anomaly, 1.0 - d_normal))
    if metric == "average_precision":
        return float(average_precision_score(y_anomaly, 1.0 - d_normal))
    if metric == "auprc_normal":
        precision, recall, _ = precision_recall_curve(1 - y_anomaly, d_normal)
        return float(auc(recall, precision))
    raise ValueError(f"validation_metric must be one of {VALIDATION_METRICS}, got {metric!r}.")


@register_detector
class FenceGAN(BaseDetector):
    """Fence GAN: a GAN whose generator encircles the data, so D(x) fences it; score 1 - D(x).

    The generator minimises encirclement + beta * dispersion (paper Eqs. 3-5): its samples sit on
    D's alpha-level set and spread out around the data. The discriminator minimises the
    gamma-weighted GAN loss (Eq. 6). Defaults follow the original code where it differs from the
    paper (METHODS §7 F-1..F-4): BCE towards alpha, two D steps (real, then gamma-weighted fake),
    D before G, `pretrain_epochs` of D-only training, fakes for D from G in eval mode.

    Inputs are min-max scaled to [0, 1] by `scaling`, then mapped to [-1, 1] when
    `center_inputs` (the code's range; G's DCGAN outputs are tanh). The default networks are the
    KDD99 MLPs and hyper-parameters of the paper's Table IV generalised to any input width, except
    that D uses Adam(1e-4, decay 1e-3): Table IV's SGD(8e-6) leaves D near its initialisation
    (preset "kdd99" keeps it; "kdd99_adam" = the defaults). `PRESETS` also holds the paper's
    MNIST, CIFAR-10 and 2D configurations and DA3D's Table 2 configurations.

    Model selection (`model_selection="best_validation"`) needs labelled validation data
    (`fit(X, validation_data=(X_val, y_val))`, y_val = 1 for anomalies), as the original code
    does; it is off by default. `selection_` records what was kept.

    Parameters
    ----------
    architecture : {"auto", "dense", "residual", "dcgan28", "dcgan32"}, default="auto"
        Networks (see `ganad.detectors.fence_gan.networks`); "auto": the MNIST DCGAN for
        (C, 28, 28) images, the CIFAR-10 DCGAN for (C, 32, 32), "dense" otherwise.
    latent_dim : int >= 1, default=32
        Width of the generator's latent input.
    latent_std : float > 0, default=1.0
        Standard deviation of the latent prior N(0, latent_std²·I).
    g_hidden : tuple of int, default=(64, 128)
        Hidden widths of the dense or residual generator.
    d_hidden : tuple of int, default=(256, 128, 128)
        Hidden widths of the dense discriminator.
    g_activation : {"lrelu", "relu", "selu", "tanh", "elu", "sigmoid"}, default="relu"
        Hidden activation of the dense or residual generator.
    d_activation : {"lrelu", "relu", "selu", "tanh", "elu", "sigmoid"}, default="lrelu"
        Hidden activation of the dense discriminator.
    negative_slope : float in [0, 1], default=0.1
        LeakyReLU slope of the dense and residual networks.
    g_dropout : float in [0, 1), default=0.2
        Dropout rate of the dense generator.
    d_dropout : float in [0, 1), default=0.0
        Dropout rate of the dense discriminator.
    alpha : float in (0, 1], default=0.5
        The level D(G(z)) the encirclement loss pulls generated samples to.
    beta : float >= 0, default=30.0
        Weight of the dispersion loss in the generator loss.
    gamma : float in (0, 1], default=0.5
        Weight of the generated samples in the discriminator loss.
    encirclement : {"bce", "paper"}, default="bce"
        The encirclement loss: BCE towards alpha (the code), or the paper's log|alpha − D|.
    d_update : {"two_step", "joint"}, default="two_step"
        Discriminator update: a real step then a gamma-weighted fake step (the code), or one
        update on the joint loss (paper Eq. 6).
    update_order : {"d_first", "g_first"}, default="d_first"
        Order of the two updates in an adversarial iteration.
    epochs : int >= 1, default=50
        Epochs of the adversarial stage.
    pretrain_epochs : int >= 0, default=15
        Epochs of discriminator-only training before it; 0 skips it.
    batch_size : int >= 2, default=256
        Mini-batch size (of real rows, and of the generator's latent batch).
    g_optimizer : {"adam", "sgd"}, default="adam"
        Optimiser of the generator.
    g_lr : float > 0, default=1e-4
        Learning rate of the generator.
    g_betas : tuple of 2 floats in [0, 1), default=(0.9, 0.999)
        Adam betas of the generator.
    g_decay : float >= 0, default=1e-3
        Keras time decay of the generator's learning rate (lr / (1 + decay · updates)).
    d_optimizer : {"adam", "sgd"}, default="adam"
        Optimiser of the discriminator.
    d_lr : float > 0, default=1e-4
        Learning rate of the discriminator.
    d_betas : tuple of 2 floats in [0, 1), default=(0.9, 0.999)
        Adam betas of the discriminator.
    d_decay : float >= 0, default=1e-3
        Keras time decay of the discriminator's learning rate.
    center_inputs : bool, default=True
        Map the scaled inputs from [0, 1] to [-1, 1] before the networks.
    model_selection : {"last", "best_validation"}, default="last"
        Keep the last epoch's weights, or those of the epoch with the best validation metric
        (needs `validation_data` in `fit`).
    validation_metric : {"auroc", "average_precision", "auprc_normal"}, default="auroc"
        Metric logged (and selected on) with validation data; see
        `compute_validation_metric`.
    validation_every : int >= 1, default=1
        Evaluate the validation data every this many adversarial epochs (and at the last).
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

    name: ClassVar[str] = "fence_gan"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "architecture": V.Options(ARCHITECTURES),
        "latent_dim": V.Interval(int, 1, None),
        "latent_std": V.Interval(float, 0.0, None, closed="neither"),
        "g_hidden": V.positive_int_sequence(),
        "d_hidden": V.positive_int_sequence(),
        "g_activation": V.Options(ACTIVATIONS),
        "d_activation": V.Options(ACTIVATIONS),
        "negative_slope": V.Interval(float, 0.0, 1.0, closed="both"),
        "g_dropout": DROPOUT,
        "d_dropout": DROPOUT,
        "alpha": V.Interval(float, 0.0, 1.0, closed="right"),
        "beta": V.Interval(float, 0.0, None, closed="left"),
        "gamma": V.Interval(float, 0.0, 1.0, closed="right"),
        "encirclement": V.Options(ENCIRCLEMENT_VARIANTS),
        "d_update": V.Options(D_UPDATES),
        "update_order": V.Options(UPDATE_ORDERS),
        "epochs": V.Interval(int, 1, None),
        "pretrain_epochs": V.Interval(int, 0, None),
        "batch_size": V.Interval(int, 2, None),
        "g_optimizer": V.Options(OPTIMISERS),
        "g_lr": LR,
        "g_betas": BETAS,
        "g_decay": DECAY,
        "d_optimizer": V.Options(OPTIMISERS),
        "d_lr": LR,
        "d_betas": BETAS,
        "d_decay": DECAY,
        "center_inputs": V.BOOL,
        "model_selection": V.Options(MODEL_SELECTIONS),
        "validation_metric": V.Options(VALIDATION_METRICS),
        "validation_every": V.Interval(int, 1, None),
    }
    PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = PRESETS

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
            # Validation metrics are logged every `validation_every` epochs when given; the
            # original code's model selection keeps the best epoch's weights, so needs them.
            accepts_validation_data=True,
            requires_validation_data=self.model_selection == "best_validation",
        )

    def __init__(
        self,
        *,
        architecture: str = "auto",
        latent_dim: int = 32,
        latent_std: float = 1.0,
        g_hidden: tuple[int, ...] = (64, 128),
        d_hidden: tuple[int, ...] = (256, 128, 128),
        g_activation: str = "relu",
        d_activation: str = "lrelu",
        negative_slope: float = 0.1,
        g_dropout: float = 0.2,
        d_dropout: float = 0.0,
        alpha: float = 0.5,
        beta: float = 30.0,
        gamma: float = 0.5,
        encirclement: str = "bce",
        d_update: str = "two_step",
        update_order: str = "d_first",
        epochs: int = 50,
        pretrain_epochs: int = 15,
        batch_size: int = 256,
        g_optimizer: str = "adam",
        g_lr: float = 1e-4,
        g_betas: tuple[float, float] = (0.9, 0.999),
        g_decay: float = 1e-3,
        d_optimizer: str = "adam",
        d_lr: float = 1e-4,
        d_betas: tuple[float, float] = (0.9, 0.999),
        d_decay: float = 1e-3,
        center_inputs: bool = True,
        model_selection: str = "last",
        validation_metric: str = "auroc",
        validation_every: int = 1,
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.architecture = architecture
        self.latent_dim = latent_dim
        self.latent_std = latent_std
        self.g_hidden = g_hidden
        self.d_hidden = d_hidden
        self.g_activation = g_activation
        self.d_activation = d_activation
        self.negative_slope = negative_slope
        self.g_dropout = g_dropout
        self.d_dropout = d_dropout
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.encirclement = encirclement
        self.d_update = d_update
        self.update_order = update_order
        self.epochs = epochs
        self.pretrain_epochs = pretrain_epochs
        self.batch_size = batch_size
        self.g_optimizer = g_optimizer
        self.g_lr = g_lr
        self.g_betas = g_betas
        self.g_decay = g_decay
        self.d_optimizer = d_optimizer
        self.d_lr = d_lr
        self.d_betas = d_betas
        self.d_decay = d_decay
        self.center_inputs = center_inputs
        self.model_selection = model_selection
        self.validation_metric = validation_metric
        self.validation_every = validation_every
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    # -- fitting ---------------------------------------------------------------------------

    def _build_networks(self) -> torch.nn.ModuleDict:
        return torch.nn.ModuleDict(
            build_fence_gan(
                self.input_shape_,
                architecture=self.architecture,
                latent_dim=self.latent_dim,
                g_hidden=self.g_hidden,
                d_hidden=self.d_hidden,
                g_activation=self.g_activation,
                d_activation=self.d_activation,
                negative_slope=self.negative_slope,
                g_dropout=self.g_dropout,
                d_dropout=self.d_dropout,
            )
        )

    def _to_training_space(self, x: torch.Tensor) -> torch.Tensor:
        """[0, 1] -> [-1, 1] (the code's (x - 0.5) * 2) when `center_inputs`."""
        return (x - 0.5) * 2.0 if self.center_inputs else x

    def _sample_latent(self, n: int) -> torch.Tensor:
        return self.latent_std * torch.randn(n, self.latent_dim, device=self.device_)

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        validation = self._validation_in_training_space(context)
        # D's optimiser (moments, decay schedule) carries over from pre-training into the
        # adversarial stage, so checkpoints hold both optimisers in both stages.
        optimisers = self._make_optimisers()
        d_step, g_step = self._update_steps(optimisers)
        data = self._to_training_space(context.tensor(X))

        # Stage 1: D-only pre-training against the untrained G (code: `pretrain`, 15 epochs).
        if self.pretrain_epochs > 0:
            context.run(
                d_step,
                data,
                epochs=self.pretrain_epochs,
                batch_size=self.batch_size,
                stage="pretrain",
                optimisers=optimisers,
            )

        # Stage 2: adversarial training, with optional validation logging / model selection.
        tracker = _SelectionTracker(self, validation)
        context.run(
            AdversarialStep(d_step, g_step, self.update_order),
            data,
            epochs=self.epochs,
            batch_size=self.batch_size,
            stage="adversarial",
            optimisers={**optimisers, "selection": tracker},
            on_epoch_end=tracker.on_epoch_end,
        )
        self.selection_ = tracker.finish()

    def _validation_in_training_space(
        self, context: TrainingContext
    ) -> tuple[torch.Tensor, np.ndarray] | None:
        """The fit's validation data (None if not given), its inputs moved to D's input space."""
        if context.validation_data is None:
            return None
        return (
            self._to_training_space(context.tensor(context.validation_data[0])),
            context.validation_data[1],
        )

    def _make_optimisers(self) -> dict[str, NetworkOptimiser]:
        """{"generator": G's optimiser, "discriminator": D's optimiser}, as configured."""
        generator, discriminator = self.networks_["generator"], self.networks_["discriminator"]
        return {
            "generator": make_optimiser(
                generator.parameters(),
                self.g_optimizer,
                self.g_lr,
                betas=self.g_betas,
                decay=self.g_decay,
            ),
            "discriminator": make_optimiser(
                discriminator.parameters(),
                self.d_optimizer,
                self.d_lr,
                betas=self.d_betas,
                decay=self.d_decay,
            ),
        }

    def _update_steps(
        self, optimisers: Mapping[str, NetworkOptimiser]
    ) -> tuple[DiscriminatorStep, GeneratorStep]:
        """D's and G's update steps, each with its optimiser from `optimisers`."""
        generator, discriminator = self.networks_["generator"], self.networks_["discriminator"]
        d_step = DiscriminatorStep(
            generator,
            discriminator,
            optimisers["discriminator"],
            gamma=self.gamma,
            sample_latent=self._sample_latent,
            mode=self.d_update,
        )
        g_step = GeneratorStep(
            generator,
            discriminator,
            optimisers["generator"],
            alpha=self.alpha,
            beta=self.beta,
            sample_latent=self._sample_latent,
            batch_size=self.batch_size,
            encirclement=self.encirclement,
        )
        return d_step, g_step

    def _discriminator_probability(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) in [0, 1] for inputs already in the training space, in eval mode, batched."""
        discriminator = self.networks_["discriminator"]
        discriminator.eval()
        with torch.no_grad():
            parts = [
                torch.sigmoid(discriminator(x[i : i + self.score_batch_size]))
                for i in range(0, len(x), self.score_batch_size)
            ]
        return torch.cat(parts)

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        # 1 - sigmoid(l) == sigmoid(-l), which keeps precision for D close to 1.
        return torch.sigmoid(-self.networks_["discriminator"](self._to_training_space(x)))

    # -- generation ------------------------------------------------------------------------

    def sample(self, n_samples: int, *, random_state: int | None = None) -> np.ndarray:
        """Draw `n_samples` generated points (G in eval mode) in the original feature units.

        Parameters
        ----------
        n_samples : int
            Number of points (>= 1).
        random_state : int or None, default=None
            Seed of the latent draws; None: the fit's seed (`seed_`).

        Returns
        -------
        numpy.ndarray of shape (n_samples, *input_shape)
            The generated points, scaling and centring undone.
        """
        check_is_fitted(self, "networks_")
        if (
            isinstance(n_samples, bool)
            or not isinstance(n_samples, numbers.Integral)
            or n_samples < 1
        ):
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        device = torch.device(self.device_)
        gen = torch.Generator(device=device)
        gen.manual_seed(int(random_state) if random_state is not None else self.seed_)
        generator = self.networks_["generator"].eval()
        with torch.no_grad():
            z = self.latent_std * torch.randn(
                int(n_samples), self.latent_dim, generator=gen, device=device
            )
            x = generator(z)
            if self.center_inputs:
                x = x / 2.0 + 0.5
            scaler = self.networks_["scaler"]
            if scaler.mode != "none":
                x = x / scaler.scale + scaler.offset
        return x.cpu().numpy()

    # -- persistence -----------------------------------------------------------------------

    def _extra_state(self) -> dict[str, Any]:
        return {"selection_": dict(self.selection_)}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        unknown = set(state) - {"selection_"}
        if unknown:
            raise ValueError(f"FenceGAN: unexpected extra state keys {sorted(unknown)}.")
        self.selection_ = dict(state.get("selection_", {}))


class _SelectionTracker:
    """End-of-epoch hook: logs the validation metric and remembers the best weights."""

    def __init__(self, detector: FenceGAN, validation: tuple[torch.Tensor, np.ndarray] | None):
        self.detector = detector
        self.validation = validation
        self.select = detector.model_selection == "best_validation"
        self.best_value = -math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, Any] | None = None

    def on_epoch_end(self, epoch: int, means: dict[str, float]) -> None:
        det = self.detector
        done = epoch + 1
        if self.validation is None or (done % det.validation_every and done != det.epochs):
            return
        x_val, y_val = self.validation
        d_val = det._discriminator_probability(x_val).double().cpu().numpy()
        value = compute_validation_metric(det.validation_metric, y_val, d_val)
        det.history_.setdefault("validation/epoch", []).append(float(done))
        det.history_.setdefault(f"validation/{det.validation_metric}", []).append(value)
        logger.debug("fence_gan epoch %d validation %s=%.4f", done, det.validation_metric, value)
        # Strictly better, as the code's `val > best_val`: ties keep the earlier epoch.
        if self.select and value > self.best_value:
            self.best_value, self.best_epoch = value, done
            nets = det.networks_
            self.best_state = {
                k: copy.deepcopy(nets[k].state_dict()) for k in ("generator", "discriminator")
            }

    def state_dict(self) -> dict[str, Any]:
        """The best epoch so far and its weights, so a resumed fit selects as an uninterrupted
        one would (saved in checkpoints beside the optimisers)."""
        return {
            "best_value": self.best_value,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_value = float(state["best_value"])
        self.best_epoch = state["best_epoch"]
        self.best_state = state["best_state"]

    def finish(self) -> dict[str, Any]:
        det = self.detector
        record: dict[str, Any] = {
            "selection": det.model_selection,
            "epoch": det.epochs,
            "validation_metric": det.validation_metric if self.validation is not None else None,
            "validation_value": None,
        }
        values = det.history_.get(f"validation/{det.validation_metric}")
        if self.validation is not None and values:
            record["validation_value"] = values[-1]
        if self.select and self.best_state is not None:
            for key, state in self.best_state.items():
                det.networks_[key].load_state_dict(state)
            record["epoch"] = self.best_epoch
            record["validation_value"] = self.best_value
            logger.info(
                "fence_gan: kept the weights of epoch %d/%d (validation %s = %.4f).",
                self.best_epoch,
                det.epochs,
                det.validation_metric,
                self.best_value,
            )
        return record
