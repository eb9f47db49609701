"""The registry of public data sets: what each is, where its files come from, how it loads.

Each data set's `DatasetInfo` sits next to its loader in `ganad.data.loaders` and is registered
there once, with `@register_dataset(INFO)` on the loader function; everything else (the
catalogue, `fetch`, the protocols, the experiment runner and the paper tables) reads this
registry. The ADBench "Classical" family is one row per file of the bundled table
`ganad/data/bundled/adbench.csv`.

Checksums: the sha256 values of the files staged for this project are taken from
`shared/datasets/SOURCES.md` (for NSL-KDD, which is staged gzip-compressed, the sha256 is of the
decompressed original, computed from the staged copy). CIFAR-10's md5 is the one published on the
CIFAR page, its sha256 was recorded by several independent mirrors; CoverType's and KDD'99's sha256
are scikit-learn's. Where no checksum is published (EMNIST's 743 MB `matlab.zip`) `fetch` refuses to
download unless called with `verify=False`. Sets behind a login or a form (Kaggle, UNB/CIC) have no
URL; `fetch` then explains where to get the file and where to put it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .dataset import Dataset

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "RemoteFile",
    "adbench_name",
    "canonical_name",
    "datasets_with_protocol",
    "get_info",
    "is_image_dataset",
    "paper_dataset_names",
    "register_dataset",
]

#: A loader: `loader(root, **options) -> Dataset`; its keyword-only parameters are the options
#: `load_dataset(name, option=...)` accepts.
Loader = Callable[..., "Dataset"]
_L = TypeVar("_L", bound=Callable[..., "Dataset"])


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set.

    `path` is relative to the data root and is where `fetch` writes the file (and where the loaders
    look first). `urls` are tried in order; an empty tuple means the file cannot be downloaded
    without a login/form (`page` says where to get it). `sha256`/`md5`/`git_sha1` (the git blob id,
    for files only known from a git repository) are checked when present; `size` in bytes.

    Parameters
    ----------
    path : str
        Path relative to the data root, with `/` separators (e.g. ``"mnist/mnist.npz"``).
    urls : tuple of str, default ()
        Download URLs, tried in order; empty: no automatic download.
    size : int, optional
        Size in bytes (None: unknown).
    sha256 : str, optional
        Hex sha256 of the file's content.
    md5 : str, optional
        Hex md5 of the file's content.
    git_sha1 : str, optional
        The file's git blob id (sha1 of ``"blob <size>\\0"`` + content).
    page : str, default ""
        Web page that explains where to get the file (for files without URLs).
    optional : bool, default False
        Only some protocols need the file; `fetch` does not fail without it.
    note : str, default ""
        Free text shown in the manual instructions.
    """

    path: str
    urls: tuple[str, ...] = ()
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    git_sha1: str | None = None
    page: str = ""
    optional: bool = False
    note: str = ""

    @property
    def has_checksum(self) -> bool:
        return bool(self.sha256 or self.md5 or self.git_sha1)

    @property
    def downloadable(self) -> bool:
        return bool(self.urls)


@dataclass(frozen=True)
class DatasetInfo:
    """What `list_datasets()` shows and `fetch()` uses.

    `files` are the files `fetch` obtains (their layout under the data root is the one the loaders
    read); `alternatives` lists other accepted formats/locations in words. `aliases` are other
    accepted names (case-insensitive), `paper_names` the names the papers' tables give the set
    (e.g. "Mammo." in DA3D's Table 2), and `loader` the function `load_dataset` calls, set by
    `register_dataset`.

    Parameters
    ----------
    name : str
        Registry key (lower case; e.g. ``"mnist"``, ``"adbench:cardio"``).
    description : str
        One-line description.
    size : str
        Size in words (e.g. ``"70,000 images 28x28"``).
    source : str
        Where the data set comes from (URL of its home page).
    licence : str
        Its licence or terms of use.
    kind : str
        ``"tabular"`` or ``"image"``.
    files : tuple of RemoteFile
        The files `fetch` obtains.
    alternatives : tuple of str, default ()
        Other accepted formats or locations, in words.
    protocols : tuple of str, default ("da3d", "unsupervised")
        The `load_split` protocols defined for the data set.
    citation : str, default ""
        Reference to cite.
    bundled : bool, default False
        Whether the package ships the data (no download needed).
    extra : dict of str to str, default {}
        Further facts as name -> text, for the caller's own use.
    aliases : tuple of str, default ()
        Other accepted names (case-insensitive).
    paper_names : tuple of str, default ()
        The names the papers' tables give the data set.
    loader : callable, optional
        ``loader(root, **options) -> Dataset``; set by `register_dataset` (None until then).
    """

    name: str
    description: str
    size: str
    source: str
    licence: str
    kind: str
    files: tuple[RemoteFile, ...]
    alternatives: tuple[str, ...] = ()
    protocols: tuple[str, ...] = ("da3d", "unsupervised")
    citation: str = ""
    bundled: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    paper_names: tuple[str, ...] = ()
    loader: Loader | None = field(default=None, compare=False, repr=False)

    def one_line(self) -> str:
        """Name, description and size on one line.

        Returns
        -------
        str
            The name padded to 22 characters, the description, and the size in brackets.
        """
        return f"{self.name:<22} {self.description} [{self.size}]"


#: Every registered data set by name; filled by `register_dataset` when `ganad.data` is imported.
DATASETS: dict[str, DatasetInfo] = {}
_ALIASES: dict[str, str] = {}


def add_dataset(info: DatasetInfo) -> DatasetInfo:
    """Register `info` (with its loader set) under its name and aliases; a taken name raises."""
    if info.loader is None:
        raise ValueError(f"data set {info.name!r}: a registered data set needs a loader.")
    names = (info.name, *info.aliases)
    taken = [n for n in names if n in DATASETS or n in _ALIASES]
    if taken:
        raise ValueError(f"data set {info.name!r}: the name(s) {taken} are already registered.")
    DATASETS[info.name] = info
    _ALIASES.update({alias.lower(): info.name for alias in info.aliases})
    return info


def register_dataset(info: DatasetInfo) -> Callable[[_L], _L]:
    """Decorator for a loader function: registers `info` with that function as its loader.

    ::

        MYSET = DatasetInfo("myset", "what it is", "1,000 x 8", "https://...", "CC BY 4.0",
                            "tabular", (RemoteFile("myset/myset.csv", urls=(...,)),))

        @register_dataset(MYSET)
        def load_myset(root: Path, *, option: str = "a") -> Dataset: ...

    Parameters
    ----------
    info : DatasetInfo
        The registry entry; its `name` and `aliases` must not be registered yet (else
        `ValueError` when the decorator is applied).

    Returns
    -------
    callable
        The decorator; it registers a copy of `info` with `loader` set and returns the loader
        unchanged.
    """

    def register(loader: _L) -> _L:
        add_dataset(replace(info, loader=loader))
        return loader

    return register


def adbench_name(filename: str) -> str:
    """`"6_cardio.npz"` -> `"cardio"` (lower case; the registry key is `adbench:<this>`).

    Parameters
    ----------
    filename : str
        An ADBench file name, ``<k>_<name>.npz`` (the `.npz` suffix and the ``<k>_`` prefix are
        optional).

    Returns
    -------
    str
        The lower-case data set name.
    """
    stem = filename.removesuffix(".npz")
    _, _, rest = stem.partition("_")
    return (rest or stem).lower()


def canonical_name(name: str) -> str:
    """Registry key for `name` (case-insensitive; the registered aliases accepted).

    Parameters
    ----------
    name : str
        A data set name or alias, any case, surrounding whitespace ignored.

    Returns
    -------
    str
        The registered name an alias stands for, else `name` stripped and in lower case (not
        checked against the registry).
    """
    key = name.strip()
    lower = key.lower()
    if lower.startswith("adbench:"):
        return "adbench:" + lower.split(":", 1)[1]
    return _ALIASES.get(lower, lower)


def get_info(name: str) -> DatasetInfo:
    """The registry entry for `name`.

    An unknown name raises `UnknownDatasetError` listing the known names.

    Parameters
    ----------
    name : str
        A data set name or alias (case-insensitive, see `canonical_name`).

    Returns
    -------
    DatasetInfo
        The registered entry.
    """
    from ._errors import UnknownDatasetError

    key = canonical_name(name)
    if key in DATASETS:
        return DATASETS[key]
    named = ", ".join(n for n in DATASETS if not n.startswith("adbench:"))
    family = ", ".join(n.split(":", 1)[1] for n in DATASETS if n.startswith("adbench:"))
    raise UnknownDatasetError(
        f"unknown data set {name!r}. Known: {named}, and adbench:<name> for {family}; or a path "
        "to a .csv, .parquet, .npz (ADBench) or .mat (ODDS) file."
    )


def is_image_dataset(name: str) -> bool:
    """Whether `name` is a registered image data set (unregistered names and files: no).

    Parameters
    ----------
    name : str
        A data set name or alias (case-insensitive), or any other string.

    Returns
    -------
    bool
        True only for a registered data set of kind ``"image"``.
    """
    info = DATASETS.get(canonical_name(name))
    return info is not None and info.kind == "image"


def datasets_with_protocol(protocol: str) -> tuple[str, ...]:
    """The registered data sets that define `protocol` (e.g. the four of Fence GAN's).

    Parameters
    ----------
    protocol : str
        A protocol name, e.g. ``"da3d"``, ``"fence_gan"`` or ``"unsupervised"``.

    Returns
    -------
    tuple of str
        Registry names, in registration order.
    """
    return tuple(name for name, info in DATASETS.items() if protocol in info.protocols)


def paper_dataset_names() -> dict[str, str]:
    """The papers' table names of the data sets -> registry names (e.g. "Mammo." -> mammography)."""
    return {paper: info.name for info in DATASETS.values() for paper in info.paper_names}
