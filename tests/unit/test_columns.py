"""DataFrame columns: `feature_names_in_` recorded at fit, new frames matched by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ganad


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    columns = ["amount", "age", "hour", "risk"]
    train = pd.DataFrame(rng.normal(size=(300, 4)), columns=columns)
    new = pd.DataFrame(rng.normal(size=(50, 4)), columns=columns)
    return train, new


@pytest.mark.parametrize("name", ["dte_np", "ganomaly"])
def test_reordered_columns_are_matched_by_name(frames, name, tmp_path):
    train, new = frames
    det = ganad.get_detector(name, preset="smoke", random_state=0, device="cpu").fit(train)
    assert list(det.feature_names_in_) == list(train.columns)
    expected = det.decision_function(new)
    shuffled = new[["risk", "hour", "amount", "age"]]
    np.testing.assert_array_equal(det.decision_function(shuffled), expected)
    if hasattr(det, "score_components"):
        np.testing.assert_array_equal(
            det.score_components(shuffled)["residual"], det.score_components(new)["residual"]
        )
    # Arrays keep their positional meaning; saved models keep the names.
    np.testing.assert_array_equal(det.decision_function(new.to_numpy()), expected)
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    assert list(loaded.feature_names_in_) == list(train.columns)
    np.testing.assert_array_equal(loaded.decision_function(shuffled), expected)


def test_missing_or_unknown_columns_are_named(frames):
    train, new = frames
    det = ganad.get_detector("dte_np", random_state=0).fit(train)
    with pytest.raises(ValueError, match=r"missing columns \['risk'\]"):
        det.decision_function(new.drop(columns="risk"))
    with pytest.raises(ValueError, match=r"unknown columns \['riskk'\]"):
        det.decision_function(new.rename(columns={"risk": "riskk"}))


def test_unnamed_or_array_training_data_records_no_names(frames):
    train, _ = frames
    det = ganad.get_detector("dte_np", random_state=0).fit(train)
    det.fit(train.to_numpy())  # refitted on an array: the names are gone
    assert not hasattr(det, "feature_names_in_")
    numbered = pd.DataFrame(train.to_numpy())  # integer column labels: not names
    assert not hasattr(ganad.get_detector("dte_np").fit(numbered), "feature_names_in_")
