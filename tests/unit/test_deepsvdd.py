"""Deep SVDD: losses on hand-made tensors, bias-free networks, the stored centre, learning."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.deepsvdd import losses
from ganad.detectors.deepsvdd.networks import build_deepsvdd
from ganad.detectors.deepsvdd.training import OneClassStep
from ganad.nn.utils import keras_time_decay


def make(**params):
    return ganad.get_detector("deepsvdd", **{"random_state": 0, "device": "cpu", **params})


def test_losses_on_hand_made_tensors():
    emb = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    c = torch.tensor([1.0, 0.0])
    torch.testing.assert_close(losses.squared_distance(emb, c), torch.tensor([4.0, 1.0]))
    torch.testing.assert_close(losses.one_class_loss(emb, c), torch.tensor(2.5))
    torch.testing.assert_close(
        losses.pretrain_loss(torch.zeros(2, 2), torch.ones(2, 2)), torch.tensor(1.0)
    )
    assert losses.one_class_loss(c[None], c) == 0


def test_center_pushes_small_coordinates_out():
    c = losses.center_from_embeddings(torch.tensor([0.05, -0.05, 0.0, 0.3, -0.2]), eps=0.1)
    torch.testing.assert_close(c, torch.tensor([0.1, -0.1, 0.1, 0.3, -0.2]))


@pytest.mark.parametrize("shape", [(6,), (1, 28, 28)])
def test_networks_have_no_biases(shape):
    nets = build_deepsvdd(shape, (8, 4, 2) if len(shape) == 1 else None)
    for net in (nets["encoder"], nets["decoder"]):
        for m in net.modules():
            if isinstance(m, torch.nn.Linear | torch.nn.Conv2d):
                assert m.bias is None
    out = nets["encoder"](torch.rand(3, *shape))
    assert out.shape == (3, 2 if len(shape) == 1 else 32)


def test_images_must_be_28x28():
    X = np.random.default_rng(0).uniform(size=(8, 1, 32, 32)).astype(np.float32)
    with pytest.raises(ValueError, match="28, 28"):
        ganad.get_detector("deepsvdd", preset="smoke", device="cpu").fit(X)


def test_keras_time_decay():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = keras_time_decay(opt, 0.5)
    for _ in range(2):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-3 / (1 + 0.5 * 2))


def _mean_embedding(det, X):
    with torch.no_grad():
        det.networks_.eval()
        x = det.networks_["scaler"](torch.from_numpy(X))
        return det.networks_["encoder"](x).mean(dim=0)


def test_center_is_computed_once_and_stored(planted):
    Xtr, _, _ = planted
    common = {"dims": (8, 4, 2), "pretrain_epochs": 3, "batch_size": 64}
    pretrained_only = make(epochs=0, **common).fit(Xtr)
    trained = make(epochs=5, **common).fit(Xtr)
    recomputed = make(epochs=5, center="recompute", **common).fit(Xtr)
    # The centre comes from the pre-trained network and survives the one-class training.
    expected = losses.center_from_embeddings(_mean_embedding(pretrained_only, Xtr)).numpy()
    np.testing.assert_allclose(pretrained_only.center_, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(trained.center_, pretrained_only.center_)
    trained_mean = losses.center_from_embeddings(_mean_embedding(trained, Xtr)).numpy()
    assert not np.allclose(trained.center_, trained_mean, atol=1e-4)
    # The DA3D code's quirk: c recomputed from the trained network.
    np.testing.assert_allclose(recomputed.center_, trained_mean, rtol=1e-5, atol=1e-6)
    assert "center.c" in dict(trained.networks_.named_buffers())


def test_one_class_step_saves_and_restores_the_centre_in_place():
    """A resumed one-class stage gets the saved centre back, not one from restored weights."""
    nets = build_deepsvdd((6,), (8, 4, 2))
    center = nets["center"].c
    center.copy_(torch.tensor([0.5, -0.5]))
    opt = torch.optim.Adam(nets["encoder"].parameters(), lr=1e-3)
    step = OneClassStep(nets["encoder"], center, opt, keras_time_decay(opt, 1e-5))
    state = torch.load(_saved(step.state_dict()), weights_only=True)
    step(torch.rand(4, 6))
    center.fill_(9.0)  # e.g. the centre of a partly trained encoder
    step.load_state_dict(state)
    assert step.center is center  # the buffer the detector scores with, updated in place
    torch.testing.assert_close(center, torch.tensor([0.5, -0.5]))


def _saved(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return buffer


def test_learns_planted_anomalies(planted):
    Xtr, Xte, yte = planted
    det = make(dims=(16, 8, 4), epochs=20, pretrain_epochs=20, batch_size=32).fit(Xtr)
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9
    assert det.history_["one_class/one_class"][-1] < det.history_["one_class/one_class"][0]


@pytest.mark.parametrize("ae_output", ["linear", "sigmoid"])
def test_ae_output_variants(planted, ae_output):
    Xtr, Xte, _ = planted
    det = make(preset="smoke", ae_output=ae_output).fit(Xtr)
    assert np.isfinite(det.decision_function(Xte)).all()
    assert det.history_["pretrain/reconstruction"]
