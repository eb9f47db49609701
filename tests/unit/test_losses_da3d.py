"""Sign and value of every AAE / DA3D / A3 loss term on hand-made tensors."""

from __future__ import annotations

import math

import pytest
import torch

from ganad.detectors.a3 import losses as a3_losses
from ganad.detectors.da3d import losses as da3d_losses
from ganad.nn import aae as aae_losses

LN2 = math.log(2.0)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_reconstruction_loss_is_mean_bce():
    x = torch.tensor([[1.0, 0.0]])
    logits = torch.tensor([[logit(0.9), logit(0.2)]])
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert aae_losses.reconstruction_loss(logits, x).item() == pytest.approx(expected, rel=1e-6)
    # Perfect reconstruction of binary data approaches zero loss.
    assert aae_losses.reconstruction_loss(torch.tensor([[20.0, -20.0]]), x).item() < 1e-8


def test_prior_discriminator_loss_sign():
    prior = torch.tensor([0.9, 0.7])  # D on prior samples: should be pushed up
    codes = torch.tensor([0.2, 0.4])  # D on encoder codes: should be pushed down
    assert aae_losses.prior_discriminator_loss(prior, codes).item() == pytest.approx(-0.8 + 0.3)
    # Lower loss when D separates prior (high) from codes (low).
    assert aae_losses.prior_discriminator_loss(
        torch.ones(2), torch.zeros(2)
    ) < aae_losses.prior_discriminator_loss(torch.zeros(2), torch.ones(2))


def test_encoder_regularisation_loss_sign():
    assert aae_losses.encoder_regularisation_loss(
        torch.tensor([0.25, 0.75])
    ).item() == pytest.approx(-0.5)


def test_alarm_loss_labels_normal_zero_and_anomalies_one():
    zero = torch.zeros(4)  # logit 0 = probability 0.5 -> BCE ln 2 per term
    weights = {"trivial": 1.0, "generated": 1.0, "simple": 1.0}
    loss = da3d_losses.alarm_loss(zero, {"trivial": zero, "generated": zero}, weights)
    assert loss.item() == pytest.approx(3 * LN2, rel=1e-6)
    confident_right = da3d_losses.alarm_loss(
        torch.full((4,), -10.0), {"trivial": torch.full((4,), 10.0)}, weights
    )
    confident_wrong = da3d_losses.alarm_loss(
        torch.full((4,), 10.0), {"trivial": torch.full((4,), -10.0)}, weights
    )
    assert confident_right.item() < 1e-3 < 10 < confident_wrong.item()
    # Per-kind weights scale their own term only; each term is a mean over its own batch.
    weighted = da3d_losses.alarm_loss(zero, {"simple": torch.zeros(7)}, {"simple": 0.0})
    assert weighted.item() == pytest.approx(LN2, rel=1e-6)


def test_generator_loss_is_linear_in_alarm_probability_and_critic():
    prob = torch.tensor([0.2, 0.4])
    critic = torch.tensor([0.5, 0.7])
    assert da3d_losses.generator_loss(prob, critic).item() == pytest.approx(0.3 + 0.6)


def test_critic_loss_signs_and_weights():
    noise = torch.tensor([0.1, 0.3])  # mean 0.2
    normal = torch.tensor([0.8, 0.6])  # mean 0.7
    generated = torch.tensor([0.5])  # mean 0.5
    value = da3d_losses.critic_loss(noise, normal, generated)
    assert value.item() == pytest.approx(1 * 0.2 - 2 * 0.7 - 2 * 0.5)
    # The critic is rewarded for LOW values on the wide Gaussian and HIGH on normal/generated codes.
    good = da3d_losses.critic_loss(torch.zeros(2), torch.ones(2), torch.ones(2))
    bad = da3d_losses.critic_loss(torch.ones(2), torch.zeros(2), torch.zeros(2))
    assert good < bad
    # [DA3D-B] weights 2 : 1 : 1.
    assert da3d_losses.critic_loss(
        noise, normal, generated, (2.0, 1.0, 1.0)
    ).item() == pytest.approx(0.4 - 0.7 - 0.5)


def test_a3_alarm_loss():
    logits = torch.tensor([0.0, 0.0])
    labels = torch.tensor([0, 1])
    assert a3_losses.alarm_loss(logits, labels, torch.zeros(3)).item() == pytest.approx(
        2 * LN2, rel=1e-6
    )
    assert a3_losses.alarm_loss(
        logits, labels, torch.zeros(3), noise_weight=0.0
    ).item() == pytest.approx(LN2, rel=1e-6)
