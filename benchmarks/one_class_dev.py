"""Development check for defaults (issue #15): the four development sets of the one-class
benchmark plus synthetic multimodal tables with *local* anomalies, which are not part of the
benchmark, so a default can be chosen without looking at the benchmark's other sets.

The synthetic tables follow ADBench's "local anomaly" recipe: normal rows from a Gaussian
mixture (random means in [-5, 5]^d, random full covariances), anomalies from the same mixture
with every covariance scaled by `alpha`. They are built like the low-dimensional, multimodal
sets where DA3D trailed the AutoEncoder (magic.gamma, annthyroid, letter, cover); the protocol is
the benchmark's (`make_one_class_split`: label-stratified 80/5/15, normal-only training,
min-max on train).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/one_class_dev.py --out dev.csv \\
        --detectors da3d 'da3d:aae_loss=bce' pyod:AutoEncoder --seeds 0 1

Detector specs as in `one_class.py` (`name:key=value,...`, or `name|{json}` for values with
commas). Rows have the benchmark's columns and are appended; finished rows are skipped.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import one_class  # the benchmark's loaders and runner, next to this file

DEV_SETS = ("cardio", "thyroid", "vowels", "wbc")

logger = logging.getLogger("one_class_dev")


def local_anomaly_table(
    d: int, k: int, n_normal: int, n_anomalous: int, seed: int, alpha: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """A k-component Gaussian mixture in d dimensions; anomalies with alpha-times covariances."""
    rng = np.random.default_rng(1000 + seed + d)
    means = rng.uniform(-5, 5, size=(k, d))
    covs = []
    for _ in range(k):
        a = rng.normal(size=(d, d)) * rng.uniform(0.2, 1.0)
        covs.append(a @ a.T / d + 0.05 * np.eye(d))
    weights = rng.dirichlet(np.ones(k) * 3)

    def draw(n: int, scale: float) -> np.ndarray:
        comp = rng.choice(k, size=n, p=weights)
        return np.stack([rng.multivariate_normal(means[c], covs[c] * scale) for c in comp])

    X = np.concatenate([draw(n_normal, 1.0), draw(n_anomalous, alpha)])
    y = np.r_[np.zeros(n_normal), np.ones(n_anomalous)].astype(np.int64)
    return X, y


#: name -> table of a seed (the tables differ per seed, like the splits).
SYNTHETIC: dict[str, Callable[[int], tuple[np.ndarray, np.ndarray]]] = {
    "syn-local-6d": lambda s: local_anomaly_table(6, 4, 8000, 400, 0 + 100 * s),
    "syn-local-10d": lambda s: local_anomaly_table(10, 6, 20000, 1000, 1 + 100 * s),
    "syn-local-16d": lambda s: local_anomaly_table(16, 3, 3000, 150, 2 + 100 * s, alpha=3.0),
}


def table(name: str, seed: int, root: Path) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic table of `seed`, or a benchmark data set."""
    if name in SYNTHETIC:
        return SYNTHETIC[name](seed)
    return one_class.load_xy(name, root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(Path(__file__).parents[1].parent / "shared/datasets"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--detectors", nargs="+", required=True)
    parser.add_argument("--datasets", nargs="+", default=[*DEV_SETS, *SYNTHETIC])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch

    from ganad.data import make_one_class_split

    torch.set_num_threads(1)
    out = Path(args.out)
    done = one_class.finished(out)
    for name, seed, todo in one_class.planned(args.datasets, args.detectors, args.seeds, done):
        X, y = table(name, seed, Path(args.root))
        split = make_one_class_split(X, y, seed)
        base = one_class.split_row(name, seed, split, threads=1)
        for spec in todo:
            result = one_class.run_one(spec, split, seed)
            one_class.append_row(out, {**base, "detector": spec, **result})
            logger.info("%s %s seed %d  AUC %.4f", name, spec, seed, result["roc_auc"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
