"""The staged real files (`../shared/datasets`): counts of SOURCES.md and METHODS §6.1, protocols.

Each large file is loaded once per session. Skipped when the staged data are absent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from ganad.data import (
    DataNotFoundError,
    Dataset,
    file_status,
    get_info,
    list_datasets,
    load_dataset,
    load_split,
    make_split,
)
from ganad.data.loaders.tabular import _ADBENCH_TABLE, bundled_path
from ganad.data.sources import adbench_name


def _near(value: int, target: float, rel: float = 0.01) -> bool:
    return abs(value - target) <= rel * target


def _disjoint(*parts: np.ndarray) -> bool:
    sets = [set(p.tolist()) for p in parts]
    return sum(len(s) for s in sets) == len(set().union(*sets))


# ---------------------------------------------------------------------------------------------
# Session-wide loads
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mnist(shared_datasets: Path) -> Dataset:
    return load_dataset("mnist", root=shared_datasets)


@pytest.fixture(scope="session")
def kdd(shared_datasets: Path) -> Dataset:
    return load_dataset("kdd", root=shared_datasets)


@pytest.fixture(scope="session")
def kdd99(shared_datasets: Path) -> Dataset:
    return load_dataset("kdd99", root=shared_datasets)


@pytest.fixture(scope="session")
def census(shared_datasets: Path) -> Dataset:
    return load_dataset("census", root=shared_datasets, train_file="test")


# ---------------------------------------------------------------------------------------------
# Files and registry
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mnist", "fmnist", "kdd", "kdd99", "census", "mammography"])
def test_staged_files_match_the_registry_checksums(shared_datasets: Path, name: str) -> None:
    statuses = file_status(name, root=shared_datasets, verify=True)
    required = [s for s in statuses if not s.remote.optional]
    assert required and all(s.present and s.verified for s in required), [
        s.describe() for s in statuses
    ]


def test_adbench_files_match_the_registry(shared_datasets: Path) -> None:
    for filename, _size, _sha, n, d, n_anom in _ADBENCH_TABLE:
        ds = load_dataset(f"adbench:{adbench_name(filename)}", root=shared_datasets)
        assert ds.X.shape == (n, d) and int(ds.y.sum()) == n_anom, filename
    names = {i.name for i in list_datasets()}
    assert {f"adbench:{adbench_name(r[0])}" for r in _ADBENCH_TABLE} <= names
    status = file_status("adbench:cardio", root=shared_datasets, verify=True)
    assert status[0].verified


def test_bundled_mammography_is_the_staged_file(shared_datasets: Path) -> None:
    staged = (shared_datasets / "adbench" / "23_mammography.npz").read_bytes()
    assert bundled_path("23_mammography.npz").read_bytes() == staged
    assert hashlib.sha256(staged).hexdigest() == get_info("mammography").files[0].sha256
    ds = load_dataset("mammography", root=shared_datasets)
    assert ds.X.shape == (11183, 6) and int(ds.y.sum()) == 260 and not ds.meta["bundled"]


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def test_mnist_counts(mnist: Dataset) -> None:
    assert mnist.X.shape == (60000, 1, 28, 28) and mnist.X_test.shape == (10000, 1, 28, 28)
    np.testing.assert_array_equal(
        np.bincount(mnist.fine_labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    assert int((mnist.y == 0).sum()) == 30596


def test_mnist_da3d_split(mnist: Dataset) -> None:
    split = load_split(mnist, seed=110)
    # [DA3D-A] Table 1: 2.91e4 = 0.95 x 30,596 training normals, 5.14e3 / 4.86e3 test
    assert _near(split.info["n_train_normal"], 0.95 * 30596)
    assert split.info["n_test_normal"] == 5139 and split.info["n_test_anomalous"] == 4861
    assert _disjoint(split.idx_train, split.idx_val)
    assert (
        split.x_train.dtype == np.float32 and split.x_train.min() >= 0 and split.x_train.max() <= 1
    )
    np.testing.assert_allclose(split.x_train[:50], mnist.X[split.idx_train[:50]] / 255.0, rtol=1e-6)


def test_mnist_fence_gan_split(mnist: Dataset) -> None:
    split = load_split(mnist, "fence_gan", seed=0, anomaly_class=0)
    n_norm, n_anom = 70000 - 6903, 6903  # digit 0: 5,923 train + 980 test images
    assert len(split.idx_train) == int(0.8 * n_norm)
    assert split.info["n_test_anomalous"] == n_anom * 3 // 4
    assert split.info["n_val_anomalous"] == n_anom - n_anom * 3 // 4
    assert _disjoint(split.idx_train, split.idx_val, split.idx_test)
    assert split.x_test.min() == -1 and split.x_test.max() == 1


def test_fmnist_counts_and_split(shared_datasets: Path) -> None:
    split = load_split("fmnist", seed=210, root=shared_datasets)
    assert _near(split.info["n_train_normal"], 0.95 * 30000)  # 2.85e4
    assert split.info["n_test_normal"] == split.info["n_test_anomalous"] == 5000


# ---------------------------------------------------------------------------------------------
# NSL-KDD
# ---------------------------------------------------------------------------------------------


def test_nsl_kdd_arff_counts_and_features(kdd: Dataset) -> None:
    assert kdd.X.shape == (125973, 126) and kdd.X_test.shape == (22544, 126)
    assert int((kdd.y == 0).sum()) == 67343 and int(kdd.y.sum()) == 58630
    assert int((kdd.y_test == 0).sum()) == 9711 and int(kdd.y_test.sum()) == 12833
    assert set(np.unique(kdd.fine_labels)) == {"tcp", "udp", "icmp", "anomaly"}


def test_nsl_kdd_txt_gives_the_same_features(kdd: Dataset, shared_datasets: Path) -> None:
    txt = load_dataset("kdd", root=shared_datasets, source="txt")
    np.testing.assert_array_equal(txt.X, kdd.X)
    np.testing.assert_array_equal(txt.y_test, kdd.y_test)
    assert len(np.unique(txt.fine_labels[txt.y == 1])) == 22  # attack types in KDDTrain+


def test_nsl_kdd_da3d_split_with_contamination(kdd: Dataset) -> None:
    split = make_split(kdd.X, kdd.y, 110, 0.01, test=(kdd.X_test, kdd.y_test))
    n_norm = split.info["n_train_normal"]
    assert _near(n_norm, 6.39e4)  # [DA3D-A] Table 1
    assert (
        split.info["n_contaminated"] == round(n_norm * 0.01 / 0.99) == int(split.contaminated.sum())
    )
    assert (kdd.y[split.idx_train] == split.contaminated).all()
    assert _disjoint(np.unique(split.idx_train), split.idx_val)
    raw = kdd.X[split.idx_train]
    np.testing.assert_array_equal(split.scaler.data_min_, raw.min(axis=0))
    np.testing.assert_array_equal(split.scaler.data_max_, raw.max(axis=0))
    assert split.info["n_test_normal"] == 9711 and split.info["n_test_anomalous"] == 12833


# ---------------------------------------------------------------------------------------------
# KDD Cup 99 (Fence GAN)
# ---------------------------------------------------------------------------------------------


def test_kdd99_counts(kdd99: Dataset) -> None:
    assert kdd99.X.shape == (494021, 121)
    assert int(kdd99.y.sum()) == 97278  # 'normal.' records: the anomaly class in Fence GAN
    labels, counts = np.unique(kdd99.fine_labels, return_counts=True)
    by_label = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    assert by_label["smurf."] == 280790 and by_label["neptune."] == 107201 and len(by_label) == 23


def test_kdd99_fence_gan_split(kdd99: Dataset) -> None:
    split = load_split(kdd99, "fence_gan", seed=0)
    assert not kdd99.y[split.idx_train].any()  # attacks only
    sampled = 247010  # round(0.5 * 494,021) rows drawn for training, normals among them dropped
    assert len(split.idx_test) == 494021 - sampled
    assert split.info["n_test_anomalous"] + (sampled - len(split.idx_train)) == 97278
    assert _disjoint(split.idx_train, split.idx_test)
    assert 0.19 < split.y_test.mean() < 0.205  # about 19.7 % non-attack
    raw = kdd99.X[split.idx_train]
    np.testing.assert_array_equal(split.scaler.data_min_, raw.min(axis=0))
    np.testing.assert_array_equal(split.scaler.data_max_, raw.max(axis=0))
    assert split.x_train.min() == 0 and split.x_train.max() == 1


# ---------------------------------------------------------------------------------------------
# Census
# ---------------------------------------------------------------------------------------------


def test_census_counts(census: Dataset) -> None:
    assert census.X.shape == (99762, 510)  # [DA3D-B] Table 1: 510 input dimensions
    assert int((census.y == 0).sum()) == 93576 and int(census.y.sum()) == 6186
    assert census.meta["leakage"]


def test_census_da3d_as_published(census: Dataset) -> None:
    test = (census.X_test, census.y_test)
    split = make_split(census.X, census.y, 110, 0.0, test=test)
    assert _near(split.info["n_train_normal"], 8.89e4)  # 0.95 x 93,576
    assert split.info["n_test_normal"] == 93576 and split.info["n_test_anomalous"] == 6186


def test_census_corrected_variant_needs_the_training_file(shared_datasets: Path) -> None:
    if (shared_datasets / "census" / "census-income.data.gz").exists():
        pytest.skip("census-income.data is staged")
    with pytest.raises(DataNotFoundError, match=r"census-income\.data"):
        load_split("census", seed=110, root=shared_datasets, census_train_file="data")


# ---------------------------------------------------------------------------------------------
# ADBench / unsupervised
# ---------------------------------------------------------------------------------------------


def test_unsupervised_on_cardio(shared_datasets: Path) -> None:
    split = load_split("adbench:cardio", "unsupervised", seed=0, root=shared_datasets)
    assert 0.09 < split.info["natural_train_contamination"] < 0.1
    assert _disjoint(split.idx_train, split.idx_test)
    assert split.info["n_test_anomalous"] == 53  # 30 % of 176, stratified
