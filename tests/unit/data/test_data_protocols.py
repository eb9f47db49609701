"""load_split protocols on tiny files: DA3D, Fence GAN (MNIST, CIFAR-10, KDD'99), unsupervised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ganad_data_writers import CENSUS_ROWS, KDD99_ROWS, cifar_tar, gz, write

from ganad.data import load_split


@pytest.fixture
def mnist_root(tiny_root: Path) -> Path:
    """Keras-format MNIST with 60 train + 40 test images; pixel [0, 0] holds the merged row index."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(100, 28, 28), dtype=np.uint8)
    x[:, 0, 0] = np.arange(100)
    y = rng.integers(0, 10, size=100).astype(np.uint8)
    (tiny_root / "mnist").mkdir()
    np.savez(
        tiny_root / "mnist" / "mnist.npz",
        x_train=x[:60],
        y_train=y[:60],
        x_test=x[60:],
        y_test=y[60:],
    )
    return tiny_root


def test_fence_gan_mnist_is_the_codes_unshuffled_split(mnist_root: Path) -> None:
    split = load_split("mnist", "fence_gan", seed=0, root=mnist_root, anomaly_class=4)
    fine = np.concatenate([split.fine_train, split.fine_val, split.fine_test])
    merged = np.load(mnist_root / "mnist" / "mnist.npz")
    labels = np.concatenate([merged["y_train"], merged["y_test"]])
    normal, anomalous = np.flatnonzero(labels != 4), np.flatnonzero(labels == 4)
    n, a = normal.size, anomalous.size
    np.testing.assert_array_equal(split.idx_train, normal[: int(0.8 * n)])
    np.testing.assert_array_equal(
        split.idx_test, np.r_[normal[int(0.8 * n) : int(0.95 * n)], anomalous[: a * 3 // 4]]
    )
    np.testing.assert_array_equal(
        split.idx_val, np.r_[normal[int(0.95 * n) :], anomalous[a * 3 // 4 :]]
    )
    np.testing.assert_array_equal(split.y_test, (labels[split.idx_test] == 4).astype(int))
    assert (fine[: len(split.idx_train)] != 4).all()
    # images in [-1, 1], pixel [0, 0] traces the row: (index/255 - 0.5) * 2
    np.testing.assert_allclose(
        split.x_train[:, 0, 0, 0], (split.idx_train / 255 - 0.5) * 2, atol=1e-6
    )
    assert split.x_train.min() >= -1 and split.x_train.max() <= 1
    assert split.info["protocol"] == "fence_gan" and split.info["options"] == {"anomaly_class": 4}


def test_fence_gan_needs_a_class_and_no_contamination(mnist_root: Path) -> None:
    with pytest.raises(ValueError, match="needs anomaly_class"):
        load_split("mnist", "fence_gan", root=mnist_root)
    with pytest.raises(ValueError, match="has no train_contamination"):
        load_split("mnist", "fence_gan", root=mnist_root, anomaly_class=1, train_contamination=0.01)
    with pytest.raises(ValueError, match="defined for"):
        load_split("covtype", "fence_gan", root=mnist_root)


def test_da3d_on_images_scales_to_unit_interval(mnist_root: Path) -> None:
    split = load_split("mnist", seed=110, root=mnist_root)
    assert (
        split.x_train.dtype == np.float32 and split.x_train.max() <= 1 and split.x_train.min() >= 0
    )
    assert split.info["test_source"] == "official" and split.x_test.shape == (40, 1, 28, 28)
    assert split.info["n_val"] == 3  # 5 % of the 60 official training images


def test_fence_gan_cifar10(tiny_root: Path) -> None:
    rng = np.random.default_rng(1)
    batches = {}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        labels = rng.integers(0, 10, size=40)
        labels[:5] = 8  # enough "ship" images
        pixels = rng.integers(0, 256, size=(40, 3072), dtype=np.uint8)
        batches[name] = b"".join(
            bytes([int(lab)]) + p.tobytes() for lab, p in zip(labels, pixels, strict=True)
        )
    write(tiny_root / "cifar10" / "cifar-10-binary.tar.gz", cifar_tar(batches))
    a = load_split("cifar10", "fence_gan", seed=5, root=tiny_root, anomaly_class=8)
    b = load_split("cifar10", "fence_gan", seed=5, root=tiny_root, anomaly_class=8)
    np.testing.assert_array_equal(a.idx_train, b.idx_train)
    n_norm = int((a.fine_train != 8).sum() + (a.fine_val != 8).sum() + (a.fine_test != 8).sum())
    n_anom = int(a.y_val.sum() + a.y_test.sum())
    assert not a.y_train.any() and (a.fine_train != 8).all()
    assert (a.y_test == 0).sum() == int(0.2 * n_norm)
    assert a.y_val.sum() == int(0.2 * n_anom)
    assert (a.y_val == 0).sum() == int(a.y_val.sum() * (a.y_test == 0).sum() / a.y_test.sum())
    parts = [set(a.idx_train.tolist()), set(a.idx_val.tolist()), set(a.idx_test.tolist())]
    assert sum(len(p) for p in parts) == len(set().union(*parts)) == 240
    assert a.x_train.shape[1:] == (3, 32, 32) and a.x_train.min() >= -1 and a.x_train.max() <= 1


def test_fence_gan_kdd99_attack_as_normal(tiny_root: Path) -> None:
    rows = [r for _ in range(20) for r in KDD99_ROWS]
    write(tiny_root / "kdd99" / "kddcup.data_10_percent.gz", gz(("\n".join(rows) + "\n").encode()))
    split = load_split("kdd99", "fence_gan", seed=3, root=tiny_root)
    sampled = pd.Series(np.arange(120)).sample(frac=0.5, random_state=42).to_numpy()
    labels = np.array([r.rsplit(",", 1)[1] for r in rows])
    np.testing.assert_array_equal(split.idx_train, sampled[labels[sampled] != "normal."])
    np.testing.assert_array_equal(split.idx_test, np.setdiff1d(np.arange(120), sampled))
    np.testing.assert_array_equal(split.y_test, labels[split.idx_test] == "normal.")
    assert len(split.x_val) == 0 and split.x_val.shape[1] == split.x_train.shape[1]
    assert split.x_train.min() == 0 and split.x_train.max() == 1
    with_val = load_split("kdd99", "fence_gan", seed=3, root=tiny_root, val_size=0.2)
    assert len(with_val.idx_val) > 0 and not set(with_val.idx_val) & set(with_val.idx_test)


def test_unsupervised_keeps_training_anomalies(tiny_root: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 4))
    y = (np.arange(500) % 10 == 0).astype(int)
    (tiny_root / "adbench").mkdir()
    np.savez(tiny_root / "adbench" / "99_toy.npz", X=X, y=y)
    split = load_split("adbench:toy", "unsupervised", seed=1, root=tiny_root)
    assert split.info["n_contaminated"] == int(y[split.idx_train].sum()) > 0
    np.testing.assert_array_equal(split.contaminated, y[split.idx_train] == 1)
    assert not split.y_train.any()
    assert len(split.idx_test) == 150 and split.y_test.sum() == 15  # stratified 30 %
    assert not set(split.idx_train) & set(split.idx_test)
    np.testing.assert_allclose(split.scaler.data_min_, X[split.idx_train].min(0))
    lower = load_split(
        "adbench:toy", "unsupervised", seed=1, root=tiny_root, train_contamination=0.02
    )
    n_norm = lower.info["n_train_normal"]
    assert lower.info["n_contaminated"] == round(n_norm * 0.02 / 0.98)
    with pytest.raises(ValueError, match="never repeats rows"):
        load_split("adbench:toy", "unsupervised", seed=1, root=tiny_root, train_contamination=0.4)


def test_census_quirk_is_flagged_and_data_variant_is_clean(tiny_root: Path) -> None:
    many = [r for _ in range(30) for r in CENSUS_ROWS]
    many += [CENSUS_ROWS[0].replace("- 50000.", "50000+.")] * 6
    write(tiny_root / "census" / "census-income.test.gz", gz(("\n".join(many) + "\n").encode()))
    quirk = load_split("census", seed=110, root=tiny_root)
    assert quirk.info["leakage"] is True and quirk.info["options"]["census_train_file"] == "test"
    assert any("leakage" in note for note in quirk.info["notes"])
    assert len(quirk.x_test) == len(many)  # the whole file is the test set, as published
    write(tiny_root / "census" / "census-income.data", "\n".join(many) + "\n")
    fixed = load_split("census", seed=110, root=tiny_root, census_train_file="data")
    assert fixed.info["leakage"] is False and fixed.info["options"]["census_train_file"] == "data"
    unsup = load_split("census", "unsupervised", seed=1, root=tiny_root)
    assert unsup.info["test_source"] == "official"


def test_unknown_protocol() -> None:
    with pytest.raises(ValueError, match="protocol must be one of"):
        load_split("mammography", "semi")


def test_bundled_mammography_da3d_counts() -> None:
    split = load_split("mammography", seed=110, train_contamination=0.01, root="/nonexistent")
    # [DA3D-A] Table 1: 8.82e3 training normals, 1.64e3 / 39 test normals / anomalies
    assert split.info["n_test_anomalous"] == 39 and split.info["n_test_normal"] == 1639
    assert round(split.info["n_train_normal"], -1) == 8820
    assert split.info["n_contaminated"] == round(split.info["n_train_normal"] * 0.01 / 0.99)
