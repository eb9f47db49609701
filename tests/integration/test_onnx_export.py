"""ONNX export (issue #20): every exportable detector's graph, run by the real onnxruntime, gives
the library's scores on 10,000 rows; AnoGAN and DAGMM refuse clearly; `ganad export` puts the
model directory's numeric preprocessing into the graph."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

import ganad  # noqa: E402
from ganad.cli import main  # noqa: E402
from ganad.export import NOT_EXPORTABLE  # noqa: E402
from ganad.tags import get_tags  # noqa: E402

TOLERANCE = 1e-5  # max |onnx - torch|, relative to the largest score


def _run(path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x.astype(np.float32)})[0]


def _fit(name: str, X: np.ndarray):
    det = ganad.get_detector(name, preset="smoke", random_state=0)
    if get_tags(det).uses_labels:
        y = np.zeros(len(X), dtype=int)
        y[-max(2, len(X) // 20) :] = 1
        return det.fit(X, y)
    return det.fit(X)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    train = rng.uniform(size=(400, 8)).astype(np.float32)
    test = rng.uniform(-0.2, 1.2, size=(10_000, 8)).astype(np.float32)
    test[17] = 3e38  # an extreme row: maximal score in both
    return train, test


EXPORTABLE = [n for n in ganad.list_detectors() if n not in NOT_EXPORTABLE]


@pytest.mark.parametrize("name", EXPORTABLE)
def test_onnxruntime_scores_equal_the_librarys(name, data, tmp_path):
    train, test = data
    det = _fit(name, train)
    before = det.decision_function(test[:100])
    det.to_onnx(tmp_path / "m.onnx")
    got, expected = _run(tmp_path / "m.onnx", test), det.decision_function(test)
    assert got.shape == expected.shape == (10_000,)
    finite = expected < 1e300
    assert got[17] == expected[17]
    scale = np.abs(expected[finite]).max()
    assert np.abs(got[finite] - expected[finite]).max() <= TOLERANCE * scale
    # exporting leaves the model as it was
    np.testing.assert_array_equal(det.decision_function(test[:100]), before)


@pytest.mark.parametrize("name", ["fanogan", "ganomaly", "alad", "deepsvdd"])
def test_image_graphs_too(name, tmp_path):
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(64, 1, 28, 28)).astype(np.float32)
    det = _fit(name, images)
    det.to_onnx(tmp_path / "m.onnx")
    got, expected = _run(tmp_path / "m.onnx", images), det.decision_function(images)
    assert np.abs(got - expected).max() <= TOLERANCE * np.abs(expected).max()


@pytest.mark.parametrize("name", sorted(NOT_EXPORTABLE))
def test_detectors_without_a_forward_score_refuse(name, data, tmp_path):
    det = _fit(name, data[0])
    with pytest.raises(ValueError, match="cannot be exported to ONNX"):
        det.to_onnx(tmp_path / "m.onnx")


def test_cli_export_includes_the_numeric_preprocessing(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(50, 10, size=(300, 5)), columns=list("abcde"))
    frame.to_csv(tmp_path / "train.csv", index=False)
    new = pd.DataFrame(rng.normal(50, 15, size=(200, 5)), columns=list("abcde"))
    new.to_csv(tmp_path / "new.csv", index=False)
    model = tmp_path / "model"
    fit = ["fit", "aae", str(tmp_path / "train.csv"), "--preset", "smoke", "-q"]
    assert main([*fit, "--out", str(model)]) == 0
    assert main(["export", str(model), "--out", str(tmp_path / "m.onnx"), "-q"]) == 0
    assert (
        main(
            ["score", str(model), str(tmp_path / "new.csv"), "--out", str(tmp_path / "s.csv"), "-q"]
        )
        == 0
    )
    expected = pd.read_csv(tmp_path / "s.csv")["score"].to_numpy()
    got = _run(tmp_path / "m.onnx", new.to_numpy())  # raw values: MinMax is in the graph
    assert np.abs(got - expected).max() <= TOLERANCE * np.abs(expected).max()


def test_cli_export_of_anogan_exits_2(tmp_path, capsys):
    model = tmp_path / "model"
    assert (
        main(["fit", "anogan", "mammography", "--preset", "smoke", "--out", str(model), "-q"]) == 0
    )
    assert main(["export", str(model), "--out", str(tmp_path / "m.onnx")]) == 2
    assert "latent search" in capsys.readouterr().err


def test_a_bfloat16_model_refuses_a_float32_graph(data, tmp_path):
    det = ganad.get_detector("aae", preset="smoke", random_state=0, precision="bfloat16")
    det.fit(data[0])
    with pytest.raises(ValueError, match="bfloat16"):
        det.to_onnx(tmp_path / "m.onnx")
