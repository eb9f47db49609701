"""Persistence details not covered by the contract tests."""

from __future__ import annotations

import numpy as np
import pytest

import ganad
from ganad.exceptions import ModelFileError


def test_missing_directory_and_files(tmp_path):
    with pytest.raises(ModelFileError, match="not a saved ganad model"):
        ganad.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match=r"config\.json"):
        ganad.load(tmp_path / "empty")


def test_config_not_json(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="corrupted"):
        ganad.load(tmp_path / "m")


def test_tampered_shapes_refused(tmp_path):
    X = np.random.default_rng(0).uniform(size=(64, 5)).astype(np.float32)
    det = ganad.get_detector("aae", preset="smoke", random_state=0, device="cpu").fit(X)
    det.save(tmp_path / "m")
    import json

    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    cfg["params"]["aae_dims"] = [16, 8, 3]
    (tmp_path / "m" / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelFileError, match="does not match"):
        ganad.load(tmp_path / "m")


def test_cuda_saved_model_loads_on_cpu(tmp_path):
    """A model whose saved device is CUDA loads on a CPU-only machine."""
    X = np.random.default_rng(0).uniform(size=(64, 5)).astype(np.float32)
    det = ganad.get_detector("aae", preset="smoke", random_state=0, device="cpu").fit(X)
    det.save(tmp_path / "m")
    import json

    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    cfg["params"]["device"] = "cuda:0"
    cfg["fitted"]["device_"] = "cuda:0"
    (tmp_path / "m" / "config.json").write_text(json.dumps(cfg))
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    loaded = ganad.load(tmp_path / "m")
    assert loaded.device_ == "cpu"
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


@pytest.mark.parametrize("name", ["da3d", "a3", "fence_gan"])
def test_gpu_fit_score_save_and_load_on_cpu(name, tmp_path):
    """The GPU path end to end: data, networks and scoring on CUDA; the saved model on a CPU."""
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    X = np.random.default_rng(0).uniform(size=(128, 6)).astype(np.float32)
    det = ganad.get_detector(name, preset="smoke", random_state=0, device="cuda").fit(X)
    assert det.device_.startswith("cuda")
    assert all(p.is_cuda for p in det.networks_.parameters())
    scores = det.decision_function(X)
    det.save(tmp_path / "m")
    on_cpu = ganad.load(tmp_path / "m", device="cpu")
    assert all(not p.is_cuda for p in on_cpu.networks_.parameters())
    np.testing.assert_allclose(on_cpu.decision_function(X), scores, rtol=1e-4, atol=1e-6)
