"""Tabular data sets: CoverType, Census-Income (KDD), credit-card fraud, ODDS .mat and ADBench .npz
files (mammography among them, with a bundled fallback copy).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import DataFormatError, DataNotFoundError
from .._io import check_no_missing, convert_numeric, parse_delimited, read_bytes, read_mat, read_npz
from ..dataset import Dataset
from ..sources import DatasetInfo, RemoteFile, adbench_name, add_dataset, get_info, register_dataset
from ._common import NA_STRINGS, UCI_LICENCE, find_file, not_found, one_hot, with_gz

__all__ = [
    "CENSUS_COLUMNS",
    "bundled_path",
    "load_adbench",
    "load_census",
    "load_covtype",
    "load_creditcard",
    "load_mammography",
    "load_npz_file",
    "load_odds",
    "load_odds_file",
]

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# CoverType
# ---------------------------------------------------------------------------------------------

COVTYPE_COLUMNS: tuple[str, ...] = (
    "Elevation",
    "Aspect",
    "Slope",
    "Horizontal_Distance_To_Hydrology",
    "Vertical_Distance_To_Hydrology",
    "Horizontal_Distance_To_Roadways",
    "Hillshade_9am",
    "Hillshade_Noon",
    "Hillshade_3pm",
    "Horizontal_Distance_To_Fire_Points",
    *(f"Wilderness_Area{i}" for i in range(1, 5)),
    *(f"Soil_Type{i}" for i in range(1, 41)),
)
COVTYPE_ANOMALOUS = (5, 6, 7)


_COVTYPE_FILES = (
    RemoteFile(
        path="covtype/covtype.data.gz",
        urls=(
            "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz",
            "https://ndownloader.figshare.com/files/5976039",
        ),
        sha256="614360d0257557dd1792834a85a1cdebfadc3c4f30b011d56afee7ffb5b15771",
        page="https://archive.ics.uci.edu/dataset/31/covertype",
    ),
)


COVTYPE = DatasetInfo(
    "covtype",
    "Forest CoverType; DA3D: cover types 1-4 normal, 5-7 anomalous",
    "581,012 records x 54 features",
    "https://archive.ics.uci.edu/dataset/31/covertype",
    UCI_LICENCE,
    "tabular",
    _COVTYPE_FILES,
    alternatives=(
        "covtype/covtype.csv (Kaggle, header row with Cover_Type; what DA3D reads)",
        "covtype/covtype.data (uncompressed)",
    ),
    aliases=("covertype",),
    paper_names=("CoverT",),
)


@register_dataset(COVTYPE)
def load_covtype(root: Path) -> Dataset:
    """Forest CoverType from Kaggle's `covtype.csv` (what DA3D reads) or UCI's `covtype.data(.gz)`.

    54 features as given; `Cover_Type` 1-4 normal, 5-7 anomalous (fine label: the cover type).

    Parameters
    ----------
    root : pathlib.Path
        The data root; `covtype/covtype.csv(.gz)` is read, else `covtype/covtype.data(.gz)`.

    Returns
    -------
    Dataset
        float32 features (no official test part).
    """
    path: Path | None
    csv_path = find_file(root, with_gz("covtype/covtype.csv"))
    if csv_path is not None:
        label = str(csv_path)
        frame, lines = parse_delimited(
            read_bytes(csv_path), label=label, header=True, na_values=NA_STRINGS
        )
        if "Cover_Type" not in frame.columns:
            raise DataFormatError(
                f"{label}: missing label column 'Cover_Type' (columns: {list(frame.columns)[:6]}...)."
            )
        path = csv_path
    else:
        path = find_file(root, ["covtype/covtype.data.gz", "covtype/covtype.data"])
        if path is None:
            raise not_found(
                "covtype",
                root,
                ["covtype/covtype.csv", "covtype/covtype.data.gz", "covtype/covtype.data"],
            )
        label = str(path)
        frame, lines = parse_delimited(
            read_bytes(path),
            label=label,
            names=[*COVTYPE_COLUMNS, "Cover_Type"],
            na_values=NA_STRINGS,
        )
    check_no_missing(frame, list(frame.columns), label=label, lines=lines)
    convert_numeric(frame, list(frame.columns), label=label, lines=lines)
    cover = frame.pop("Cover_Type").to_numpy()
    bad = ~np.isin(cover, np.arange(1, 8))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFormatError(f"{label}: line {int(lines[i])}: Cover_Type {cover[i]!r} is not 1-7.")
    if frame.shape[1] != 54:
        raise DataFormatError(f"{label}: {frame.shape[1]} feature columns, expected 54.")
    return Dataset(
        name="covtype",
        X=frame.to_numpy(dtype=np.float32),
        y=np.isin(cover, COVTYPE_ANOMALOUS).astype(np.int64),
        fine_labels=cover.astype(np.int64),
        kind="tabular",
        feature_names=[str(c) for c in frame.columns],
        description="Forest CoverType: cover types 1-4 normal, 5-7 anomalous",
        source=COVTYPE.source,
        files=(label,),
    )


# ---------------------------------------------------------------------------------------------
# Census-Income (KDD)
# ---------------------------------------------------------------------------------------------

CENSUS_COLUMNS: tuple[str, ...] = (
    "age",
    "class of worker",
    "detailed industry recode",
    "detailed occupation recode",
    "education",
    "wage per hour",
    "enroll in edu inst last wk",
    "marital stat",
    "major industry code",
    "major occupation code",
    "race",
    "hispanic origin",
    "sex",
    "member of a labor union",
    "reason for unemployment",
    "full or part time employment stat",
    "capital gains",
    "capital losses",
    "dividends from stocks",
    "tax filer stat",
    "region of previous residence",
    "state of previous residence",
    "detailed household and family stat",
    "detailed household summary in household",
    "instance weight",
    "migration code-change in msa",
    "migration code-change in reg",
    "migration code-move within reg",
    "live in this house 1 year ago",
    "migration prev res in sunbelt",
    "num persons worked for employer",
    "family members under 18",
    "country of birth father",
    "country of birth mother",
    "country of birth self",
    "citizenship",
    "own business or self employed",
    "fill inc questionnaire for veteran's admin",
    "veterans benefits",
    "weeks worked in year",
    "year",
    "income",
)
# DA3D: every column except these is categorical (24 = instance weight stays a numeric feature).
CENSUS_NUMERIC_IDX = (0, 5, 16, 17, 18, 24, 30, 39)
CENSUS_NUMERIC = tuple(CENSUS_COLUMNS[i] for i in CENSUS_NUMERIC_IDX)
CENSUS_CATEGORICAL = tuple(
    c for i, c in enumerate(CENSUS_COLUMNS[:-1]) if i not in CENSUS_NUMERIC_IDX
)
_CENSUS_LABELS = {"- 50000.": 0, "50000+.": 1}

CENSUS_LEAKAGE_NOTE = (
    "census_train_file='test': training and test data both come from census-income.test, as in "
    "the published DA3D code; about 95 % of the normal test rows are also training rows (leakage). "
    "Use census_train_file='data' for the corrected protocol."
)


def _strip_categories(series: pd.Series) -> pd.Series:
    """Trailing blanks removed from category names (a few Census values end with a space)."""
    try:
        return series.cat.rename_categories(lambda v: str(v).strip())
    except ValueError:  # two categories differing only in blanks: merge them
        return series.astype(str).str.strip().astype("category")


def _read_census(path: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    label = str(path)
    frame, lines = parse_delimited(
        read_bytes(path),
        label=label,
        names=CENSUS_COLUMNS,
        sep=",",
        skipinitialspace=True,
        category_columns=[*CENSUS_CATEGORICAL, "income"],
        na_values=("",),
    )
    check_no_missing(frame, list(CENSUS_COLUMNS), label=label, lines=lines)
    convert_numeric(frame, CENSUS_NUMERIC, label=label, lines=lines)
    for col in (*CENSUS_CATEGORICAL, "income"):
        frame[col] = _strip_categories(frame[col])
    income = frame.pop("income").astype(str)
    bad = ~income.isin(list(_CENSUS_LABELS)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFormatError(
            f"{label}: line {int(lines[i])}, column 42 ('income'): {income.iloc[i]!r} is not "
            "'- 50000.' or '50000+.'."
        )
    y = income.map(_CENSUS_LABELS).to_numpy(dtype=np.int64)
    fine = np.where(y == 1, "Anomalous", frame["sex"].to_numpy(dtype=str))
    return frame, y, fine.astype(str)


_CENSUS_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/census-income-mld/"
_CENSUS_GIT = "https://raw.githubusercontent.com/drawbridge/keras-mmoe/2718f56e4313716fd3a86e9510bc2df0cc366238/data/"
_CENSUS_FILES = (
    RemoteFile(
        path="census/census-income.test.gz",
        urls=(_CENSUS_UCI + "census-income.test.gz", _CENSUS_GIT + "census-income.test.gz"),
        size=3_261_416,
        sha256="5ac4cacd3ca9f1ecb10de1a0a41e4ac68fdc419e3fec190f5c0c6cc03b2ea659",
        page="https://archive.ics.uci.edu/dataset/117/census+income+kdd",
    ),
    RemoteFile(
        path="census/census-income.data.gz",
        urls=(_CENSUS_GIT + "census-income.data.gz", _CENSUS_UCI + "census-income.data.gz"),
        git_sha1="57d8bff516af70a99c0cd5b31bde3168b592cffb",
        page="https://archive.ics.uci.edu/dataset/117/census+income+kdd",
        optional=True,
        note="only needed for the corrected protocol (census_train_file='data'); "
        "verified by its git blob id (no published sha256)",
    ),
)


CENSUS = DatasetInfo(
    "census",
    "Census-Income (KDD); income < 50k normal, > 50k anomalous (DA3D quirk: see census_train_file)",
    "199,523 train + 99,762 test records, 40 attributes (510 features after one-hot)",
    "https://archive.ics.uci.edu/dataset/117/census+income+kdd",
    UCI_LICENCE,
    "tabular",
    _CENSUS_FILES,
    alternatives=("census-income.test / census-income.data uncompressed",),
    paper_names=("Census",),
)


@register_dataset(CENSUS)
def load_census(root: Path, *, train_file: str = "auto") -> Dataset:
    """Census-Income (KDD) as DA3D's `Census` loader: income >= 50k is the anomaly.

    Columns per METHODS §1.1: every column except {0, 5, 16, 17, 18, 24, 30, 39} is one-hot encoded
    (categories sorted, learned on the training file; a test value unseen there gets all zeros);
    the instance weight (24) stays a numeric feature and sex (12) stays in the features and is the
    normal rows' fine label. `train_file`: "test" reproduces the published code (training data read
    from census-income.test as well: leakage, flagged in `meta`), "data" reads census-income.data,
    "auto" takes "data" if present, else "test".

    Parameters
    ----------
    root : pathlib.Path
        The data root; `census/census-income.test` and `census/census-income.data` (each `.gz`
        or not) are read.
    train_file : {"auto", "test", "data"}, default "auto"
        Which file the training rows come from (see above); "data" without that file raises
        `DataNotFoundError`.

    Returns
    -------
    Dataset
        float32 features with census-income.test as the official test part; ``meta`` holds
        `train_file` and the leakage flags.
    """
    if train_file not in ("auto", "test", "data"):
        raise ValueError(f"train_file must be 'auto', 'test' or 'data', got {train_file!r}.")
    test_path = find_file(root, with_gz("census/census-income.test"))
    if test_path is None:
        raise not_found("census", root, with_gz("census/census-income.test"))
    data_path = find_file(root, with_gz("census/census-income.data"))
    if train_file == "auto":
        train_file = "data" if data_path is not None else "test"
        if train_file == "test":
            logger.warning(
                "census: census-income.data not found; training on census-income.test (leakage)"
            )
    if train_file == "data" and data_path is None:
        raise not_found(
            "census",
            root,
            with_gz("census/census-income.data"),
            extra="\ncensus_train_file='data' needs the training file census-income.data(.gz).",
        )
    test_frame, y_test, fine_test = _read_census(test_path)
    if train_file == "test":
        train_frame, y_train, fine_train = test_frame, y_test, fine_test
        train_path = test_path
    else:
        if data_path is None:  # unreachable: train_file="data" without the file raised above
            raise not_found("census", root, with_gz("census/census-income.data"))
        train_frame, y_train, fine_train = _read_census(data_path)
        train_path = data_path
    categories = {c: sorted(train_frame[c].dropna().unique().tolist()) for c in CENSUS_CATEGORICAL}
    X_train, names = one_hot(train_frame, CENSUS_NUMERIC, CENSUS_CATEGORICAL, categories)
    X_test = (
        X_train
        if train_file == "test"
        else one_hot(test_frame, CENSUS_NUMERIC, CENSUS_CATEGORICAL, categories)[0]
    )
    leakage = train_file == "test"
    return Dataset(
        name="census",
        X=X_train,
        y=y_train,
        fine_labels=fine_train,
        kind="tabular",
        feature_names=names,
        categorical=list(CENSUS_CATEGORICAL),
        X_test=X_test,
        y_test=y_test,
        fine_test=fine_test,
        description="Census-Income (KDD): income < 50k normal, >= 50k anomalous",
        source=CENSUS.source,
        files=tuple(dict.fromkeys((str(train_path), str(test_path)))),
        meta={
            "train_file": train_file,
            "leakage": leakage,
            "test_is_train": leakage,
            "notes": [CENSUS_LEAKAGE_NOTE] if leakage else [],
        },
    )


# ---------------------------------------------------------------------------------------------
# Credit-card fraud
# ---------------------------------------------------------------------------------------------


_CREDITCARD_FILES = (
    RemoteFile(
        path="creditcard/creditcard.csv",
        page="https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud",
        note="Kaggle download needs a login: unzip creditcard.csv (about 144 MiB) into this folder",
    ),
)


CREDITCARD = DatasetInfo(
    "creditcard",
    "Credit-card fraud (ULB, Kaggle); fraud is the anomaly; Time dropped",
    "284,807 transactions x 29 features (492 frauds)",
    "https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud",
    "Open Database License (ODbL) 1.0 / Database Contents License 1.0 (Kaggle page)",
    "tabular",
    _CREDITCARD_FILES,
    alternatives=("creditcard/creditcard.csv.gz",),
    aliases=("cc",),
    paper_names=("CC",),
)


@register_dataset(CREDITCARD)
def load_creditcard(root: Path) -> Dataset:
    """Kaggle's `creditcard.csv` as DA3D's loader: `Time` dropped, 29 features, `Class` 1 = fraud.

    Parameters
    ----------
    root : pathlib.Path
        The data root; `creditcard/creditcard.csv` (`.gz` or not) is read.

    Returns
    -------
    Dataset
        float32 features (no official test part).
    """
    candidates = with_gz("creditcard/creditcard.csv")
    path = find_file(root, candidates)
    if path is None:
        raise not_found("creditcard", root, candidates)
    label = str(path)
    frame, lines = parse_delimited(read_bytes(path), label=label, header=True, na_values=NA_STRINGS)
    missing = [c for c in ("Time", "Class") if c not in frame.columns]
    if missing:
        raise DataFormatError(
            f"{label}: missing column(s) {missing} (columns: {list(frame.columns)[:6]}...)."
        )
    check_no_missing(frame, list(frame.columns), label=label, lines=lines)
    convert_numeric(frame, list(frame.columns), label=label, lines=lines)
    cls = frame.pop("Class").to_numpy()
    if not np.isin(cls, (0, 1)).all():
        i = int(np.flatnonzero(~np.isin(cls, (0, 1)))[0])
        raise DataFormatError(f"{label}: line {int(lines[i])}: Class {cls[i]!r} is not 0 or 1.")
    frame = frame.drop(columns=["Time"])
    return Dataset(
        name="creditcard",
        X=frame.to_numpy(dtype=np.float32),
        y=cls.astype(np.int64),
        fine_labels=cls.astype(np.int64),
        kind="tabular",
        feature_names=[str(c) for c in frame.columns],
        description="Credit-card fraud (ULB): frauds anomalous; Time dropped",
        source=CREDITCARD.source,
        files=(label,),
    )


# ---------------------------------------------------------------------------------------------
# ODDS .mat and ADBench .npz
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# ADBench and ODDS files
# ---------------------------------------------------------------------------------------------

_ADBENCH_BASE = (
    "https://github.com/Minqi824/ADBench/raw/3dac8221081e190f157d78e93bfa8867f90d0965/"
    "adbench/datasets/Classical/"
)
_ADBENCH_LICENCE = "ADBench repository BSD-2-Clause; the data keep their original (ODDS/UCI) terms"


def _adbench_file(filename: str, size: int, sha256: str) -> RemoteFile:
    return RemoteFile(
        path=f"adbench/{filename}",
        urls=(_ADBENCH_BASE + filename,),
        size=size,
        sha256=sha256,
        page="https://github.com/Minqi824/ADBench",
    )


def _adbench_table() -> list[tuple[str, int, str, int, int, int]]:
    """(file, bytes, sha256, rows, features, anomalies) per ADBench file, from the bundled
    `adbench.csv` (the values of shared/datasets/SOURCES.md)."""
    text = resources.files("ganad.data").joinpath("bundled", "adbench.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return [
        (
            r["file"],
            int(r["bytes"]),
            r["sha256"],
            int(r["rows"]),
            int(r["features"]),
            int(r["anomalies"]),
        )
        for r in rows
    ]


_ADBENCH_TABLE = _adbench_table()


def _xy_checked(X: np.ndarray, y: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2:
        raise DataFormatError(f"{label}: X has shape {X.shape}, expected (n, d).")
    if len(y) != len(X):
        raise DataFormatError(f"{label}: X has {len(X)} rows but y has {len(y)} labels.")
    if X.dtype.kind not in "biuf":
        raise DataFormatError(f"{label}: X has non-numeric dtype {X.dtype}.")
    if not np.isin(y, (0, 1)).all():
        raise DataFormatError(
            f"{label}: y must be 0/1 (1 = anomaly), found {np.unique(y)[:10].tolist()}."
        )
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise DataFormatError(f"{label}: X contains NaN or infinite values.")
    return X.astype(np.float32), y.astype(np.int64)


def load_odds_file(path: Path, *, name: str | None = None) -> Dataset:
    """An ODDS `.mat` file (variables X and y, y = 1 for outliers).

    Parameters
    ----------
    path : pathlib.Path
        The `.mat` file.
    name : str, optional
        The data set's name (None: ``"odds:<file stem>"``).

    Returns
    -------
    Dataset
        float32 features named ``x0``, ``x1``, ...; `y` also as the fine labels.
    """
    mat = read_mat(path, label=str(path))
    missing = [k for k in ("X", "y") if k not in mat]
    if missing:
        raise DataFormatError(f"{path}: lacks variable(s) {missing}; an ODDS file holds X and y.")
    X, y = _xy_checked(mat["X"], mat["y"], str(path))
    return _plain("odds:" + path.stem if name is None else name, X, y, path, "ODDS " + path.stem)


def load_npz_file(path: Path, *, name: str | None = None) -> Dataset:
    """An ADBench `.npz` file (arrays X and y, y = 1 for anomalies; never unpickled).

    Parameters
    ----------
    path : pathlib.Path
        The `.npz` file.
    name : str, optional
        The data set's name (None: ``"adbench:<name>"`` from the file name, see
        `adbench_name`).

    Returns
    -------
    Dataset
        float32 features named ``x0``, ``x1``, ...; `y` also as the fine labels.
    """
    arrays = read_npz(path, required=("X", "y"))
    X, y = _xy_checked(arrays["X"], arrays["y"], str(path))
    key = "adbench:" + adbench_name(path.name) if name is None else name
    return _plain(key, X, y, path, "ADBench " + path.stem)


def _plain(name: str, X: np.ndarray, y: np.ndarray, path: Path, description: str) -> Dataset:
    return Dataset(
        name=name,
        X=X,
        y=y,
        fine_labels=y.copy(),
        kind="tabular",
        feature_names=[f"x{j}" for j in range(X.shape[1])],
        description=description,
        source=str(path),
        files=(str(path),),
    )


def load_adbench(root: Path, key: str) -> Dataset:
    """`adbench:<name>` -> `<root>/adbench/<k>_<name>.npz`.

    The name is matched case-insensitively; `adbench:<k>_<name>` works too.

    Parameters
    ----------
    root : pathlib.Path
        The data root.
    key : str
        ``"adbench:<name>"`` or ``"adbench:<k>_<name>"``.

    Returns
    -------
    Dataset
        As `load_npz_file`, named ``"adbench:<name>"``.
    """
    wanted = key.split(":", 1)[1].strip().lower()
    folder = root / "adbench"
    matches = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.npz")):
            if wanted in (adbench_name(path.name), path.stem.lower()):
                matches.append(path)
    if not matches:
        try:
            get_info("adbench:" + wanted)
        except ValueError:
            raise DataNotFoundError(
                f"no ADBench file for {key!r} under {folder} (looked for <k>_{wanted}.npz)."
            ) from None
        raise not_found("adbench:" + wanted, root, [f"adbench/<k>_{wanted}.npz"])
    return load_npz_file(matches[0], name="adbench:" + adbench_name(matches[0].name))


def _adbench_loader(key: str) -> Callable[[Path], Dataset]:
    def load(root: Path) -> Dataset:
        return load_adbench(root, key)

    return load


def _register_adbench() -> None:
    """One registry entry `adbench:<name>` per row of the bundled table."""
    for filename, size, sha, n, d, n_anom in _ADBENCH_TABLE:
        key = f"adbench:{adbench_name(filename)}"
        add_dataset(
            DatasetInfo(
                key,
                f"ADBench Classical {filename.removesuffix('.npz')}",
                f"{n:,} x {d} ({n_anom:,} anomalies = {100 * n_anom / n:.2f} %)",
                "https://github.com/Minqi824/ADBench",
                _ADBENCH_LICENCE,
                "tabular",
                (_adbench_file(filename, size, sha),),
                loader=_adbench_loader(key),
            )
        )


_register_adbench()


def load_odds(root: Path, key: str) -> Dataset:
    """`odds:<name>` -> `<root>/odds/<name>.mat`.

    Parameters
    ----------
    root : pathlib.Path
        The data root.
    key : str
        ``"odds:<name>"``; the file is looked for as given, then in lower case.

    Returns
    -------
    Dataset
        As `load_odds_file`, named ``"odds:<name>"`` (lower case).
    """
    wanted = key.split(":", 1)[1].strip()
    path = find_file(root, [f"odds/{wanted}.mat", f"odds/{wanted.lower()}.mat"])
    if path is None:
        raise DataNotFoundError(
            f"no ODDS file for {key!r}: expected {root / 'odds' / (wanted + '.mat')} "
            "(download it from http://odds.cs.stonybrook.edu/)."
        )
    return load_odds_file(path, name="odds:" + wanted.lower())


# ---------------------------------------------------------------------------------------------
# Mammography
# ---------------------------------------------------------------------------------------------


def bundled_path(filename: str) -> Path:
    """A file shipped in `ganad/data/bundled/`.

    Parameters
    ----------
    filename : str
        The file's name in that folder (e.g. ``"23_mammography.npz"``).

    Returns
    -------
    pathlib.Path
        Its path (not checked for existence).
    """
    return Path(str(resources.files("ganad.data").joinpath("bundled").joinpath(filename)))


_MAMMO_ROW = next(r for r in _ADBENCH_TABLE if r[0] == "23_mammography.npz")

MAMMOGRAPHY = DatasetInfo(
    "mammography",
    "ODDS mammography: calcifications are the anomaly (bundled with ganad)",
    "11,183 records x 6 features (260 anomalies)",
    "http://odds.cs.stonybrook.edu/mammography-dataset/",
    "ODDS: free for research (Woods et al., 1993); ADBench copy under " + _ADBENCH_LICENCE,
    "tabular",
    (_adbench_file(*_MAMMO_ROW[:3]),),
    alternatives=(
        "mammography/mammography.mat (ODDS)",
        "the copy bundled in ganad/data/bundled",
    ),
    bundled=True,
    aliases=("mammo",),
    paper_names=("Mammo", "Mammo."),
)


@register_dataset(MAMMOGRAPHY)
def load_mammography(root: Path | None) -> Dataset:
    """ODDS mammography (11,183 x 6, 260 anomalies): `mammography/mammography.mat`, else
    `adbench/23_mammography.npz`, else the copy bundled with ganad (so it works with no data root).

    Parameters
    ----------
    root : pathlib.Path or None
        The data root to look in first; None: use the bundled copy.

    Returns
    -------
    Dataset
        float32 features (no official test part); ``meta["bundled"]`` says whether the bundled
        copy was read.
    """
    path = None
    if root is not None:
        path = find_file(root, ["mammography/mammography.mat", "adbench/23_mammography.npz"])
    if path is None:
        path = bundled_path("23_mammography.npz")
    dataset = (
        load_odds_file(path, name="mammography")
        if path.suffix == ".mat"
        else load_npz_file(path, name="mammography")
    )
    info = MAMMOGRAPHY
    return Dataset(
        name="mammography",
        X=dataset.X,
        y=dataset.y,
        fine_labels=dataset.fine_labels,
        kind="tabular",
        feature_names=dataset.feature_names,
        description=info.description,
        source=info.source,
        files=dataset.files,
        meta={"bundled": path == bundled_path("23_mammography.npz")},
    )
