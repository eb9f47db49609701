"""make_split: the DA3D protocol for arrays (METHODS §1.2-§1.3, A-16, A-21)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from ganad.data import Split, TabularEncoder, make_split


def _data(n_norm: int, n_anom: int, d: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Column 0 is the row id, so every output row can be traced back to its source."""
    rng = np.random.default_rng(seed)
    n = n_norm + n_anom
    y = np.r_[np.zeros(n_norm), np.ones(n_anom)].astype(int)
    order = rng.permutation(n)
    X = np.column_stack([np.arange(n), rng.normal(size=(n, d - 1))])
    return X, y[order]


def _da3d_reference(X, y, seed, p, test=None):
    """An independent re-statement of DataLabels._post_init for 0/1 labels (the test oracle)."""
    if test is None:
        x_tr, x_te, y_tr, y_te = train_test_split(X, y, test_size=0.15, random_state=42)
    else:
        (x_tr, y_tr), (x_te, y_te) = (X, y), test
    x_tr, x_val, y_tr, y_val = train_test_split(x_tr, y_tr, test_size=0.05, random_state=seed)
    rng = np.random.default_rng(seed)
    y_tr = y_tr.copy()
    if p:
        normal, anomalous = np.flatnonzero(y_tr == 0), np.flatnonzero(y_tr == 1)
        n_add = round(normal.size * p / (1 - p))
        y_tr[rng.choice(anomalous, n_add, replace=n_add > anomalous.size)] = 0
    x_tr = x_tr[np.flatnonzero(y_tr == 0)]
    scaler = MinMaxScaler().fit(x_tr)
    return scaler.transform(x_tr), scaler.transform(x_val), y_val, scaler.transform(x_te), y_te


@pytest.mark.parametrize(("seed", "p"), [(110, 0.0), (210, 0.01), (310, 0.05)])
def test_matches_the_da3d_code(seed: int, p: float) -> None:
    X, y = _data(900, 100)
    split = make_split(X, y, seed, p)
    x_tr, x_val, y_val, x_te, y_te = _da3d_reference(X, y, seed, p)
    np.testing.assert_allclose(split.x_train, x_tr.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(split.x_val, x_val.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(split.x_test, x_te.astype(np.float32), rtol=1e-6)
    np.testing.assert_array_equal(split.y_val, y_val)
    np.testing.assert_array_equal(split.y_test, y_te)


def test_matches_the_da3d_code_with_official_test() -> None:
    X, y = _data(400, 60)
    Xt, yt = _data(50, 50, seed=1)
    split = make_split(X, y, 7, 0.02, test=(Xt, yt))
    x_tr, _, _, x_te, _ = _da3d_reference(X, y, 7, 0.02, test=(Xt, yt))
    np.testing.assert_allclose(split.x_train, x_tr.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(split.x_test, x_te.astype(np.float32), rtol=1e-6)
    assert split.info["test_source"] == "official"
    np.testing.assert_array_equal(split.idx_test, np.arange(100))


@settings(max_examples=40, deadline=None)
@given(
    n_norm=st.integers(40, 400),
    n_anom=st.integers(1, 80),
    p=st.sampled_from([0.0, 0.005, 0.01, 0.05, 0.1, 0.2, 0.49]),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_disjointness_and_traceability(
    n_norm: int, n_anom: int, p: float, seed: int
) -> None:
    X, y = _data(n_norm, n_anom)
    try:
        split = make_split(X, y, seed, p, scale=None)
    except ValueError as exc:  # contamination asked for, but no anomaly left in the training pool
        assert "has none" in str(exc)
        clean = make_split(X, y, seed, 0.0, scale=None)
        assert clean.info["n_train_anomalies_removed"] == 0
        return
    info = split.info
    n_add = round(info["n_train_normal"] * p / (1 - p))
    assert info["n_contaminated"] == n_add == int(split.contaminated.sum())
    assert len(split.y_train) == info["n_train_normal"] + n_add
    assert not split.y_train.any()
    # every training row is a source row; polluting rows are anomalies, the others normal
    np.testing.assert_array_equal(split.x_train[:, 0], split.idx_train)
    np.testing.assert_array_equal(y[split.idx_train], split.contaminated.astype(int))
    train, val, test = (
        set(split.idx_train.tolist()),
        set(split.idx_val.tolist()),
        set(split.idx_test.tolist()),
    )
    assert not (train & val) and not (train & test) and not (val & test)
    # every normal row outside val/test is in training; only anomalies are removed
    pool = set(range(len(y))) - val - test
    assert {i for i in pool if y[i] == 0} <= train
    assert len(pool - train) == info["n_train_anomalies_removed"]
    assert info["n_test_anomalous"] == int(y[split.idx_test].sum())
    json.dumps(info)  # info stays serialisable


@settings(max_examples=15, deadline=None)
@given(seed_a=st.integers(0, 10_000), seed_b=st.integers(0, 10_000))
def test_test_split_is_fixed_across_seeds(seed_a: int, seed_b: int) -> None:
    X, y = _data(200, 30)
    a, b = make_split(X, y, seed_a, 0.02), make_split(X, y, seed_b, 0.02)
    np.testing.assert_array_equal(a.idx_test, b.idx_test)
    assert len(a.idx_test) == 35  # ceil(0.15 * 230)


def test_deterministic_per_seed() -> None:
    X, y = _data(300, 40)
    a, b, c = make_split(X, y, 5, 0.05), make_split(X, y, 5, 0.05), make_split(X, y, 6, 0.05)
    for field in ("x_train", "x_val", "x_test", "idx_train", "idx_val", "contaminated"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.idx_val, c.idx_val)


def test_scaler_fitted_on_training_rows_only_no_clipping() -> None:
    X, y = _data(300, 30)
    X[:, 1] *= 10
    first = make_split(X, y, 3, 0.01)
    X[first.idx_test[0], 2] = 100.0  # far outside the training range (the split does not move)
    split = make_split(X, y, 3, 0.01)
    np.testing.assert_array_equal(split.idx_train, first.idx_train)
    raw_train = X[split.idx_train]
    np.testing.assert_allclose(split.scaler.data_min_, raw_train.min(axis=0))
    np.testing.assert_allclose(split.scaler.data_max_, raw_train.max(axis=0))
    expected = (X[split.idx_test] - raw_train.min(0)) / (raw_train.max(0) - raw_train.min(0))
    np.testing.assert_allclose(split.x_test, expected, rtol=1e-5, atol=1e-6)
    assert split.x_train.min() == 0 and split.x_train.max() == 1
    both = np.vstack([split.x_val, split.x_test])
    assert (both < 0).any() or (both > 1).any()  # not clipped


def test_contamination_with_replacement_when_too_few_anomalies() -> None:
    X, y = _data(500, 3)
    split = make_split(X, y, 0, 0.1, test_size=0.1)
    n_add = round(split.info["n_train_normal"] * 0.1 / 0.9)
    assert n_add > 3 and split.info["train_contamination_with_replacement"]
    assert split.info["n_contaminated"] == n_add
    anomalies_used = split.idx_train[split.contaminated]
    assert len(anomalies_used) == n_add and len(set(anomalies_used.tolist())) <= 3
    assert any("with replacement" in note for note in split.info["notes"])


def test_contamination_without_training_anomalies_is_an_error() -> None:
    X, y = _data(100, 0)
    with pytest.raises(ValueError, match="has none"):
        make_split(X, y, 0, 0.05)
    assert make_split(X, y, 0, 0.0).info["n_contaminated"] == 0


def test_images_are_divided_by_255() -> None:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(60, 1, 4, 4), dtype=np.uint8)
    y = (np.arange(60) % 3 == 0).astype(int)
    split = make_split(X, y, 1, scale="image")
    assert split.x_train.dtype == np.float32 and split.x_train.shape[1:] == (1, 4, 4)
    np.testing.assert_allclose(split.x_test, X[split.idx_test] / 255.0, rtol=1e-6)
    assert split.scaler is None
    signed = make_split(X, y, 1, scale="image_signed")
    np.testing.assert_allclose(
        signed.x_test, (X[split.idx_test] / 255.0 - 0.5) * 2, rtol=1e-5, atol=1e-6
    )


def test_dataframe_with_tabular_encoder_learns_on_train_only() -> None:
    n = 200
    frame = pd.DataFrame({"num": np.arange(n, dtype=float), "cat": ["a", "b"] * (n // 2)})
    y = np.zeros(n, dtype=int)
    y[::10] = 1
    probe = make_split(frame, y, 0, scale=TabularEncoder(categorical=["cat"]))
    frame.loc[probe.idx_test[0], "cat"] = "only-in-test"
    split = make_split(frame, y, 0, scale=TabularEncoder(categorical=["cat"]))
    assert list(split.scaler.get_feature_names_out()) == ["num", "cat=a", "cat=b"]
    row = list(split.idx_test).index(probe.idx_test[0])
    np.testing.assert_array_equal(split.x_test[row, 1:], [0, 0])  # unseen category: all zero
    assert split.scaler.data_min_[0] == frame["num"].iloc[split.idx_train].min()


def test_fine_labels_follow_rows() -> None:
    X, y = _data(100, 20)
    fine = np.array([f"row{i}" for i in range(len(y))])
    split = make_split(X, y, 0, 0.05, fine_labels=fine)
    np.testing.assert_array_equal(split.fine_train, fine[split.idx_train])
    np.testing.assert_array_equal(split.fine_test, fine[split.idx_test])


def test_split_repr_and_summary() -> None:
    X, y = _data(100, 20)
    split = make_split(X, y, 0, 0.05)
    assert isinstance(split, Split)
    assert "train=" in repr(split) and "test anomalies=" in repr(split)
    assert "polluting anomalies" in split.summary()
    with pytest.raises(AttributeError):
        split.x_train = None  # frozen


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        (
            {"train_contamination": 0.5},
            ValueError,
            r"train_contamination must be in \[0\.0, 0\.5\)",
        ),
        ({"train_contamination": -0.1}, ValueError, "train_contamination"),
        ({"train_contamination": float("nan")}, ValueError, "finite"),
        ({"seed": 1.5}, TypeError, "seed must be an integer"),
        ({"seed": -1}, ValueError, r"seed must be in \[0, 2\*\*32\)"),
        (
            {"y": np.r_[np.zeros(99), [2]]},
            ValueError,
            r"0 \(normal\) / 1 \(anomaly\) only, got values \[0\.0, 1\.0, 2\.0\]|values",
        ),
        ({"y": np.zeros(50)}, ValueError, "has 50 labels but there are 100 samples"),
        ({"X": np.zeros(100)}, ValueError, "one row per sample"),
        ({"test": (np.zeros((5, 4)), np.zeros(5))}, ValueError, "per-sample shape"),
        ({"test": (np.zeros((5, 3)),)}, ValueError, r"test must be \(X_test, y_test\)"),
        ({"scale": "zscore"}, ValueError, "scale must be one of"),
        ({"test_size": 0.0}, ValueError, "test_size"),
        ({"fine_labels": np.zeros(3)}, ValueError, "fine_labels has 3 entries"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, pattern: str) -> None:
    X, y = _data(90, 10)
    args = {"X": X, "y": y, "seed": 0, **kwargs}
    with pytest.raises(error, match=pattern):
        make_split(args.pop("X"), args.pop("y"), args.pop("seed"), **args)


def test_non_finite_features_are_refused() -> None:
    X, y = _data(90, 10)
    X[np.flatnonzero(y == 0)[0], 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        make_split(X, y, 0)


def test_text_columns_need_an_encoder() -> None:
    frame = pd.DataFrame({"a": np.arange(40.0), "b": ["x"] * 40})
    with pytest.raises(ValueError, match=r"non-numeric columns \['b'\].*TabularEncoder"):
        make_split(frame, np.zeros(40, dtype=int), 0)


def test_one_class_split_is_stratified_normal_only_capped_and_seeded():
    from ganad.data import make_one_class_split

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 4)) * [1, 10, 100, 1000]
    y = (rng.uniform(size=2000) < 0.1).astype(int)
    s = make_one_class_split(X, y, seed=3, max_train=1000)
    assert s.info["protocol"] == "one_class"
    assert (y[s.idx_train] == 0).all() and len(s.idx_train) == 1000
    assert s.info["n_train_normal_available"] > 1000
    # label-stratified: test and validation keep the natural anomaly ratio
    assert abs(s.y_test.mean() - y.mean()) < 0.01 and abs(s.y_val.mean() - y.mean()) < 0.02
    assert len(s.idx_test) == 300 and abs(len(s.idx_val) - 100) <= 1
    assert not set(s.idx_train) & (set(s.idx_test) | set(s.idx_val))
    # min-max fitted on the training rows only
    np.testing.assert_allclose(s.x_train.min(0), 0, atol=1e-6)
    np.testing.assert_allclose(s.x_train.max(0), 1, atol=1e-6)
    again = make_one_class_split(X, y, seed=3, max_train=1000)
    np.testing.assert_array_equal(again.idx_test, s.idx_test)
    assert not np.array_equal(make_one_class_split(X, y, seed=4).idx_test, s.idx_test)
    with pytest.raises(ValueError, match="max_train"):
        make_one_class_split(X, y, seed=0, max_train=0)
    with pytest.raises(ValueError, match="test_size"):
        make_one_class_split(X, y, seed=0, test_size=0.7, val_size=0.4)


def test_the_old_keyword_contamination_still_works_with_a_deprecation_warning() -> None:
    X = np.random.default_rng(0).normal(size=(400, 3))
    y = np.r_[np.zeros(360), np.ones(40)].astype(int)
    with pytest.warns(DeprecationWarning, match="train_contamination"):
        old = make_split(X, y, seed=1, contamination=0.02)
    new = make_split(X, y, seed=1, train_contamination=0.02)
    np.testing.assert_array_equal(old.idx_train, new.idx_train)
    assert new.info["train_contamination"] == 0.02
    with pytest.raises(TypeError, match="train_contamination"):
        make_split(X, y, seed=1, train_contamination=0.02, contamination=0.02)
