"""`load_dataset` and `list_datasets`: one entry point for every data set, file and table."""

from __future__ import annotations

import inspect
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ._errors import DataNotFoundError
from .dataset import Dataset
from .loaders import tabular
from .paths import data_root
from .sources import DATASETS, DatasetInfo, canonical_name, get_info
from .table import is_data_file_name, load_table

__all__ = ["list_datasets", "load_dataset"]


def list_datasets(*, include_adbench: bool = True) -> list[DatasetInfo]:
    """Every registered data set: name, one-line description, size, source, licence, files.

    Parameters
    ----------
    include_adbench : bool, default True
        Also list the ADBench "Classical" family (``adbench:<name>``), after the named sets.

    Returns
    -------
    list of DatasetInfo
        The named data sets in registration order, then the ADBench ones.
    """
    # The named sets first, then the ADBench family (a stable sort keeps registration order).
    infos = sorted(DATASETS.values(), key=lambda info: info.name.startswith("adbench:"))
    return [i for i in infos if include_adbench or not i.name.startswith("adbench:")]


def _looks_like_path(name: str) -> bool:
    return ("/" in name or "\\" in name or is_data_file_name(name)) and not name.lower().startswith(
        ("adbench:", "odds:")
    )


def _check_options(loader: Callable[..., Any], name: str, options: dict[str, Any]) -> None:
    params = inspect.signature(loader).parameters
    accepted = [p for p, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(
            f"load_dataset({name!r}) got unknown option(s) {unknown}; it accepts {accepted or 'none'}."
        )


def _load_path(path: Path, options: dict[str, Any]) -> Dataset:
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file.")
    suffix = path.name.lower()
    if suffix.endswith(".npz"):
        _check_options(tabular.load_npz_file, str(path), options)
        return tabular.load_npz_file(path, **options)
    if suffix.endswith(".mat"):
        _check_options(tabular.load_odds_file, str(path), options)
        return tabular.load_odds_file(path, **options)
    return load_table(path, **options)


def load_dataset(
    name: str | os.PathLike[str] | pd.DataFrame,
    root: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Dataset:
    """Load a data set by registry name, `adbench:<name>`, `odds:<name>`, file path or DataFrame.

    `root`: data root (else `$GANAD_DATA`, else the user cache directory; see `ganad.data.paths`).
    `options` go to the loader, e.g. `anomaly_classes=3` (images), `source="txt"` (kdd),
    `train_file="data"` (census), or `label_column=..., categorical=..., missing=...` for tables.
    A missing file raises `DataNotFoundError` saying what to fetch or place where; an unknown name
    `UnknownDatasetError`; a damaged file `DataFormatError` naming the file (and line/column).

    Parameters
    ----------
    name : str, path-like or pandas.DataFrame
        A registry name or alias (case-insensitive, see `list_datasets`), ``"adbench:<name>"``,
        ``"odds:<name>"``, the path of a `.npz` (ADBench), `.mat` (ODDS), CSV or Parquet file,
        or a DataFrame (the last two read by `load_table`).
    root : str or path-like, optional
        The data root for registry names (None: `$GANAD_DATA`, else the user cache directory).
        Not used for paths and DataFrames.
    **options
        Keyword options of the data set's loader (an unknown one raises `TypeError`), or of
        `load_table` for tables.

    Returns
    -------
    Dataset
        The loaded data set.
    """
    if isinstance(name, pd.DataFrame):
        return load_table(name, **options)
    if isinstance(name, os.PathLike) or _looks_like_path(str(name)):
        return _load_path(Path(name).expanduser(), options)
    key = canonical_name(str(name))
    base = data_root(root)
    if key.startswith("odds:") or (key.startswith("adbench:") and key not in DATASETS):
        # Files of the ADBench/ODDS families that the registry does not list, by file name.
        _check_options(lambda: None, key, options)
        family_loader = tabular.load_odds if key.startswith("odds:") else tabular.load_adbench
        return family_loader(base, key)
    info = get_info(key)
    if info.loader is None:
        raise ValueError(f"data set {info.name!r} has no loader; register it with a loader.")
    _check_options(info.loader, info.name, options)
    if os.environ.get(VERIFY_ENV, "1") != "0":
        check_registered_copies(info, base)
    return info.loader(base, **options)


#: `GANAD_VERIFY_DATA=0` skips the size/checksum check of registered files on load: for
#: hand-made miniature copies of a data set's files (test fixtures), which differ by design.
VERIFY_ENV = "GANAD_VERIFY_DATA"


#: Files up to this size are also checked against their registered checksum on every load
#: (about 0.1 s); larger ones by their size only (a stat).
_CHECKSUM_ON_LOAD_BYTES = 32 << 20


def check_registered_copies(info: DatasetInfo, base: Path) -> None:
    """Refuse a present file of `info` whose size (or, when small, checksum) differs from the
    registry's: a truncated copy that is still a valid gzip stream would otherwise load as a
    shorter table without any error."""
    from ganad.exceptions import DataFormatError

    from ._errors import ChecksumMismatchError
    from .download import existing_copy, verify_file

    for remote in info.files:
        found = existing_copy(base, remote)
        registered = Path(remote.path).name
        refetch = f"Delete it and run `ganad datasets fetch {info.name}`."
        if found is not None and found.name == registered + ".gz":
            # A gzip-compressed copy of a file registered uncompressed: checked by its content.
            if (remote.size or 0) <= _CHECKSUM_ON_LOAD_BYTES:
                try:
                    verify_file(found, remote)
                except (ChecksumMismatchError, EOFError, OSError, zlib.error) as exc:
                    raise DataFormatError(f"{found}: {exc} {refetch}") from exc
            continue
        if found is None or found.name != registered:
            continue  # absent (the loader says so) or stored under another compression
        size = found.stat().st_size
        if remote.size is not None and size != remote.size:
            raise DataFormatError(
                f"{found}: {size} bytes, but the registered file has {remote.size}; the copy is "
                f"incomplete or another version. {refetch}"
            )
        if remote.has_checksum and size <= _CHECKSUM_ON_LOAD_BYTES:
            try:
                verify_file(found, remote)
            except ChecksumMismatchError as exc:
                raise DataFormatError(f"{found}: {exc} {refetch}") from exc
