"""Each loader on tiny files written in the exact original format of its data set."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io as sio
from ganad_data_writers import (
    CENSUS_ROWS,
    KDD99_ROWS,
    NSL_TXT_ROWS,
    cifar_tar,
    covtype_rows,
    gz,
    idx_bytes,
    nsl_arff_text,
    write,
)

from ganad.data import DataFormatError, DataNotFoundError, load_dataset
from ganad.data.loaders.tabular import COVTYPE_COLUMNS

# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def _digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), np.arange(n) % 10


@pytest.mark.parametrize("compressed", [True, False])
def test_mnist_idx_files(tiny_root: Path, compressed: bool) -> None:
    x_tr, y_tr = _digits(20, 0)
    x_te, y_te = _digits(10, 1)
    for name, arr in [
        ("train-images-idx3-ubyte", x_tr),
        ("train-labels-idx1-ubyte", y_tr),
        ("t10k-images-idx3-ubyte", x_te),
        ("t10k-labels-idx1-ubyte", y_te),
    ]:
        data = idx_bytes(arr)
        write(
            tiny_root / "mnist" / (name + (".gz" if compressed else "")),
            gz(data) if compressed else data,
        )
    ds = load_dataset("mnist", root=tiny_root)
    assert ds.kind == "image"
    assert ds.X.shape == (20, 1, 28, 28) and ds.X.dtype == np.uint8
    np.testing.assert_array_equal(ds.X[:, 0], x_tr)
    np.testing.assert_array_equal(ds.fine_labels, y_tr)
    np.testing.assert_array_equal(ds.y, (y_tr >= 5).astype(int))
    np.testing.assert_array_equal(ds.X_test[:, 0], x_te)
    np.testing.assert_array_equal(ds.y_test, (y_te >= 5).astype(int))


def test_keras_mnist_npz(tiny_root: Path) -> None:
    x_tr, y_tr = _digits(20, 0)
    x_te, y_te = _digits(10, 1)
    (tiny_root / "mnist").mkdir()
    np.savez(
        tiny_root / "mnist" / "mnist.npz",
        x_train=x_tr,
        y_train=y_tr.astype(np.uint8),
        x_test=x_te,
        y_test=y_te.astype(np.uint8),
    )
    ds = load_dataset("mnist", root=tiny_root, anomaly_classes=3)
    np.testing.assert_array_equal(ds.X[:, 0], x_tr)
    np.testing.assert_array_equal(ds.y, (y_tr == 3).astype(int))
    assert ds.files == (str(tiny_root / "mnist" / "mnist.npz"),)


def test_fashion_mnist_idx_folder(tiny_root: Path) -> None:
    x_tr, y_tr = _digits(10, 2)
    for prefix in ("train", "t10k"):
        write(tiny_root / "fashion_mnist" / f"{prefix}-images-idx3-ubyte.gz", gz(idx_bytes(x_tr)))
        write(tiny_root / "fashion_mnist" / f"{prefix}-labels-idx1-ubyte.gz", gz(idx_bytes(y_tr)))
    ds = load_dataset("fmnist", root=tiny_root)
    assert ds.name == "fmnist" and ds.X.shape == (10, 1, 28, 28)
    assert load_dataset("fashion_mnist", root=tiny_root).name == "fmnist"


def _emnist_mat(images: np.ndarray, labels: np.ndarray) -> bytes:
    """EMNIST's MATLAB layout: dataset.{train,test}.{images (n x 784, column-major), labels}."""
    flat = images.reshape(len(images), -1, order="F")  # as MATLAB stores each image
    flat = np.stack([img.flatten(order="F") for img in images])
    part = {"images": flat, "labels": labels.reshape(-1, 1), "writers": np.zeros((len(labels), 1))}
    buffer = io.BytesIO()
    sio.savemat(buffer, {"dataset": {"train": part, "test": part, "mapping": np.zeros((26, 2))}})
    return buffer.getvalue()


def test_emnist_letters_mat_fortran_order(tiny_root: Path) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    labels = np.array([1, 13, 14, 26, 5, 20])
    write(tiny_root / "emnist" / "emnist-letters.mat", _emnist_mat(images, labels))
    ds = load_dataset("emnist", root=tiny_root)
    np.testing.assert_array_equal(ds.X[:, 0], images)  # upright again after the Fortran reshape
    np.testing.assert_array_equal(ds.y, [0, 0, 1, 1, 0, 1])
    assert ds.X_test.shape == (6, 1, 28, 28)


def test_emnist_read_from_official_zip(tiny_root: Path) -> None:
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[0, 0, 5] = 255  # first row, sixth column
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("matlab/emnist-letters.mat", _emnist_mat(images, np.array([1, 20])))
    write(tiny_root / "emnist" / "matlab.zip", buffer.getvalue())
    ds = load_dataset("emnist", root=tiny_root)
    assert ds.X[0, 0, 0, 5] == 255 and ds.X[0, 0].sum() == 255
    assert "matlab.zip:matlab/emnist-letters.mat" in ds.files[0]


def test_cifar10_binary_folder(tiny_root: Path, cifar_batches: dict[str, bytes]) -> None:
    for name, data in cifar_batches.items():
        write(tiny_root / "cifar10" / "cifar-10-batches-bin" / name, data)
    ds = load_dataset("cifar10", root=tiny_root)
    assert ds.X.shape == (20, 3, 32, 32) and ds.X_test.shape == (4, 3, 32, 32)
    assert ds.y is None  # no anomaly definition without anomaly_classes
    first = cifar_batches["data_batch_1.bin"]
    assert ds.fine_labels[0] == first[0]
    np.testing.assert_array_equal(
        ds.X[0, 0].ravel(), np.frombuffer(first[1:1025], np.uint8)
    )  # red plane
    np.testing.assert_array_equal(
        ds.X[0, 2].ravel(), np.frombuffer(first[2049:3073], np.uint8)
    )  # blue


def test_cifar10_read_from_tar_gz(tiny_root: Path, cifar_batches: dict[str, bytes]) -> None:
    write(tiny_root / "cifar10" / "cifar-10-binary.tar.gz", cifar_tar(cifar_batches))
    ds = load_dataset("cifar10", root=tiny_root, anomaly_classes=[0])
    np.testing.assert_array_equal(ds.y, (ds.fine_labels == 0).astype(int))
    assert ds.files == (str(tiny_root / "cifar10" / "cifar-10-binary.tar.gz"),)


def test_cifar10_truncated_batch(tiny_root: Path, cifar_batches: dict[str, bytes]) -> None:
    cifar_batches["data_batch_3.bin"] = cifar_batches["data_batch_3.bin"][:-100]
    for name, data in cifar_batches.items():
        write(tiny_root / "cifar10" / "cifar-10-batches-bin" / name, data)
    with pytest.raises(DataFormatError, match=r"data_batch_3\.bin.*whole number"):
        load_dataset("cifar10", root=tiny_root)


# ---------------------------------------------------------------------------------------------
# Network traffic
# ---------------------------------------------------------------------------------------------


def test_nsl_kdd_arff_and_txt_agree(tiny_root: Path) -> None:
    for part in ("KDDTrain+", "KDDTest+"):
        write(tiny_root / "nsl_kdd" / f"{part}.arff.gz", gz(nsl_arff_text(relation=part).encode()))
        write(tiny_root / "nsl_kdd" / f"{part}.txt", "\n".join(NSL_TXT_ROWS) + "\n")
    arff = load_dataset("kdd", root=tiny_root)
    txt = load_dataset("kdd", root=tiny_root, source="txt")
    assert arff.X.shape == (4, 126)  # 34 numeric + 3 + 70 + 11 + 2 * 4 one-hot
    np.testing.assert_array_equal(arff.X, txt.X)
    np.testing.assert_array_equal(arff.y, [0, 0, 1, 0])
    assert list(arff.fine_labels) == ["tcp", "udp", "anomaly", "tcp"]  # DA3D's normal sub-labels
    assert list(txt.fine_labels) == ["tcp", "udp", "neptune", "tcp"]
    assert arff.feature_names[34:37] == [
        "protocol_type=tcp",
        "protocol_type=udp",
        "protocol_type=icmp",
    ]
    assert arff.X[2, arff.feature_names.index("service=private")] == 1
    assert arff.X[0, arff.feature_names.index("src_bytes")] == 491


def test_nsl_arff_undeclared_nominal_value(tiny_root: Path) -> None:
    bad = NSL_TXT_ROWS[1].replace(",other,", ",gopherx,")
    text = nsl_arff_text(rows=(NSL_TXT_ROWS[0], bad))
    write(tiny_root / "nsl_kdd" / "KDDTrain+.arff", text)
    write(tiny_root / "nsl_kdd" / "KDDTest+.arff", nsl_arff_text())
    line = text.splitlines().index(next(s for s in text.splitlines() if "gopherx" in s)) + 1
    with pytest.raises(
        DataFormatError, match=rf"KDDTrain\+\.arff: line {line}, column 3 \('service'\)"
    ):
        load_dataset("kdd", root=tiny_root)


def test_kdd99_zenati_encoding(tiny_root: Path) -> None:
    write(
        tiny_root / "kdd99" / "kddcup.data_10_percent.gz",
        gz(("\n".join(KDD99_ROWS) + "\n").encode()),
    )
    ds = load_dataset("kdd99", root=tiny_root)
    np.testing.assert_array_equal(ds.y, [1, 1, 0, 0, 1, 0])  # 'normal.' traffic is the anomaly
    names = ds.feature_names
    assert names[:3] == ["duration", "src_bytes", "dst_bytes"]
    assert names[34:37] == ["protocol_type=icmp", "protocol_type=tcp", "protocol_type=udp"]
    # categories present in the file only (get_dummies), sorted; land/logged_in... numeric order
    assert "service=http" in names and "service=ftp" not in names
    assert names[-2:] == ["is_host_login=0", "is_guest_login=0"]
    # 34 numeric + protocol 3 + service 3 + flag 2 + land 1 + logged_in 2 + host 1 + guest 1
    assert ds.X.shape == (6, 34 + 3 + 3 + 2 + 1 + 2 + 1 + 1)
    assert list(ds.fine_labels[:3]) == ["normal.", "normal.", "smurf."]


def _url_csv() -> str:
    header = "Querylength,domain_token_count,tld,ldl_domain,argPathRatio,NumberRate_Extension,Entropy_URL,URL_Type_obf_Type"
    rows = [
        "0,4,4,0,0.7,NaN,0.72,Defacement",
        "2,3,3,1,Infinity,0.5,0.69,benign",
        "0,2,2,0,0.5,0.1,0.68,phishing",
        "5,4,4,1,0.3,0.0,0.70,benign",
        "1,3,3,0,0.2,,0.71,malware",
        "0,3,3,2,0.1,0.2,0.77,spam",
    ]
    return header + "\n" + "\n".join(rows) + "\n"


def test_url_drops_columns_with_nan_or_inf(tiny_root: Path) -> None:
    write(tiny_root / "url" / "All.csv", _url_csv())
    ds = load_dataset("url", root=tiny_root)
    assert ds.feature_names == [
        "Querylength",
        "domain_token_count",
        "tld",
        "ldl_domain",
        "Entropy_URL",
    ]
    assert ds.meta["dropped_nan_columns"] == ["argPathRatio", "NumberRate_Extension"]
    np.testing.assert_array_equal(ds.y, [1, 0, 1, 0, 1, 1])
    assert list(ds.fine_labels) == ["Defacement", "1", "phishing", "1", "malware", "spam"]


def _doh_csv(label: str, n: int, start_day: int, inf_row: int | None = None) -> str:
    cols = "SourceIP,DestinationIP,SourcePort,DestinationPort,TimeStamp,Duration,FlowBytesSent,FlowSentRate,Label"
    rows = []
    for i in range(n):
        rate = "inf" if i == inf_row else f"{10.5 + i}"
        rows.append(
            f"192.168.20.{i},176.103.130.131,{50749 + i},443,2020-01-{start_day + i:02d} 14:52:18.412305,"
            f"{95.08 + i},{62044 + i},{rate},{label}"
        )
    return cols + "\n" + "\n".join(rows) + "\n"


def test_doh_week_feature_and_dropped_rows(tiny_root: Path) -> None:
    write(tiny_root / "doh" / "l2-benign.csv", _doh_csv("Benign", 3, 13))
    write(tiny_root / "doh" / "l2-malicious.csv", _doh_csv("Malicious", 4, 20, inf_row=1))
    ds = load_dataset("doh", root=tiny_root)
    assert ds.feature_names == ["Duration", "FlowBytesSent", "FlowSentRate", "week"]
    assert ds.X.shape == (6, 4) and ds.meta["rows_dropped_nan"] == 1
    np.testing.assert_array_equal(ds.y, [0, 0, 0, 1, 1, 1])
    assert list(ds.fine_labels[:3]) == ["3", "3", "3"]  # 13-15 Jan 2020: ISO week 3
    np.testing.assert_array_equal(ds.X[:, 3], [3, 3, 3, 4, 4, 4])


# ---------------------------------------------------------------------------------------------
# Tabular
# ---------------------------------------------------------------------------------------------


def test_covtype_uci_data_gz(tiny_root: Path) -> None:
    X = covtype_rows()
    text = "\n".join(",".join(map(str, row)) for row in X) + "\n"
    write(tiny_root / "covtype" / "covtype.data.gz", gz(text.encode()))
    ds = load_dataset("covtype", root=tiny_root)
    assert ds.X.shape == (14, 54)
    np.testing.assert_array_equal(ds.X, X[:, :54])
    np.testing.assert_array_equal(ds.y, np.isin(X[:, 54], (5, 6, 7)).astype(int))
    assert ds.feature_names[0] == "Elevation" and ds.feature_names[-1] == "Soil_Type40"


def test_covtype_kaggle_csv_matches_uci(tiny_root: Path, tmp_path: Path) -> None:
    X = covtype_rows()
    header = ",".join([*COVTYPE_COLUMNS, "Cover_Type"])
    write(
        tiny_root / "covtype" / "covtype.csv",
        header + "\n" + "\n".join(",".join(map(str, r)) for r in X) + "\n",
    )
    other = tmp_path / "uci"
    write(other / "covtype" / "covtype.data", "\n".join(",".join(map(str, r)) for r in X) + "\n")
    kaggle, uci = load_dataset("covtype", root=tiny_root), load_dataset("covtype", root=other)
    np.testing.assert_array_equal(kaggle.X, uci.X)
    np.testing.assert_array_equal(kaggle.fine_labels, uci.fine_labels)


def _creditcard_csv(n: int = 8) -> str:
    """Kaggle's layout: quoted header, quoted Class values."""
    header = ",".join(
        f'"{c}"' for c in ["Time", *(f"V{i}" for i in range(1, 29)), "Amount", "Class"]
    )
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        values = ",".join(f"{v:.6f}" for v in rng.normal(size=28))
        rows.append(f'{i * 2},{values},{rng.uniform(0, 300):.2f},"{int(i % 4 == 0)}"')
    return header + "\n" + "\n".join(rows) + "\n"


def test_creditcard_kaggle_csv(tiny_root: Path) -> None:
    write(tiny_root / "creditcard" / "creditcard.csv", _creditcard_csv())
    ds = load_dataset("creditcard", root=tiny_root)
    assert ds.X.shape == (8, 29) and "Time" not in ds.feature_names
    assert ds.feature_names[-1] == "Amount"
    np.testing.assert_array_equal(ds.y, [1, 0, 0, 0, 1, 0, 0, 0])


def test_census_training_file_variant(tiny_root: Path) -> None:
    rich = CENSUS_ROWS[1].replace("- 50000.", "50000+.").replace(", Female,", ", Male,")
    write(
        tiny_root / "census" / "census-income.data.gz",
        gz(("\n".join([*CENSUS_ROWS, rich]) + "\n").encode()),
    )
    test_rows = [CENSUS_ROWS[0].replace(" Private,", " Never worked,"), CENSUS_ROWS[1]]
    write(tiny_root / "census" / "census-income.test", "\n".join(test_rows) + "\n")
    ds = load_dataset("census", root=tiny_root, train_file="data")
    assert ds.meta["train_file"] == "data" and not ds.meta["leakage"]
    np.testing.assert_array_equal(ds.y, [0, 0, 1])
    assert list(ds.fine_labels) == ["Female", "Female", "Anomalous"]
    assert ds.X.shape[1] == ds.X_test.shape[1] == len(ds.feature_names)
    worker = [n for n in ds.feature_names if n.startswith("class of worker=")]
    assert worker == ["class of worker=Private", "class of worker=Self-employed-not incorporated"]
    # 'Never worked' is not a training category: an all-zero block in the test row
    cols = [ds.feature_names.index(n) for n in worker]
    np.testing.assert_array_equal(ds.X_test[0, cols], [0, 0])
    assert ds.X[0, ds.feature_names.index("instance weight")] == pytest.approx(1032.38)
    assert "citizenship=Foreign born- Not a citizen of U S" in ds.feature_names


def test_census_auto_and_published_quirk(tiny_root: Path) -> None:
    write(
        tiny_root / "census" / "census-income.test.gz", gz(("\n".join(CENSUS_ROWS) + "\n").encode())
    )
    ds = load_dataset("census", root=tiny_root)  # no training file: as published, flagged
    assert ds.meta["train_file"] == "test" and ds.meta["leakage"]
    with pytest.raises(DataNotFoundError, match=r"census-income\.data"):
        load_dataset("census", root=tiny_root, train_file="data")


def test_odds_mat_and_adbench_npz(tiny_root: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), (np.arange(30) < 3).astype(float)
    write(tiny_root / "odds" / "glass.mat", b"")
    sio.savemat(tiny_root / "odds" / "glass.mat", {"X": X, "y": y.reshape(-1, 1)})
    (tiny_root / "adbench").mkdir()
    np.savez(tiny_root / "adbench" / "14_glass.npz", X=X, y=y.astype(np.int64))
    odds = load_dataset("odds:glass", root=tiny_root)
    adb = load_dataset("adbench:glass", root=tiny_root)
    by_path = load_dataset(tiny_root / "odds" / "glass.mat")
    for ds in (odds, adb, by_path):
        np.testing.assert_allclose(ds.X, X.astype(np.float32))
        np.testing.assert_array_equal(ds.y, y)
    assert adb.name == "adbench:glass"
    assert load_dataset("adbench:14_glass", root=tiny_root).name == "adbench:glass"


def test_mammography_prefers_odds_mat_under_root(tiny_root: Path) -> None:
    X, y = np.ones((5, 6)), np.array([0, 0, 0, 0, 1])
    (tiny_root / "mammography").mkdir()
    sio.savemat(tiny_root / "mammography" / "mammography.mat", {"X": X, "y": y.reshape(-1, 1)})
    ds = load_dataset("mammography", root=tiny_root)
    assert ds.X.shape == (5, 6) and not ds.meta["bundled"]


def test_mammography_bundled_without_any_root(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GANAD_DATA", str(tmp_path / "does-not-exist"))
    ds = load_dataset("mammography")
    assert ds.X.shape == (11183, 6) and int(ds.y.sum()) == 260
    assert ds.meta["bundled"]
