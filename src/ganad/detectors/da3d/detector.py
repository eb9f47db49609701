"""DA3D training: AAE pre-training, then alarm -> generator -> critic per mini-batch (METHODS §2.7)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from ... import _validation as V
from ...base import BaseDetector
from ...nn import MLP, ConvDecoder28, adam, set_requires_grad
from ...nn.aae import (
    AAEStep,
    build_aae,
    make_aae_optimisers,
    reconstruction_loss,
    standardised_reconstruction_loss,
)
from ...nn.layers import HIDDEN_ACTIVATIONS
from ...nn.sizing import (
    default_alarm_hidden,
    default_batch_size,
    is_conv_input,
    wide_aae_dims,
    wide_code_aae_dims,
)
from ...registry import register_detector
from ...tags import DetectorTags
from ...training import DEFAULT_UPDATES, TrainingContext, stage_epochs
from .networks import (
    ScoreStats,
    build_alarm,
    build_critic,
    build_generator,
)
from .presets import PRESETS
from .training import DA3DStep

__all__ = ["DA3D"]

#: Smallest per-value std of the standardised reconstruction error, in min-max units (1 % of a
#: feature's training range): a value that hardly varies on the training rows must not outweigh
#: every other one by orders of magnitude.
FEATURE_STD_FLOOR = 0.01

logger = logging.getLogger(__name__)

#: The AAE decoder `build_aae` makes: dense, or convolutional for 28x28 images.
_Decoder = MLP | ConvDecoder28


def _code_dim(prior: nn.Module) -> int:
    """Width of the AAE's codes: what D_prior (an `MLP`) reads in its first layer."""
    first = cast(MLP, prior).linears[0]
    return cast(nn.Linear, first).in_features


@register_detector
class DA3D(BaseDetector):
    """DA3D: an alarm network on a frozen AAE's decoder activations, trained against trivial and
    adversarially generated anomalies (Schulze et al., IJCNN 2022; METHODS §2).

    Networks and optimisers follow [DA3D-A] and its public code: LeakyReLU(0.01), dropout 0.1,
    Adam 1e-4 (eps 1e-7) everywhere, at most 500 epochs, critic noise std ``sigma`` = 2, critic
    weights 1 : 2 : 2, global-norm gradient clipping 0.01 on generator and critic, generator
    input N(0, I_8). ``generator="simple"`` is the paper's "Simple" ablation (latent N(0, sigma²)
    anomalies, no generator or critic). Known anomalies in ``y`` (y == 1) are an extra BCE term
    for the alarm (the semi-supervised extension the paper mentions) and are kept out of AAE
    training. Presets: one per row of the paper's Table 1 (e.g. ``preset="kdd"``),
    ``"<name>_b"`` for the earlier preprint's configuration, and ``"smoke"``; each sets the
    paper's choices below (``ganad.detectors.da3d.presets.PAPER_OPTIONS``).

    Defaults for data without a preset (issue #15, ``docs/results/one_class/``) differ from the
    paper in these choices, each measured there: ``updates=2000`` replaces the fixed epoch
    counts by about that many mini-batch updates per stage (``epochs`` and ``aae_epochs``
    become upper bounds; the paper: ``updates=None``); ``score="alarm+reconstruction"`` composes the
    alarm's logit with the AAE's log reconstruction error, each standardised with its mean and
    std on the training rows and weighted ``score_weights`` (0.1 : 0.9, the review's
    discrimination : residual weights; the error per value in units of its training std,
    ``reconstruction_error="standardised"``, as if the data were z-scored) (the alarm sees only the decoder's activations of the code, so an
    anomaly that encodes to a normal code is invisible to it, but not to the reconstruction;
    the paper: ``"alarm"``); trivial anomalies uniform on [-0.1, 1.1]^d
    (``trivial="uniform"``, ``trivial_std=0.6``; the paper: N(0.5, 1), mostly outside the
    min-max range of the data); and the AAE trains on the error it is scored by, each value's
    squared error in units of its training std (``aae_loss="auto"``: standardised for tables,
    binary cross-entropy for images; the paper: ``"bce"``), at ``aae_lr=3e-4`` (the paper:
    ``lr``, 1e-4), with a code of 32 values (``aae_sizing="wide_code"``) pulled to the prior on
    every second update (``aae_regularise_every=2``; the paper: every update).
    ``preset="practical"`` names the same choices.

    Unknown data: ``aae_dims=None`` uses ``ganad.nn.sizing.wide_code_aae_dims``
    (``aae_sizing="table1"``: ``default_aae_dims``, fitted to Table 1), ``alarm_hidden=None``
    the small alarm for activation vectors under 100 values and the big one otherwise,
    ``batch_size=None`` the power of two nearest n/64 in [64, 4096].

    Parameters
    ----------
    aae_dims : tuple of int or None, default=None
        Encoder widths of the dense AAE, the last one the code size; the decoder mirrors them.
        None: the `aae_sizing` rule of the feature count. Ignored for (C, 28, 28) images,
        which use the convolutional AAE.
    aae_sizing : {"wide_code", "wide", "table1"}, default="wide_code"
        The sizes when `aae_dims` is None: "wide_code" is `ganad.nn.sizing.wide_code_aae_dims`
        (hidden layers of 64 and 32 units or more, a code of 32 values); "wide" is
        `ganad.nn.sizing.wide_aae_dims` (the same hidden layers, a code of half the features
        in [2, 32]: the default of models saved before "wide_code" existed, which store it);
        "table1" is `ganad.nn.sizing.default_aae_dims`, fitted to the paper's Table 1 (a
        code of about sqrt(d)), what every paper preset and models saved before the option
        existed use.
    alarm_hidden : tuple of int or None, default=None
        Hidden widths of the alarm. None: `ganad.nn.sizing.default_alarm_hidden` of the
        decoder's activation width.
    generator_hidden : tuple of int, default=(50, 40, 30, 20)
        Hidden widths of the generator of anomalous codes.
    critic_hidden : tuple of int, default=(40, 20, 10, 5)
        Hidden widths of the critic.
    prior_hidden : tuple of int, default=(40, 20, 10, 5)
        Hidden widths of the AAE's prior discriminator D_prior.
    gen_input_dim : int >= 1, default=8
        Width of the generator's N(0, I) input.
    activation : {"lrelu", "relu", "selu", "tanh", "elu"}, default="lrelu"
        Hidden activation of every dense network.
    dropout : float in [0, 1), default=0.1
        Dropout rate after every hidden activation of the dense networks.
    generator : {"adversarial", "simple"}, default="adversarial"
        "adversarial": the generator and critic of DA3D; "simple": the "Simple" ablation,
        anomalous codes N(0, sigma²) and no generator or critic training.
    sigma : float > 0, default=2.0
        Standard deviation of the wide Gaussian in code space (the critic's noise, and the
        "Simple" anomalies).
    critic_weights : tuple of 3 floats >= 0, default=(1.0, 2.0, 2.0)
        Weights (noise, normal, generated) of the critic loss terms.
    trivial : {"gaussian", "uniform"}, default="uniform"
        Trivial anomalies in scaled input space: N(trivial_mean, trivial_std²) per value,
        or uniform on trivial_mean ± trivial_std.
    trivial_mean : float, default=0.5
        Centre of the trivial anomalies.
    trivial_std : float > 0, default=0.6
        Standard deviation ("gaussian") or half-width ("uniform") of the trivial anomalies.
    epochs : int >= 1, default=500
        Epochs of the adversarial stage, and of the AAE stage when `aae_epochs` is None
        (upper bounds when `updates` is set).
    aae_epochs : int >= 0 or None, default=None
        Epochs of the AAE stage; None: `epochs`.
    pretrain_epochs : int >= 0, default=0
        Epochs of an alarm-only stage on normal rows and trivial anomalies before the
        adversarial stage ([DA3D-B]); 0 skips it. Not scaled by `updates`.
    batch_size : int or None, default=None
        Mini-batch size of every stage; None: `ganad.nn.sizing.default_batch_size` of the
        number of normal training rows.
    lr : float > 0, default=1e-4
        Adam learning rate of every network (the AAE's too, unless `aae_lr` is given).
    aae_lr : float > 0 or None, default=3e-4
        Adam learning rate of the AAE stage (encoder, decoder, D_prior); None: `lr` (the
        paper).
    aae_loss : {"auto", "bce", "standardised"}, default="auto"
        The AAE's reconstruction loss: binary cross-entropy on the scaled values (the paper),
        or the squared error of each value in units of its training std (at least
        `FEATURE_STD_FLOOR`), the loss of z-scored data and the error the standardised
        reconstruction score measures. "auto": "standardised" for tables, "bce" for images
        (whose pixels share one scale; weighting near-constant border pixels by 1 / 0.01^2
        drowned the digits: MNIST 0-vs-rest .771 vs .958 with "bce").
    aae_regularise_every : int >= 1, default=2
        The AAE's encoder is regularised against D_prior (its codes pulled to N(0, I)) on every
        `aae_regularise_every`-th update; 1 is the paper's every update. A weaker pull leaves
        the code more room for multimodal normal data (development problems, 3 seeds: mean
        ROC-AUC .935 with 1, .944 with 2; ``docs/results/one_class/`` round 7); none at all
        lost cardio (.968 → .813).
    clip_norm : float > 0 or None, default=0.01
        The Lipschitz bound of `lipschitz`, and the gradient-norm clip of the AAE's
        adversarial updates; None: no clipping.
    lipschitz : {"grad_norm", "weight_clip"}, default="grad_norm"
        "grad_norm": global-norm gradient clipping of generator and critic at `clip_norm`;
        "weight_clip": the critic's weights clamped to ±clip_norm after each update.
    known_anomaly_weight : float >= 0, default=1.0
        Weight of the known anomalies' (y == 1) cross-entropy in the alarm loss.
    updates : int or None, default=2000
        Training budget: about this many mini-batch updates per training stage, with the
        stage's epoch count as the upper bound. None: the fixed epoch counts (the papers'
        settings, which their presets use).
    score : {"alarm", "alarm+reconstruction"}, default="alarm+reconstruction"
        "alarm": the alarm's probability; "alarm+reconstruction": the alarm's logit and the
        log reconstruction error, standardised on the training rows and weighted by
        `score_weights`.
    score_weights : tuple of 2 floats >= 0, default=(0.1, 0.9)
        Weights (alarm, reconstruction) of the composed score, not both 0.
    reconstruction_error : {"raw", "standardised"}, default="standardised"
        Error of the composed score: squared error per scaled value, or per value in units of
        its training std (at least `FEATURE_STD_FLOOR`).
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

    name: ClassVar[str] = "da3d"
    PRESETS: ClassVar = PRESETS
    # Models saved before `score` and `updates` existed score with the alarm alone.
    # Models saved before `score_weights` and `reconstruction_error` existed composed with equal
    # weights and the raw (min-max) reconstruction error.
    SAVED_BEFORE: ClassVar = MappingProxyType(
        {
            **BaseDetector.SAVED_BEFORE,
            "score": "alarm",
            "score_weights": (1.0, 1.0),
            "reconstruction_error": "raw",
            "aae_sizing": "table1",
            "aae_lr": None,
            "aae_loss": "bce",
            "aae_regularise_every": 1,
        }
    )
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "aae_dims": V.positive_int_sequence(allow_none=True),
        "aae_sizing": V.Options({"table1", "wide", "wide_code"}),
        "alarm_hidden": V.positive_int_sequence(allow_none=True),
        "generator_hidden": V.positive_int_sequence(),
        "critic_hidden": V.positive_int_sequence(),
        "prior_hidden": V.positive_int_sequence(),
        "gen_input_dim": V.Interval(int, 1, None),
        "activation": V.Options(set(HIDDEN_ACTIVATIONS)),
        "dropout": V.Interval(float, 0.0, 1.0, closed="left"),
        "generator": V.Options({"adversarial", "simple"}),
        "sigma": V.Interval(float, 0.0, None, closed="neither"),
        "critic_weights": V.Check(
            lambda v: (
                isinstance(v, tuple | list)
                and len(v) == 3
                and all(isinstance(w, int | float) and w >= 0 for w in v)
            ),
            "a triple of non-negative weights (noise, normal, generated)",
        ),
        "trivial": V.Options({"gaussian", "uniform"}),
        "trivial_mean": V.Interval(float),
        "trivial_std": V.Interval(float, 0.0, None, closed="neither"),
        "epochs": V.Interval(int, 1, None),
        "aae_epochs": V.Interval(int, 0, None, allow_none=True),
        "pretrain_epochs": V.Interval(int, 0, None),
        "batch_size": V.Interval(int, 1, None, allow_none=True),
        "lr": V.Interval(float, 0.0, None, closed="neither"),
        "aae_lr": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
        "aae_loss": V.Options({"auto", "bce", "standardised"}),
        "aae_regularise_every": V.Interval(int, 1, None),
        "clip_norm": V.Interval(float, 0.0, None, closed="neither", allow_none=True),
        "lipschitz": V.Options({"grad_norm", "weight_clip"}),
        "known_anomaly_weight": V.Interval(float, 0.0, None),
        "updates": V.Interval(int, 1, None, allow_none=True),
        "score": V.Options({"alarm", "alarm+reconstruction"}),
        "score_weights": V.Check(
            lambda v: (
                isinstance(v, tuple | list)
                and len(v) == 2
                and all(isinstance(w, int | float) and w >= 0 for w in v)
                and sum(v) > 0
            ),
            "a pair of non-negative weights (alarm, reconstruction), not both zero",
        ),
        "reconstruction_error": V.Options({"raw", "standardised"}),
    }

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_checkpoint=True,
            uses_labels=True,
            samples_anomalous_codes=True,
        )

    def __init__(
        self,
        *,
        aae_dims: tuple[int, ...] | None = None,
        aae_sizing: str = "wide_code",
        alarm_hidden: tuple[int, ...] | None = None,
        generator_hidden: tuple[int, ...] = (50, 40, 30, 20),
        critic_hidden: tuple[int, ...] = (40, 20, 10, 5),
        prior_hidden: tuple[int, ...] = (40, 20, 10, 5),
        gen_input_dim: int = 8,
        activation: str = "lrelu",
        dropout: float = 0.1,
        generator: str = "adversarial",
        sigma: float = 2.0,
        critic_weights: tuple[float, float, float] = (1.0, 2.0, 2.0),
        trivial: str = "uniform",
        trivial_mean: float = 0.5,
        trivial_std: float = 0.6,
        epochs: int = 500,
        aae_epochs: int | None = None,
        pretrain_epochs: int = 0,
        batch_size: int | None = None,
        lr: float = 1e-4,
        aae_lr: float | None = 3e-4,
        aae_loss: str = "auto",
        aae_regularise_every: int = 2,
        clip_norm: float | None = 0.01,
        lipschitz: str = "grad_norm",
        known_anomaly_weight: float = 1.0,
        updates: int | None = DEFAULT_UPDATES,
        score: str = "alarm+reconstruction",
        score_weights: tuple[float, float] = (0.1, 0.9),
        reconstruction_error: str = "standardised",
        scaling: str = "auto",
        contamination: float | None = 0.1,
        fpr: float = 0.01,
        random_state: int | None = None,
        device: str = "auto",
        n_jobs: int | None = None,
        precision: str = "auto",
        verbose: int = 0,
    ):
        self.aae_dims = aae_dims
        self.aae_sizing = aae_sizing
        self.alarm_hidden = alarm_hidden
        self.generator_hidden = generator_hidden
        self.critic_hidden = critic_hidden
        self.prior_hidden = prior_hidden
        self.gen_input_dim = gen_input_dim
        self.activation = activation
        self.dropout = dropout
        self.generator = generator
        self.sigma = sigma
        self.critic_weights = critic_weights
        self.trivial = trivial
        self.trivial_mean = trivial_mean
        self.trivial_std = trivial_std
        self.epochs = epochs
        self.aae_epochs = aae_epochs
        self.pretrain_epochs = pretrain_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.aae_lr = aae_lr
        self.aae_loss = aae_loss
        self.aae_regularise_every = aae_regularise_every
        self.clip_norm = clip_norm
        self.lipschitz = lipschitz
        self.known_anomaly_weight = known_anomaly_weight
        self.updates = updates
        self.score = score
        self.score_weights = score_weights
        self.reconstruction_error = reconstruction_error
        self.scaling = scaling
        self.contamination = contamination
        self.fpr = fpr
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.precision = precision
        self.verbose = verbose

    # -- networks ----------------------------------------------------------------------------

    def _resolved_aae_dims(self) -> tuple[int, ...] | None:
        """`aae_dims`, else the `aae_sizing` rule's sizes (None: Table 1's rule, in build_aae)."""
        if self.aae_dims is not None or self.aae_sizing == "table1":
            return self.aae_dims
        if is_conv_input(self.input_shape_):
            return None  # the convolutional AAE has fixed sizes
        rule = wide_code_aae_dims if self.aae_sizing == "wide_code" else wide_aae_dims
        return rule(int(np.prod(self.input_shape_)))

    def _build_networks(self) -> nn.ModuleDict:
        aae = build_aae(
            self.input_shape_,
            self._resolved_aae_dims(),
            prior_hidden=self.prior_hidden,
            activation=self.activation,
            dropout=self.dropout,
        )
        code_dim = _code_dim(aae["prior"])
        act_dim = cast(_Decoder, aae["decoder"]).hidden_dim
        alarm_hidden = (
            self.alarm_hidden if self.alarm_hidden is not None else default_alarm_hidden(act_dim)
        )
        kw: dict[str, Any] = {"activation": self.activation, "dropout": self.dropout}
        return nn.ModuleDict(
            {
                **aae,
                "alarm": build_alarm(act_dim, alarm_hidden, **kw),
                "generator": build_generator(
                    self.gen_input_dim, self.generator_hidden, code_dim, **kw
                ),
                "critic": build_critic(code_dim, self.critic_hidden, **kw),
                **({"score_stats": ScoreStats(2)} if self.score != "alarm" else {}),
                # Per-value mean and std of the training rows: the reconstruction error measured
                # in standardised units (`reconstruction_error="standardised"`).
                **(
                    {"feature_stats": ScoreStats(math.prod(self.input_shape_))}
                    if self.score != "alarm" and self.reconstruction_error == "standardised"
                    else {}
                ),
            }
        )

    def _activations(self, h: torch.Tensor) -> torch.Tensor:
        """a_dec(h): the frozen decoder's hidden activations for codes h."""
        return cast(_Decoder, self.networks_["decoder"]).hidden_activations(h)

    def _stats(self, name: str) -> ScoreStats:
        """The `ScoreStats` buffers `name` ("score_stats" or "feature_stats") of `networks_`."""
        return cast(ScoreStats, self.networks_[name])

    # -- training ----------------------------------------------------------------------------

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        nets = self.networks_
        known = X[y == 1] if y is not None else X[:0]
        normal = X[y == 0] if y is not None else X
        if len(normal) == 0:
            raise ValueError(
                "DA3D needs normal training samples (y == 0); all samples are labelled anomalous."
            )
        batch_size = self.batch_size or default_batch_size(len(normal))
        x_normal = context.tensor(normal)

        # Stage 1: the AAE on normal data, then frozen for good (eval mode, no gradients).
        self._train_aae(x_normal, batch_size, context)
        epochs = self._stage_epochs(self.epochs, len(normal), batch_size)

        # The AAE is frozen, so the normal samples' codes and decoder activations never change:
        # compute them once instead of every epoch.
        h_normal, a_normal = self._encode_all(x_normal)
        known_acts = self._encode_all(context.tensor(known))[1] if len(known) else None

        # Stage 2 (optional, [DA3D-B]): alarm only, normal + trivial anomalies.
        opt = {name: adam(nets[name], self.lr) for name in ("alarm", "generator", "critic")}
        if self.pretrain_epochs:
            step = self._make_step(opt, known_acts, train_generator=False)
            context.run(
                step,
                (h_normal, a_normal),
                epochs=self.pretrain_epochs,
                batch_size=batch_size,
                stage="pretrain",
                optimisers=opt,
            )

        # Stage 3: alarm -> generator -> critic per mini-batch.
        step = self._make_step(opt, known_acts, train_generator=self.generator == "adversarial")
        context.run(
            step,
            (h_normal, a_normal),
            epochs=epochs,
            batch_size=batch_size,
            stage="da3d",
            optimisers=opt,
        )
        if self.score != "alarm":
            self._fit_score_stats(x_normal)

    def _train_aae(self, x_normal: torch.Tensor, batch_size: int, context: TrainingContext) -> None:
        """Stage 1: encoder, decoder and D_prior on the normal rows (`AAEStep`), then frozen."""
        enc, dec, prior = (self.networks_[k] for k in ("encoder", "decoder", "prior"))
        aae_opt = make_aae_optimisers(
            enc, dec, prior, self.lr if self.aae_lr is None else self.aae_lr
        )
        aae_step = AAEStep(
            enc,
            dec,
            prior,
            aae_opt,
            clip_norm=self.clip_norm,
            loss=self._aae_loss(x_normal),
            regularise_every=self.aae_regularise_every,
        )
        aae_epochs = self._stage_epochs(
            self.epochs if self.aae_epochs is None else self.aae_epochs, len(x_normal), batch_size
        )
        context.run(
            aae_step,
            x_normal,
            epochs=aae_epochs,
            batch_size=batch_size,
            stage="aae",
            # The step's update count decides when the codes are next regularised.
            optimisers={**aae_opt, "step": aae_step},
        )
        for module in (enc, dec, prior):
            module.eval()
            set_requires_grad(module, False)

    def _aae_loss(
        self, x_normal: torch.Tensor
    ) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """The AAE's reconstruction loss of `aae_loss`, bound to the training rows' spread."""
        if self.aae_loss == "bce" or (self.aae_loss == "auto" and self._is_image()):
            return reconstruction_loss
        std = x_normal.std(dim=0).clamp(min=FEATURE_STD_FLOOR)
        return partial(standardised_reconstruction_loss, std=std)

    def _trivial_anomalies(self, n: int, shape: tuple[int, ...]) -> torch.Tensor:
        """Trivial anomalies in (scaled) input space: N(trivial_mean, trivial_std^2) per value
        (the paper), or "uniform" on trivial_mean +- trivial_std, e.g. U(-0.1, 1.1) for
        `preset="practical"`: a background over the whole min-max range, so the alarm learns
        where normal rows are dense inside it, not only what lies outside it."""
        if self.trivial == "uniform":
            u = torch.rand(n, *shape, device=self.device_)
            return (u * 2.0 - 1.0) * self.trivial_std + self.trivial_mean
        return torch.randn(n, *shape, device=self.device_) * self.trivial_std + self.trivial_mean

    def _stage_epochs(self, epochs: int, n_rows: int, batch_size: int) -> int:
        """`epochs`, or with `updates` about that many updates (at most `epochs`)."""
        return stage_epochs(epochs, self.updates, n_rows, batch_size)

    def _score_components(self, x: torch.Tensor) -> torch.Tensor:
        """(alarm logit, log reconstruction error) per row, float64, shape (n, 2). Callers
        choose gradients: none when scoring, some for `explain`'s integrated gradients."""
        h = self.networks_["encoder"](x).flatten(1)
        logit = self.networks_["alarm"](self._activations(h)).double().squeeze(1)
        recon = torch.sigmoid(self.networks_["decoder"](h)).double()
        residual = (recon - x.double()).flatten(1)
        if "feature_stats" in self.networks_:
            # Each value's error in units of its training spread, as if the data were z-scored:
            # min-max scaling squeezes a heavy-tailed feature's normal range into a sliver, so its
            # raw error would count for almost nothing next to a uniform feature's.
            residual = residual / self._stats("feature_stats").std
        error = residual.pow(2).mean(dim=1)
        return torch.stack([logit, torch.log(error + 1e-12)], dim=1)

    @torch.no_grad()
    def _fit_score_stats(self, x_normal: torch.Tensor) -> None:
        """Per-value spread of the training rows (for the standardised reconstruction error),
        then mean and std of each score component on them (eval mode)."""
        self.networks_.eval()
        if "feature_stats" in self.networks_:
            values = x_normal.flatten(1).double()
            self._stats("feature_stats").set_(values, floor=FEATURE_STD_FLOOR)
        self._stats("score_stats").set_batched(self._score_components, x_normal, 8192)

    @torch.no_grad()
    def _encode_all(self, x: torch.Tensor, chunk: int = 8192) -> tuple[torch.Tensor, torch.Tensor]:
        codes, acts = [], []
        for start in range(0, len(x), chunk):
            h = self.networks_["encoder"](x[start : start + chunk]).flatten(1)
            codes.append(h)
            acts.append(self._activations(h))
        return torch.cat(codes), torch.cat(acts)

    def _make_step(
        self,
        opt: Mapping[str, torch.optim.Optimizer],
        known_acts: torch.Tensor | None,
        *,
        train_generator: bool,
    ) -> DA3DStep:
        """The stage's update step, bound to this detector's networks and parameters."""
        return DA3DStep(
            self.networks_,
            opt,
            activations=self._activations,
            trivial_anomalies=lambda n: self._trivial_anomalies(n, self.input_shape_),
            known_acts=known_acts,
            train_generator=train_generator,
            simple=self.generator == "simple",
            gen_input_dim=self.gen_input_dim,
            sigma=self.sigma,
            known_anomaly_weight=self.known_anomaly_weight,
            lipschitz=self.lipschitz,
            clip_norm=self.clip_norm,
            critic_weights=(*self.critic_weights,),  # a tuple, also when given as a list
        )

    # -- scoring -----------------------------------------------------------------------------

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        if self.score != "alarm":
            if "score_stats" not in self.networks_:
                raise ValueError(
                    f"score={self.score!r} needs the component statistics of a model fitted "
                    "with it; this model was fitted with score='alarm': refit it."
                )
            standardised_fit = "feature_stats" in self.networks_
            if standardised_fit != (self.reconstruction_error == "standardised"):
                fitted = "standardised" if standardised_fit else "raw"
                raise ValueError(
                    f"reconstruction_error={self.reconstruction_error!r} needs statistics of a "
                    f"model fitted with it; this model was fitted with {fitted!r}: refit it."
                )
            weights = torch.tensor(self.score_weights, dtype=torch.float64, device=x.device)
            standardised = self._stats("score_stats").standardised(self._score_components(x))
            return standardised @ weights
        h = self.networks_["encoder"](x).flatten(1)
        # The alarm's probability, computed in float64: float32 sigmoid rounds every logit above
        # ~17 to exactly 1.0, which would turn confident scores into ties and flatten ROC curves.
        return torch.sigmoid(self.networks_["alarm"](self._activations(h)).double()).squeeze(1)

    def generate_codes(self, n: int) -> np.ndarray:
        """Codes of `n` generated anomalies (for plots such as the paper's Fig. 3).

        Parameters
        ----------
        n : int
            Number of codes, drawn with torch's global generator.

        Returns
        -------
        numpy.ndarray of shape (n, code_dim)
            The generator's codes.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "networks_")
        return self._generated_codes(n).cpu().numpy()

    @torch.no_grad()
    def _generated_codes(self, n: int) -> torch.Tensor:
        gen = self.networks_["generator"].eval()
        return gen(torch.randn(n, self.gen_input_dim, device=self.device_))

    @torch.no_grad()
    def anomalous_codes(self, n: int) -> dict[str, torch.Tensor]:
        """`n` anomalies in code space per kind the alarm is trained against, drawn with torch's
        generator (for plots that show or decode them): "trivial" (codes of the trivial
        anomalies), "simple" (N(0, sigma^2), the "Simple" ablation's and the critic's wide
        Gaussian) and, with `generator="adversarial"`, "generated".

        Parameters
        ----------
        n : int
            Number of codes per kind.

        Returns
        -------
        dict of str to torch.Tensor
            Codes of shape (n, code_dim) by kind.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "networks_")
        self.networks_.eval()
        encoder = self.networks_["encoder"]
        drawn = {"trivial": encoder(self._trivial_anomalies(n, self.input_shape_)).flatten(1)}
        code_dim = _code_dim(self.networks_["prior"])
        drawn["simple"] = torch.randn(n, code_dim, device=self.device_) * self.sigma
        if self.generator == "adversarial":
            drawn["generated"] = self._generated_codes(n)
        return drawn

    def encode(self, X: ArrayLike) -> np.ndarray:
        """AAE codes of (unscaled) `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, 28, 28)
            Rows in the caller's units, shaped like the training data.

        Returns
        -------
        numpy.ndarray of shape (n_samples, code_dim)
            The frozen encoder's codes of the scaled rows.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "networks_")
        x = self.networks_["scaler"](self._tensor(self._checked_input(X)))
        return self._encode_all(x)[0].cpu().numpy()
