"""Parameter variants of one detector on a few sets of the one-class benchmark (its protocol,
`ganad.data.make_one_class_split`): the diagnosis runs behind a change of defaults.

One row per data set, one ROC-AUC (and fit seconds) per variant; variants are JSON objects of
parameters on top of the detector's defaults (`{}` = the defaults themselves). Test labels are
only used to compute the reported ROC-AUC, never to choose anything inside a run.

    OMP_NUM_THREADS=1 python benchmarks/variants.py egbad \
        '[{"cycle_weight": 0.0}, {"cycle_weight": 10.0}, {}]' \
        --datasets adbench:Pima adbench:vowels adbench:cardio --seed 0
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.data import load_dataset, make_one_class_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("detector")
    parser.add_argument("variants", help="JSON list of parameter objects")
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", default="../shared/datasets")
    args = parser.parse_args()
    variants = json.loads(args.variants)
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        parser.error("variants must be a JSON list of objects")
    torch.set_num_threads(1)
    print("| set | " + " | ".join(json.dumps(v) for v in variants) + " |")
    print("|---" * (len(variants) + 1) + "|")
    for name in args.datasets:
        ds = load_dataset(name, root=args.root)
        split = make_one_class_split(ds.X, ds.y, seed=args.seed)
        cells = []
        for params in variants:
            t0 = time.perf_counter()
            det = ganad.get_detector(args.detector, random_state=args.seed, n_jobs=1, **params)
            det.fit(split.x_train)
            auc = roc_auc_score(split.y_test, det.decision_function(split.x_test))
            cells.append(f"{auc:.3f} ({time.perf_counter() - t0:.0f} s)")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
