"""Where data files live: argument > `GANAD_DATA` environment variable > per-user cache directory.

The layout below the root is the staged layout (one folder per data set, original file names), so a
copy of `shared/datasets` works as a root as is::

    <root>/mnist/          train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
                           t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz  (or mnist.npz, Keras)
    <root>/fashion_mnist/  the same four idx files (or fashion_mnist.npz)
    <root>/emnist/         emnist-letters.mat (or the official matlab.zip)
    <root>/cifar10/        cifar-10-binary.tar.gz (or its extracted cifar-10-batches-bin/)
    <root>/nsl_kdd/        KDDTrain+.arff, KDDTest+.arff, KDDTrain+.txt, KDDTest+.txt (each may be .gz)
    <root>/kdd99/          kddcup.data_10_percent.gz (or uncompressed)
    <root>/covtype/        covtype.data.gz (UCI) or covtype.csv (Kaggle)
    <root>/census/         census-income.test(.gz), census-income.data(.gz)
    <root>/creditcard/     creditcard.csv (Kaggle; .csv.gz accepted)
    <root>/url/            All.csv (ISCX-URL2016, FinalDataset/All.csv accepted)
    <root>/doh/            l2-benign.csv, l2-malicious.csv (CIRA-CIC-DoHBrw-2020)
    <root>/mammography/    mammography.mat (ODDS)
    <root>/adbench/        <k>_<name>.npz (ADBench "Classical")
    <root>/odds/           <name>.mat (any ODDS file)

Plain-text files may always be stored gzip-compressed with an extra `.gz` suffix.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ENV_VAR", "data_root", "user_cache_dir"]

ENV_VAR = "GANAD_DATA"


def user_cache_dir(app: str = "ganad") -> Path:
    """The platform's per-user cache directory for `app` (platformdirs' rules, without the dependency).

    Linux/BSD: `$XDG_CACHE_HOME/ganad` or `~/.cache/ganad`; macOS: `~/Library/Caches/ganad`;
    Windows: `%LOCALAPPDATA%\\ganad\\Cache`.

    Parameters
    ----------
    app : str, default "ganad"
        The application's folder name within the platform's cache directory.

    Returns
    -------
    pathlib.Path
        The directory (not created).
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / app / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / app
    xdg = os.environ.get("XDG_CACHE_HOME")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base_dir / app


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data root: explicit `root`, else `$GANAD_DATA`, else `user_cache_dir()`.

    The directory is not created here (reading never creates directories; `fetch` does).

    Parameters
    ----------
    root : str or path-like, optional
        An explicit data root (`~` expanded). None: `$GANAD_DATA` if set and non-empty, else
        `user_cache_dir()`.

    Returns
    -------
    pathlib.Path
        The data root.
    """
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return user_cache_dir()
