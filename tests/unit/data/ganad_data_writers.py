"""Writers of tiny data files in the exact original formats (for the sets not staged here).

Imported by the data tests as a plain module (pytest puts this folder on sys.path)."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
from pathlib import Path

import numpy as np

from ganad.data.loaders.network import KDD_COLUMNS, NSL_CATEGORIES

# Two real rows of census-income.test (", "-separated, 42 fields, label last).
CENSUS_ROWS = (
    "38, Private, 6, 36, 1st 2nd 3rd or 4th grade, 0, Not in universe, Married-civilian spouse present, "
    "Manufacturing-durable goods, Machine operators assmblrs & inspctrs, White, Mexican (Mexicano), Female, "
    "Not in universe, Not in universe, Full-time schedules, 0, 0, 0, Joint one under 65 & one 65+, "
    "Not in universe, Not in universe, Spouse of householder, Spouse of householder, 1032.38, ?, ?, ?, "
    "Not in universe under 1 year old, ?, 4, Not in universe, Mexico, Mexico, Mexico, "
    "Foreign born- Not a citizen of U S , 0, Not in universe, 2, 12, 95, - 50000.",
    "44, Self-employed-not incorporated, 37, 12, Associates degree-occup /vocational, 0, Not in universe, "
    "Married-civilian spouse present, Business and repair services, Professional specialty, White, All other, "
    "Female, Not in universe, Not in universe, PT for econ reasons usually PT, 0, 0, 2500, Joint both under 65, "
    "Not in universe, Not in universe, Spouse of householder, Spouse of householder, 1462.33, ?, ?, ?, "
    "Not in universe under 1 year old, ?, 1, Not in universe, United-States, United-States, United-States, "
    "Native- Born in the United States, 0, Not in universe, 2, 26, 95, - 50000.",
)

KDD99_ROWS = (
    "0,tcp,http,SF,181,5450,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,8,8,0.00,0.00,0.00,0.00,1.00,0.00,0.00,9,9,1.00,0.00,0.11,0.00,0.00,0.00,0.00,0.00,normal.",
    "0,tcp,http,SF,239,486,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,8,8,0.00,0.00,0.00,0.00,1.00,0.00,0.00,19,19,1.00,0.00,0.05,0.00,0.00,0.00,0.00,0.00,normal.",
    "0,icmp,ecr_i,SF,1032,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,511,511,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,255,1.00,0.00,1.00,0.00,0.00,0.00,0.00,0.00,smurf.",
    "0,tcp,private,S0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,123,6,1.00,1.00,0.00,0.00,0.05,0.07,0.00,255,26,0.10,0.05,0.00,0.00,1.00,1.00,0.00,0.00,neptune.",
    "0,udp,private,SF,105,146,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,254,1.00,0.01,0.00,0.00,0.00,0.00,0.00,0.00,normal.",
    "0,icmp,ecr_i,SF,520,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,511,511,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,255,1.00,0.00,1.00,0.00,0.00,0.00,0.00,0.00,smurf.",
)

NSL_TXT_ROWS = (
    "0,tcp,ftp_data,SF,491,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,0.00,0.00,0.00,0.00,1.00,0.00,0.00,150,25,0.17,0.03,0.17,0.00,0.00,0.00,0.05,0.00,normal,20",
    "0,udp,other,SF,146,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,13,1,0.00,0.00,0.00,0.00,0.08,0.15,0.00,255,1,0.00,0.60,0.88,0.00,0.00,0.00,0.00,0.00,normal,15",
    "0,tcp,private,S0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,123,6,1.00,1.00,0.00,0.00,0.05,0.07,0.00,255,26,0.10,0.05,0.00,0.00,1.00,1.00,0.00,0.00,neptune,19",
    "0,tcp,http,SF,232,8153,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,5,5,0.20,0.20,0.00,0.00,1.00,0.00,0.00,30,255,1.00,0.00,0.03,0.04,0.03,0.01,0.00,0.01,normal,21",
)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def nsl_arff_text(rows: tuple[str, ...] = NSL_TXT_ROWS, relation: str = "KDDTrain") -> str:
    """An NSL-KDD ARFF file (header as distributed) holding the given .txt rows."""
    lines = [f"@relation '{relation}'"]
    for col in KDD_COLUMNS:
        if col in NSL_CATEGORIES:
            values = ", ".join(f"'{v}'" for v in NSL_CATEGORIES[col])
            lines.append(f"@attribute '{col}' {{{values}}} ")
        else:
            lines.append(f"@attribute '{col}' real")
    lines.append("@attribute 'class' {'normal', 'anomaly'}")
    lines.append("@data")
    for row in rows:
        fields = row.split(",")
        label = "normal" if fields[41] == "normal" else "anomaly"
        lines.append(",".join([*fields[:41], label]))
    return "\n".join(lines) + "\n"


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        ">" + "I" * array.ndim, *array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def covtype_rows(n: int = 14, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 55), dtype=np.int64)
    X[:, :10] = rng.integers(0, 3000, size=(n, 10))
    X[np.arange(n), 10 + rng.integers(0, 4, n)] = 1
    X[np.arange(n), 14 + rng.integers(0, 40, n)] = 1
    X[:, 54] = np.arange(n) % 7 + 1
    return X


def cifar_tar(batches: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
