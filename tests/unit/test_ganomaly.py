"""GANomaly: losses, update phases, D re-initialisation, DA3D-table presets, components, learning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.ganomaly import losses
from ganad.detectors.ganomaly.networks import build_ganomaly
from ganad.detectors.ganomaly.training import (
    GANomalyStep,
    make_ganomaly_optimisers,
    reinit_discriminator_,
)

LEARN = {"enc_hidden": (32,), "latent_dim": 3, "lr": 1e-3, "epochs": 25, "batch_size": 16}


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snap):
    return all(torch.equal(v, snap[k]) for k, v in module.state_dict().items())


def test_losses():
    x, x_rec = torch.zeros(2, 4), torch.full((2, 4), 0.5)
    z, z_rec = torch.zeros(2, 3), torch.ones(2, 3)
    f, f_rec = torch.zeros(2, 5), torch.full((2, 5), 2.0)
    out = losses.generator_losses(x, x_rec, z, z_rec, f, f_rec, (1.0, 50.0, 1.0))
    assert out["adversarial"] == 4.0 and out["contextual"] == 0.5 and out["latent"] == 1.0
    assert out["generator"] == pytest.approx(4.0 + 25.0 + 1.0)
    torch.testing.assert_close(losses.latent_distance(z, z_rec), torch.ones(2))
    hi, lo = torch.tensor([6.0]), torch.tensor([-6.0])
    assert losses.discriminator_loss(hi, lo) < 0.01 < losses.discriminator_loss(lo, hi)


def test_phases_change_only_their_networks():
    torch.manual_seed(0)
    nets = build_ganomaly((6,), latent_dim=2, enc_hidden=(8,), conv_widths=(4,))
    opts = make_ganomaly_optimisers(nets, lr=1e-2, beta1=0.5)
    step = GANomalyStep(nets, opts, weights=(1.0, 50.0, 1.0))
    x = torch.rand(16, 6)
    snap = {k: _snapshot(v) for k, v in nets.items()}
    out, x_rec = step.generator_phase(x)
    assert {"adversarial", "contextual", "latent", "generator"} <= set(out)
    assert _same(nets["discriminator"], snap["discriminator"])
    assert all(not _same(nets[k], snap[k]) for k in ("encoder", "decoder", "encoder2"))
    snap = {k: _snapshot(v) for k, v in nets.items()}
    step.discriminator_phase(x, x_rec)
    assert not _same(nets["discriminator"], snap["discriminator"])
    assert all(_same(nets[k], snap[k]) for k in ("encoder", "decoder", "encoder2"))
    before = _snapshot(nets["discriminator"])
    reinit_discriminator_(nets["discriminator"])
    assert not _same(nets["discriminator"], before)


def test_da3d_presets_use_the_aae_sizes():
    det = ganad.get_detector("ganomaly", preset="da3d_kdd")
    assert (
        det.enc_hidden == (150, 100, 70, 40, 25) and det.latent_dim == 10 and det.batch_size == 512
    )
    det.input_shape_ = (126,)
    nets = det._build_networks()
    assert nets["encoder"](torch.rand(2, 126)).shape == (2, 10)
    assert ganad.get_detector("ganomaly", preset="da3d_mammography").enc_hidden == (12, 10, 8, 6, 3)


def test_components_add_up_and_learning(planted):
    Xtr, Xte, yte = planted
    det = ganad.get_detector(
        "ganomaly", random_state=0, device="cpu", score="latent_error", **LEARN
    ).fit(Xtr)
    scores = det.decision_function(Xte)
    comps = det.score_components(Xte)
    np.testing.assert_allclose(scores, comps["latent_error"], rtol=1e-6)
    assert {"residual", "feature_matching", "latent_norm"} <= set(comps)
    assert roc_auc_score(yte, scores) >= 0.9


def test_composed_default_sums_standardised_log_components(planted, tmp_path):
    Xtr, Xte, yte = planted
    det = ganad.get_detector("ganomaly", random_state=0, device="cpu", **LEARN).fit(Xtr)
    assert det.score == "latent_error+residual"
    train, test = det.score_components(Xtr), det.score_components(Xte)
    z = sum(
        (np.log(test[k] + 1e-12) - np.log(train[k] + 1e-12).mean())
        / np.log(train[k] + 1e-12).std(ddof=1)
        for k in ("latent_error", "residual")
    )
    np.testing.assert_allclose(det.decision_function(Xte), z, rtol=1e-5, atol=1e-6)
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.decision_function(Xte), det.decision_function(Xte))
    # Switching the score needs the statistics of a fit with that score.
    paper = ganad.get_detector(
        "ganomaly", random_state=0, device="cpu", score="latent_error", **LEARN
    ).fit(Xtr)
    with pytest.raises(ValueError, match="refit"):
        paper.set_params(score="latent_error+residual").decision_function(Xte)


def test_image_input_32x32_rgb():
    X = np.random.default_rng(0).uniform(size=(16, 3, 32, 32)).astype(np.float32)
    det = ganad.get_detector("ganomaly", preset="smoke", random_state=0, device="cpu")
    assert det.fit(X).decision_function(X[:3]).shape == (3,)
