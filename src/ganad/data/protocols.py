"""`load_split`: a data set prepared exactly as a paper's protocol prepares it.

* `"da3d"` (METHODS §1.2-§1.3): `make_split` on the loaded data set: official test set or fixed
  15 % test split (seed 42), 5 % validation (run seed), optional contamination, MinMax fitted on
  the final training set; images in [0, 1]. Census: `census_train_file="test"` reproduces the
  published code (training rows read from the test file, flagged as leakage in `info`), `"data"`
  the corrected protocol.
* `"fence_gan"` (§4.4, decisions F-8 and F-10): MNIST/Fashion-MNIST one-vs-rest with the code's
  unshuffled 80/15/5 split of the merged official sets; CIFAR-10 one-vs-rest with the code's
  random 20 % test / val-ratio construction (seeded here); KDD'99 10 % with attacks as the normal
  class, 50 % of all rows sampled for training with random_state 42 and only attacks kept, MinMax
  fitted on train. Images in [-1, 1].
* `"unsupervised"` (ADBench style): the training part keeps its anomalies at the data set's natural
  ratio (or a requested one); held-out test split (official test part if any, else a stratified
  30 % split with the run seed); MinMax fitted on the (contaminated) training part.

In every `Split`, `y` uses 1 = anomaly (the Fence GAN code's own labels are the opposite) and
`info` records the protocol, options and notes.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, cast

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .. import _validation as V
from .._json import jsonable
from .catalog import load_dataset
from .dataset import Dataset
from .sources import canonical_name, datasets_with_protocol
from .split import Split, _apply_scale, _check_fraction, _check_seed, _take, make_split
from .table import TabularEncoder

__all__ = ["PROTOCOLS", "load_split"]

PROTOCOLS = ("da3d", "fence_gan", "unsupervised")


def _scale_for(ds: Dataset, image_scale: str) -> Any:
    if ds.kind == "image":
        return image_scale
    if isinstance(ds.X, pd.DataFrame):
        return TabularEncoder(
            categorical=ds.categorical or None,
            missing=ds.meta.get("missing", "error"),
            max_categories=ds.meta.get("max_categories"),
        )
    return "minmax"


def _require_labels(ds: Dataset, protocol: str) -> np.ndarray:
    """`ds.y`; a ValueError with a hint if the data set is unlabelled."""
    if ds.y is None:
        hint = "pass anomaly_classes=[...]" if ds.kind == "image" else "pass label_column=..."
        raise ValueError(f"protocol {protocol!r} needs anomaly labels for {ds.name!r}; {hint}.")
    return ds.y


def _with_info(
    split: Split, ds: Dataset, protocol: str, options: dict[str, Any], notes: list[str]
) -> Split:
    info = dict(split.info)
    info.update(
        protocol=protocol,
        dataset=ds.name,
        options={k: jsonable(v, default=str) for k, v in options.items()},
        files=list(ds.files),
        leakage=bool(ds.meta.get("leakage", False)),
        notes=list(info.get("notes", [])) + list(ds.meta.get("notes", [])) + notes,
    )
    return dataclasses.replace(split, info=info)


# ---------------------------------------------------------------------------------------------
# DA3D
# ---------------------------------------------------------------------------------------------


def _load(name: Any, root: Any, options: dict[str, Any]) -> Dataset:
    """`name` itself if it is a loaded `Dataset` (then loader options are refused), else load it."""
    if isinstance(name, Dataset):
        if options:
            raise TypeError(
                f"loader option(s) {sorted(options)} cannot apply to an already loaded Dataset."
            )
        return name
    return load_dataset(name, root, **options)


def _da3d(
    name: Any, root: Any, seed: int, train_contamination: float | None, options: dict[str, Any]
) -> Split:
    opts = dict(options)
    split_opts = {k: opts.pop(k) for k in ("test_size", "val_size", "test_seed") if k in opts}
    protocol_opts = dict(split_opts)
    if _is_census(name):
        train_file = opts.pop("census_train_file", "test")
        opts["train_file"] = train_file
        protocol_opts["census_train_file"] = train_file
    ds = _load(name, root, opts)
    y = _require_labels(ds, "da3d")
    test = (ds.X_test, ds.y_test, ds.fine_test) if ds.has_official_test else None
    split = make_split(
        ds.X,
        y,
        seed,
        train_contamination or 0.0,
        test,
        fine_labels=ds.fine_labels,
        scale=_scale_for(ds, "image"),
        **split_opts,
    )
    return _with_info(split, ds, "da3d", {**protocol_opts, **opts}, [])


def _is_census(name: Any) -> bool:
    return isinstance(name, str) and name.strip().lower() == "census"


def _dataset_key(name: Any) -> str:
    return name.name if isinstance(name, Dataset) else str(name).strip().lower()


# ---------------------------------------------------------------------------------------------
# Fence GAN
# ---------------------------------------------------------------------------------------------


def _one_vs_rest(ds: Dataset, anomaly_class: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Merged official train + test (file order), their fine labels, and the anomaly class."""
    if anomaly_class is None:
        raise ValueError(
            f"protocol 'fence_gan' on {ds.name!r} needs anomaly_class=<one class label>."
        )
    X = np.concatenate([ds.X, ds.X_test])
    fine = np.concatenate([ds.fine_labels, ds.fine_test])
    if int(anomaly_class) not in set(np.unique(fine).tolist()):
        raise ValueError(
            f"anomaly_class={anomaly_class} is not a class of {ds.name!r} ({np.unique(fine).tolist()})."
        )
    return X, fine, (fine == int(anomaly_class)).astype(np.int64), int(anomaly_class)


def _fence_gan_mnist(ds: Dataset, anomaly_class: Any):
    """The code's `get_mnist`: normal rows in file order, train = first 80 %, test = next 15 % +
    first 3/4 of the anomalies, val = last 5 % + the remaining anomalies (no shuffling)."""
    X, fine, y, _ = _one_vs_rest(ds, anomaly_class)
    normal = np.flatnonzero(y == 0)
    anomalous = np.flatnonzero(y == 1)
    n_norm, n_anom = normal.size, anomalous.size
    cut_train, cut_test = int(0.8 * n_norm), int(0.95 * n_norm)
    train = normal[:cut_train]
    test = np.concatenate([normal[cut_train:cut_test], anomalous[: n_anom * 3 // 4]])
    val = np.concatenate([normal[cut_test:], anomalous[n_anom * 3 // 4 :]])
    notes = [
        "official train and test sets merged in file order, not shuffled (Fence GAN code, F-8); "
        "the paper describes test = 20 % normal + all anomalies instead"
    ]
    return X, fine, y, (train, val, test), notes


def _fence_gan_cifar(ds: Dataset, anomaly_class: Any, rng: np.random.Generator):
    """The code's `get_cifar10`: 20 % of the normal rows (random) to test, 20 % of the anomalies
    (random) to val and the rest to test, val normals drawn from the train pool so that val has
    the test set's normal:anomalous ratio, the rest is train. Seeded here (the code used the
    unseeded global NumPy RNG)."""
    X, fine, y, _ = _one_vs_rest(ds, anomaly_class)
    normal = np.flatnonzero(y == 0)
    anomalous = np.flatnonzero(y == 1)
    pick = rng.choice(normal.size, int(0.2 * normal.size), replace=False)
    test_normal = normal[pick]
    pool = np.delete(normal, pick)
    pick = rng.choice(anomalous.size, int(0.2 * anomalous.size), replace=False)
    val_anom = anomalous[pick]
    test_anom = np.delete(anomalous, pick)
    n_val_normal = int(val_anom.size * test_normal.size / test_anom.size)
    pick = rng.choice(pool.size, n_val_normal, replace=False)
    val_normal = pool[pick]
    train = np.delete(pool, pick)
    val = np.concatenate([val_normal, val_anom])
    test = np.concatenate([test_normal, test_anom])
    notes = ["CIFAR-10 official sets merged; random parts drawn with np.random.default_rng(seed)"]
    return X, fine, y, (train, val, test), notes


def _fence_gan_images(ds: Dataset, seed: int, options: dict[str, Any]) -> Split:
    anomaly_class = options.get("anomaly_class")
    if ds.name == "cifar10":
        X, fine, y, parts, notes = _fence_gan_cifar(ds, anomaly_class, np.random.default_rng(seed))
    else:
        X, fine, y, parts, notes = _fence_gan_mnist(ds, anomaly_class)
    if anomaly_class is None:  # unreachable: `_one_vs_rest` refused None
        raise ValueError("protocol 'fence_gan' needs anomaly_class=<one class>.")
    train, val, test = (np.asarray(part, dtype=np.int64) for part in parts)
    (x_train, x_val, x_test), _ = _apply_scale("image_signed", [X[train], X[val], X[test]])
    info = _counts(y, train, val, test, seed=seed, train_contamination=0.0)
    info.update(index_base="concat(official train, official test)", scale="image_signed")
    split = Split.from_indices(
        (x_train, x_val, x_test),
        train=train,
        val=val,
        test=test,
        y=y,
        fine=fine,
        scaler=None,
        info=info,
    )
    notes.append("labels: 1 = anomaly (the Fence GAN code labels normal = 1)")
    return _with_info(split, ds, "fence_gan", {"anomaly_class": int(anomaly_class)}, notes)


def _fence_gan_kdd99(ds: Dataset, seed: int, options: dict[str, Any]) -> Split:
    """F-10: 50 % of all rows (pandas `sample(frac=0.5, random_state=42)`, Zenati's loader) form
    the training pool, of which only the attacks are kept; test = the other rows (about 19.7 %
    non-attack). MinMax is fitted on train (Zenati's scaler was a no-op, see F-10)."""
    split_seed = _check_seed(options.get("split_seed", 42), "split_seed")
    val_size = _check_fraction(
        options.get("val_size", 0.0), "val_size", low=0.0, high=1.0, low_open=False
    )
    n = len(ds.X)
    # The KDD'99 loader always labels its rows (an unlabelled Dataset fails on indexing as before).
    y = cast(np.ndarray, ds.y)
    sampled = pd.Series(np.arange(n)).sample(frac=0.5, random_state=split_seed).to_numpy()
    train = sampled[y[sampled] == 0]
    rest = np.setdiff1d(np.arange(n), sampled)
    notes = [
        "KDD'99 10 %: attacks are the normal (training) class, 'normal.' traffic the anomaly",
        f"train = attacks among 50 % of all rows (random_state {split_seed}); test = the other 50 %",
        "MinMax fitted on train (decision F-10; Zenati's loader discarded its scaling)",
    ]
    if val_size > 0:
        test, val = train_test_split(rest, test_size=val_size, random_state=seed, stratify=y[rest])
        notes.append(
            f"val = {val_size:.0%} of the test rows (stratified, run seed); not in the protocol"
        )
    else:
        test, val = rest, np.zeros(0, dtype=np.int64)
    (x_train, x_val, x_test), scaler = _apply_scale("minmax", [ds.X[train], ds.X[val], ds.X[test]])
    info = _counts(y, train, val, test, seed=seed, train_contamination=0.0)
    info.update(
        split_seed=split_seed,
        scale="minmax",
        threshold_note="[FG]/Zenati flag the top 20 % of test scores",
    )
    split = Split.from_indices(
        (x_train, x_val, x_test),
        train=train,
        val=val,
        test=test,
        y=y,
        fine=ds.fine_labels,
        scaler=scaler,
        info=info,
    )
    return _with_info(
        split, ds, "fence_gan", {"split_seed": split_seed, "val_size": val_size}, notes
    )


def _fence_gan(
    name: Any, root: Any, seed: int, train_contamination: float | None, options: dict[str, Any]
) -> Split:
    if train_contamination:
        raise ValueError(
            "protocol 'fence_gan' has no train_contamination; use protocol='da3d' or "
            "'unsupervised'."
        )
    key = canonical_name(_dataset_key(name))
    fence_gan_sets = datasets_with_protocol("fence_gan")
    if key not in fence_gan_sets:
        raise ValueError(
            f"protocol 'fence_gan' is defined for {list(fence_gan_sets)}, not {name!r}."
        )
    opts = dict(options)
    if key == "kdd99":
        known = {k: opts.pop(k) for k in ("split_seed", "val_size") if k in opts}
        ds = _load(name if isinstance(name, Dataset) else key, root, opts)
        return _fence_gan_kdd99(ds, seed, known)
    anomaly_class = opts.pop("anomaly_class", None)
    if not isinstance(name, Dataset):
        opts["anomaly_classes"] = None
    ds = _load(name if isinstance(name, Dataset) else key, root, opts)
    return _fence_gan_images(ds, seed, {"anomaly_class": anomaly_class})


# ---------------------------------------------------------------------------------------------
# Unsupervised (ADBench style)
# ---------------------------------------------------------------------------------------------


def _subsampled_anomalies(
    train: np.ndarray, y: np.ndarray, train_contamination: float, seed: int, natural: float
) -> np.ndarray:
    """The training rows with their anomalies subsampled to the `train_contamination` share
    (never repeated: more than the data holds is a ValueError)."""
    p = _check_fraction(
        train_contamination, "train_contamination", low=0.0, high=1.0, low_open=False
    )
    normal, anomalous = train[y[train] == 0], train[y[train] == 1]
    n_keep = round(normal.size * p / (1 - p))
    if n_keep > anomalous.size:
        raise ValueError(
            f"train_contamination={p} needs {n_keep} training anomalies but only "
            f"{anomalous.size} "
            f"exist (natural ratio {natural:.4f}); the unsupervised protocol never repeats rows."
        )
    kept = np.random.default_rng(seed).choice(anomalous, n_keep, replace=False)
    return np.sort(np.concatenate([normal, kept]))


def _unsupervised_test_part(
    ds: Dataset, y: np.ndarray, test_size: float, seed: int, notes: list[str]
) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray | None, np.ndarray | None, bool]:
    """(training pool rows of `ds.X`, test rows, test source X, y and fine labels, official?).

    The official test part, unless the data set's "test" file is its training file; else a
    stratified `test_size` split of `ds.X` seeded by `seed`.
    """
    official_test = None if ds.meta.get("test_is_train", False) else ds.X_test
    if official_test is not None:
        pool, test = np.arange(len(ds.X)), np.arange(len(official_test))
        return pool, test, official_test, ds.y_test, ds.fine_test, True
    pool, test = train_test_split(
        np.arange(len(ds.X)), test_size=test_size, random_state=seed, stratify=y
    )
    if ds.meta.get("test_is_train"):
        notes.append(
            "the official test file is the training file here; a held-out split is used instead"
        )
    return pool, test, ds.X, y, ds.fine_labels, False


def _training_and_validation_rows(
    pool: np.ndarray,
    y: np.ndarray,
    val_size: float,
    train_contamination: float | None,
    seed: int,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, float]:
    """(training rows, validation rows, natural anomaly ratio of the training rows): a stratified
    `val_size` split of the pool, then the training anomalies subsampled to `train_contamination`
    (None: kept at the natural ratio)."""
    if val_size > 0:
        pool, val = train_test_split(pool, test_size=val_size, random_state=seed, stratify=y[pool])
    else:
        val = np.zeros(0, dtype=np.int64)
    train = pool
    natural = float(y[train].mean())
    if train_contamination is not None:
        train = _subsampled_anomalies(train, y, train_contamination, seed, natural)
        notes.append(
            f"training anomalies subsampled from the natural ratio {natural:.4f} to "
            f"{float(train_contamination)}"
        )
    return train, val, natural


def _unsupervised_info(
    y: np.ndarray,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    y_test: np.ndarray | None,
    *,
    seed: int,
    contaminated: np.ndarray,
    natural: float,
    official: bool,
    test_size: float,
    val_size: float,
    scale: Any,
) -> dict[str, Any]:
    """`Split.info` of the unsupervised protocol: counts per part (`rows`: train, validation,
    test), the training contamination reached and its natural ratio, the split options."""
    info = _counts(
        y,
        *rows,
        seed=seed,
        train_contamination=float(contaminated.mean()),
        y_test=y_test,
    )
    info.update(
        test_source="official" if official else "split",
        test_size=None if official else test_size,
        val_size=val_size,
        natural_train_contamination=natural,
        scale=scale if isinstance(scale, str) else type(scale).__name__,
    )
    return info


def _unsupervised(
    name: Any, root: Any, seed: int, train_contamination: float | None, options: dict[str, Any]
) -> Split:
    opts = dict(options)
    test_size = _check_fraction(
        opts.pop("test_size", 0.3), "test_size", low=0.0, high=1.0, low_open=True
    )
    val_size = _check_fraction(
        opts.pop("val_size", 0.0), "val_size", low=0.0, high=1.0, low_open=False
    )
    if _is_census(name):
        opts["train_file"] = opts.pop("census_train_file", "auto")
    ds = _load(name, root, opts)
    y_all = _require_labels(ds, "unsupervised")
    notes: list[str] = []
    pool, test, X_test_src, y_test_src, f_test_src, official = _unsupervised_test_part(
        ds, y_all, test_size, seed, notes
    )
    train, val, natural = _training_and_validation_rows(
        pool, y_all, val_size, train_contamination, seed, notes
    )
    scale = _scale_for(ds, "image")
    parts = [_take(ds.X, train), _take(ds.X, val), _take(X_test_src, test)]
    (x_train, x_val, x_test), scaler = _apply_scale(scale, parts)
    contaminated = y_all[train] == 1
    info = _unsupervised_info(
        y_all,
        (train, val, test),
        y_test_src,
        seed=seed,
        contaminated=contaminated,
        natural=natural,
        official=official,
        test_size=test_size,
        val_size=val_size,
        scale=scale,
    )
    notes.append(
        "y_train is all 0 (labels hidden); `contaminated` marks the true training anomalies"
    )
    split = Split.from_indices(
        (x_train, x_val, x_test),
        train=train,
        val=val,
        test=test,
        y=y_all,
        y_test_source=y_test_src,
        fine=ds.fine_labels,
        fine_test_source=f_test_src,
        contaminated=contaminated,
        scaler=scaler,
        info=info,
    )
    shown = {"test_size": test_size, "val_size": val_size, **opts}
    return _with_info(split, ds, "unsupervised", shown, notes)


# ---------------------------------------------------------------------------------------------
# Public
# ---------------------------------------------------------------------------------------------


def _counts(
    y: np.ndarray,
    train: np.ndarray,
    val: np.ndarray,
    test: np.ndarray,
    *,
    seed: int,
    train_contamination: float,
    y_test: np.ndarray | None = None,
) -> dict[str, Any]:
    y_test = y if y_test is None else y_test
    n_contaminated = int(y[train].sum())
    return {
        "seed": seed,
        "train_contamination": train_contamination,
        "n_train": int(train.size),
        "n_train_normal": int(train.size) - n_contaminated,
        "n_contaminated": n_contaminated,
        "n_val": len(val),
        "n_val_anomalous": int(y[val].sum()),
        "n_test": len(test),
        "n_test_normal": int(len(test) - y_test[test].sum()),
        "n_test_anomalous": int(y_test[test].sum()),
        "notes": [],
    }


def load_split(
    name: str | os.PathLike[str] | pd.DataFrame | Dataset,
    protocol: str = "da3d",
    seed: int = 0,
    train_contamination: float | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    contamination: float | None = None,
    **options: Any,
) -> Split:
    """Load data set `name` and split it with `protocol` for run `seed`.

    `name`: anything `load_dataset` accepts, or an already loaded `Dataset` (to split one load with
    several seeds without reading the files again).

    `train_contamination` (old name `contamination`, deprecated): DA3D: p of the training set
    made of anomalies processed as normal (None = 0);
    unsupervised: None = the natural ratio, else training anomalies subsampled to p; Fence GAN:
    must be None/0. Protocol options: `census_train_file` ("test" = as published, the default for
    DA3D; "data" = corrected), `test_size`, `val_size`, `test_seed` (DA3D); `anomaly_class`
    (Fence GAN images), `split_seed`, `val_size` (Fence GAN KDD'99); `test_size`, `val_size`
    (unsupervised). Other options go to `load_dataset` (e.g. `anomaly_classes`, `source`,
    `label_column`, `categorical`, `missing`). `Split.info` records protocol, options and notes.

    Parameters
    ----------
    name : str, path-like, pandas.DataFrame or Dataset
        What to load: a registry name, ``"adbench:<name>"``, a file path or DataFrame (see
        `load_dataset`), or an already loaded `Dataset` (then no loader options are accepted).
    protocol : {"da3d", "fence_gan", "unsupervised"}, default "da3d"
        The paper protocol to apply (see the module docstring).
    seed : int, default 0
        Run seed in [0, 2**32): the random parts of the split and of the contamination.
    train_contamination : float, optional
        Share of anomalies in the training part, as described above (meaning per protocol).
    root : str or path-like, optional
        The data root (None: `$GANAD_DATA`, else the user cache directory).
    contamination : float, optional
        Deprecated old name of `train_contamination`.
    **options
        Protocol options (listed above), the rest passed to `load_dataset`.

    Returns
    -------
    Split
        The prepared parts; `info` records protocol, options, files and notes.
    """
    seed = _check_seed(seed)
    train_contamination = V.renamed_keyword(
        train_contamination,
        contamination,
        new="train_contamination",
        old="contamination",
        where="load_split",
    )
    if protocol == "da3d":
        return _da3d(name, root, seed, train_contamination, options)
    if protocol == "fence_gan":
        return _fence_gan(name, root, seed, train_contamination, options)
    if protocol == "unsupervised":
        return _unsupervised(name, root, seed, train_contamination, options)
    raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}.")
