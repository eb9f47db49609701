"""load_table (CSV, Parquet, DataFrame) and TabularEncoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ganad_data_writers import gz, write
from sklearn.base import clone

from ganad.data import DataFormatError, TabularEncoder, load_dataset, load_split, load_table

CSV = """age,colour,size,label
31,red,1.5,0
40,blue,2.5,0
22,red,0.5,1
35,green,,0
50,blue,3.0,0
"""


def test_csv_with_label_and_inferred_categoricals(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", CSV.replace(",,", ",1.0,"))
    ds = load_table(path, label_column="label", categorical="infer")
    assert isinstance(ds.X, pd.DataFrame) and list(ds.X.columns) == ["age", "colour", "size"]
    assert ds.categorical == ["colour"]
    np.testing.assert_array_equal(ds.y, [0, 0, 1, 0, 0])
    assert ds.files == (str(path),)


def test_gzipped_csv_and_tsv(tmp_path: Path) -> None:
    text = CSV.replace(",,", ",1.0,")
    a = load_table(
        write(tmp_path / "t.csv.gz", gz(text.encode())),
        label_column="label",
        categorical=["colour"],
    )
    b = load_table(
        write(tmp_path / "t.tsv", text.replace(",", "\t")),
        label_column="label",
        categorical=["colour"],
    )
    pd.testing.assert_frame_equal(a.X, b.X)


def test_missing_values_policies(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", CSV)
    with pytest.raises(
        DataFormatError, match=r"t\.csv: line 5, column 3 \('size'\): missing value"
    ):
        load_table(path, label_column="label", categorical=["colour"])
    dropped = load_table(path, label_column="label", categorical=["colour"], missing="drop")
    assert len(dropped.X) == 4 and dropped.meta["rows_dropped"] == 1
    kept = load_table(path, label_column="label", categorical=["colour"], missing="median")
    assert kept.X["size"].isna().sum() == 1


def test_text_in_numeric_column_without_categorical(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", CSV.replace(",,", ",1.0,"))
    with pytest.raises(
        DataFormatError, match=r"t\.csv: line 2, column 2 \('colour'\): 'red' is not a number"
    ):
        load_table(path, label_column="label")


def test_label_values_must_be_binary_unless_mapped(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "a,kind\n1,ok\n2,attack\n3,ok\n")
    with pytest.raises(
        DataFormatError, match=r"label column 'kind' must hold 0 \(normal\) / 1 \(anomaly\)"
    ):
        load_table(path, label_column="kind")
    ds = load_table(path, label_column="kind", anomaly_values=["attack"])
    np.testing.assert_array_equal(ds.y, [0, 1, 0])
    assert list(ds.fine_labels) == ["ok", "attack", "ok"]


def test_unlabelled_table_and_dataframe_input() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0], "flag": [True, False]})
    ds = load_table(frame, categorical="infer")
    assert ds.y is None and ds.categorical == ["flag"]
    frame2 = pd.DataFrame({"x": [1.0, None, 3.0]})
    with pytest.raises(DataFormatError, match=r"DataFrame: row 1, column 1 \('x'\): missing value"):
        load_table(frame2)


def test_parquet_roundtrip(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": ["u", "v", "u"], "y": [0, 1, 0]})
    frame.to_parquet(tmp_path / "t.parquet")
    ds = load_dataset(tmp_path / "t.parquet", label_column="y", categorical=["c"])
    np.testing.assert_array_equal(ds.y, [0, 1, 0])
    assert ds.categorical == ["c"]


def test_parquet_without_pyarrow_gives_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    write(tmp_path / "t.parquet", b"PAR1")
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install 'ganad\[parquet\]'"):
        load_table(tmp_path / "t.parquet")


def test_encoder_layout_unseen_categories_and_scaling() -> None:
    train = pd.DataFrame({"n": [0.0, 5.0, 10.0], "c": ["b", "a", "b"], "k": [1, 1, 1]})
    enc = TabularEncoder(categorical=["c"]).fit(train)
    assert list(enc.get_feature_names_out()) == ["n", "k", "c=a", "c=b"]
    out = enc.transform(pd.DataFrame({"n": [20.0, 5.0], "c": ["z", "a"], "k": [1, 3]}))
    np.testing.assert_allclose(out, [[2.0, 0.0, 0.0, 0.0], [0.5, 2.0, 1.0, 0.0]])
    assert out.dtype == np.float32


def test_encoder_missing_policies() -> None:
    train = pd.DataFrame({"n": [1.0, np.nan, 3.0, 5.0], "c": ["a", None, "b", "a"]})
    with pytest.raises(ValueError, match=r"column 'n', row 1: missing value"):
        TabularEncoder(categorical=["c"]).fit(train)
    enc = TabularEncoder(categorical=["c"], missing="median").fit(train)
    assert enc.medians_[0] == 3.0
    assert enc.categories_["c"] == ["<missing>", "a", "b"]
    out = enc.transform(pd.DataFrame({"n": [np.nan], "c": [None]}))
    np.testing.assert_allclose(out, [[0.5, 1.0, 0.0, 0.0]])


def test_encoder_is_an_sklearn_estimator() -> None:
    enc = TabularEncoder(categorical="infer", missing="median")
    assert clone(enc).get_params() == {
        "categorical": "infer",
        "missing": "median",
        "scale_numeric": True,
        "max_categories": None,
    }
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(TabularEncoder().fit_transform(X), [[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="3 columns, the encoder was fitted on 2"):
        TabularEncoder().fit(X).transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['b'\]"):
        TabularEncoder().fit(pd.DataFrame({"a": [1.0], "b": [2.0]})).transform(
            pd.DataFrame({"a": [1.0]})
        )


def test_load_split_on_a_user_csv(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "proto": rng.choice(["tcp", "udp", "icmp"], size=n),
            "label": (np.arange(n) % 10 == 0).astype(int),
        }
    )
    path = tmp_path / "mine.csv"
    frame.to_csv(path, index=False)
    split = load_split(
        path, "da3d", seed=3, train_contamination=0.02, label_column="label", categorical=["proto"]
    )
    assert split.x_train.shape[1] == 4 and split.x_train.dtype == np.float32
    assert split.info["n_contaminated"] == round(split.info["n_train_normal"] * 0.02 / 0.98)
    assert isinstance(split.scaler, TabularEncoder)
    unsup = load_split(path, "unsupervised", seed=3, label_column="label", categorical=["proto"])
    assert unsup.contaminated.sum() == unsup.info["n_contaminated"] > 0
