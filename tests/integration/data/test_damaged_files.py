"""Damaged and odd data files (issue #17): each is refused with a message naming the file, or,
where the content is sound (UTF-16), read correctly."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from ganad.cli import main
from ganad.data import load_dataset
from ganad.exceptions import DataFormatError


def _table(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _csv_text(n: int = 40) -> str:
    rng = np.random.default_rng(0)
    return "a,b\n" + "".join(f"{x:.4f},{y:.4f}\n" for x, y in rng.uniform(size=(n, 2)))


def test_binary_garbage_is_a_data_format_error(tmp_path):
    path = _table(tmp_path, "garbage.csv", np.random.default_rng(0).bytes(3000))
    with pytest.raises(DataFormatError, match=r"garbage\.csv"):
        load_dataset(path)


def test_latin1_is_refused_with_how_to_convert(tmp_path):
    path = _table(tmp_path, "latin1.csv", ("a,caf\xe9\n" + "1,2\n" * 10).encode("latin-1"))
    with pytest.raises(DataFormatError, match=r"latin1\.csv.*not UTF-8.*line 1"):
        load_dataset(path)


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    text = _csv_text()
    plain = load_dataset(_table(tmp_path, "plain.csv", text.encode()))
    utf16 = load_dataset(_table(tmp_path, "u16.csv", text.encode("utf-16")))
    np.testing.assert_array_equal(plain.X, utf16.X)


def test_a_stray_csv_error_names_the_file(tmp_path):
    # a quoted field with a line break in the middle of binary-free but broken text
    path = _table(tmp_path, "broken.csv", b'a,b\n1,"2\n3,4\n' + b"5,6\n" * 5)
    with pytest.raises(DataFormatError, match=r"broken\.csv"):
        load_dataset(path)


def test_a_truncated_but_valid_gzip_copy_of_a_known_data_set_is_refused(shared_datasets, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(shared_datasets / "nsl_kdd", root / "nsl_kdd")
    target = root / "nsl_kdd" / "KDDTrain+.txt.gz"
    target.chmod(0o644)
    lines = gzip.decompress(target.read_bytes()).splitlines(keepends=True)
    target.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))  # valid, half the rows
    with pytest.raises(DataFormatError, match=r"KDDTrain\+\.txt\.gz"):
        load_dataset("kdd", root=root, source="txt")


def test_damaged_tables_exit_2_from_the_cli(tmp_path, capsys):
    path = _table(tmp_path, "garbage.csv", np.random.default_rng(1).bytes(2000))
    assert main(["fit", "dte_np", str(path), "--out", str(tmp_path / "m"), "-q"]) == 2
    assert "garbage.csv" in capsys.readouterr().err


def test_environment_errors_exit_2_not_as_a_bug(tmp_path, capsys, monkeypatch):
    table = _table(tmp_path, "t.csv", _csv_text().encode())

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "m"))

    monkeypatch.setattr("ganad.persistence.save_file", disk_full)
    assert main(["fit", "dte_np", str(table), "--out", str(tmp_path / "m"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "No space left" in err and "bug" not in err
    assert not (tmp_path / "m").exists()  # nothing half-written


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "holds no data"),
        ("garbage.csv", bytes(range(128, 256)) * 20, "not UTF-8"),
        ("latin1.csv", ("a,caf\xe9\n1,2\n").encode("latin-1"), "not UTF-8"),
    ],
)
def test_streaming_score_names_the_damaged_file(tmp_path, capsys, name, data, message):
    table = _table(tmp_path, "t.csv", _csv_text().encode())
    model = tmp_path / "m"
    assert main(["fit", "dte_np", str(table), "--out", str(model), "-q"]) == 0
    bad = _table(tmp_path, name, data)
    assert main(["score", str(model), str(bad), "--out", str(tmp_path / "s.csv"), "-q"]) == 2
    err = capsys.readouterr().err
    assert name in err and message in err


def test_streaming_score_reads_utf16(tmp_path):
    text = _csv_text()
    table = _table(tmp_path, "t.csv", text.encode())
    model = tmp_path / "m"
    assert main(["fit", "dte_np", str(table), "--out", str(model), "-q"]) == 0
    u16 = _table(tmp_path, "u16.csv", text.encode("utf-16"))
    assert main(["score", str(model), str(table), "--out", str(tmp_path / "a.csv"), "-q"]) == 0
    assert main(["score", str(model), str(u16), "--out", str(tmp_path / "b.csv"), "-q"]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
