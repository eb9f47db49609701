"""DA3D's score components on the development problems (issue #15, round 7).

One fit per (problem, configuration, seed) on the development sets and synthetic local-anomaly
tables of `one_class_dev.py` (never the benchmark's other sets), and from that fitted model the
ROC-AUC of:

* the detector's own score (`decision_function`),
* the alarm's logit alone, the log reconstruction error alone,
* the squared norm of the AAE's code (its distance from the N(0, I) prior's centre), and
* 0.1 alarm + 0.8 reconstruction + 0.1 code norm, each standardised with its mean and std on
  the training rows (a three-term composition that was measured, not adopted).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/da3d_components.py --seeds 0 1 2 \\
        --configs 'da3d:aae_sizing=wide' da3d --out docs/results/one_class/dev_round7.csv

Rows: dataset, role, seed, config, score, roc_auc, fit_seconds; finished (dataset, seed, config)
triples are skipped, so a killed run resumes.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import one_class  # the benchmark's detector specs, next to this file
import one_class_dev  # the development problems

FIELDS = ("dataset", "role", "seed", "config", "score", "roc_auc", "fit_seconds")
logger = logging.getLogger("da3d_components")


def components(det, X: np.ndarray) -> np.ndarray:
    """(alarm logit, log reconstruction error, squared code norm) per row of `X`."""
    import torch

    parts = []
    for _, xb in det._scaled_batches(np.asarray(X, dtype=np.float32)):
        pair = det._score_components(xb)
        code = det.networks_["encoder"](xb).flatten(1).double()
        parts.append(torch.cat([pair, code.pow(2).sum(1, keepdim=True)], dim=1))
    return torch.cat(parts).numpy()


def component_aucs(
    train: np.ndarray, test: np.ndarray, y: np.ndarray, score: np.ndarray
) -> dict[str, float]:
    """ROC-AUC of each component, of the detector's score and of the three-term composition."""
    from sklearn.metrics import roc_auc_score

    z = (test - train.mean(0)) / (train.std(0) + 1e-12)
    three = 0.1 * z[:, 0] + 0.8 * z[:, 1] + 0.1 * z[:, 2]
    scores = {
        "composed (default score)": score,
        "alarm only": test[:, 0],
        "reconstruction only": test[:, 1],
        "code norm only": test[:, 2],
        "0.1 alarm + 0.8 recon + 0.1 code": three,
    }
    return {name: round(float(roc_auc_score(y, s)), 4) for name, s in scores.items()}


def finished(path: Path) -> set[tuple[str, str, int]]:
    """(dataset, config, seed) of the fits already in `path`, as `one_class.planned` reads them."""
    if not path.exists():
        return set()
    with path.open(newline="") as fh:
        return {(r["dataset"], r["config"], int(r["seed"])) for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(Path(__file__).parents[1].parent / "shared/datasets"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--configs", nargs="+", default=["da3d"])
    parser.add_argument(
        "--datasets", nargs="+", default=[*one_class_dev.DEV_SETS, *one_class_dev.SYNTHETIC]
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch

    from ganad.data import make_one_class_split

    torch.set_num_threads(1)
    out = Path(args.out)
    done = finished(out)
    for name, seed, todo in one_class.planned(args.datasets, args.configs, args.seeds, done):
        X, y = one_class_dev.table(name, seed, Path(args.root))
        split = make_one_class_split(X, y, seed)
        for config in todo:
            det = one_class.make_detector(config, seed, split.x_train.shape[1])
            started = time.perf_counter()
            det.fit(split.x_train)
            fit_seconds = round(time.perf_counter() - started, 1)
            score = det.decision_function(split.x_test)
            with torch.no_grad():
                aucs = component_aucs(
                    components(det, split.x_train),
                    components(det, split.x_test),
                    split.y_test,
                    score,
                )
            write_header = not out.exists()
            with out.open("a", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=FIELDS)
                if write_header:
                    writer.writeheader()
                for kind, auc in aucs.items():
                    writer.writerow(
                        {
                            "dataset": name,
                            "role": "development",
                            "seed": seed,
                            "config": config,
                            "score": kind,
                            "roc_auc": auc,
                            "fit_seconds": fit_seconds,
                        }
                    )
            logger.info("%s seed %d %s: %s", name, seed, config, aucs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
