"""Bad input: one clear error naming the file (and line/column), never a silent partial load."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from ganad_data_writers import CENSUS_ROWS, KDD99_ROWS, NSL_TXT_ROWS, gz, idx_bytes, write

from ganad.data import (
    DataFormatError,
    DataNotFoundError,
    UnknownDatasetError,
    load_dataset,
    load_table,
)
from ganad.data._io import read_arff, read_idx, read_mat, read_npz

KDD99_TEXT = "\n".join(KDD99_ROWS) + "\n"


def _kdd99(root: Path, text: str, name: str = "kddcup.data_10_percent.gz") -> Path:
    data = text.encode()
    return write(root / "kdd99" / name, gz(data) if name.endswith(".gz") else data)


def test_truncated_gzip_names_the_file(tiny_root: Path) -> None:
    path = _kdd99(tiny_root, KDD99_TEXT * 50)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DataFormatError, match=r"kddcup\.data_10_percent\.gz: truncated gzip"):
        load_dataset("kdd99", root=tiny_root)


def test_corrupt_gzip(tiny_root: Path) -> None:
    path = _kdd99(tiny_root, KDD99_TEXT)
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # CRC
    path.write_bytes(bytes(raw))
    with pytest.raises(DataFormatError, match=r"kddcup\.data_10_percent\.gz: corrupt gzip"):
        load_dataset("kdd99", root=tiny_root)


@pytest.mark.parametrize(
    ("line_no", "edit", "fields"),
    [(3, lambda row: row + ",extra", 43), (5, lambda row: row.rsplit(",", 2)[0], 40)],
)
def test_wrong_column_count_names_line(tiny_root: Path, line_no: int, edit, fields: int) -> None:
    rows = list(KDD99_ROWS)
    rows[line_no - 1] = edit(rows[line_no - 1])
    _kdd99(tiny_root, "\n".join(rows) + "\n")
    with pytest.raises(DataFormatError, match=rf"line {line_no} has {fields} fields, expected 42"):
        load_dataset("kdd99", root=tiny_root)


def test_wrong_column_count_in_census(tiny_root: Path) -> None:
    rows = [CENSUS_ROWS[0], CENSUS_ROWS[1].replace(", Female,", ", Female, Extra,")]
    write(tiny_root / "census" / "census-income.test", "\n".join(rows) + "\n")
    with pytest.raises(
        DataFormatError, match=r"census-income\.test: line 2 has 43 fields, expected 42"
    ):
        load_dataset("census", root=tiny_root)


def test_non_numeric_value_names_line_and_column(tiny_root: Path) -> None:
    rows = list(KDD99_ROWS)
    rows[3] = rows[3].replace("private,S0,0,", "private,S0,abc,")
    _kdd99(tiny_root, "\n".join(rows) + "\n", name="kddcup.data_10_percent")
    with pytest.raises(
        DataFormatError, match=r"line 4, column 5 \('src_bytes'\): 'abc' is not a number"
    ):
        load_dataset("kdd99", root=tiny_root)


def test_empty_field_is_an_error_not_nan(tiny_root: Path) -> None:
    rows = list(NSL_TXT_ROWS)
    rows[1] = rows[1].replace(",146,", ",,")
    for part in ("KDDTrain+", "KDDTest+"):
        write(tiny_root / "nsl_kdd" / f"{part}.txt", "\n".join(rows) + "\n")
    with pytest.raises(
        DataFormatError, match=r"KDDTrain\+\.txt: line 2, column 5 \('src_bytes'\): missing value"
    ):
        load_dataset("kdd", root=tiny_root, source="txt")


def test_kdd99_label_without_trailing_dot(tiny_root: Path) -> None:
    _kdd99(tiny_root, KDD99_TEXT.replace("smurf.", "smurf", 1))
    with pytest.raises(
        DataFormatError, match=r"line 3, column 42 \('label'\): 'smurf' lacks the trailing dot"
    ):
        load_dataset("kdd99", root=tiny_root)


def test_missing_label_column(tiny_root: Path, tmp_path: Path) -> None:
    write(tiny_root / "creditcard" / "creditcard.csv", '"Time","V1","Amount"\n0,1.5,3.0\n')
    with pytest.raises(DataFormatError, match=r"creditcard\.csv: missing column\(s\) \['Class'\]"):
        load_dataset("creditcard", root=tiny_root)
    table = write(tmp_path / "mine.csv", "a,b\n1,2\n")
    with pytest.raises(DataFormatError, match=r"mine\.csv: label column 'label' not found"):
        load_table(table, label_column="label")


def test_unknown_dataset_name_lists_known_ones() -> None:
    with pytest.raises(UnknownDatasetError, match=r"unknown data set 'mnistt'.*mnist, fmnist"):
        load_dataset("mnistt")


def test_unregistered_adbench_name_is_a_missing_file(tiny_root: Path) -> None:
    with pytest.raises(
        DataNotFoundError, match=r"no ADBench file for 'adbench:nope'.*<k>_nope\.npz"
    ):
        load_dataset("adbench:nope", root=tiny_root)


def test_missing_file_says_what_to_place_where(tiny_root: Path) -> None:
    with pytest.raises(DataNotFoundError) as info:
        load_dataset("kdd99", root=tiny_root)
    message = str(info.value)
    assert str(tiny_root / "kdd99" / "kddcup.data_10_percent.gz") in message
    assert "8045aca0d84e70e622d1148d7df782496f6333bf6eb979a1b0837c42a9fd9561" in message
    assert "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz" in message
    assert "ganad datasets fetch kdd99" in message


def test_missing_file_behind_a_login(tiny_root: Path) -> None:
    with pytest.raises(DataNotFoundError, match=r"cannot be downloaded automatically[\s\S]*kaggle"):
        load_dataset("creditcard", root=tiny_root)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match=r"nothere\.csv: no such file"):
        load_dataset(tmp_path / "nothere.csv")


def test_unknown_loader_option(tiny_root: Path) -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['colour'\]"):
        load_dataset("mnist", root=tiny_root, colour=True)


def test_idx_truncated_and_bad_magic(tmp_path: Path) -> None:
    data = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    short = write(tmp_path / "short-idx3-ubyte", data[:-10])
    with pytest.raises(
        DataFormatError, match=r"short-idx3-ubyte: the idx header announces shape \(3, 28, 28\)"
    ):
        read_idx(short)
    bad = write(tmp_path / "bad", struct.pack(">I", 2051) + data[4:])
    assert read_idx(write(tmp_path / "ok", data)).shape == (3, 28, 28)
    with pytest.raises(DataFormatError, match="not an idx file"):
        read_idx(write(tmp_path / "bad2", b"PK\x03\x04" + data[4:]))
    assert bad.exists()


def test_mnist_image_label_mismatch(tiny_root: Path) -> None:
    for prefix, n_img, n_lab in (("train", 5, 4), ("t10k", 2, 2)):
        write(
            tiny_root / "mnist" / f"{prefix}-images-idx3-ubyte.gz",
            gz(idx_bytes(np.zeros((n_img, 28, 28)))),
        )
        write(
            tiny_root / "mnist" / f"{prefix}-labels-idx1-ubyte.gz", gz(idx_bytes(np.zeros(n_lab)))
        )
    with pytest.raises(DataFormatError, match=r"5 images but \(4,\) labels"):
        load_dataset("mnist", root=tiny_root)


def test_mat_v73_and_garbage(tmp_path: Path) -> None:
    v73 = write(tmp_path / "http.mat", b"MATLAB 7.3 MAT-file, Platform: GLNXA64" + b"\0" * 200)
    with pytest.raises(DataFormatError, match=r"http\.mat: MATLAB v7\.3 \(HDF5\)"):
        read_mat(v73, label=str(v73))
    junk = write(tmp_path / "junk.mat", b"not a mat file at all" * 10)
    with pytest.raises(DataFormatError, match=r"junk\.mat: not a readable MATLAB"):
        load_dataset(junk)


def test_npz_never_unpickles(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    np.savez(path, X=np.array([{"a": 1}], dtype=object), y=np.array([0]))
    with pytest.raises(DataFormatError, match=r"obj\.npz: cannot read its arrays"):
        read_npz(path, required=("X", "y"))
    np.savez(tmp_path / "nokeys.npz", data=np.zeros(3))
    with pytest.raises(DataFormatError, match=r"lacks the array\(s\) \['X', 'y'\]"):
        load_dataset(tmp_path / "nokeys.npz")
    with pytest.raises(DataFormatError, match=r"not a readable \.npz"):
        read_npz(write(tmp_path / "broken.npz", b"PK\x03\x04garbage"))


def test_npz_bad_labels(tmp_path: Path) -> None:
    np.savez(tmp_path / "3_x.npz", X=np.zeros((3, 2)), y=np.array([0, 2, 1]))
    with pytest.raises(DataFormatError, match=r"y must be 0/1"):
        load_dataset(tmp_path / "3_x.npz")


def test_arff_errors(tmp_path: Path) -> None:
    head = "@relation r\n@attribute a real\n@attribute b {x, y}\n@data\n"
    ok = read_arff(write(tmp_path / "ok.arff", head + "1.5,x\n% comment\n2,'y'\n"))
    assert ok.frame["a"].tolist() == [1.5, 2.0] and ok.frame["b"].tolist() == ["x", "y"]
    assert ok.lines.tolist() == [5, 7]
    with pytest.raises(
        DataFormatError, match=r"bad\.arff: line 6, column 1 \('a'\): 'oops' is not a number"
    ):
        read_arff(write(tmp_path / "bad.arff", head + "1,x\noops,y\n"))
    with pytest.raises(DataFormatError, match=r"short\.arff: line 5 has 1 fields, expected 2"):
        read_arff(write(tmp_path / "short.arff", head + "1\n"))
    with pytest.raises(DataFormatError, match="sparse ARFF"):
        read_arff(write(tmp_path / "sparse.arff", head + "{0 1, 1 x}\n"))
    with pytest.raises(DataFormatError, match=r"none\.arff: line 1: unexpected header line 'a,b'"):
        read_arff(write(tmp_path / "none.arff", "a,b\n1,2\n"))
    with pytest.raises(DataFormatError, match="not an ARFF file"):
        read_arff(write(tmp_path / "empty.arff", "% only a comment\n"))
