"""A killed fit resumes from its checkpoint with the same final result as an uninterrupted one."""

from __future__ import annotations

import numpy as np
import pytest

import ganad
from ganad.checkpoint import Checkpointer
from ganad.tags import get_tags


class Killed(Exception):
    pass


def _data():
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(96, 5)).astype(np.float32)


def _validation():
    rng = np.random.default_rng(1)
    X_val = np.vstack([_data()[:20], rng.uniform(0.0, 1.0, size=(8, 5)).astype(np.float32)])
    return X_val, np.r_[np.zeros(20), np.ones(8)].astype(int)


FENCE_GAN = {"pretrain_epochs": 3, "d_decay": 1e-2, "g_decay": 1e-2}
# f-AnoGAN counts its two stages' epochs apart; n_critic=3 makes generator updates skip batches.
FANOGAN = {"gan_epochs": 4, "encoder_epochs": 4, "n_critic": 3}


#: (detector, stage killed at its 2nd epoch's checkpoint, extra parameters); every detector with
#: the `supports_checkpoint` tag is here (`test_every_checkpointing_detector_is_resumed`).
RESUME_CASES = [
    ("aae", "aae", {}),
    ("da3d", "aae", {}),
    ("da3d", "da3d", {}),
    ("a3", "alarm", {}),
    # D's optimiser and its decay schedule carry over from pre-training into the GAN stage.
    ("fence_gan", "pretrain", FENCE_GAN),
    ("fence_gan", "pretrain", {**FENCE_GAN, "pretrain_epochs": 2}),  # killed at its end
    ("fence_gan", "adversarial", FENCE_GAN),
    # The best epoch so far and its weights survive the kill.
    ("fence_gan", "adversarial", {**FENCE_GAN, "model_selection": "best_validation"}),
    # The step objects' counters (EMA updates, critic updates) are saved with the optimisers.
    ("egbad", "bigan", {}),
    ("alad", "alad", {}),
    ("fanogan", "gan", FANOGAN),
    ("fanogan", "encoder", FANOGAN),
    ("anogan", "gan", {}),
    ("ganomaly", "ganomaly", {}),
    ("dagmm", "dagmm", {}),
    ("dte", "train", {}),
    ("kdsm", "train", {}),
    # Deep SVDD's centre is fixed between its stages from the pre-trained encoder: killed in
    # pre-training, at its end (before the centre), and in the one-class stage (the centre
    # must not come from the restored, partly trained encoder).
    ("deepsvdd", "pretrain", {"pretrain_epochs": 4}),
    ("deepsvdd", "pretrain", {"pretrain_epochs": 2}),
    ("deepsvdd", "one_class", {"pretrain_epochs": 3}),
    ("deepsvdd", "one_class", {"pretrain_epochs": 3, "center": "recompute"}),
    ("deepsvdd", "one_class", {"pretrain_epochs": 0}),
    # DevNet and REPEN draw their own batches (data=None) from the global torch generator.
    ("devnet", "devnet", {"synthetic_anomalies": "trivial"}),
    ("repen", "triplet", {}),
    # `auto` hands the checkpoint to the detector it chose.
    ("auto", "train", {"kind": "dte"}),
]
#: Epochs between checkpoints where 1 would be slow: `auto`'s DTE trains its default budget
#: (hundreds of epochs on the test table), so it saves every 50 and is killed after the second.
CHECKPOINT_EVERY = {"auto": 50}


@pytest.mark.parametrize(("name", "kill_stage", "extra"), RESUME_CASES)
def test_resume_after_kill_matches_uninterrupted_run(
    name, kill_stage, extra, tmp_path, monkeypatch
):
    X = _data()
    # f-AnoGAN's smoke preset sets its stages' epochs; `auto` has none (its delegate's default).
    epochs = {} if name in ("fanogan", "auto") else {"epochs": 4}
    params = {**epochs, "random_state": 3, "device": "cpu", **extra}
    fit_kw = {"validation_data": _validation()} if name == "fence_gan" else {}
    reference = ganad.get_detector(name, preset="smoke", **params).fit(X, **fit_kw)

    real_save = Checkpointer.save
    every = CHECKPOINT_EVERY.get(name, 1)

    def save_then_die(self, stage, epoch, optimisers):
        real_save(self, stage, epoch, optimisers)
        if stage == kill_stage and epoch == 2 * every:
            raise Killed  # the process dies right after this checkpoint hit the disk

    monkeypatch.setattr(Checkpointer, "save", save_then_die)
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(Killed):
        ganad.get_detector(name, preset="smoke", **params).fit(
            X, checkpoint=ckpt, checkpoint_every=every, **fit_kw
        )
    monkeypatch.setattr(Checkpointer, "save", real_save)

    resumed = ganad.get_detector(name, preset="smoke", **params).fit(
        X, checkpoint=ckpt, checkpoint_every=every, **fit_kw
    )
    np.testing.assert_array_equal(resumed.decision_scores_, reference.decision_scores_)
    loss_keys = [k for k in reference.history_ if not k.endswith("epoch_seconds")]
    assert {k: resumed.history_[k] for k in loss_keys} == {
        k: reference.history_[k] for k in loss_keys
    }
    if name == "fence_gan":
        assert resumed.selection_ == reference.selection_
    if name == "deepsvdd":
        np.testing.assert_array_equal(resumed.center_, reference.center_)


def test_every_checkpointing_detector_is_resumed():
    checkpointing = {
        n for n in ganad.list_detectors() if get_tags(ganad.get_detector(n)).supports_checkpoint
    }
    assert checkpointing - {name for name, _, _ in RESUME_CASES} == set()


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
        n for n in ganad.list_detectors() if not get_tags(ganad.get_detector(n)).supports_checkpoint
    ]
    for name in unsupported:
        with pytest.raises(ValueError, match="checkpoint"):
            ganad.get_detector(name, preset="smoke", device="cpu").fit(
                _data(), checkpoint=tmp_path / "c"
            )


def test_fence_gan_checkpoint_is_tied_to_its_validation_data(tmp_path):
    """Model selection reads the validation data, so another validation set is another fit."""
    X, (X_val, y_val) = _data(), _validation()
    ckpt = tmp_path / "run.ckpt"
    params = {"random_state": 0, "device": "cpu", "model_selection": "best_validation"}
    ganad.get_detector("fence_gan", preset="smoke", **params).fit(
        X, validation_data=(X_val, y_val), checkpoint=ckpt
    )
    with pytest.raises(ValueError, match="different detector configuration"):
        ganad.get_detector("fence_gan", preset="smoke", **params).fit(
            X, validation_data=(X_val[::-1], y_val[::-1]), checkpoint=ckpt
        )
