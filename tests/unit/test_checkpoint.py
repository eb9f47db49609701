"""A killed fit resumes from its checkpoint with the same final result as an uninterrupted one."""

from __future__ import annotations

import numpy as np
import pytest

import ganad
from ganad.checkpoint import Checkpointer


class Killed(Exception):
    pass


def _data():
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(96, 5)).astype(np.float32)


@pytest.mark.parametrize(
    ("name", "kill_stage"), [("da3d", "aae"), ("da3d", "da3d"), ("a3", "alarm")]
)
def test_resume_after_kill_matches_uninterrupted_run(name, kill_stage, tmp_path, monkeypatch):
    X = _data()
    params = {"epochs": 4, "random_state": 3, "device": "cpu"}
    reference = ganad.get_detector(name, preset="smoke", **params).fit(X)

    real_save = Checkpointer.save

    def save_then_die(self, stage, epoch, optimisers):
        real_save(self, stage, epoch, optimisers)
        if stage == kill_stage and epoch == 2:
            raise Killed  # the process dies right after this checkpoint hit the disk

    monkeypatch.setattr(Checkpointer, "save", save_then_die)
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        ganad.get_detector(name, preset="smoke", **params).fit(
            X, checkpoint=ckpt, checkpoint_every=1
        )
    monkeypatch.setattr(Checkpointer, "save", real_save)

    resumed = ganad.get_detector(name, preset="smoke", **params).fit(
        X, checkpoint=ckpt, checkpoint_every=1
    )
    np.testing.assert_array_equal(resumed.decision_scores_, reference.decision_scores_)
    loss_keys = [k for k in reference.history_ if not k.endswith("epoch_seconds")]
    assert {k: resumed.history_[k] for k in loss_keys} == {
        k: reference.history_[k] for k in loss_keys
    }


def test_checkpoint_of_other_configuration_refused(tmp_path):
    X = _data()
    ckpt = tmp_path / "run.ckpt"
    ganad.get_detector("aae", preset="smoke", random_state=0, device="cpu").fit(X, checkpoint=ckpt)
    with pytest.raises(ValueError, match="different detector configuration"):
        ganad.get_detector("aae", preset="smoke", random_state=1, device="cpu").fit(
            X, checkpoint=ckpt
        )
    ckpt.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="unreadable"):
        ganad.get_detector("aae", preset="smoke", random_state=0, device="cpu").fit(
            X, checkpoint=ckpt
        )


def test_detectors_without_checkpoint_support_refuse_it(tmp_path):
    unsupported = [
        n
        for n in ganad.list_detectors()
        if not ganad.registry.detector_class(n).supports_checkpoint
    ]
    for name in unsupported:
        with pytest.raises(ValueError, match="checkpoint"):
            ganad.get_detector(name, preset="smoke", device="cpu").fit(
                _data(), checkpoint=tmp_path / "c"
            )
