"""Steps/s of ganad's training loop against a bare PyTorch loop of the same networks, optimisers
and batch, in the same run (issue #16): the overhead the framework adds to small networks.

For each detector (DA3D's two stages, A3's two stages, the neural DTE, K-DSM) on the Mammography
training rows, one thread:
  * "ganad": a real `fit`, timing the stage's epochs after the first (history_ epoch seconds)
    and dividing by its mini-batch count;
  * "bare": the same networks (taken from that fitted detector, so sizes match), fresh
    optimisers of the same kind and learning rate, and a plain `for` loop over pre-shuffled
    index slices that calls the same pure loss functions: forward, loss, `zero_grad`,
    `backward`, `step`, with no mode switches, no freezing, no loss bookkeeping.
ratio = bare steps/s / ganad steps/s (the target is <= 1.3); each side's best of 3 alternating
repetitions.

    python benchmarks/step_overhead.py --root ../shared/datasets --json docs/results/speed/step_overhead.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

import ganad
from ganad.detectors.a3 import losses as a3_losses
from ganad.detectors.da3d import losses as da3d_losses
from ganad.detectors.dte import losses as dte_losses
from ganad.detectors.kdsm import losses as kdsm_losses
from ganad.nn import aae as aae_losses
from ganad.nn import adam

EPOCHS = 4  # the first is warm-up; three are timed
REPEATS = 3


def mammography(root: str | None) -> np.ndarray:
    try:
        from ganad.data import load_split

        return load_split("mammography", protocol="da3d", seed=110, root=root).x_train
    except Exception as exc:  # absent here: timing does not depend on the values
        print(f"# mammography: {type(exc).__name__}: random data", file=sys.stderr)
        return np.random.default_rng(0).uniform(size=(8819, 6)).astype(np.float32)


def ganad_steps_per_s(det, stage: str, n_rows: int, batch_size: int) -> float:
    seconds = det.history_[f"{stage}/epoch_seconds"][1:]
    return math.ceil(n_rows / batch_size) * len(seconds) / sum(seconds)


def bare_steps_per_s(step: Callable[[torch.Tensor], None], n_rows: int, batch_size: int) -> float:
    """Steps/s of `step(index)` over shuffled index slices, after one warm-up epoch."""
    steps = math.ceil(n_rows / batch_size)
    order = torch.randperm(n_rows)
    for i in range(steps):  # warm-up epoch
        step(order[i * batch_size : (i + 1) * batch_size])
    started = time.perf_counter()
    for _ in range(EPOCHS - 1):
        order = torch.randperm(n_rows)
        for i in range(steps):
            step(order[i * batch_size : (i + 1) * batch_size])
    return steps * (EPOCHS - 1) / (time.perf_counter() - started)


# -- bare loops --------------------------------------------------------------------------------


def bare_aae(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    enc, dec, prior = (det.networks_[k] for k in ("encoder", "decoder", "prior"))
    for m in (enc, dec, prior):
        m.train().requires_grad_(True)
    opt_rec, opt_prior, opt_reg = (
        adam([*enc.parameters(), *dec.parameters()], 1e-4),
        adam(prior, 1e-4),
        adam(enc, 1e-4),
    )

    def step(idx: torch.Tensor) -> None:
        xb = x[idx]
        rec = aae_losses.reconstruction_loss(dec(enc(xb)), xb)
        opt_rec.zero_grad()
        rec.backward()
        opt_rec.step()
        h = enc(xb).detach()
        d_prior, d_codes = prior(torch.cat([torch.randn_like(h), h])).split(len(h))
        d = aae_losses.prior_discriminator_loss(d_prior, d_codes)
        opt_prior.zero_grad()
        d.backward()
        opt_prior.step()
        e = aae_losses.encoder_regularisation_loss(prior(enc(xb)))
        opt_reg.zero_grad()
        e.backward()
        opt_reg.step()

    return step


def bare_da3d(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    nets = det.networks_
    enc, alarm, gen, critic = (nets[k] for k in ("encoder", "alarm", "generator", "critic"))
    enc.eval()
    with torch.no_grad():
        H, A = det._encode_all(x)
    for m in (alarm, gen, critic):
        m.train().requires_grad_(True)
    opt_a, opt_g, opt_c = adam(alarm, 1e-4), adam(gen, 1e-4), adam(critic, 1e-4)
    z_dim, sigma, weights = det.gen_input_dim, det.sigma, tuple(det.critic_weights)

    def step(idx: torch.Tensor) -> None:
        h, a = H[idx], A[idx]
        n = len(h)
        with torch.no_grad():
            trivial = enc(torch.randn(n, *det.input_shape_) * det.trivial_std + det.trivial_mean)
            acts = det._activations(torch.cat([trivial, gen(torch.randn(n, z_dim))])).split(n)
        logits = alarm(torch.cat([a, *acts])).split(n)
        loss = da3d_losses.alarm_loss(
            logits[0],
            {"trivial": logits[1], "generated": logits[2]},
            {"trivial": 1.0, "generated": 1.0},
        )
        opt_a.zero_grad()
        loss.backward()
        opt_a.step()
        for_alarm, for_critic = gen(torch.randn(2 * n, z_dim)).split(n)
        g = da3d_losses.generator_loss(
            torch.sigmoid(alarm(det._activations(for_alarm))), critic(for_critic)
        )
        opt_g.zero_grad()
        g.backward()
        opt_g.step()
        with torch.no_grad():
            fake = gen(torch.randn(n, z_dim))
        parts = critic(torch.cat([torch.randn_like(h) * sigma, h, fake])).split(n)
        c = da3d_losses.critic_loss(*parts, weights)
        opt_c.zero_grad()
        c.backward()
        opt_c.step()
        with torch.no_grad():
            for p in critic.parameters():
                p.clamp_(-det.clip_norm, det.clip_norm)

    return step


def bare_a3_target(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    target = det.networks_["target"].train().requires_grad_(True)
    opt = adam(target, det.target_lr or det.lr)

    def step(idx: torch.Tensor) -> None:
        xb = x[idx]
        loss = a3_losses.reconstruction_loss(target(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def bare_a3_alarm(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    target, alarm = det.networks_["target"].eval(), det.networks_["alarm"].train()
    alarm.requires_grad_(True)
    with torch.no_grad():
        acts = target.activations(x)
    labels = torch.zeros(len(x))
    opt = adam(alarm, det.lr)

    def step(idx: torch.Tensor) -> None:
        a, y = acts[idx], labels[idx]
        n = len(a)
        with torch.no_grad():
            a_noise = target.activations(
                torch.randn(n, *det.input_shape_) * det.trivial_std + det.trivial_mean
            )
        logits, noise_logits = alarm(torch.cat([a, a_noise])).squeeze(1).split(n)
        loss = a3_losses.alarm_loss(logits, y, noise_logits, det.noise_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def bare_dte(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    net = det.networks_["classifier"].train().requires_grad_(True)
    opt = adam(net, det.lr, weight_decay=det.weight_decay)
    sigmas = (
        dte_losses.diffusion_variances(det.n_steps, det.beta_start, det.beta_end).sqrt().float()
    )

    def step(idx: torch.Tensor) -> None:
        x0 = x[idx]
        t = torch.randint(0, det.n_steps, (len(x0),))
        logits = net(dte_losses.noised(x0, sigmas[t], torch.randn_like(x0)))
        loss = dte_losses.step_classification_loss(
            logits, dte_losses.bin_of_step(t, det.n_steps, det.n_bins)
        )
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def bare_kdsm(det, x: torch.Tensor) -> Callable[[torch.Tensor], None]:
    net = det.networks_["score"].train().requires_grad_(True)
    sigma = det.networks_["noise"].sigma
    opt = adam(net, det.lr, weight_decay=det.weight_decay)

    def step(idx: torch.Tensor) -> None:
        xb = x[idx].repeat(det.copies, 1)
        eps = torch.randn_like(xb)
        loss = kdsm_losses.dsm_loss(net(xb + sigma * eps), eps)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def cases(X: np.ndarray) -> list[tuple[str, Callable[[], object], str, Callable, Callable]]:
    """(label, build a fitted detector, stage, its training batch size, bare loop)."""
    return [
        (
            "AAE (DA3D stage 1)",
            lambda: ganad.get_detector(
                "da3d", preset="mammography", epochs=EPOCHS, aae_epochs=EPOCHS
            ),
            "aae",
            lambda d: d.batch_size,
            bare_aae,
        ),
        (
            "DA3D (stage 2)",
            lambda: ganad.get_detector(
                "da3d", preset="mammography", epochs=EPOCHS, aae_epochs=EPOCHS
            ),
            "da3d",
            lambda d: d.batch_size,
            bare_da3d,
        ),
        (
            "A3 target",
            lambda: ganad.get_detector(
                "a3", preset="mammography", epochs=EPOCHS, target_epochs=EPOCHS
            ),
            "target",
            lambda d: d.batch_size,
            bare_a3_target,
        ),
        (
            "A3 alarm",
            lambda: ganad.get_detector(
                "a3", preset="mammography", epochs=EPOCHS, target_epochs=EPOCHS
            ),
            "alarm",
            lambda d: d.batch_size,
            bare_a3_alarm,
        ),
        (
            "DTE",
            lambda: ganad.get_detector("dte", epochs=EPOCHS),
            "train",
            lambda d: d.batch_size,
            bare_dte,
        ),
        (
            "K-DSM",
            lambda: ganad.get_detector("kdsm", epochs=EPOCHS),
            "train",
            lambda d: d._batch(len(X)),
            bare_kdsm,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    X = mammography(args.root).astype(np.float32)
    rows = []
    for label, build, stage, batch_of, bare in cases(X):
        # Alternate the two, REPEATS times each, and keep each one's best: on a shared machine
        # single timings of a 2 ms step vary by +-30 % (warm-up, neighbours).
        ours = floor = 0.0
        for _ in range(REPEATS):
            det = build().set_params(random_state=0, device="cpu", n_jobs=1)
            det.fit(X)
            bs = int(batch_of(det))
            ours = max(ours, ganad_steps_per_s(det, stage, len(X), bs))
            x = torch.from_numpy(det._scale_numpy(X))
            floor = max(floor, bare_steps_per_s(bare(det, x), len(X), bs))
        rows.append(
            {
                "detector": label,
                "batch": bs,
                "ganad_steps_s": ours,
                "bare_steps_s": floor,
                "ratio": floor / ours,
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr)
    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "torch": torch.__version__,
        "threads": 1,
        "rows": len(X),
    }
    print("| detector | batch | ganad steps/s | bare steps/s | ratio |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['detector']} | {r['batch']} | {r['ganad_steps_s']:,.0f} | {r['bare_steps_s']:,.0f} | {r['ratio']:.2f}x |"
        )
    print(json.dumps(meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
