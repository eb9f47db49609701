"""Why a row scored high: per-feature attributions of a detector's anomaly score.

Three methods, chosen per detector by `method="auto"`:

* ``"reconstruction"`` (detectors with a decoder: AAE, GANomaly, f-AnoGAN, EGBAD, ALAD): each
  feature's squared reconstruction error on the detector's scaled input, (x - x̂)², comparable
  across columns whatever their units. For AAE the score is their mean; the other detectors'
  scores also carry latent or discriminator terms (GANomaly's latent error, f-AnoGAN's and
  EGBAD's feature matching, ALAD's discriminator features), which this method leaves out: use
  ``"integrated_gradients"`` to attribute the whole score.
* ``"integrated_gradients"`` (every other detector whose score is differentiable in its input):
  Captum's `IntegratedGradients` of the score along the straight path from a baseline row (the
  training median) to the row. Attributions are in score units and sum to score(row) −
  score(baseline) (completeness), up to the path integral's error.
* ``"ablation"`` (any detector, e.g. one whose score is a latent search or a nearest-neighbour
  rank): Captum's `FeatureAblation`, each feature (or column group) replaced by the baseline's
  value; its attribution is how much the score drops.

`groups` folds features into columns, e.g. a one-hot block back into its categorical column:
attributions of a group's features are summed (reconstruction, integrated gradients) or the
group is ablated as one (ablation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from ._random import seeded
from ._threads import limited_threads
from .tags import get_tags

if TYPE_CHECKING:
    import pandas as pd

    from .base import BaseDetector

__all__ = ["EXPLAIN_METHODS", "explain", "explain_by_ablation", "top_features"]

EXPLAIN_METHODS = ("auto", "reconstruction", "integrated_gradients", "ablation")
_SCALER = "scaler"


def _captum() -> Any:
    try:
        import captum.attr
    except ImportError as exc:
        raise ImportError(
            "explain(method='integrated_gradients' or 'ablation') needs Captum: pip install "
            "'ganad[explain]' (or pip install captum)."
        ) from exc
    return captum.attr


def _check_groups(groups: Any, n_features: int) -> np.ndarray | None:
    if groups is None:
        return None
    arr = np.asarray(groups)
    if arr.shape != (n_features,) or arr.dtype.kind not in "iu":
        raise ValueError(
            f"groups must be {n_features} integer group numbers (one per feature), got shape "
            f"{arr.shape} of {arr.dtype}."
        )
    if arr.min() < 0 or set(np.unique(arr).tolist()) != set(range(int(arr.max()) + 1)):
        raise ValueError("groups must number the groups 0, 1, ..., G-1 with none left empty.")
    return arr.astype(np.int64)


def _baseline(detector: Any, baseline: Any) -> np.ndarray:
    if baseline is None:
        if not hasattr(detector, "feature_medians_"):
            raise ValueError(
                "this model was saved by an older ganad without its training medians, the "
                "default baseline: pass baseline=<a typical normal row> or refit it."
            )
        baseline = detector.feature_medians_
    arr = np.asarray(baseline, dtype=np.float32)
    if arr.shape != tuple(detector.input_shape_) or not np.isfinite(arr).all():
        raise ValueError(
            f"baseline must be one finite row of shape {tuple(detector.input_shape_)}, got "
            f"shape {arr.shape}."
        )
    return arr


def _score_fn(detector: Any) -> Any:
    """Raw rows (a tensor) -> scores, through the detector's own input scaler. Each call is
    seeded alike, so a randomised score (AnoGAN's latent search from random starts) compares
    a row with and without a feature from the same starts, not restart noise."""
    scaler = detector.networks_[_SCALER]
    device = torch.device(detector.device_)

    def score(x: torch.Tensor) -> torch.Tensor:
        with seeded(detector.seed_, device):
            return detector._score_batch(scaler(x)).reshape(-1).float()

    return score


def _is_differentiable(detector: Any, x: torch.Tensor) -> bool:
    """Whether the score carries a gradient back to the input (a latent search or a rank does
    not, or not usefully)."""
    if not get_tags(detector).differentiable_score:
        return False
    probe = x[:2].clone().requires_grad_(True)
    with torch.enable_grad():
        try:
            out = _score_fn(detector)(probe)
        except RuntimeError:
            return False
        if not out.requires_grad:
            return False
        (grad,) = torch.autograd.grad(out.sum(), probe, allow_unused=True)
    return grad is not None and bool(torch.isfinite(grad).all())


def resolve_method(detector: BaseDetector, method: str, x: torch.Tensor) -> str:
    if method not in EXPLAIN_METHODS:
        raise ValueError(f"method must be one of {EXPLAIN_METHODS}, got {method!r}.")
    has_decoder = hasattr(detector, "_reconstruct")
    if method == "reconstruction" and not has_decoder:
        raise ValueError(
            f"{type(detector).__name__} has no decoder; use method='integrated_gradients' or "
            "'ablation'."
        )
    if method != "auto":
        return method
    if has_decoder:
        return "reconstruction"
    return "integrated_gradients" if _is_differentiable(detector, x) else "ablation"


def _fold(values: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """(n, d) per-feature values -> (n, G) per-group sums."""
    if groups is None:
        return values
    folded = np.zeros((len(values), int(groups.max()) + 1), dtype=values.dtype)
    np.add.at(folded.T, groups, values.T)
    return folded


def _batch_attributions(
    detector: Any,
    method: str,
    xb: torch.Tensor,
    base: torch.Tensor | None,
    groups: np.ndarray | None,
    n_steps: int,
) -> np.ndarray:
    if method == "reconstruction":
        with torch.no_grad():
            xs = detector.networks_[_SCALER](xb)
            err = (xs - detector._reconstruct(xs)).pow(2).flatten(1)
        return _fold(err.double().cpu().numpy(), groups)
    attr = _captum()
    forward = _score_fn(detector)
    if base is None:  # `explain` builds the baseline row for every method but reconstruction
        raise ValueError(f"method={method!r} needs a baseline row.")
    baselines = base.expand_as(xb)
    if method == "integrated_gradients":
        ig = attr.IntegratedGradients(forward)
        with torch.enable_grad():
            out = ig.attribute(
                xb, baselines=baselines, n_steps=n_steps, internal_batch_size=len(xb)
            )
        return _fold(out.detach().flatten(1).double().cpu().numpy(), groups)
    flat_groups = groups if groups is not None else np.arange(xb[0].numel())
    mask = torch.from_numpy(flat_groups).to(xb.device).reshape(1, *xb.shape[1:])
    with torch.no_grad():
        out = attr.FeatureAblation(forward).attribute(xb, baselines=baselines, feature_mask=mask)
    values = out.flatten(1).double().cpu().numpy()
    if groups is None:
        return values
    # Every feature of a group carries the group's attribution: take one per group.
    first = np.array([np.flatnonzero(groups == g)[0] for g in range(int(groups.max()) + 1)])
    return values[:, first]


def explain(
    detector: BaseDetector,
    X: ArrayLike,
    *,
    method: str = "auto",
    groups: ArrayLike | None = None,
    baseline: ArrayLike | None = None,
    n_steps: int = 32,
    batch_size: int = 256,
) -> np.ndarray:
    """Attributions of each row's anomaly score to its features: shape (n, n_features), or
    (n, G) with `groups` (G groups numbered 0..G-1, one number per feature). Higher = the
    feature pushed the score up more. See the module docstring for the methods.

    Parameters
    ----------
    detector : BaseDetector
        A fitted ganad detector with torch networks.
    X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
        Rows to explain, shaped like the detector's training data.
    method : {"auto", "reconstruction", "integrated_gradients", "ablation"}, default "auto"
        "auto": reconstruction for detectors with a decoder, else integrated gradients where
        the score is differentiable, else ablation. The last two need Captum.
    groups : array-like of int of shape (n_features,) or None, default None
        Group number 0..G-1 of each feature, every group non-empty; None: one per feature.
    baseline : array-like of shape (n_features,) or None, default None
        Finite reference row for integrated gradients and ablation; None: the detector's
        training medians `feature_medians_`. Not used by "reconstruction".
    n_steps : int >= 2, default 32
        Integration steps of integrated gradients.
    batch_size : int >= 1, default 256
        Rows explained per pass.

    Returns
    -------
    ndarray of shape (n_samples, n_features), (n_samples, G) or (n_samples, C, H, W)
        Attributions; image input without `groups` keeps its per-sample shape.
    """
    check_is_fitted(detector, "networks_")
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 2:
        raise ValueError(f"n_steps must be an integer >= 2, got {n_steps!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    x = detector._checked_input(X)
    n_features = int(np.prod(x.shape[1:]))
    groups = _check_groups(groups, n_features)
    device = torch.device(detector.device_)
    detector.networks_.eval()
    parts = []
    with (
        limited_threads(detector._threads(min(len(x), batch_size))),
        seeded(detector.seed_, device),
    ):
        first = torch.from_numpy(x[: min(len(x), 2)]).to(device)
        resolved = resolve_method(detector, method, first)
        # Reconstruction error needs no reference row (models saved before `feature_medians_`
        # existed still explain that way).
        base = (
            None
            if resolved == "reconstruction"
            else torch.from_numpy(_baseline(detector, baseline)).to(device).unsqueeze(0)
        )
        for start in range(0, len(x), batch_size):
            xb = torch.from_numpy(x[start : start + batch_size]).to(device)
            parts.append(_batch_attributions(detector, resolved, xb, base, groups, n_steps))
    out = np.concatenate(parts) if parts else np.zeros((0, n_features))
    if groups is None and len(detector.input_shape_) > 1:
        return out.reshape(len(out), *detector.input_shape_)
    return out


def explain_by_ablation(
    detector: BaseDetector,
    X: ArrayLike,
    *,
    method: str = "auto",
    groups: ArrayLike | None = None,
    baseline: ArrayLike | None = None,
) -> np.ndarray:
    """Feature ablation through `detector.decision_function` alone, for detectors without
    torch networks (the scikit-learn / PyOD adapters): a feature's (or group's) attribution is
    how much the score drops when it takes the baseline's value (default: the training median).

    Parameters
    ----------
    detector : detector with `decision_function` and `feature_medians_`
        A fitted detector, typically a `ganad.adapters` adapter.
    X : array-like of shape (n_samples, n_features)
        Rows to explain.
    method : {"auto", "ablation"}, default "auto"
        Both mean feature ablation; any other method is refused.
    groups : array-like of int of shape (n_features,) or None, default None
        Group number 0..G-1 of each feature; a group is ablated as one. None: one per feature.
    baseline : array-like of shape (n_features,) or None, default None
        Finite reference row; None: `feature_medians_`.

    Returns
    -------
    ndarray of shape (n_samples, n_features) or (n_samples, G)
        Score drop per feature (or group).
    """
    if method not in ("auto", "ablation"):
        raise ValueError(
            f"{type(detector).__name__} explains by ablation only (method='auto' or 'ablation'), "
            f"got {method!r}."
        )
    check_is_fitted(detector, "feature_medians_")
    x = np.asarray(detector._checked_input(X), dtype=np.float32)
    n_features = x.shape[1]
    groups = _check_groups(groups, n_features)
    if groups is None:
        groups = np.arange(n_features)
    base = _baseline(detector, baseline)
    scores = detector.decision_function(x)
    out = np.empty((len(x), int(groups.max()) + 1), dtype=np.float64)
    for g in range(out.shape[1]):
        moved = x.copy()
        cols = groups == g
        moved[:, cols] = base[cols]
        out[:, g] = scores - detector.decision_function(moved)
    return out


def top_features(attributions: pd.DataFrame, k: int) -> pd.DataFrame:
    """The `k` largest attributions of each row of a DataFrame (one column per feature):
    columns feature_1, attribution_1, ..., feature_k, attribution_k, same index.

    Parameters
    ----------
    attributions : pandas.DataFrame of shape (n_samples, n_features)
        Attributions, one column per feature (e.g. from `AnomalyPipeline.explain`).
    k : int >= 1
        How many features to keep per row (at most the number of columns).

    Returns
    -------
    pandas.DataFrame
        2k columns: the names and attributions of each row's k largest, largest first.
    """
    import pandas as pd

    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    values = attributions.to_numpy(dtype=np.float64)
    k = min(k, values.shape[1])
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    names = np.asarray([str(c) for c in attributions.columns], dtype=object)
    out = pd.DataFrame(index=attributions.index)
    for j in range(k):
        out[f"feature_{j + 1}"] = names[order[:, j]]
        out[f"attribution_{j + 1}"] = np.take_along_axis(values, order[:, j : j + 1], 1)[:, 0]
    return out
