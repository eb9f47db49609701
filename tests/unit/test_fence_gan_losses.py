"""Fence GAN losses on hand-made tensors: values, signs and the dispersion gradient."""

from __future__ import annotations

import math

import pytest
import torch

from ganad.detectors.fence_gan import losses


def logit(p: float | list[float]) -> torch.Tensor:
    return torch.logit(torch.as_tensor(p, dtype=torch.float64))


def test_bce_encirclement_value_and_minimum_at_alpha():
    alpha = 0.3
    # At D = alpha the BCE equals the entropy H(alpha), its minimum.
    entropy = -(alpha * math.log(alpha) + (1 - alpha) * math.log(1 - alpha))
    at_alpha = losses.encirclement_loss(logit([alpha, alpha]), alpha, "bce")
    assert at_alpha.item() == pytest.approx(entropy, rel=1e-9)
    # D = 0.9: -(0.3 log 0.9 + 0.7 log 0.1).
    expected = -(0.3 * math.log(0.9) + 0.7 * math.log(0.1))
    assert losses.encirclement_loss(logit([0.9]), alpha, "bce").item() == pytest.approx(
        expected, rel=1e-9
    )
    # Penalises both sides: inside the data (D high) and far away (D low).
    for p in (0.01, 0.1, 0.6, 0.99):
        assert losses.encirclement_loss(logit([p]), alpha, "bce") > at_alpha


def test_paper_encirclement_value_sign_and_alpha_one_is_eq1():
    alpha = 0.5
    value = losses.encirclement_loss(logit([0.75, 0.25]), alpha, "paper")
    assert value.item() == pytest.approx(math.log(0.25), rel=1e-9)
    near = losses.encirclement_loss(logit([0.51]), alpha, "paper")
    far = losses.encirclement_loss(logit([0.95]), alpha, "paper")
    assert near < far < 0  # log|alpha - D| < 0, smallest near the alpha-level set
    # Floored at log(1e-7) exactly at D == alpha instead of -inf.
    assert losses.encirclement_loss(logit([alpha]), alpha, "paper").item() == pytest.approx(
        math.log(1e-7)
    )
    # alpha = 1: mean log(1 - D(G(z))), the original GAN generator loss (Eq. 1).
    p = torch.tensor([0.2, 0.7], dtype=torch.float64)
    eq1 = torch.log(1 - p).mean()
    assert losses.encirclement_loss(torch.logit(p), 1.0, "paper").item() == pytest.approx(
        eq1.item(), rel=1e-6
    )


def test_unknown_encirclement_variant():
    with pytest.raises(ValueError, match="encirclement variant"):
        losses.encirclement_loss(logit([0.5]), 0.5, "l1")


def test_dispersion_value_over_all_dimensions():
    # Two points at distance 1 from their centre -> mean distance 1 -> DL = 1.
    pts = torch.tensor([[-1.0, 0.0], [1.0, 0.0]])
    assert losses.dispersion_loss(pts).item() == pytest.approx(1.0)
    # Distances 2 and 2 -> DL = 0.5; spread further = smaller loss.
    assert losses.dispersion_loss(2 * pts).item() == pytest.approx(0.5)
    # Images: the distance runs over C, H, W together.
    imgs = torch.zeros(2, 1, 2, 2)
    imgs[0] += 1.0  # centre 0.5 everywhere; each image is sqrt(4 * 0.25) = 1 away
    assert losses.dispersion_loss(imgs).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2"):
        losses.dispersion_loss(pts[:1])


def test_dispersion_gradient_pushes_samples_apart():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(16, 3, generator=gen, dtype=torch.float64).requires_grad_(True)
    losses.dispersion_loss(x).backward()
    outward = (x - x.mean(dim=0)).detach()
    # Gradient descent moves every sample away from the centre ...
    assert ((-x.grad * outward).sum(dim=1) > 0).all()
    # ... so one small step increases the mean distance to the centre.
    before = outward.norm(dim=1).mean()
    moved = (x - 0.01 * x.grad).detach()
    assert (moved - moved.mean(dim=0)).norm(dim=1).mean() > before


def test_weighted_discriminator_loss_values_and_gamma():
    half = logit([0.5, 0.5])
    gamma = 0.1
    # D = 0.5 everywhere: log 2 for the reals, gamma * log 2 for the fakes.
    joint = losses.weighted_discriminator_loss(half, half, gamma)
    assert joint.item() == pytest.approx((1 + gamma) * math.log(2), rel=1e-9)
    assert losses.discriminator_real_loss(half).item() == pytest.approx(math.log(2), rel=1e-9)
    assert losses.discriminator_fake_loss(half, gamma).item() == pytest.approx(
        gamma * math.log(2), rel=1e-9
    )
    # A correct discriminator (D(x) ~ 1, D(G(z)) ~ 0) has a loss near 0; a wrong one a large loss.
    good = losses.weighted_discriminator_loss(logit([0.999]), logit([0.001]), gamma)
    bad = losses.weighted_discriminator_loss(logit([0.001]), logit([0.999]), gamma)
    assert 0 < good < 0.01 < bad
    # gamma < 1 makes mistakes on real data cost more than mistakes on fakes.
    real_wrong = losses.weighted_discriminator_loss(logit([0.1]), logit([0.5]), gamma)
    fake_wrong = losses.weighted_discriminator_loss(logit([0.5]), logit([0.9]), gamma)
    assert real_wrong > fake_wrong


def test_generator_loss_is_encirclement_plus_beta_dispersion():
    fake = torch.tensor([[0.0, 1.0], [2.0, -1.0], [1.0, 0.0]])
    fake_logits = logit([0.2, 0.6, 0.4]).float()
    total, el, dl = losses.generator_loss(fake_logits, fake, alpha=0.4, beta=30.0, variant="bce")
    assert el.item() == pytest.approx(losses.encirclement_loss(fake_logits, 0.4).item())
    assert dl.item() == pytest.approx(losses.dispersion_loss(fake).item())
    assert total.item() == pytest.approx(el.item() + 30.0 * dl.item())
