"""Fence GAN's 2D synthetic experiment (paper §IV.A, Fig. 1 A/B; METHODS §4.5, F-13).

Real data x ~ N((20, 20), 3^2 I), latent z ~ N(0, 8^2 I); G(z) = z + MLP(10, 10)(z) (residual),
D = MLP(15, 15) -> sigmoid; Adam(1e-3) for both; batch 100; 20 D-only pre-training iterations;
then single-batch iterations of D real step, D fake step (weight gamma), G step.

  (A) Fence GAN, the code's hyper-parameters: alpha 0.5, beta 15, gamma 0.1;
  (B) a plain GAN with the same networks: alpha 1 (BCE towards 1 = the non-saturating GAN
      generator loss), beta 0 (no dispersion), gamma 1 (unweighted discriminator).

Why the step functions are called directly instead of `ganad.training.train_epochs`: the
experiment draws a *fresh* batch from the known distribution at every iteration (as the code
does), while `train_epochs` iterates over a fixed data set. The update steps themselves are the
library's (`ganad.detectors.fence_gan.training`), so nothing about the method differs.

Usage:
    .venv/bin/python benchmarks/fence_gan_2d.py --iterations 30001 --out docs/results/fence_gan
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from ganad.detectors.fence_gan.networks import build_fence_gan
from ganad.detectors.fence_gan.training import (
    AdversarialStep,
    DiscriminatorStep,
    GeneratorStep,
    make_optimiser,
)

REPO = Path(__file__).resolve().parents[1]
CENTRE = (20.0, 20.0)
DATA_STD = 3.0
LATENT_STD = 8.0
BATCH = 100
PRETRAIN_ITERATIONS = 20
CONFIGS = {
    "A: Fence GAN": {"alpha": 0.5, "beta": 15.0, "gamma": 0.1},
    "B: plain GAN": {"alpha": 1.0, "beta": 0.0, "gamma": 1.0},
}
LEVELS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)
COLOURS = ("#66B2FF", "#99CCFF", "#CCE5FF", "#FFCCCC", "#FF9999", "#FF6666")  # the code's


def real_batch(n: int) -> torch.Tensor:
    return torch.tensor(CENTRE) + DATA_STD * torch.randn(n, 2)


def latent_batch(n: int) -> torch.Tensor:
    return LATENT_STD * torch.randn(n, 2)


def snapshot(generator: torch.nn.Module, discriminator: torch.nn.Module) -> dict:
    """D on the code's 40x40 grid over [0, 40]^2, 500 real and 200 generated points."""
    grid = np.linspace(0, 40, 40)
    gx, gy = np.meshgrid(grid, grid)
    points = torch.tensor(np.c_[gx.ravel(), gy.ravel()], dtype=torch.float32)
    generator.eval()
    discriminator.eval()
    with torch.no_grad():
        d_grid = torch.sigmoid(discriminator(points)).reshape(40, 40).numpy()
        generated = generator(latent_batch(200)).numpy()
    return {"d_grid": d_grid, "real": real_batch(500).numpy(), "generated": generated}


def final_metrics(generator: torch.nn.Module, discriminator: torch.nn.Module) -> dict[str, float]:
    """How well G encircles and D fences: distances to the centre, ROC-AUC of 1 - D for points
    on rings at 3-5 data std against fresh real points."""
    centre = torch.tensor(CENTRE)
    generator.eval()
    discriminator.eval()
    with torch.no_grad():
        real = real_batch(2000)
        generated = generator(latent_batch(2000))
        direction = torch.nn.functional.normalize(torch.randn(2000, 2), dim=1)
        ring = centre + direction * DATA_STD * (3.0 + 2.0 * torch.rand(2000, 1))
        d_real = torch.sigmoid(discriminator(real))
        d_ring = torch.sigmoid(discriminator(ring))
        d_generated = torch.sigmoid(discriminator(generated))
    scores = 1.0 - torch.cat([d_real, d_ring]).numpy()
    labels = np.r_[np.zeros(len(real)), np.ones(len(ring))]
    return {
        "mean_distance_generated": float((generated - centre).norm(dim=1).mean()),
        "mean_distance_real": float((real - centre).norm(dim=1).mean()),
        "mean_D_real": float(d_real.mean()),
        "mean_D_generated": float(d_generated.mean()),
        "mean_D_ring_3_to_5_std": float(d_ring.mean()),
        "auroc_real_vs_ring": float(roc_auc_score(labels, scores)),
    }


def run(
    config: dict[str, float], iterations: int, snapshot_at: list[int], seed: int
) -> tuple[list, dict, dict]:
    torch.manual_seed(seed)
    nets = build_fence_gan(
        (2,),
        architecture="residual",
        latent_dim=2,
        g_hidden=(10, 10),
        d_hidden=(15, 15),
        g_activation="relu",
        d_activation="relu",
        g_dropout=0.0,
    )
    generator, discriminator = nets["generator"], nets["discriminator"]
    d_step = DiscriminatorStep(
        generator,
        discriminator,
        make_optimiser(discriminator.parameters(), "adam", 1e-3),
        gamma=config["gamma"],
        sample_latent=latent_batch,
    )
    g_step = GeneratorStep(
        generator,
        discriminator,
        make_optimiser(generator.parameters(), "adam", 1e-3),
        alpha=config["alpha"],
        beta=config["beta"],
        sample_latent=latent_batch,
        batch_size=BATCH,
    )
    step = AdversarialStep(d_step, g_step, "d_first")
    for _ in range(PRETRAIN_ITERATIONS):
        d_step(real_batch(BATCH))
    snapshots, history = [], {"d_loss": [], "g_loss": []}
    for it in range(iterations):
        losses = step(real_batch(BATCH))
        if it % 100 == 0:
            history["d_loss"].append(float(losses["d_loss"]))
            history["g_loss"].append(float(losses["g_loss"]))
        if it in snapshot_at:
            snapshots.append((it, snapshot(generator, discriminator)))
    return snapshots, final_metrics(generator, discriminator), history


def plot(results: dict[str, list], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_rows, n_cols = len(results), max(len(s) for s in results.values())
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(3.2 * n_cols + 1, 3.2 * n_rows), squeeze=False
    )
    grid = np.linspace(0, 40, 40)
    contour = None
    for row, (label, snaps) in enumerate(results.items()):
        for col, (it, snap) in enumerate(snaps):
            ax = axes[row][col]
            contour = ax.contourf(grid, grid, snap["d_grid"], LEVELS, colors=COLOURS)
            ax.scatter(*snap["real"].T, s=3, color="red", label="real")
            ax.scatter(*snap["generated"].T, s=3, color="blue", label="generated")
            ax.set_xlim(0, 40)
            ax.set_ylim(0, 40)
            ax.set_aspect("equal")
            ax.set_title(f"iteration {it}", fontsize=9)
            if col == 0:
                config = CONFIGS[label]
                ax.set_ylabel(
                    f"{label}\nalpha {config['alpha']:g}, beta {config['beta']:g}, "
                    f"gamma {config['gamma']:g}",
                    fontsize=9,
                )
    fig.colorbar(contour, ax=axes, shrink=0.8, label="D(x)")
    fig.suptitle(
        "Fence GAN 2D experiment (paper Fig. 1 A/B): D contours, real (red), generated (blue)"
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=30_001)
    parser.add_argument("--snapshots", type=int, nargs="+", default=None, help="iterations to plot")
    parser.add_argument("--seed", type=int, default=1, help="the code seeds NumPy/TF with 1")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "results" / "fence_gan")
    args = parser.parse_args()
    torch.set_num_threads(1)
    last = args.iterations - 1
    snapshot_at = args.snapshots or sorted({0, min(1000, last), min(10_000, last), last})
    results, summary = (
        {},
        {"iterations": args.iterations, "seed": args.seed, "snapshots": snapshot_at, "runs": {}},
    )
    for label, config in CONFIGS.items():
        start = time.perf_counter()
        snaps, metrics, history = run(config, args.iterations, snapshot_at, args.seed)
        results[label] = snaps
        summary["runs"][label] = {
            **config,
            **metrics,
            "seconds": round(time.perf_counter() - start, 1),
            "loss_every_100": history,
        }
        print(label, json.dumps(metrics), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    plot(results, args.out / "fig1_2d.png")
    (args.out / "fig1_2d.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
