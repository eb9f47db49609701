"""Check the Census 1 % runs of quick-da3d for leakage effects and ranking stability.

For each seed and detector: ROC-AUC on the full test split, ROC-AUC without the test anomalies that
were also training rows (the published protocol draws both from one file), the same seed's 0 %
ROC-AUC, and the Spearman correlation of the 1 % and 0 % test scores. Reads the saved scores in
`results.runs/`; needs the Census files (GANAD_DATA or --data).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from ganad import data

HERE = Path(__file__).resolve().parent


def _saved_scores(detector: str, seed: int, tag: str) -> np.ndarray:
    (path,) = (HERE / "results.runs").glob(f"census_{detector}_*_s{seed}_{tag}_da3d.npz")
    return np.load(path)["scores"]


def _rows(x: np.ndarray) -> list[bytes]:
    return [row.tobytes() for row in np.ascontiguousarray(x, dtype=np.float32)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None, help="data directory (default: GANAD_DATA)")
    args = parser.parse_args()
    print("seed detector  AUC1%  AUC1%-no-train-anomalies  AUC0%  spearman(1%,0%)")
    for seed in (110, 210, 310):
        split = data.load_split(
            "census", protocol="da3d", seed=seed, contamination=0.01, root=args.data
        )
        y = np.asarray(split.y_test)
        in_train = np.isin(_rows(split.x_test), _rows(split.x_train))
        keep = ~((y == 1) & in_train)
        for detector in ("DA3D", "Simple", "A3"):
            s1 = _saved_scores(detector, seed, "c0p01")
            s0 = _saved_scores(detector, seed, "c0")
            print(
                f"{seed} {detector:8s} {roc_auc_score(y, s1):.3f}  "
                f"{roc_auc_score(y[keep], s1[keep]):.3f}  {roc_auc_score(y, s0):.3f}  "
                f"{spearmanr(s1, s0)[0]:+.2f}"
            )


if __name__ == "__main__":
    main()
