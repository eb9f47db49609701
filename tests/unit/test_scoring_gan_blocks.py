"""Shared GAN blocks (`ganad.nn.gan`): shapes, stabilisers (GP, clipping, spectral norm), EMA."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganad.nn.gan import (
    ConvDecoder,
    ConvTrunk,
    Critic,
    DenseTrunk,
    clip_weights_,
    ema_decay_at,
    ema_reset_,
    ema_update_,
    gradient_penalty,
    has_spectral_norm,
    make_encoder,
    make_generator,
    sample_latent,
    spectral_norm_all_,
)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_conv_shapes_round_trip(shape):
    gen = make_generator(5, shape, hidden=(8,), conv_widths=(4, 8))
    enc = make_encoder(shape, 5, hidden=(8,), conv_widths=(4, 8))
    x = gen(torch.randn(3, 5))
    assert x.shape == (3, *shape) and (x >= 0).all() and (x <= 1).all()
    z, (h,) = enc(x, return_hidden=True)
    assert z.shape == (3, 5) and h.shape[0] == 3


def test_tabular_shapes():
    gen = make_generator(4, (7,), hidden=(8, 8), conv_widths=(4,))
    enc = make_encoder((7,), 4, hidden=(8,), conv_widths=(4,))
    assert gen(torch.randn(2, 4)).shape == (2, 7)
    assert enc(torch.rand(2, 7)).shape == (2, 4)


def test_bad_image_sizes_are_refused():
    with pytest.raises(ValueError, match="halved"):
        ConvTrunk((1, 28, 28), (4, 8, 16))
    with pytest.raises(ValueError, match="square"):
        ConvDecoder(3, (1, 28, 32), (4, 8))


def test_gradient_penalty_value():
    # Linear critic w·x has gradient w everywhere: penalty (‖w‖ − 1)².
    critic = nn.Linear(4, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[2.0, 0.0, 0.0, 0.0]]))
    gp = gradient_penalty(lambda x: critic(x).squeeze(1), torch.rand(8, 4), torch.rand(8, 4))
    assert gp.item() == pytest.approx(1.0)
    gp.backward()
    assert critic.weight.grad is not None  # the penalty trains the critic


def test_clip_weights():
    net = DenseTrunk(4, (8,))
    with torch.no_grad():
        for p in net.parameters():
            p.uniform_(-1, 1)
    clip_weights_(net, 0.01)
    assert all(p.abs().max() <= 0.01 for p in net.parameters())


def test_spectral_norm_bounds_singular_values():
    torch.manual_seed(0)
    critic = spectral_norm_all_(Critic(DenseTrunk(6, (16, 8))))
    assert has_spectral_norm(critic) and not has_spectral_norm(DenseTrunk(6, (4,)))
    critic.train()
    for _ in range(30):  # power iterations converge in training-mode forwards
        critic(torch.rand(4, 6))
    critic.eval()
    for m in critic.modules():
        if isinstance(m, nn.Linear):
            sigma = torch.linalg.matrix_norm(m.weight.detach(), ord=2).item()
            assert sigma == pytest.approx(1.0, abs=0.02)


def test_ema_update_formula_and_buffers():
    live, avg = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    with torch.no_grad():
        live.weight.fill_(2.0)
        live.running_mean.fill_(5.0)
    ema_reset_(avg, live)
    assert not any(p.requires_grad for p in avg.parameters())
    with torch.no_grad():
        live.weight.fill_(4.0)
    ema_update_(avg, live, 0.75)
    torch.testing.assert_close(avg.weight, torch.full((3,), 0.75 * 2.0 + 0.25 * 4.0))
    torch.testing.assert_close(avg.running_mean, live.running_mean)


def test_ema_decay_warm_up():
    assert ema_decay_at(0, 0.999) == pytest.approx(0.1)
    assert ema_decay_at(10**7, 0.999) == 0.999


def test_sample_latent_priors():
    torch.manual_seed(0)
    u = sample_latent(1000, 3, "uniform", device="cpu")
    assert u.min() >= -1 and u.max() <= 1
    assert sample_latent(2, 3, "normal", device="cpu").shape == (2, 3)
    with pytest.raises(ValueError, match="prior"):
        sample_latent(2, 3, "cauchy", device="cpu")


@pytest.mark.parametrize("name", ["anogan", "fanogan", "egbad", "alad", "ganomaly"])
def test_every_preset_builds_its_networks(name):
    import ganad

    cls = ganad.registry.detector_class(name)
    for preset in cls.PRESETS:
        det = ganad.get_detector(name, preset=preset)
        image = "mnist" in preset or preset.endswith("emnist")
        det.input_shape_ = (1, 28, 28) if image else (121,)
        nets = det._build_networks()
        assert len(nets) >= 2, preset
