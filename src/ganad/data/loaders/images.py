"""Image data sets in their original formats: MNIST/Fashion-MNIST (idx or Keras .npz), EMNIST letters
(.mat, also inside the official matlab.zip) and CIFAR-10 (binary version, also inside its tar.gz).

Images are returned as uint8 (n, C, H, W); scaling to [0, 1] or [-1, 1] belongs to the protocol.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .._errors import DataFormatError
from .._io import read_idx, read_mat, read_npz
from ..dataset import Dataset
from ..sources import DatasetInfo, RemoteFile, get_info, register_dataset
from ._common import find_file, not_found, with_gz

__all__ = ["load_cifar10", "load_emnist", "load_fmnist", "load_mnist"]

_IDX_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def _anomaly_labels(
    fine: np.ndarray, anomaly_classes: Iterable[int] | int | None, valid: range = range(10)
) -> np.ndarray | None:
    """1 where the class is one of `anomaly_classes`; None when no anomaly classes are set."""
    if anomaly_classes is None:
        return None
    classes = _classes_list(anomaly_classes) or []
    unknown = sorted(set(classes) - set(valid))
    if unknown or not classes:
        raise ValueError(
            f"anomaly_classes must be a non-empty subset of {valid.start}..{valid.stop - 1}, got {classes}."
        )
    return np.isin(fine, classes).astype(np.int64)


def _check_images(
    images: np.ndarray, labels: np.ndarray, *, label: str, shape: tuple[int, ...]
) -> None:
    if images.ndim != 1 + len(shape) or tuple(images.shape[1:]) != shape:
        raise DataFormatError(f"{label}: images have shape {images.shape[1:]}, expected {shape}.")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataFormatError(
            f"{label}: {len(images):,} images but {labels.shape} labels; the files do not belong together."
        )


def _load_idx_pair(
    root: Path, folder: str, prefix: str
) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    images_path = find_file(root, with_gz(f"{folder}/{prefix}-images-idx3-ubyte.gz"))
    labels_path = find_file(root, with_gz(f"{folder}/{prefix}-labels-idx1-ubyte.gz"))
    if images_path is None or labels_path is None:
        return None
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    _check_images(images, labels, label=f"{images_path} / {labels_path}", shape=(28, 28))
    if labels.max(initial=0) > 9:
        raise DataFormatError(f"{labels_path}: labels must be 0-9, found {int(labels.max())}.")
    return images, labels.astype(np.int64), [str(images_path), str(labels_path)]


def _load_keras_npz(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrays = read_npz(path, required=("x_train", "y_train", "x_test", "y_test"))
    out: list[np.ndarray] = []
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"].reshape(-1)
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        _check_images(x, y, label=str(path), shape=(28, 28))
        out += [x.astype(np.uint8), y.astype(np.int64)]
    return out[0], out[1], out[2], out[3]


def _load_mnist_like(
    root: Path,
    name: str,
    folder: str,
    npz_names: tuple[str, ...],
    anomaly_classes,
    description: str,
) -> Dataset:
    train = _load_idx_pair(root, folder, "train")
    test = _load_idx_pair(root, folder, "t10k")
    if train is not None and test is not None:
        x_tr, y_tr, files_tr = train
        x_te, y_te, files_te = test
        files = tuple(files_tr + files_te)
    else:
        npz = find_file(root, [f"{folder}/{n}" for n in npz_names])
        if npz is None:
            tried = [f"{folder}/{n}.gz" for n in _IDX_NAMES] + [f"{folder}/{n}" for n in npz_names]
            raise not_found(name, root, tried)
        x_tr, y_tr, x_te, y_te = _load_keras_npz(npz)
        files = (str(npz),)
    info = get_info(name)
    return Dataset(
        name=name,
        X=x_tr[:, None, :, :],
        y=_anomaly_labels(y_tr, anomaly_classes),
        fine_labels=y_tr,
        kind="image",
        X_test=x_te[:, None, :, :],
        y_test=_anomaly_labels(y_te, anomaly_classes),
        fine_test=y_te,
        description=description,
        source=info.source,
        files=files,
        meta={"anomaly_classes": _classes_list(anomaly_classes)},
    )


def _classes_list(anomaly_classes) -> list[int] | None:
    if anomaly_classes is None:
        return None
    if isinstance(anomaly_classes, int | np.integer):
        return [int(anomaly_classes)]
    return [int(c) for c in anomaly_classes]


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


_FMNIST_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)


def _mirrored(
    folder: str, name: str, mirrors: tuple[str, ...], size: int, sha256: str, md5: str = ""
) -> RemoteFile:
    return RemoteFile(
        path=f"{folder}/{name}",
        urls=tuple(m + name for m in mirrors),
        size=size,
        sha256=sha256,
        md5=md5 or None,
    )


_MNIST_FILES = (
    _mirrored(
        "mnist",
        "train-images-idx3-ubyte.gz",
        _MNIST_MIRRORS,
        9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    ),
    _mirrored(
        "mnist",
        "train-labels-idx1-ubyte.gz",
        _MNIST_MIRRORS,
        28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    _mirrored(
        "mnist",
        "t10k-images-idx3-ubyte.gz",
        _MNIST_MIRRORS,
        1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    _mirrored(
        "mnist",
        "t10k-labels-idx1-ubyte.gz",
        _MNIST_MIRRORS,
        4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
)


_FMNIST_FILES = (
    _mirrored(
        "fashion_mnist",
        "train-images-idx3-ubyte.gz",
        _FMNIST_MIRRORS,
        26_421_880,
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    ),
    _mirrored(
        "fashion_mnist",
        "train-labels-idx1-ubyte.gz",
        _FMNIST_MIRRORS,
        29_515,
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    ),
    _mirrored(
        "fashion_mnist",
        "t10k-images-idx3-ubyte.gz",
        _FMNIST_MIRRORS,
        4_422_102,
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    ),
    _mirrored(
        "fashion_mnist",
        "t10k-labels-idx1-ubyte.gz",
        _FMNIST_MIRRORS,
        5_148,
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
)


MNIST = DatasetInfo(
    "mnist",
    "MNIST digits; DA3D: 0-4 normal, 5-9 anomalous; Fence GAN: one digit anomalous",
    "70,000 images 28x28 (60,000 train + 10,000 test)",
    "http://yann.lecun.com/exdb/mnist/",
    "no licence stated by the authors; commonly cited as CC BY-SA 3.0",
    "image",
    _MNIST_FILES,
    alternatives=(
        "mnist/mnist.npz (Keras: x_train, y_train, x_test, y_test; sha256 "
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1, "
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz)",
        "uncompressed idx files of the same names without .gz",
    ),
    protocols=("da3d", "fence_gan", "unsupervised"),
    citation="LeCun, Bottou, Bengio, Haffner (1998)",
    paper_names=("MNIST",),
)


@register_dataset(MNIST)
def load_mnist(
    root: Path, *, anomaly_classes: Iterable[int] | int | None = (5, 6, 7, 8, 9)
) -> Dataset:
    """MNIST from the four idx files (`.gz` or not) or Keras' `mnist.npz`; default DA3D labels.

    Parameters
    ----------
    root : pathlib.Path
        The data root; the files are read from `root / "mnist"`.
    anomaly_classes : int, iterable of int or None, default (5, 6, 7, 8, 9)
        The digits (0-9) labelled anomalous (y = 1); None: unlabelled (`y` is None).

    Returns
    -------
    Dataset
        uint8 images (n, 1, 28, 28), the official test set as `X_test`, the digits as fine
        labels.
    """
    return _load_mnist_like(
        root,
        "mnist",
        "mnist",
        ("mnist.npz",),
        anomaly_classes,
        "MNIST digits; anomaly classes " + str(_classes_list(anomaly_classes)),
    )


FMNIST = DatasetInfo(
    "fmnist",
    "Fashion-MNIST; DA3D: classes 0-4 normal, 5-9 anomalous",
    "70,000 images 28x28 (60,000 train + 10,000 test)",
    "https://github.com/zalandoresearch/fashion-mnist",
    "MIT (Zalando SE)",
    "image",
    _FMNIST_FILES,
    alternatives=(
        "fashion_mnist/fashion_mnist.npz (x_train, y_train, x_test, y_test)",
        "uncompressed idx files of the same names without .gz",
    ),
    protocols=("da3d", "fence_gan", "unsupervised"),
    citation="Xiao, Rasul, Vollgraf (2017)",
    aliases=("fashion_mnist", "fashion-mnist"),
    paper_names=("FMNIST",),
)


@register_dataset(FMNIST)
def load_fmnist(
    root: Path, *, anomaly_classes: Iterable[int] | int | None = (5, 6, 7, 8, 9)
) -> Dataset:
    """Fashion-MNIST from the four idx files (as Keras reads them) or an .npz with Keras' keys.

    Parameters
    ----------
    root : pathlib.Path
        The data root; the files are read from `root / "fashion_mnist"`.
    anomaly_classes : int, iterable of int or None, default (5, 6, 7, 8, 9)
        The classes (0-9) labelled anomalous (y = 1); None: unlabelled (`y` is None).

    Returns
    -------
    Dataset
        uint8 images (n, 1, 28, 28), the official test set as `X_test`, the classes as fine
        labels.
    """
    return _load_mnist_like(
        root,
        "fmnist",
        "fashion_mnist",
        ("fashion_mnist.npz", "fashion-mnist.npz"),
        anomaly_classes,
        "Fashion-MNIST; anomaly classes " + str(_classes_list(anomaly_classes)),
    )


# ---------------------------------------------------------------------------------------------
# EMNIST letters
# ---------------------------------------------------------------------------------------------


def _emnist_part(dataset: np.ndarray, part: str, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one part of the MATLAB struct, images reshaped in Fortran order.

    The .mat stores each image as a row of 784 pixels in MATLAB's column-major order;
    `reshape(..., order="F")` (as the DA3D loader does) gives upright 28x28 images.
    """
    try:
        section = dataset[part][0, 0]
        images = np.asarray(section["images"][0, 0])
        labels = np.asarray(section["labels"][0, 0]).reshape(-1)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise DataFormatError(
            f"{label}: no dataset.{part}.images/labels in the MATLAB struct ({exc})."
        ) from exc
    if images.ndim != 2 or images.shape[1] != 784:
        raise DataFormatError(
            f"{label}: dataset.{part}.images has shape {images.shape}, expected (n, 784)."
        )
    if len(labels) != len(images):
        raise DataFormatError(
            f"{label}: {len(images)} images but {len(labels)} labels in dataset.{part}."
        )
    images = np.ascontiguousarray(np.reshape(images, (-1, 28, 28), order="F"), dtype=np.uint8)
    return images, labels.astype(np.int64)


def _emnist_bytes(root: Path) -> tuple[bytes, str] | None:
    mat = find_file(root, ["emnist/emnist-letters.mat"])
    if mat is not None:
        return mat.read_bytes(), str(mat)
    archive = find_file(root, ["emnist/matlab.zip", "emnist/emnist-matlab.zip"])
    if archive is None:
        return None
    try:
        with zipfile.ZipFile(archive) as zf:
            member = next((n for n in zf.namelist() if n.endswith("emnist-letters.mat")), None)
            if member is None:
                raise DataFormatError(f"{archive}: has no member emnist-letters.mat.")
            return zf.read(member), f"{archive}:{member}"
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataFormatError(f"{archive}: damaged zip archive ({exc}).") from exc


_LETTERS = range(1, 27)


_EMNIST_FILES = (
    RemoteFile(
        path="emnist/matlab.zip",
        urls=("https://biometrics.nist.gov/cs_links/EMNIST/matlab.zip",),
        page="https://www.nist.gov/itl/products-and-services/emnist-dataset",
        note="about 743 MB; no checksum is published (fetch needs verify=False). Only the member "
        "matlab/emnist-letters.mat is read; it may also be placed as emnist/emnist-letters.mat",
    ),
)


EMNIST = DatasetInfo(
    "emnist",
    "EMNIST letters; DA3D: A-M normal, N-Z anomalous",
    "145,600 images 28x28 (124,800 train + 20,800 test)",
    "https://www.nist.gov/itl/products-and-services/emnist-dataset",
    "NIST public data, no explicit licence; cite Cohen et al. (2017)",
    "image",
    _EMNIST_FILES,
    alternatives=("emnist/emnist-letters.mat (the member of matlab.zip)",),
    paper_names=("EMNIST",),
)


@register_dataset(EMNIST)
def load_emnist(
    root: Path, *, anomaly_classes: Iterable[int] | int | None = tuple(range(14, 27))
) -> Dataset:
    """EMNIST letters (labels 1-26 = A-Z) from `emnist-letters.mat`.

    By default A-M are normal, N-Z anomalous.

    Parameters
    ----------
    root : pathlib.Path
        The data root; `emnist/emnist-letters.mat` is read, or that member of
        `emnist/matlab.zip`.
    anomaly_classes : int, iterable of int or None, default 14..26 (N-Z)
        The letters (1-26) labelled anomalous (y = 1); None: unlabelled (`y` is None).

    Returns
    -------
    Dataset
        uint8 images (n, 1, 28, 28), the official test set as `X_test`, the letters as fine
        labels.
    """
    found = _emnist_bytes(root)
    if found is None:
        raise not_found("emnist", root, ["emnist/emnist-letters.mat", "emnist/matlab.zip"])
    raw, label = found
    mat = read_mat(raw, label=label)
    if "dataset" not in mat:
        raise DataFormatError(
            f"{label}: no variable 'dataset' (keys: {sorted(k for k in mat if not k.startswith('__'))})."
        )
    x_tr, y_tr = _emnist_part(mat["dataset"], "train", label)
    x_te, y_te = _emnist_part(mat["dataset"], "test", label)
    for part, labels in (("train", y_tr), ("test", y_te)):
        if labels.size and (labels.min() < 1 or labels.max() > 26):
            raise DataFormatError(
                f"{label}: dataset.{part}.labels must be letters 1-26, found {labels.min()}-{labels.max()}."
            )
    return Dataset(
        name="emnist",
        X=x_tr[:, None],
        y=_anomaly_labels(y_tr, anomaly_classes, _LETTERS),
        fine_labels=y_tr,
        kind="image",
        X_test=x_te[:, None],
        y_test=_anomaly_labels(y_te, anomaly_classes, _LETTERS),
        fine_test=y_te,
        description="EMNIST letters (1-26 = A-Z); anomaly classes "
        + str(_classes_list(anomaly_classes)),
        source=EMNIST.source,
        files=(label,),
        meta={"anomaly_classes": _classes_list(anomaly_classes)},
    )


# ---------------------------------------------------------------------------------------------
# CIFAR-10 (binary version)
# ---------------------------------------------------------------------------------------------

_CIFAR_RECORD = 1 + 3 * 32 * 32
_CIFAR_TRAIN = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
_CIFAR_TEST = ("test_batch.bin",)


def parse_cifar_batch(raw: bytes, label: str) -> tuple[np.ndarray, np.ndarray]:
    """One binary batch: records of 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B).

    Parameters
    ----------
    raw : bytes
        The batch file's content.
    label : str
        Names the batch in error messages.

    Returns
    -------
    images : numpy.ndarray
        uint8 of shape (n, 3, 32, 32).
    labels : numpy.ndarray
        int64 classes 0-9 of shape (n,).
    """
    if len(raw) == 0 or len(raw) % _CIFAR_RECORD:
        raise DataFormatError(
            f"{label}: {len(raw):,} bytes is not a whole number of {_CIFAR_RECORD}-byte records "
            "(truncated or not a CIFAR-10 binary batch)."
        )
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _CIFAR_RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        row = int(np.argmax(labels > 9))
        raise DataFormatError(
            f"{label}: record {row}: label byte {labels[row]} is not a class 0-9."
        )
    images = records[:, 1:].reshape(-1, 3, 32, 32).copy()
    return images, labels


def _cifar_from_folder(folder: Path) -> dict[str, tuple[bytes, str]]:
    return {
        name: ((folder / name).read_bytes(), str(folder / name))
        for name in _CIFAR_TRAIN + _CIFAR_TEST
    }


def _cifar_from_tar(archive: Path) -> dict[str, tuple[bytes, str]]:
    out: dict[str, tuple[bytes, str]] = {}
    try:
        with tarfile.open(archive, "r:*") as tf:
            for member in tf:
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in _CIFAR_TRAIN + _CIFAR_TEST:
                    handle = tf.extractfile(member)
                    if handle is not None:
                        out[base] = (handle.read(), f"{archive}:{member.name}")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DataFormatError(f"{archive}: damaged or truncated archive ({exc}).") from exc
    missing = [n for n in _CIFAR_TRAIN + _CIFAR_TEST if n not in out]
    if missing:
        raise DataFormatError(
            f"{archive}: lacks the member(s) {missing}; is it the *binary* version?"
        )
    return out


_CIFAR_FILES = (
    RemoteFile(
        path="cifar10/cifar-10-binary.tar.gz",
        urls=("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
        size=170_052_171,
        md5="c32a1d4ab5d03f1284b67883e8d87530",
        sha256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
        page="https://www.cs.toronto.edu/~kriz/cifar.html",
        note="read directly from the archive (never extracted)",
    ),
)


CIFAR10 = DatasetInfo(
    "cifar10",
    "CIFAR-10 (binary version); Fence GAN: one class anomalous (anomaly_class=...)",
    "60,000 colour images 32x32 (50,000 train + 10,000 test)",
    "https://www.cs.toronto.edu/~kriz/cifar.html",
    "no explicit licence; cite Krizhevsky (2009)",
    "image",
    _CIFAR_FILES,
    alternatives=("cifar10/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin (extracted)",),
    protocols=("fence_gan", "da3d", "unsupervised"),
    aliases=("cifar-10",),
)


@register_dataset(CIFAR10)
def load_cifar10(root: Path, *, anomaly_classes: Iterable[int] | int | None = None) -> Dataset:
    """CIFAR-10 binary batches, from `cifar-10-batches-bin/` or straight from the tar.gz.

    There is no standard normal/anomalous split; `y` is None unless `anomaly_classes` is given.

    Parameters
    ----------
    root : pathlib.Path
        The data root; `cifar10/cifar-10-batches-bin/` is read if complete, else
        `cifar10/cifar-10-binary.tar.gz`.
    anomaly_classes : int, iterable of int or None, default None
        The classes (0-9, see `CIFAR10_CLASSES`) labelled anomalous (y = 1); None: unlabelled.

    Returns
    -------
    Dataset
        uint8 images (n, 3, 32, 32), the official test batch as `X_test`, the classes as fine
        labels.
    """
    folder = root / "cifar10" / "cifar-10-batches-bin"
    if all((folder / n).is_file() for n in _CIFAR_TRAIN + _CIFAR_TEST):
        batches = _cifar_from_folder(folder)
        files = tuple(str(folder / n) for n in _CIFAR_TRAIN + _CIFAR_TEST)
    else:
        archive = find_file(root, ["cifar10/cifar-10-binary.tar.gz"])
        if archive is None:
            raise not_found(
                "cifar10", root, ["cifar10/cifar-10-binary.tar.gz", "cifar10/cifar-10-batches-bin/"]
            )
        batches = _cifar_from_tar(archive)
        files = (str(archive),)
    train = [parse_cifar_batch(*batches[n]) for n in _CIFAR_TRAIN]
    x_te, y_te = parse_cifar_batch(*batches[_CIFAR_TEST[0]])
    x_tr = np.concatenate([b[0] for b in train])
    y_tr = np.concatenate([b[1] for b in train])
    return Dataset(
        name="cifar10",
        X=x_tr,
        y=_anomaly_labels(y_tr, anomaly_classes),
        fine_labels=y_tr,
        kind="image",
        X_test=x_te,
        y_test=_anomaly_labels(y_te, anomaly_classes),
        fine_test=y_te,
        description="CIFAR-10 (classes " + ", ".join(CIFAR10_CLASSES) + ")",
        source=CIFAR10.source,
        files=files,
        meta={
            "anomaly_classes": _classes_list(anomaly_classes),
            "class_names": list(CIFAR10_CLASSES),
        },
    )
