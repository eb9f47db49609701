"""Figures (PNG, matplotlib, Agg backend). matplotlib is optional: `pip install 'ganad[plot]'`.

* `plot_roc_pr`: ROC and precision-recall curves of one or more score sets;
* `plot_score_histogram`: scores of normal vs anomalous test samples;
* `plot_history`: training-loss curves from a detector's `history_`;
* `plot_latent`: DA3D's latent space as in the paper's Fig. 3 (normal codes, trivial, simple and
  generated anomalies; the first two code dimensions, or PCA when the code has more);
* `plot_sample_grid`: decoded images (reconstructions, generated and simple anomalies);
* `plot_paper_comparison`: ours vs the paper's Table 2 per data set and detector.

Every function writes one PNG and returns its path.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tags import get_tags

if TYPE_CHECKING:
    from ..base import BaseDetector

__all__ = [
    "MissingMatplotlibError",
    "plot_history",
    "plot_latent",
    "plot_paper_comparison",
    "plot_roc_pr",
    "plot_sample_grid",
    "plot_score_histogram",
]

logger = logging.getLogger(__name__)


class MissingMatplotlibError(ImportError):
    """matplotlib is not installed."""


def _plt():
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingMatplotlibError(
            "plotting needs matplotlib, which is not installed: pip install 'ganad[plot]' "
            "(or pip install matplotlib)."
        ) from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def plot_roc_pr(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike[str],
    title: str = "",
) -> Path:
    """ROC (left) and precision-recall (right) curves; `curves` maps a name to (y_true, scores).

    Parameters
    ----------
    curves : mapping of str to tuple (ndarray, ndarray)
        Curve name (the legend) -> (0/1 labels, anomaly scores).
    path : str or path-like
        The PNG to write.
    title : str, default ""
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    plt = _plt()
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.2))
    prevalence = None
    for name, (y, s) in curves.items():
        y = np.asarray(y).astype(int)
        s = np.asarray(s, dtype=float)
        fpr, tpr, _ = roc_curve(y, s)
        ax_roc.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, s):.3f})")
        prec, rec, _ = precision_recall_curve(y, s)
        ax_pr.step(
            rec, prec, where="post", label=f"{name} (AP {average_precision_score(y, s):.3f})"
        )
        prevalence = float(y.mean())
    ax_roc.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax_roc.set(
        xlabel="false positive rate",
        ylabel="true positive rate",
        title="ROC",
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    if prevalence is not None:
        ax_pr.axhline(prevalence, color="k", ls=":", lw=0.8)
    ax_pr.set(
        xlabel="recall",
        ylabel="precision",
        title="precision-recall (anomaly = positive)",
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    for ax in (ax_roc, ax_pr):
        ax.legend(fontsize=8, loc="lower right" if ax is ax_roc else "upper right")
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_score_histogram(
    y: np.ndarray, scores: np.ndarray, path: str | os.PathLike[str], title: str = "", bins: int = 50
) -> Path:
    """Histogram of the scores of normal (y = 0) and anomalous (y = 1) samples (densities).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        0/1 labels (all 0 for unlabelled data).
    scores : array-like of shape (n_samples,)
        Anomaly scores.
    path : str or path-like
        The PNG to write.
    title : str, default ""
        Figure title; "" gives "test scores".
    bins : int, default 50
        Number of bins, shared by both classes.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    plt = _plt()
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4))
    edges = np.histogram_bin_edges(s, bins=bins)
    ax.hist(
        s[y == 0], bins=edges, density=True, alpha=0.6, label=f"normal (n={int((y == 0).sum())})"
    )
    if (y == 1).any():
        ax.hist(
            s[y == 1],
            bins=edges,
            density=True,
            alpha=0.6,
            label=f"anomalous (n={int((y == 1).sum())})",
        )
    ax.set(
        xlabel="anomaly score (higher = more anomalous)",
        ylabel="density",
        title=title or "test scores",
    )
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_history(
    history: Mapping[str, Sequence[float]], path: str | os.PathLike[str], title: str = ""
) -> Path:
    """Per-epoch training losses (`detector.history_`), one panel per training stage.

    Entries that are not losses (per-epoch timings such as `<stage>/epoch_seconds`) are left out.

    Parameters
    ----------
    history : mapping of str to sequence of float
        "<stage>/<loss>" -> per-epoch values; it must hold at least one loss.
    path : str or path-like
        The PNG to write.
    title : str, default ""
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    plt = _plt()
    history = {k: v for k, v in history.items() if "seconds" not in k.rsplit("/", 1)[-1]}
    if not history:
        raise ValueError("the training history has no losses (was the detector fitted?).")
    stages: dict[str, list[str]] = {}
    for key in history:
        stages.setdefault(key.split("/", 1)[0] if "/" in key else "train", []).append(key)
    fig, axes = plt.subplots(1, len(stages), figsize=(4.8 * len(stages), 3.8), squeeze=False)
    for ax, (stage, keys) in zip(axes[0], stages.items(), strict=True):
        for key in keys:
            values = np.asarray(history[key], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), values, label=key.split("/", 1)[-1])
        ax.set(title=stage, xlabel="epoch", ylabel="mean loss")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def _scaled_tensor(detector: Any, X: np.ndarray):
    import torch

    x = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).to(detector.device_)
    return detector.networks_["scaler"](x)


def latent_codes(
    detector: BaseDetector, X_normal: np.ndarray, n: int = 1000, seed: int = 0
) -> dict[str, np.ndarray]:
    """Codes of normal samples, trivial anomalies (N(mean, std) in the scaled input space, encoded),
    simple anomalies (N(0, sigma²) in code space) and generated anomalies (DA3D's generator)."""
    import torch

    from .._random import seeded

    if not get_tags(detector).samples_anomalous_codes or "encoder" not in getattr(
        detector, "networks_", {}
    ):
        raise TypeError(
            "the latent-space plot needs a fitted detector that draws anomalies in its code "
            "space (DA3D)."
        )
    rng = np.random.default_rng(seed)
    if len(X_normal) > n:
        X_normal = X_normal[rng.choice(len(X_normal), n, replace=False)]
    device = torch.device(detector.device_)
    out: dict[str, np.ndarray] = {}
    with seeded(seed, device), torch.no_grad():
        detector.networks_.eval()
        encode = detector.networks_["encoder"]
        out["normal"] = encode(_scaled_tensor(detector, X_normal)).flatten(1).cpu().numpy()
        for kind, codes in detector.anomalous_codes(n).items():
            out[kind] = codes.flatten(1).cpu().numpy()
    return out


def plot_latent(
    detector: BaseDetector,
    X_normal: np.ndarray,
    path: str | os.PathLike[str],
    *,
    n: int = 1000,
    pca: bool | None = None,
    title: str = "",
    seed: int = 0,
) -> Path:
    """DA3D's latent space (the paper's Fig. 3): normal codes and the three kinds of anomalies.

    `X_normal` are raw (unscaled) normal samples. With a code of more than two dimensions a PCA
    fitted on the normal codes is shown (`pca=False`: the first two dimensions instead).

    Parameters
    ----------
    detector : BaseDetector
        A fitted detector that samples anomalous codes (DA3D).
    X_normal : ndarray
        Raw normal samples; at most `n` of them are drawn at random.
    path : str or path-like
        The PNG to write.
    n : int, default 1000
        Normal samples shown, and anomalies drawn per kind.
    pca : bool or None, default None
        Project with PCA (True), show the first two code dimensions (False), or PCA only for
        codes of more than two dimensions (None).
    title : str, default ""
        Figure title.
    seed : int, default 0
        Seed of the sample choice and the anomaly draws.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    plt = _plt()
    codes = latent_codes(detector, X_normal, n=n, seed=seed)
    dim = codes["normal"].shape[1]
    use_pca = dim > 2 if pca is None else pca
    if use_pca and dim > 2:
        from sklearn.decomposition import PCA

        proj = PCA(n_components=2, random_state=0).fit(codes["normal"])
        points = {k: proj.transform(v) for k, v in codes.items()}
        axes_labels = ("PC 1 of the normal codes", "PC 2")
    else:
        points = {
            k: v[:, :2] if v.shape[1] >= 2 else np.c_[v, np.zeros(len(v))] for k, v in codes.items()
        }
        axes_labels = ("code dimension 1", "code dimension 2")
    style = {
        "simple": dict(c="tab:gray", s=6, alpha=0.25, label="simple anomalies N(0, σ²)"),
        "trivial": dict(c="tab:orange", s=8, alpha=0.5, label="trivial anomalies (encoded noise)"),
        "normal": dict(c="tab:blue", s=8, alpha=0.6, label="normal samples"),
        "generated": dict(c="tab:red", s=10, alpha=0.7, marker="x", label="generated anomalies"),
    }
    fig, ax = plt.subplots(figsize=(6.2, 5.6))
    for key in ("simple", "trivial", "normal", "generated"):
        if key in points:
            p = points[key]
            ax.scatter(p[:, 0], p[:, 1], **style[key])
    ax.set(xlabel=axes_labels[0], ylabel=axes_labels[1], title=title or "DA3D latent space")
    ax.legend(fontsize=8, markerscale=2)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_sample_grid(
    detector: BaseDetector,
    X: np.ndarray,
    path: str | os.PathLike[str],
    *,
    n: int = 8,
    seed: int = 0,
    title: str = "",
) -> Path:
    """Decoded images: inputs, reconstructions, decoded generated and simple anomalies.

    Parameters
    ----------
    detector : BaseDetector
        A fitted image detector with an encoder and a decoder (DA3D, AAE).
    X : ndarray of shape (n_samples, C, H, W)
        Raw images; the first `n` are shown.
    path : str or path-like
        The PNG to write.
    n : int, default 8
        Images per row (and anomalies drawn per kind).
    seed : int, default 0
        Seed of the anomaly draws.
    title : str, default ""
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import torch

    from .._random import seeded

    plt = _plt()
    nets = getattr(detector, "networks_", None)
    if (
        nets is None
        or "decoder" not in nets
        or "encoder" not in nets
        or len(detector.input_shape_) != 3
    ):
        raise TypeError(
            "decoded sample grids need a fitted DA3D/AAE detector trained on images (n, C, H, W)."
        )
    device = torch.device(detector.device_)
    rows: dict[str, np.ndarray] = {}
    with seeded(seed, device), torch.no_grad():
        nets.eval()
        xs = _scaled_tensor(detector, X[:n])
        rows["input"] = xs.cpu().numpy()
        codes = nets["encoder"](xs)
        rows["reconstruction"] = nets["decoder"](codes).cpu().numpy()
        if get_tags(detector).samples_anomalous_codes:
            for kind, drawn in detector.anomalous_codes(n).items():
                rows[f"{kind} anomaly"] = nets["decoder"](drawn).cpu().numpy()
    fig, axes = plt.subplots(len(rows), n, figsize=(1.2 * n, 1.3 * len(rows)), squeeze=False)
    for r, (name, imgs) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r][c]
            ax.axis("off")
            if c < len(imgs):
                img = imgs[c]
                img = img[0] if img.shape[0] == 1 else np.transpose(img, (1, 2, 0))
                ax.imshow(
                    np.clip(img, 0, 1), cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1
                )
        axes[r][0].set_title(name, fontsize=8, loc="left")
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_paper_comparison(
    ours: Mapping[tuple[str, str], tuple[float, float]],
    paper: Mapping[tuple[str, str], tuple[float, float]],
    path: str | os.PathLike[str],
    title: str = "",
    ylabel: str = "ROC-AUC",
) -> Path:
    """Ours (filled) vs paper (hollow) mean ± std per (data set, detector).

    Parameters
    ----------
    ours : mapping of (str, str) to (float, float)
        (data set, detector) -> our (mean, std); a NaN std draws no error bar.
    paper : mapping of (str, str) to (float, float)
        (data set, detector) -> the paper's (mean, std).
    path : str or path-like
        The PNG to write.
    title : str, default ""
        Figure title.
    ylabel : str, default "ROC-AUC"
        Label of the metric axis.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    plt = _plt()
    datasets = sorted({k[0] for k in ours}, key=str)
    detectors = list(dict.fromkeys(k[1] for k in ours))
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(datasets) * max(1, len(detectors)) / 2), 4))
    width = 0.8 / max(1, len(detectors))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, det in enumerate(detectors):
        color = colors[j % len(colors)]
        for i, ds in enumerate(datasets):
            x = i - 0.4 + width * (j + 0.5)
            if (ds, det) in ours:
                m, s = ours[(ds, det)]
                ax.errorbar(
                    x - width * 0.18,
                    m,
                    yerr=0 if np.isnan(s) else s,
                    fmt="o",
                    color=color,
                    label=f"{det} (ours)" if i == 0 else None,
                    capsize=3,
                )
            if (ds, det) in paper:
                m, s = paper[(ds, det)]
                ax.errorbar(
                    x + width * 0.18,
                    m,
                    yerr=s,
                    fmt="o",
                    mfc="white",
                    color=color,
                    label=f"{det} (paper)" if i == 0 else None,
                    capsize=3,
                )
    ax.set_xticks(range(len(datasets)), datasets, rotation=20)
    ax.set(ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, path)
