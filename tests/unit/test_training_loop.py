"""The shared training loop: batching, history, divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ganad
from ganad.detectors.da3d import losses as da3d_losses
from ganad.exceptions import TrainingDivergedError
from ganad.training import iterate_minibatches, train_epochs


def test_minibatches_cover_every_row_once_per_epoch():
    x = torch.arange(10).float()
    y = torch.arange(10) * 10
    seen = torch.cat([xb for xb, _ in iterate_minibatches((x, y), 3)])
    assert sorted(seen.tolist()) == list(range(10))
    for xb, yb in iterate_minibatches((x, y), 4):
        assert torch.equal(yb, xb.long() * 10)  # aligned tensors stay aligned


def test_history_records_epoch_means():
    history: dict[str, list[float]] = {}
    train_epochs(
        lambda b: {"loss": b.mean()},
        torch.ones(8),
        n_epochs=3,
        batch_size=4,
        history=history,
        detector="toy",
        stage="s",
    )
    assert history["s/loss"] == [1.0, 1.0, 1.0]
    assert len(history["s/epoch_seconds"]) == 3


def test_loss_reported_on_some_batches_is_averaged_over_those_batches():
    history: dict[str, list[float]] = {}
    state = {"n": 0}

    def step(batch):
        state["n"] += 1
        out = {"critic": torch.tensor(1.0)}
        if state["n"] % 2 == 0:  # e.g. a WGAN generator updated every other step
            out["generator"] = torch.tensor(4.0)
        return out

    train_epochs(
        step, torch.ones(8), n_epochs=1, batch_size=2, history=history, detector="toy", stage="s"
    )
    assert history["s/generator"] == [4.0] and history["s/critic"] == [1.0]


def test_non_finite_loss_raises_naming_detector_stage_and_epoch():
    calls = {"n": 0}

    def step(batch):
        calls["n"] += 1
        return {"loss": torch.tensor(float("nan") if calls["n"] > 2 else 1.0)}

    with pytest.raises(TrainingDivergedError, match=r"toy.*'warmup'.*epoch 2") as info:
        train_epochs(
            step,
            torch.ones(4),
            n_epochs=5,
            batch_size=2,
            history={},
            detector="toy",
            stage="warmup",
        )
    assert (info.value.detector, info.value.stage, info.value.epoch) == ("toy", "warmup", 2)


def test_da3d_divergence_is_reported_not_scored(monkeypatch):
    monkeypatch.setattr(
        da3d_losses, "critic_loss", lambda *a, **k: torch.tensor(float("inf"), requires_grad=True)
    )
    X = np.random.default_rng(0).uniform(size=(64, 5)).astype(np.float32)
    det = ganad.get_detector("da3d", preset="smoke", random_state=0, device="cpu")
    with pytest.raises(TrainingDivergedError, match=r"da3d.*'da3d'.*epoch 1"):
        det.fit(X)
    assert not hasattr(det, "decision_scores_")
