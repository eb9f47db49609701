"""EGBAD: update phases, EMA (formula, used for scoring), score components, learning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.egbad import losses
from ganad.detectors.egbad.networks import build_bigan
from ganad.detectors.egbad.training import BiGANStep, make_bigan_optimisers
from ganad.nn.gan import ema_decay_at, ema_reset_

LEARN = {"latent_dim": 4, "lr": 1e-3, "epochs": 12, "batch_size": 32}
SIZES = {
    "latent_dim": 3,
    "e_hidden": (16,),
    "g_hidden": (16,),
    "d_x_hidden": (16,),
    "d_z_hidden": (8,),
    "d_joint_hidden": (16,),
    "conv_widths": (4,),
    "negative_slope": 0.1,
    "dropout": 0.2,
}


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snap):
    return all(torch.equal(v, snap[k]) for k, v in module.state_dict().items())


@pytest.fixture(scope="module")
def learned(planted):
    Xtr, Xte, yte = planted
    det = ganad.get_detector("egbad", random_state=0, device="cpu", **LEARN).fit(Xtr)
    return det, Xte, yte


def _nets(spectral_norm=False):
    torch.manual_seed(0)
    live = build_bigan((6,), spectral_norm=spectral_norm, **SIZES)
    avg = build_bigan((6,), spectral_norm=spectral_norm, **SIZES)
    nets = {**live, **{f"{k}_ema": v for k, v in avg.items()}}
    for k in live:
        ema_reset_(nets[f"{k}_ema"], nets[k])
    return nets


def test_loss_signs():
    hi, lo = torch.tensor([6.0]), torch.tensor([-6.0])
    assert losses.discriminator_loss(hi, lo) < 0.01  # real pairs high, fake pairs low
    assert losses.generator_loss(hi) < losses.generator_loss(lo)
    assert losses.encoder_loss(lo) < losses.encoder_loss(hi)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_phases_change_only_their_networks(spectral_norm):
    nets = _nets(spectral_norm)
    opts = make_bigan_optimisers(nets, lr=1e-2, beta1=0.5)
    step = BiGANStep(nets, opts, latent_dim=3, ema_decay=0.9)
    x = torch.rand(16, 6)
    snap = {k: _snapshot(v) for k, v in nets.items()}
    step.discriminator_phase(x)
    assert not _same(nets["discriminator"], snap["discriminator"])
    assert all(_same(nets[k], snap[k]) for k in nets if k != "discriminator")
    snap = {k: _snapshot(v) for k, v in nets.items()}
    step.generator_encoder_phase(x)
    assert not _same(nets["generator"], snap["generator"]) and not _same(
        nets["encoder"], snap["encoder"]
    )
    d_params = dict(nets["discriminator"].named_parameters())
    assert all(
        torch.equal(d_params[k], snap["discriminator"][k]) for k in d_params
    )  # only SN vectors move
    assert all(_same(nets[k], snap[k]) for k in nets if k.endswith("_ema"))


def test_ema_phase_applies_the_moving_average():
    nets = _nets()
    opts = make_bigan_optimisers(nets, lr=1e-2, beta1=0.5)
    step = BiGANStep(nets, opts, latent_dim=3, ema_decay=0.5)
    step(torch.rand(16, 6))  # t = 0 used
    before = {k: _snapshot(nets[f"{k}_ema"]) for k in ("encoder", "generator", "discriminator")}
    step.discriminator_phase(torch.rand(16, 6))
    step.generator_encoder_phase(torch.rand(16, 6))
    step.ema_phase()
    d = ema_decay_at(1, 0.5)
    for k in ("encoder", "generator", "discriminator"):
        for name, p in nets[f"{k}_ema"].named_parameters():
            live = dict(nets[k].named_parameters())[name]
            torch.testing.assert_close(p, d * before[k][name] + (1 - d) * live.detach())


def test_scoring_uses_the_ema_networks(learned):
    det, Xte, _ = learned
    base = det.decision_function(Xte[:20])
    with torch.no_grad():
        for p in det.networks_["generator"].parameters():
            p.add_(1.0)
    np.testing.assert_array_equal(det.decision_function(Xte[:20]), base)
    live = _snapshot(det.networks_["generator_ema"])
    with torch.no_grad():
        for p in det.networks_["generator_ema"].parameters():
            p.add_(1.0)
    assert not np.array_equal(det.decision_function(Xte[:20]), base)
    det.networks_["generator_ema"].load_state_dict(live)


def test_components_add_up_and_learning(learned):
    det, Xte, yte = learned
    for disc in ("fm", "ce"):
        det.set_params(disc_score=disc)
        comps = det.score_components(Xte)
        key = "feature_matching" if disc == "fm" else "cross_entropy"
        np.testing.assert_allclose(
            det.decision_function(Xte), 0.9 * comps["residual"] + 0.1 * comps[key], rtol=1e-6
        )
    det.set_params(disc_score="fm")
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_image_input_32x32_with_spectral_norm():
    X = np.random.default_rng(0).uniform(size=(16, 3, 32, 32)).astype(np.float32)
    det = ganad.get_detector(
        "egbad", preset="smoke", random_state=0, device="cpu", spectral_norm=True
    )
    assert det.fit(X).decision_function(X[:3]).shape == (3,)
