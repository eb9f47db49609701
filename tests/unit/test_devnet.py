"""DevNet: deviation loss on hand-made tensors, label use, synthetic anomalies, learning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.devnet import latent_gaussian_anomalies, losses
from ganad.detectors.devnet.networks import build_devnet
from ganad.tags import get_tags


def make(**params):
    return ganad.get_detector("devnet", **{"random_state": 0, "device": "cpu", **params})


@pytest.fixture
def with_known(planted):
    """Training normals plus 20 labelled anomalies (y == 1), and the planted test set."""
    Xtr, Xte, yte = planted
    # Uniform points in [0, 1]^d, like the planted test anomalies but a different draw.
    known = np.random.default_rng(1).uniform(0, 1, size=(20, Xtr.shape[1])).astype(np.float32)
    X = np.vstack([Xtr, known])
    y = np.r_[np.zeros(len(Xtr)), np.ones(len(known))].astype(np.int64)
    return X, y, Xte, yte


def test_deviation_loss_values_and_signs():
    ref = torch.tensor([-1.0, 1.0])  # mean 0, population std 1
    torch.testing.assert_close(losses.deviation(torch.tensor([2.0]), ref), torch.tensor([2.0]))
    # Normal at dev 0 costs nothing; an anomaly at dev 0 costs the margin.
    torch.testing.assert_close(
        losses.deviation_loss(torch.zeros(2), torch.tensor([0, 1]), ref, 5.0), torch.tensor(2.5)
    )
    # Normal at dev 2 costs 2; an anomaly beyond the margin costs nothing.
    torch.testing.assert_close(
        losses.deviation_loss(torch.tensor([2.0, 6.0]), torch.tensor([0, 1]), ref, 5.0),
        torch.tensor(1.0),
    )
    # A normal with a negative score is penalised too (|dev|).
    torch.testing.assert_close(
        losses.deviation_loss(torch.tensor([-3.0]), torch.tensor([0]), ref, 5.0), torch.tensor(3.0)
    )


def test_l2_penalty_covers_hidden_kernels_only():
    net = build_devnet((3,), (2,))["scorer"]
    with torch.no_grad():
        net.linears[0].weight.fill_(1.0)
        net.out.weight.fill_(100.0)
    torch.testing.assert_close(losses.l2_penalty(net, 0.01), torch.tensor(0.01 * 6))


def test_uses_labels(with_known):
    X, y, Xte, _ = with_known
    assert get_tags(ganad.get_detector("devnet")).uses_labels
    with pytest.raises(ValueError, match="no anomalies"):
        make(preset="smoke").fit(X)
    with pytest.raises(ValueError, match="no anomalies"):
        make(preset="smoke").fit(X, np.zeros(len(X), dtype=np.int64))
    a = make(preset="smoke").fit(X, y)
    y_other = y.copy()
    y_other[-10:] = 0
    b = make(preset="smoke").fit(X, y_other)
    assert a.n_anomalies_seen_ == 20 and b.n_anomalies_seen_ == 10
    assert not np.array_equal(a.decision_function(Xte), b.decision_function(Xte))


def test_synthetic_anomalies(planted):
    Xtr, Xte, _ = planted
    trivial = make(preset="smoke", synthetic_anomalies="trivial", n_synthetic=50).fit(Xtr)
    assert trivial.n_anomalies_seen_ == 50
    calls = []

    def generate(n, rng):
        calls.append(n)
        return rng.uniform(0, 1, size=(n, Xtr.shape[1]))

    det = make(preset="smoke", synthetic_anomalies=generate, n_synthetic=7).fit(Xtr)
    assert calls == [7] and det.n_anomalies_seen_ == 7
    array = make(preset="smoke", synthetic_anomalies=Xte[-5:]).fit(Xtr)
    assert array.n_anomalies_seen_ == 5
    with pytest.raises(ValueError, match="features"):
        make(preset="smoke", synthetic_anomalies=Xte[:, :3]).fit(Xtr)
    with pytest.raises(ValueError, match="synthetic_anomalies"):
        make(preset="smoke", synthetic_anomalies="gaussian").fit(Xtr)


def test_save_refuses_array_parameter_until_cleared(planted, tmp_path):
    Xtr, Xte, _ = planted
    det = make(preset="smoke", synthetic_anomalies=Xte[-5:]).fit(Xtr)
    with pytest.raises(ValueError, match="set_params"):
        det.save(tmp_path / "m")
    det.set_params(synthetic_anomalies=None).save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.decision_function(Xte), det.decision_function(Xte))
    assert loaded.n_anomalies_seen_ == 5


def test_latent_gaussian_anomalies_decode_through_an_aae(planted):
    Xtr, _, _ = planted
    aae = ganad.get_detector("aae", preset="smoke", random_state=0, device="cpu").fit(Xtr * 10.0)
    samples = latent_gaussian_anomalies(aae, 30, variance=1.5, random_state=0)
    assert samples.shape == (30, Xtr.shape[1]) and samples.dtype == np.float32
    # Decoded in [0, 1] scaled space, then mapped back to the AAE's input units (x10 here).
    lo, hi = (Xtr * 10.0).min(axis=0), (Xtr * 10.0).max(axis=0)
    assert ((samples >= lo - 1e-4) & (samples <= hi + 1e-4)).all()
    np.testing.assert_array_equal(
        samples, latent_gaussian_anomalies(aae, 30, variance=1.5, random_state=0)
    )


def test_learns_planted_anomalies_from_known_ones(with_known):
    X, y, Xte, yte = with_known
    # lr 1e-2 instead of the code's 1e-3: converges in 400 steps instead of thousands.
    det = make(hidden=(32,), epochs=20, steps_per_epoch=20, batch_size=64, lr=1e-2).fit(X, y)
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_default_runs_on_unlabelled_data_with_trivial_anomalies(planted, with_known):
    Xtr, Xte, yte = planted
    det = make().fit(Xtr)  # no labels: n_synthetic N(0.5, 1) draws stand in for them
    assert det.n_anomalies_seen_ == det.n_synthetic == 5000
    assert roc_auc_score(yte, det.decision_function(Xte)) > 0.9
    # With labelled anomalies, "auto" uses those alone (the published method).
    X, y, _, _ = with_known
    assert make(preset="smoke", synthetic_anomalies="auto").fit(X, y).n_anomalies_seen_ == 20
    with pytest.raises(ValueError, match="no anomalies"):
        make(preset="smoke").fit(Xtr)  # the paper setting still needs them
