"""ganad.data: the data sets of the papers, in their original formats, and the papers' protocols.

* `load_dataset(name, root=None, **options) -> Dataset` and `list_datasets()`: MNIST,
  Fashion-MNIST, EMNIST letters, CIFAR-10, NSL-KDD ("kdd"), KDD Cup 99 ("kdd99"), CoverType,
  Census-Income, credit-card fraud, ISCX-URL2016 ("url"), CIRA-CIC-DoHBrw-2020 ("doh"), ODDS
  mammography (bundled), any ADBench `.npz` (`"adbench:cardio"`) or ODDS `.mat` file, and user
  tables (`load_table`: CSV, Parquet, DataFrame; `TabularEncoder` for the encoding).
* `make_split(X, y, seed, ...)`: the DA3D split protocol for arrays; `load_split(name, protocol=
  "da3d" | "fence_gan" | "unsupervised", seed=..., ...)`: a data set prepared as a paper did.
* `fetch(name)`: download with checksum verification; `data_root()` resolves the data directory
  (argument > `$GANAD_DATA` > per-user cache). The folder layout is documented in `ganad.data.paths`.

y always uses 1 = anomaly, 0 = normal.
"""

from __future__ import annotations

from ._errors import (
    ChecksumMismatchError,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
    UnknownDatasetError,
)
from .catalog import list_datasets, load_dataset
from .dataset import Dataset
from .download import (
    FileStatus,
    download_file,
    fetch,
    file_status,
    manual_instructions,
    verify_file,
)
from .paths import ENV_VAR, data_root, user_cache_dir
from .protocols import PROTOCOLS, load_split
from .sources import DatasetInfo, RemoteFile, get_info
from .split import Split, make_one_class_split, make_split
from .table import TabularEncoder, load_table

__all__ = [
    "ENV_VAR",
    "PROTOCOLS",
    "ChecksumMismatchError",
    "DataFormatError",
    "DataNotFoundError",
    "Dataset",
    "DatasetInfo",
    "DownloadError",
    "FileStatus",
    "RemoteFile",
    "Split",
    "TabularEncoder",
    "UnknownDatasetError",
    "data_root",
    "download_file",
    "fetch",
    "file_status",
    "get_info",
    "list_datasets",
    "load_dataset",
    "load_split",
    "load_table",
    "make_one_class_split",
    "make_split",
    "manual_instructions",
    "user_cache_dir",
    "verify_file",
]
